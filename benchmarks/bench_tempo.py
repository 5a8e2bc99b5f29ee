"""Tempo accuracy: calmtune's estimator against librosa's on the same generated set, side by side.

    python benchmarks/bench_tempo.py [--pieces 180] [--seconds 30] [--first-seed 2000]

The set comes from tests/music_synth.py: tempo log-uniform in 50-180 BPM, six styles
(drums, clicks, soft pads, 3/4 waltz, syncopated, swing), everything else drawn from the seed.
Seeds 0-359 were used to tune calmtune; the default here starts at 2000.
Prints Accuracy1 (within 4 %), Accuracy2 (also x2, x3, /2, /3) and the count of slow pieces
(<= 90 BPM) reported at double tempo, per style and overall. librosa is a benchmark-only
dependency: without it the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections import defaultdict

import _common  # noqa: F401  (puts tests/ on sys.path: the music generator)


def acc1(estimate: float | None, truth: float) -> bool:
    return estimate is not None and abs(estimate / truth - 1.0) <= 0.04


def acc2(estimate: float | None, truth: float) -> bool:
    return any(acc1(estimate, truth * k) for k in (1.0, 2.0, 3.0, 0.5, 1.0 / 3.0))


def doubled(estimate: float | None, truth: float) -> bool:
    return truth <= 90.0 and acc1(estimate, 2.0 * truth)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=180)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--first-seed", type=int, default=2000)
    args = parser.parse_args()
    try:
        import librosa
    except ImportError:
        print("librosa is not installed; `pip install librosa` to compare (skipping).")
        return 0
    from calmtune.analysis import estimate_tempo
    from music_synth import tempo_set

    seeds = range(args.first_seed, args.first_seed + args.pieces)
    print(
        f"generating {args.pieces} pieces of {args.seconds:g} s (seeds {seeds.start}-{seeds.stop - 1})"
    )
    pieces = tempo_set(seeds, seconds=args.seconds)
    stats: dict[str, dict[str, defaultdict]] = {
        name: {"acc1": defaultdict(int), "acc2": defaultdict(int), "double": defaultdict(int)}
        for name in ("calmtune", "librosa")
    }
    counts: defaultdict = defaultdict(int)
    slow: defaultdict = defaultdict(int)
    seconds = {"calmtune": 0.0, "librosa": 0.0}
    librosa.feature.tempo(
        y=pieces[0].samples.T.mean(axis=0) if pieces[0].samples.ndim == 2 else pieces[0].samples,
        sr=pieces[0].rate,
    )  # warm up (numba)
    for piece in pieces:
        mono = piece.samples.mean(axis=1) if piece.samples.ndim == 2 else piece.samples
        start = time.perf_counter()
        ours, _confidence = estimate_tempo(piece.samples, piece.rate)
        seconds["calmtune"] += time.perf_counter() - start
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = float(librosa.feature.tempo(y=mono, sr=piece.rate)[0])
        seconds["librosa"] += time.perf_counter() - start
        counts[piece.style] += 1
        slow[piece.style] += piece.bpm <= 90.0
        for name, estimate in (("calmtune", ours), ("librosa", theirs)):
            stats[name]["acc1"][piece.style] += acc1(estimate, piece.bpm)
            stats[name]["acc2"][piece.style] += acc2(estimate, piece.bpm)
            stats[name]["double"][piece.style] += doubled(estimate, piece.bpm)
    total = sum(counts.values())
    print(
        f"{'style':<12}{'n':>4}{'slow':>6} | {'calmtune acc1':>14}{'acc2':>7}{'x2 slow':>8} | {'librosa acc1':>13}{'acc2':>7}{'x2 slow':>8}"
    )
    for style in sorted(counts):
        row = f"{style:<12}{counts[style]:>4}{slow[style]:>6} |"
        for name in ("calmtune", "librosa"):
            s = stats[name]
            n = counts[style]
            row += f"{s['acc1'][style] / n:>14.1%}{s['acc2'][style] / n:>7.1%}{s['double'][style]:>8} |"
        print(row.rstrip("|"))
    row = f"{'all':<12}{total:>4}{sum(slow.values()):>6} |"
    for name in ("calmtune", "librosa"):
        s = stats[name]
        row += f"{sum(s['acc1'].values()) / total:>14.1%}{sum(s['acc2'].values()) / total:>7.1%}{sum(s['double'].values()):>8} |"
    print(row.rstrip("|"))
    print(
        f"tempo time: calmtune {seconds['calmtune']:.2f} s, librosa {seconds['librosa']:.2f} s (estimation only, same arrays)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
