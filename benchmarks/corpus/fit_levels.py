"""Fit the weights calmtune gives the evidence for each metrical level, and check them source by source.

    python benchmarks/corpus/fit_levels.py [--fit generator-dev hydrogen] [--loso] [--cache DIR]

The estimator (``calmtune.analysis.tempo``) lists the candidate levels of a piece (its strongest
periodicity times powers of two and three) and scores each with a weighted sum of a few features
(``calmtune.analysis.metre.FEATURES``); a softmax of the scores gives each level a probability.
This script fits those weights as a conditional logit (maximum likelihood of the true level, with
a small L2 penalty so that no weight grows on a handful of pieces) and prints them, ready to paste
into ``LEVEL_WEIGHTS``.

Sources: ``generator-dev`` (tests/music_synth.py ``corpus_plan`` seeds 0-299, made on the spot;
the corpus and the tests use other seeds), and the rendered corpus sources ``hydrogen``,
``music21`` and ``generator`` (benchmarks/corpus/truth.csv, from the cache).

``--loso`` (leave one source out): for each corpus source, fit on the others (plus generator-dev)
and report Accuracy1 on the one left out, next to the shipped weights' figure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import _common  # noqa: E402, F401  (puts tests/ on sys.path: the music generator)

DEV_SEEDS = range(0, 300)
PENALTY = 0.01  # L2 on the weights, per piece


def envelopes(samples: np.ndarray, rate: int) -> tuple:
    from calmtune.analysis.spectral import SpectralAnalyzer

    analyzer = SpectralAnalyzer(rate)
    analyzer.add(np.asarray(samples, dtype=np.float32))
    return (analyzer.onset_envelope(), analyzer.frame_rate, analyzer.band_onset_envelopes(),
            analyzer.strong_band_onset_envelopes())  # fmt: skip


def envelope_code_digest() -> str:
    """A short digest of the code that makes the envelopes: a change to it makes a new cache file
    instead of reusing envelopes the current analyser would not give."""
    import hashlib

    from calmtune.analysis import floors, spectral

    digest = hashlib.sha256()
    for module in (spectral, floors):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:10]


def collect(source: str, cache: Path, seconds: float) -> list[dict]:
    """Every piece of ``source``: truth, candidate levels, features. The onset envelopes are kept
    in the cache folder (``envelopes/``), so that refitting does not decode everything again."""
    import pickle

    from bench_tempo import load_piece
    from build_corpus import read_truth

    from calmtune.analysis.tempo import level_evidence
    from music_synth import corpus_plan, make_piece

    stored = cache / "envelopes" / f"{source}-{seconds:g}s-{envelope_code_digest()}.pickle"
    if stored.exists():
        items = pickle.loads(stored.read_bytes())
    else:
        items = []
        if source == "generator-dev":
            for seed, style, bpm, metre in corpus_plan(DEV_SEEDS):
                piece = make_piece(bpm, style, seed, seconds=min(30.0, seconds))
                items.append({"source": source, "piece": f"{style}-{seed}", "bpm": bpm,
                              "metre": metre, "env": envelopes(piece.samples, piece.rate)})  # fmt: skip
        for row in read_truth():
            if row["source"] != source:
                continue
            if source != "generator" and not (cache / row["file"]).exists():
                continue
            samples, rate = load_piece(row, cache, seconds)
            items.append({"source": source, "piece": row["piece"], "bpm": row["bpm"],
                          "metre": row["metre"], "env": envelopes(samples, rate)})  # fmt: skip
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(pickle.dumps(items))
    for item in items:
        item["evidence"] = level_evidence(*item["env"])
    return items


def truth_index(item: dict) -> int | None:
    ev = item["evidence"]
    if ev is None:
        return None
    for index, level in enumerate(ev.levels):
        if abs(level / item["bpm"] - 1.0) <= 0.04:
            return index
    return None


def fit(items: list[dict]) -> np.ndarray:
    from scipy.optimize import minimize

    usable = [(it["evidence"].features, truth_index(it)) for it in items if it["evidence"]]
    usable = [(x, y) for x, y in usable if y is not None]
    width = usable[0][0].shape[1]

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

    done = minimize(loss, np.zeros(width), jac=True, method="L-BFGS-B")
    return done.x


def accuracy(items: list[dict], weights: np.ndarray) -> tuple[float, int, int]:
    """Accuracy1 of the chosen level (refined as the estimator does), doubled and halved counts."""
    hits = doubled = halved = 0
    for it in items:
        ev = it["evidence"]
        if ev is None:
            continue
        choice = int(np.argmax(ev.probabilities(weights)))
        bpm = ev.refined(ev.levels[choice])
        ratio = bpm / it["bpm"]
        hits += abs(ratio - 1) <= 0.04
        doubled += abs(ratio / 2 - 1) <= 0.04
        halved += abs(ratio * 2 - 1) <= 0.04
    return hits / max(1, len(items)), doubled, halved


def main() -> int:
    from build_corpus import default_cache

    from calmtune.analysis.metre import FEATURES
    from calmtune.analysis.tempo import LEVEL_WEIGHTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", nargs="+", default=["generator-dev", "hydrogen"])
    parser.add_argument("--loso", action="store_true")
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    names = sorted({*args.fit, "hydrogen", "music21", "generator"} if args.loso else set(args.fit))
    data = {name: collect(name, args.cache, args.seconds) for name in names}
    for name, items in data.items():
        reachable = sum(truth_index(it) is not None for it in items)
        print(f"{name:<14} {len(items):>4} pieces, true level among the candidates in {reachable}")
    weights = fit([it for name in args.fit for it in data[name]])
    print("\nfitted on " + " + ".join(args.fit) + ":")
    print("LEVEL_WEIGHTS = np.array([" + ", ".join(f"{w:.3f}" for w in weights) + "])")
    for feature, w in zip(FEATURES, weights, strict=True):
        print(f"  {feature:<20} {w:+.3f}")
    print(f"\n{'source':<14}{'fitted':>9}{'shipped':>9}")
    for name, items in data.items():
        print(
            f"{name:<14}{accuracy(items, weights)[0]:>9.1%}{accuracy(items, LEVEL_WEIGHTS)[0]:>9.1%}"
        )
    if args.loso:
        print(
            "\nleave one source out: fit on the rest (and generator-dev), report the one left out"
        )
        for held in ("hydrogen", "music21", "generator"):
            rest = [it for name in data if name != held for it in data[name]]
            w = fit(rest)
            acc, doubled, halved = accuracy(data[held], w)
            print(f"  {held:<12} acc1 {acc:.1%} (doubled {doubled}, halved {halved})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
