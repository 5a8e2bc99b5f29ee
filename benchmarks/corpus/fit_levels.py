"""Fit the tempo level chooser on the training set, and show how it does on the evaluation corpus.

    python benchmarks/corpus/fit_levels.py [--training DIR] [--cache DIR] [--report SOURCE ...]
                                           [--validate DIR] [--jobs 2] [--write]

The estimator (``calmtune.analysis.tempo``) lists the candidate levels of a piece (its strongest
periodicity times powers of two and three) and scores each with a weighted sum of the evidence in
``calmtune.analysis.metre.FEATURES``; a softmax of the scores gives each level a probability. This
script fits those weights as a conditional logit (maximum likelihood of the true level, with a
small L2 penalty) on the TRAINING set only: the pieces of ``build_training.py`` (default
``$XDG_CACHE_HOME/calmtune/tempo-training-v2``). ``--write`` rewrites
``src/calmtune/analysis/level_weights.py`` with the fitted weights.

``--validate DIR`` fits with several penalties and prints each one's Accuracy1 on another set of
training-like pieces (a folder with a truth.csv in the same form), to choose ``PENALTY``: it was
chosen on the surviving set of an earlier attempt (``~/.cache/calmtune/tempo-training``, 1,000
fluidsynth pieces made by other code; it fitted nothing, and its builder is lost, so it is a
check of how well a fit carries over to music made differently, not a training set).

The evaluation sources (``build_corpus.py``: hydrogen, music21, music21-deadpan, generator) are
never fitted on; ``--report`` prints the fitted weights' Accuracy1 on them beside the training
figure, as a quick look (``benchmarks/bench_tempo.py`` is the measurement of record).

Onset envelopes are kept in ``<folder>/envelopes/`` keyed by a digest of the analysis code that
makes them, so a refit does not decode everything again, and a change of that code does.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import _common  # noqa: E402, F401  (puts tests/ on sys.path: the music generator)

PENALTY = 1.0  # L2 on the (scaled) weights, per piece: chosen on the validation set (--validate)
TRAINING_SECONDS = 30.0
REPORT_SECONDS = 60.0  # as bench_tempo.py reads them
WEIGHTS_MODULE = ROOT / "src" / "calmtune" / "analysis" / "level_weights.py"


def code_digest() -> str:
    """Envelopes depend on the spectral front end only."""
    source = (ROOT / "src" / "calmtune" / "analysis" / "spectral.py").read_bytes()
    return hashlib.sha1(source).hexdigest()[:10]


def files_digest(rows: list[dict], folder: Path) -> str:
    """The rendered files as they are (names, sizes, times): a re-render is decoded again."""
    parts = []
    for row in rows:
        path = folder / row["file"]
        stat = path.stat() if path.exists() else None
        parts.append(f"{row['file']}:{stat.st_size}:{stat.st_mtime_ns}" if stat else row["file"])
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:8]


def envelope_of(job: tuple[dict, str, float]) -> tuple:
    from bench_tempo import load_piece

    from calmtune.analysis.spectral import SpectralAnalyzer

    row, folder, seconds = job
    samples, rate = load_piece(row, Path(folder), seconds)
    analyzer = SpectralAnalyzer(rate)
    analyzer.add(np.asarray(samples, dtype=np.float32))
    return analyzer.onset_envelope(), analyzer.frame_rate, analyzer.band_onset_envelopes()


def collect(name: str, rows: list[dict], folder: Path, seconds: float, jobs: int) -> list[dict]:
    """Every piece's truth and level evidence; envelopes cached under ``folder/envelopes``."""
    from calmtune.analysis.tempo import level_evidence

    stored = (
        folder
        / "envelopes"
        / f"{name}-{len(rows)}-{seconds:g}s-{code_digest()}-{files_digest(rows, folder)}.pickle"
    )
    if stored.exists():
        envs = pickle.loads(stored.read_bytes())
    else:
        work = [(row, str(folder), seconds) for row in rows]
        with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
            envs = list(pool.map(envelope_of, work, chunksize=4))
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(pickle.dumps(envs))
    items = []
    for row, env in zip(rows, envs, strict=True):
        items.append({**row, "bpm": float(row["bpm"]), "evidence": level_evidence(*env)})
    return items


def truth_index(item: dict) -> int | None:
    ev = item["evidence"]
    if ev is None:
        return None
    for index, level in enumerate(ev.levels):
        if abs(level / item["bpm"] - 1.0) <= 0.04:
            return index
    return None


FOLDS = 5  # the calibration factor is fitted on pieces each fold's weights did not see


def seed_of(item: dict) -> int:
    return int(item["made"].split()[2].rstrip(";"))


def fit(items: list[dict]) -> np.ndarray:
    """The weights fitted on ``items``, scaled by a factor fitted out of sample: each fifth of
    the pieces (by seed) is scored by weights fitted on the other four fifths, and the factor
    makes those held-out probabilities fit best, so a confidence means on new music what it
    meant on the held-out pieces (in-sample probabilities are too sure)."""
    weights = fit_raw(items)
    held_out = []
    for fold in range(FOLDS):
        inside = [it for it in items if seed_of(it) % FOLDS != fold]
        w = fit_raw(inside)
        held_out += [(it["evidence"].features, truth_index(it), w) for it in items
                     if seed_of(it) % FOLDS == fold and it["evidence"] and truth_index(it) is not None]  # fmt: skip
    return weights * calibration(held_out)


def fit_raw(items: list[dict]) -> np.ndarray:
    from scipy.optimize import minimize

    usable = [(it["evidence"].features, truth_index(it)) for it in items if it["evidence"]]
    usable = [(x, y) for x, y in usable if y is not None]
    width = usable[0][0].shape[1]
    # The penalty weighs every feature on the same scale (its spread over all candidate levels),
    # so a feature that is small where it is informative (a drum kit's backbeat) is not shrunk
    # more than one with a wide range.
    scale = np.vstack([x for x, _ in usable]).std(axis=0)
    scale[scale < 1e-9] = 1.0
    usable = [(x / scale, y) for x, y in usable]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros(width)
        for x, y in usable:
            s = x @ w
            s = s - s.max()
            p = np.exp(s) / np.exp(s).sum()
            total -= np.log(max(p[y], 1e-300))
            grad -= x[y] - p @ x
        total += PENALTY * len(usable) * float(w @ w)
        grad += 2 * PENALTY * len(usable) * w
        return total / len(usable), grad / len(usable)

    weights = minimize(loss, np.zeros(width), jac=True, method="L-BFGS-B").x
    return weights / scale


def calibration(usable: list[tuple[np.ndarray, int, np.ndarray]]) -> float:
    """The factor on the weights that makes the probabilities fit the training pieces best
    (no penalty): the penalty shrinks the weights for a choice that carries over to other
    music, which would leave every probability near even and every confidence near 0. The
    factor keeps each piece's order of levels, so it changes no choice."""
    from scipy.optimize import minimize_scalar

    def loss(factor: float) -> float:
        total = 0.0
        for x, y, weights in usable:
            s = factor * (x @ weights)
            s = s - s.max()
            total -= s[y] - np.log(np.exp(s).sum())
        return total

    return float(minimize_scalar(loss, bounds=(0.1, 100.0), method="bounded").x)


def accuracy(items: list[dict], weights: np.ndarray) -> dict:
    """Accuracy1 of the chosen level (refined as the estimator does); slow pieces (<= 95 BPM)
    doubled and fast ones (>= 150 BPM) halved, as shares of their bands; the readings trusted
    (confidence at or above models.TRUSTED_TEMPO_CONFIDENCE) and how many of them are right."""
    from calmtune.analysis.tempo import MIN_PERIODICITY, choose_level
    from calmtune.models import TRUSTED_TEMPO_CONFIDENCE

    hits = doubled = halved = slow = fast = trusted = trusted_right = 0
    for it in items:
        slow += it["bpm"] <= 95.0
        fast += it["bpm"] >= 150.0
        ev = it["evidence"]
        if ev is None or ev.periodicity < MIN_PERIODICITY:
            continue
        bpm, confidence = choose_level(ev, weights)
        ratio = bpm / it["bpm"]
        hits += abs(ratio - 1) <= 0.04
        if confidence >= TRUSTED_TEMPO_CONFIDENCE:
            trusted += 1
            trusted_right += abs(ratio - 1) <= 0.04
        doubled += it["bpm"] <= 95.0 and abs(ratio / 2 - 1) <= 0.04
        halved += it["bpm"] >= 150.0 and abs(ratio * 2 - 1) <= 0.04
    return {"acc1": hits / max(1, len(items)), "doubled": doubled / max(1, slow),
            "halved": halved / max(1, fast), "n": len(items),
            "trusted": f"{trusted_right}/{trusted}"}  # fmt: skip


def write_weights(weights: np.ndarray, count: int) -> None:
    from calmtune.analysis.metre import FEATURES

    lines = [
        '"""The tempo level chooser\'s weights, one per ``metre.FEATURES`` entry (generated).',
        "",
        f"Fitted as a conditional logit on the {count} pieces of the training set only",
        "(benchmarks/corpus/build_training.py), never on the evaluation corpus. To refit after a",
        "change of the features or the training set:",
        "",
        "    python benchmarks/corpus/build_training.py",
        "    python benchmarks/corpus/fit_levels.py --write",
        '"""',
        "",
        "LEVEL_WEIGHTS = (",
        *[f"    {w:+.4f},  # {name}" for name, w in zip(FEATURES, weights, strict=True)],
        ")",
        "",
    ]
    WEIGHTS_MODULE.write_text("\n".join(lines))


def main() -> int:
    from build_corpus import default_cache, read_truth
    from build_training import default_cache as training_cache

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--training", type=Path, default=training_cache())
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--report", nargs="*", default=["hydrogen", "music21", "generator"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="rewrite level_weights.py")
    parser.add_argument("--validate", type=Path, help="choose the penalty on this set")
    parser.add_argument(
        "--holdout", action="store_true",
        help="also fit without every fifth training seed and report on those seeds",
    )  # fmt: skip
    args = parser.parse_args()
    truth = args.training / "truth.csv"
    if not truth.exists():
        print(f"no training set in {args.training} (python benchmarks/corpus/build_training.py)")
        return 1
    rows = [r for r in read_truth(truth) if (args.training / r["file"]).exists()]
    training = collect("training", rows, args.training, TRAINING_SECONDS, args.jobs)
    reachable = sum(truth_index(it) is not None for it in training)
    print(f"training: {len(training)} pieces, true level among the candidates in {reachable}")
    if args.validate:
        global PENALTY
        rows = [r for r in read_truth(args.validate / "truth.csv")
                if (args.validate / r["file"]).exists()]  # fmt: skip
        held = collect("validation", rows, args.validate, TRAINING_SECONDS, args.jobs)
        chosen = PENALTY
        for penalty in (0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 4.0, 8.0):
            PENALTY = penalty
            w = fit(training)
            print(f"  penalty {penalty:<6} training {accuracy(training, w)['acc1']:.1%}, "
                  f"validation {accuracy(held, w)['acc1']:.1%}")  # fmt: skip
        PENALTY = chosen
    data = {}
    if args.holdout:
        kept = [it for it in training if seed_of(it) % 5]
        held = [it for it in training if not seed_of(it) % 5]
        w = fit(kept)
        data["held-out seeds (fit without)"] = (held, w)
        data["held-out grooves"] = ([it for it in held if it["piece"].startswith("groove")], w)
    weights = fit(training)
    from calmtune.analysis.metre import FEATURES

    for feature, w in zip(FEATURES, weights, strict=True):
        print(f"  {feature:<20} {w:+.3f}")
    if args.write:
        write_weights(weights, len(training))
        print(f"wrote {WEIGHTS_MODULE.relative_to(ROOT)}")
    data["training (fitted on)"] = (training, weights)
    corpus = read_truth()
    for source in args.report:
        mine = [r for r in corpus if r["source"] == source]
        if source != "generator":
            mine = [r for r in mine if (args.cache / r["file"]).exists()]
        if mine:
            data[source] = (collect(source, mine, args.cache, REPORT_SECONDS, args.jobs), weights)
    print(f"\n{'source':<30}{'pieces':>7}{'acc1':>8}{'slow x2':>9}{'fast /2':>9}{'trusted':>10}")
    for name, (items, w) in data.items():
        a = accuracy(items, w)
        print(f"{name:<30}{a['n']:>7}{a['acc1']:>8.1%}{a['doubled']:>9.1%}{a['halved']:>9.1%}"
              f"{a['trusted']:>10}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
