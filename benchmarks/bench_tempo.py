"""Tempo accuracy on the corpus of compositions with exact tempo: calmtune against librosa, same run.

    python benchmarks/bench_tempo.py [--cache DIR] [--source NAME] [--seconds 60] [--pieces N]
                                     [--misses] [--json FILE] [--jobs 2]

The corpus is listed in benchmarks/corpus/truth.csv and rendered by
``benchmarks/corpus/build_corpus.py render`` into a cache folder (default
``$XDG_CACHE_HOME/calmtune/tempo-corpus``). A source with no rendered files is skipped with the
reason; generator pieces missing from the cache are generated on the spot, so the script always
runs (CI: ``--pieces 12 --seconds 10`` without Hydrogen or fluidsynth).

Each piece is read (its first ``--seconds``) and given to calmtune's ``estimate_tempo`` and to
librosa's ``feature.tempo`` twice on the same onset envelope: with librosa's default prior (a
log-normal around 120 BPM) and with a flat prior (``scipy.stats.uniform(30, 300)``), so the
comparison does not hinge on the prior. Prints, per source, per tempo band and overall:

- acc1: estimate within 4 % of the truth; acc2: also at x2, x3, x1/2 or x1/3 of it;
- x2: reported at double the tempo, /2: at half (counts); the targets read them on pieces at or
  below 95 BPM (doubled) and at or above 150 BPM (halved);
- trusted: calmtune's pieces whose confidence clears ``models.TRUSTED_TEMPO_CONFIDENCE`` and how
  many of those are right (acc1) and at the right octave.

Figures only; nothing fails on them. librosa (and scipy) are benchmark-only dependencies: without
them only calmtune's columns are printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import _common  # noqa: F401  (puts tests/ on sys.path: the music generator)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "corpus"))

LIBROSA_RATE = 22050
BANDS = (("<=95", 0.0, 95.0), ("95-150", 95.0, 150.0), (">=150", 150.0, 1000.0))
ESTIMATORS = ("calmtune", "librosa", "librosa-flat")


def acc1(estimate: float | None, truth: float) -> bool:
    return estimate is not None and abs(estimate / truth - 1.0) <= 0.04


def acc2(estimate: float | None, truth: float) -> bool:
    return any(acc1(estimate, truth * k) for k in (1.0, 2.0, 3.0, 0.5, 1.0 / 3.0))


def band_of(bpm: float) -> str:
    if bpm <= 95.0:
        return "<=95"
    return ">=150" if bpm >= 150.0 else "95-150"


def trusted_threshold() -> float:
    import calmtune.models as models

    for name in ("TRUSTED_TEMPO_CONFIDENCE", "TEMPO_CONFIDENCE_OVER_TAG"):
        if hasattr(models, name):
            return float(getattr(models, name))
    return 0.0


# --- reading and estimating ----------------------------------------------------------------------


def load_piece(row: dict, cache: Path, seconds: float):
    """(samples, rate) of a corpus row: the cached file, or a generator piece made now."""
    import soundfile

    path = cache / row["file"]
    if path.exists():
        with soundfile.SoundFile(str(path)) as handle:
            frames = min(handle.frames, int(seconds * handle.samplerate))
            return handle.read(frames, dtype="float32", always_2d=True), handle.samplerate
    from music_synth import corpus_piece

    seed = int(row["made"].split()[-1])
    piece = corpus_piece(seed, seconds=min(seconds, 30.0), rate=LIBROSA_RATE)
    return piece.samples, piece.rate


def librosa_tempi(samples, rate: int) -> tuple[float, float, float]:
    """librosa's tempo with its default prior and with a flat prior, and the seconds it took."""
    import librosa
    import scipy.stats

    start = time.perf_counter()
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = (
            librosa.resample(mono, orig_sr=rate, target_sr=LIBROSA_RATE)
            if rate != LIBROSA_RATE
            else mono
        )
        envelope = librosa.onset.onset_strength(y=y, sr=LIBROSA_RATE)
        default = float(librosa.feature.tempo(onset_envelope=envelope, sr=LIBROSA_RATE)[0])
        flat = float(
            librosa.feature.tempo(
                onset_envelope=envelope, sr=LIBROSA_RATE, prior=scipy.stats.uniform(30, 300)
            )[0]
        )
    return default, flat, time.perf_counter() - start


def measure(job: tuple[dict, str, float, bool]) -> dict:
    """One piece through every estimator (run in a worker process)."""
    from calmtune.analysis import estimate_tempo

    row, cache, seconds, with_librosa = job
    samples, rate = load_piece(row, Path(cache), seconds)
    start = time.perf_counter()
    bpm, confidence = estimate_tempo(samples, rate)
    spent = time.perf_counter() - start
    result = {**row, "calmtune": bpm, "confidence": confidence, "calmtune_s": spent}
    if with_librosa:
        default, flat, librosa_s = librosa_tempi(samples, rate)
        result.update({"librosa": default, "librosa-flat": flat, "librosa_s": librosa_s})
    return result


# --- the report ----------------------------------------------------------------------------------


def figures(results: list[dict], name: str) -> dict:
    n = len(results)
    hits = sum(acc1(r[name], r["bpm"]) for r in results)
    return {
        "n": n,
        "acc1": hits / n if n else math.nan,
        "acc2": sum(acc2(r[name], r["bpm"]) for r in results) / n if n else math.nan,
        "x2": sum(acc1(r[name], 2 * r["bpm"]) for r in results),
        "/2": sum(acc1(r[name], r["bpm"] / 2) for r in results),
    }


def trusted(results: list[dict], threshold: float) -> str:
    sure = [r for r in results if r["calmtune"] is not None and r["confidence"] >= threshold]
    if not sure:
        return "   0"
    right = sum(acc1(r["calmtune"], r["bpm"]) for r in sure)
    octave = sum(acc2(r["calmtune"], r["bpm"]) and not _octave_error(r) for r in sure)
    return f"{len(sure):>4} {right / len(sure):>6.1%} {octave / len(sure):>6.1%}"


def _octave_error(r: dict) -> bool:
    return any(acc1(r["calmtune"], r["bpm"] * k) for k in (2.0, 3.0, 0.5, 1.0 / 3.0))


def print_table(title: str, groups: Iterable[tuple[str, list[dict]]], names: list[str]) -> None:
    threshold = trusted_threshold()
    head = f"{title:<14}{'n':>4} |"
    for name in names:
        head += f" {name:>12} {'acc2':>6} {'x2':>3} {'/2':>3} |"
    head += f" trusted(>={threshold:g}) n acc1 octave ok"
    print(head)
    for label, rows in groups:
        if not rows:
            continue
        line = f"{label:<14}{len(rows):>4} |"
        for name in names:
            f = figures(rows, name)
            line += f" {f['acc1']:>12.1%} {f['acc2']:>6.1%} {f['x2']:>3} {f['/2']:>3} |"
        print(line + " " + trusted(rows, threshold))


def report(results: list[dict], names: list[str]) -> None:
    from build_corpus import SOURCES

    sources = sorted(
        {r["source"] for r in results}, key=lambda s: SOURCES.index(s) if s in SOURCES else 9
    )
    print()
    print_table(
        "source",
        [*((s, [r for r in results if r["source"] == s]) for s in sources), ("all", results)],
        names,
    )
    print()
    print_table(
        "tempo band",
        ((b, [r for r in results if band_of(r["bpm"]) == b]) for b, _, _ in BANDS),
        names,
    )
    print()
    metres = sorted({r["metre"] for r in results})
    print_table("metre", ((m, [r for r in results if r["metre"] == m]) for m in metres), names)
    print()
    slow = [r for r in results if r["bpm"] <= 95.0]
    fast = [r for r in results if r["bpm"] >= 150.0]
    for name in names:
        doubled = sum(acc1(r[name], 2 * r["bpm"]) for r in slow)
        halved = sum(acc1(r[name], r["bpm"] / 2) for r in fast)
        worst = min(
            figures([r for r in results if r["source"] == s], name)["acc1"] for s in sources
        )
        print(
            f"{name:<13} acc1 {figures(results, name)['acc1']:.1%} (worst source {worst:.1%}); "
            f"<=95 BPM doubled {doubled}/{len(slow)} ({doubled / max(1, len(slow)):.1%}); "
            f">=150 BPM halved {halved}/{len(fast)} ({halved / max(1, len(fast)):.1%})"
        )
    if len(names) > 1:
        ours = figures(results, "calmtune")["acc1"]
        for name in names[1:]:
            theirs = figures(results, name)["acc1"]
            ratio = ours / theirs if theirs else math.inf
            print(f"ratio of accuracy1, calmtune / {name}: {ratio:.2f}")
        spent = sum(r["calmtune_s"] for r in results)
        theirs_s = sum(r["librosa_s"] for r in results)
        print(
            f"estimation time on the same arrays: calmtune {spent:.1f} s, librosa (resample, "
            f"onsets, two priors) {theirs_s:.1f} s: ratio {spent / theirs_s:.2f}"
        )


def print_misses(results: list[dict], names: list[str]) -> None:
    print("\nmisses (calmtune outside 4 %):")
    for r in sorted(results, key=lambda r: (r["source"], r["bpm"])):
        if acc1(r["calmtune"], r["bpm"]):
            continue
        others = " ".join(f"{n} {r[n]:.1f}" for n in names[1:])
        ours = "none" if r["calmtune"] is None else f"{r['calmtune']:.1f}"
        print(
            f"  {r['source']:<9} {r['piece'][:44]:<44} {r['metre']:>5} truth {r['bpm']:6.1f} "
            f"calmtune {ours:>6} (conf {r['confidence']:.2f}) {others}"
        )


def select(rows: list[dict], cache: Path, pieces: int | None) -> list[dict]:
    """The rows to measure: per source, those rendered (generator: all), spread evenly to
    ``pieces`` when asked; a source with nothing rendered is skipped with the reason."""
    from build_corpus import SOURCES

    chosen = []
    for source in SOURCES:
        mine = [r for r in rows if r["source"] == source]
        if not mine:
            continue
        if source != "generator":
            ready = [r for r in mine if (cache / r["file"]).exists()]
            if not ready:
                print(
                    f"{source}: skipped, none of its {len(mine)} pieces is rendered in {cache} "
                    f"(python benchmarks/corpus/build_corpus.py render --source {source})"
                )
                continue
            if len(ready) < len(mine):
                print(f"{source}: {len(ready)} of {len(mine)} pieces rendered; measuring those")
            mine = ready
        if pieces and pieces < len(mine):
            step = len(mine) / pieces
            mine = [mine[int(i * step)] for i in range(pieces)]
        chosen += mine
    return chosen


def run(jobs: list, workers: int, on_done: Callable[[int], None]) -> list[dict]:
    if workers <= 1:
        out = []
        for job in jobs:
            out.append(measure(job))
            on_done(len(out))
        return out
    with ProcessPoolExecutor(max_workers=workers) as pool:
        out = []
        for result in pool.map(measure, jobs, chunksize=2):
            out.append(result)
            on_done(len(out))
        return out


def main() -> int:
    from build_corpus import default_cache, read_truth

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--truth", type=Path, default=HERE / "corpus" / "truth.csv")
    parser.add_argument("--source", action="append", help="only these sources (default: all)")
    parser.add_argument("--seconds", type=float, default=60.0, help="read this much of each piece")
    parser.add_argument("--pieces", type=int, help="at most this many pieces per source")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--misses", action="store_true", help="list every piece calmtune missed")
    parser.add_argument("--json", type=Path, help="write every piece's results to this file")
    args = parser.parse_args()

    rows = [r for r in read_truth(args.truth) if not args.source or r["source"] in args.source]
    rows = select(rows, args.cache, args.pieces)
    try:
        import librosa  # noqa: F401
        import scipy.stats  # noqa: F401
    except ImportError:
        print("librosa is not installed (`pip install librosa`): calmtune's figures only")
        with_librosa = False
    else:
        with_librosa = True
    names = list(ESTIMATORS) if with_librosa else ["calmtune"]
    print(f"tempo corpus: {len(rows)} pieces, first {args.seconds:g} s of each, cache {args.cache}")
    if with_librosa:  # warm librosa's compiled kernels before anything is timed
        import numpy as np

        librosa_tempi(
            np.random.default_rng(0).standard_normal(LIBROSA_RATE * 6).astype("float32"),
            LIBROSA_RATE,
        )
    jobs = [(row, str(args.cache), args.seconds, with_librosa) for row in rows]
    started = time.perf_counter()

    def progress(done: int) -> None:
        if done % 25 == 0 or done == len(jobs):
            print(
                f"  {done}/{len(jobs)} measured ({time.perf_counter() - started:.0f} s)", flush=True
            )

    results = run(jobs, args.jobs, progress)
    report(results, names)
    if args.misses:
        print_misses(results, names)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
