"""Study the tempo level chooser quickly: band levels cached once, onset envelopes rebuilt in seconds.

    python benchmarks/corpus/study_levels.py collect [--jobs 2]   # once, about 2 minutes
    python benchmarks/corpus/study_levels.py report [--trees]     # the questions below, ~1 min

``fit_levels.py`` caches onset envelopes, so any change to how an envelope is made (which bands,
which floor, which lag) means decoding every file again. This script caches one step earlier: the
analyser's band levels (dB, after its level-relative floor; float16, first 60 s) of every corpus
piece (``build_corpus.py``) and every training piece (``build_training.py``), into
``<corpus cache>/levels/``. From them, main's envelopes (mean rise over all bands and over the
low, mid and high groups, and the strong versions of the groups) are rebuilt as
``spectral.SpectralAnalyzer`` makes them (from float16 levels: within rounding), and
an experiment with other envelopes is a few lines in ``envelopes``.

``report`` answers, with the shipped features (``metre.FEATURES``) and a conditional logit fitted
as ``fit_levels.py`` fits one (L2 penalty on standardised features):

- the shipped weights, per source;
- weights fitted on the training set only, scored on the corpus (how far the training set is
  from the corpus);
- leave one corpus source out (fit on the other two), the out-of-sample figure;
- all three corpus sources fitted at once, scored on themselves: an in-sample ceiling of what
  these features can tell with a linear chooser;
- with ``--trees``, the same questions for a non-linear chooser (boosted trees, scikit-learn, which
  librosa brings) over each level's features and their differences from the levels at 2, 3 and
  3/2 times and a half, a third and two thirds its tempo: whether a chooser that compares levels
  pairwise gets more out of the same features.

music21-deadpan is left out of every fit (docs/testing.md: not a target).
"""

from __future__ import annotations

import argparse
import collections
import csv
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

CORPUS_SOURCES = ("hydrogen", "music21", "generator")
SECONDS = 60.0
PENALTY = 0.01


def cache_root() -> Path:
    from build_corpus import default_cache

    return default_cache()


def pieces() -> list[dict]:
    """Every rendered corpus and training piece: its truth row and where its levels go."""
    root = cache_root()
    training = root.parent / "tempo-training-v2"
    rows = []
    for folder, source in ((root, None), (training, "train")):
        truth = HERE / "truth.csv" if source is None else training / "truth.csv"
        if not truth.exists():
            continue
        with truth.open(newline="") as handle:
            for row in csv.DictReader(handle):
                audio = folder / row["file"]
                if audio.exists():
                    name = source or row["source"]
                    key = f"{name}__{Path(row['file']).stem}"
                    rows.append({**row, "source": name, "audio": audio,
                                 "levels": root / "levels" / f"{key}.npz"})  # fmt: skip
    return rows


def _collect_one(row: dict) -> None:
    import soundfile

    from calmtune.analysis.spectral import SpectralAnalyzer

    levels: list[np.ndarray] = []

    class Capture(SpectralAnalyzer):
        """The analyser, keeping its floored band levels (the onset envelope's input)."""

        def _band_levels(self, band_power: np.ndarray) -> np.ndarray:
            level = super()._band_levels(band_power)
            levels.append(level.astype(np.float16))
            return level

    with soundfile.SoundFile(str(row["audio"])) as handle:
        count = min(handle.frames, int(SECONDS * handle.samplerate))
        data = handle.read(count, dtype="float32", always_2d=True)
        analyzer = Capture(handle.samplerate)
    analyzer.add(data)
    centres = analyzer._freqs @ analyzer._bands / analyzer._bands.sum(axis=0)
    row["levels"].parent.mkdir(parents=True, exist_ok=True)
    np.savez(row["levels"], levels=np.concatenate(levels), frame_rate=analyzer.frame_rate,
             centres=centres)  # fmt: skip


def collect(jobs: int) -> None:
    todo = [row for row in pieces() if not row["levels"].exists()]
    print(f"{len(todo)} pieces to collect")
    with ProcessPoolExecutor(jobs) as pool:
        for done, _ in enumerate(pool.map(_collect_one, todo, chunksize=4), 1):
            if done % 200 == 0:
                print(f"  {done}")


def envelopes(levels: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, ...]:
    """Main's onset envelope, its low/mid/high group envelopes and their strong versions (each
    band's rise weighed by how near the band is to its loudest level so far), from the band
    levels."""
    from calmtune.analysis import spectral

    lag = spectral.FLUX_LAG
    stacked = np.concatenate([np.repeat(levels[:1], lag, 0), levels])
    rise = np.maximum(stacked[lag:] - stacked[:-lag], 0.0)
    loudest = np.maximum.accumulate(levels, axis=0)
    strong = rise * np.clip(1.0 - (loudest - levels) / spectral.STRONG_SPAN_DB, 0.0, 1.0)
    groups = (
        centres < spectral.LOW_BAND_TOP_HZ,
        (centres >= spectral.LOW_BAND_TOP_HZ) & (centres < spectral.HIGH_BAND_BOTTOM_HZ),
        centres >= spectral.HIGH_BAND_BOTTOM_HZ,
    )
    return (
        rise.mean(axis=1),
        np.stack([rise[:, g].mean(axis=1) for g in groups], axis=1),
        np.stack([strong[:, g].mean(axis=1) for g in groups], axis=1),
    )


def evidence(rows: list[dict]) -> list[tuple[dict, object]]:
    from calmtune.analysis.tempo import level_evidence

    out = []
    for row in rows:
        stored = np.load(row["levels"])
        env, bands, strong = envelopes(stored["levels"].astype(np.float32), stored["centres"])
        out.append((row, level_evidence(env, float(stored["frame_rate"]), bands, strong)))
    return out


def true_level(row: dict, ev) -> int | None:
    if ev is None:
        return None
    matches = [i for i, level in enumerate(ev.levels) if abs(level / float(row["bpm"]) - 1) <= 0.04]
    return matches[0] if matches else None


def fit(data: list[tuple[dict, object]]) -> np.ndarray:
    from scipy.optimize import minimize

    usable = [(ev.features, true_level(row, ev)) for row, ev in data if ev is not None]
    usable = [(x, y) for x, y in usable if y is not None]
    stacked = np.concatenate([x for x, _ in usable])
    mean, spread = stacked.mean(axis=0), stacked.std(axis=0) + 1e-9
    usable = [((x - mean) / spread, y) for x, y in usable]
    width = stacked.shape[1]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros(width)
        for x, y in usable:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            total -= np.log(max(p[y], 1e-300))
            grad -= x[y] - p @ x
        n = len(usable)
        return total / n + PENALTY * float(w @ w), grad / n + 2 * PENALTY * w

    # The mean shift adds the same amount to every level of a piece, so it changes no choice.
    return minimize(loss, np.zeros(width), jac=True, method="L-BFGS-B").x / spread


def linear(weights: np.ndarray):
    """The chooser of a weight vector: the level with the highest score."""
    return lambda ev: int(np.argmax(ev.features @ weights))


# Tempo ratios to the other levels of the same piece that ``relational`` compares a level with.
RELATIONS = (2.0, 0.5, 3.0, 1 / 3, 1.5, 2 / 3)


def relational(ev) -> np.ndarray:
    """Each level's features and their differences from the level at each of RELATIONS times its
    tempo (zeros and a flag where the piece has no such level): the pairwise view a listener
    takes (is this level stronger than its double?), which a linear chooser over the levels
    one by one cannot form."""
    blocks = [ev.features]
    for ratio in RELATIONS:
        block = np.zeros((len(ev.levels), ev.features.shape[1] + 1))
        for i, level in enumerate(ev.levels):
            j = next((j for j, other in enumerate(ev.levels)
                      if abs(other / (level * ratio) - 1) <= 0.03), None)  # fmt: skip
            if j is None:
                block[i, -1] = 1.0
            else:
                block[i, :-1] = ev.features[i] - ev.features[j]
        blocks.append(block)
    return np.hstack(blocks)


def fit_trees(data: list[tuple[dict, object]]):
    """A non-linear chooser: boosted trees over ``relational`` rows, the true level against the
    others, then the level most likely true. For study only: is the linear chooser the limit?"""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rows, targets = [], []
    for row, ev in data:
        truth = true_level(row, ev)
        if truth is not None:
            rows.append(relational(ev))
            targets.append(np.arange(len(ev.levels)) == truth)
    model = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.05, max_depth=3, min_samples_leaf=20, random_state=0
    ).fit(np.vstack(rows), np.concatenate(targets))
    return lambda ev: int(np.argmax(model.predict_proba(relational(ev))[:, 1]))


def line(data: list[tuple[dict, object]], choose, label: str) -> None:
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for row, ev in data:
        if ev is None:
            counts[row["source"]]["none"] += 1
            continue
        bpm = ev.refined(ev.levels[choose(ev)])
        ratio = bpm / float(row["bpm"])
        kind = next((name for name, k in (("ok", 1), ("x2", 2), ("/2", 0.5))
                     if abs(ratio / k - 1) <= 0.04), "other")  # fmt: skip
        counts[row["source"]][kind] += 1
    text = f"{label:<34}"
    for source in (*CORPUS_SOURCES, "train"):
        c = counts[source]
        n = sum(c.values())
        if n:
            text += f" {source} {c['ok'] / n:6.1%} (x2 {c['x2']:>3}, /2 {c['/2']:>3})"
    print(text)


def report(trees: bool) -> None:
    from calmtune.analysis.tempo import LEVEL_WEIGHTS

    rows = [r for r in pieces() if r["levels"].exists() and r["source"] != "music21-deadpan"]
    data = evidence(rows)
    line(data, linear(LEVEL_WEIGHTS), "shipped weights")
    train = [d for d in data if d[0]["source"] == "train"]
    if train:
        line(data, linear(fit(train)), "fitted on the training set")
    else:
        print("(no training set: python benchmarks/corpus/build_training.py renders it)")
    for held in CORPUS_SOURCES:
        rest = [d for d in data if d[0]["source"] in CORPUS_SOURCES and d[0]["source"] != held]
        line([d for d in data if d[0]["source"] == held], linear(fit(rest)), f"left out: {held}")
    corpus = [d for d in data if d[0]["source"] in CORPUS_SOURCES]
    line(corpus, linear(fit(corpus)), "corpus fitted on itself (ceiling)")
    if not trees:
        return
    if train:
        line(data, fit_trees(train), "trees, training set")
    for held in CORPUS_SOURCES:
        rest = [d for d in data if d[0]["source"] != held]
        line([d for d in data if d[0]["source"] == held], fit_trees(rest),
             f"trees, left out: {held} (+training)")  # fmt: skip
        rest = [d for d in rest if d[0]["source"] != "train"]
        line([d for d in data if d[0]["source"] == held], fit_trees(rest),
             f"trees, left out: {held}")  # fmt: skip
    line(corpus, fit_trees(corpus), "trees, corpus on itself (ceiling)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("collect", "report"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--trees", action="store_true",
                        help="report: also a boosted-tree chooser over pairwise level features")  # fmt: skip
    args = parser.parse_args()
    if args.what == "collect":
        collect(args.jobs)
    else:
        report(args.trees)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
