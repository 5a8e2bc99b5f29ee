"""Does a track keep its mood when it is played softer or louder? Checked on music nobody here made.

    python benchmarks/check_mood_gain.py [--sources hydrogen,music21,...] [--gains -12,0,6]
                                          [--limit N] [--jobs N] [-v]

The test suite checks this on the project's own generator (``tests/mood/test_mood_gain.py``);
this script checks it on the tempo corpus (``benchmarks/corpus/build_corpus.py``: Hydrogen's demo
songs, music21 scores rendered through fluidsynth, the generator's corpus seeds) and on every
installed labelled soundtrack track (``benchmarks/data/dev_moods.tsv`` and
``soundtrack_moods.tsv``: real recordings as their packages ship them). Nothing is tuned here:
it only reports, so using the held-out soundtracks costs nothing.

Each track is measured in-process (``analyze_samples``, then ``classify`` from the audio alone) at
each gain relative to its own level. Where a gain pushes peaks past -1 dBFS, the look-ahead limiter
of ``evaluate_mood_real.py`` holds them there, as a mastering engineer or a streaming service
would; so louder is a slightly different sound (flattened hits), softer is the same sound.

Printed per source: how many tracks keep their verdict at every gain, the largest spread of the
calm score, and (``-v``, or always for the few that change) each track whose verdict moves, with
its verdicts, confidences and tempo readings. Exit status 0 always: a report, not a gate.
"""

from __future__ import annotations

import argparse
import collections
import csv
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "corpus"))

import evaluate_mood_real as real  # noqa: E402

CORPUS_SOURCES = ("hydrogen", "music21", "music21-deadpan", "generator")
SOUNDTRACK_SETS = ("dev", "heldout")
SECONDS = 60.0  # the first minute of each track: what a wrong verdict needs to show
LEVEL_FEATURES = ("loudness_lufs", "peak_dbfs")  # these follow the gain by design


def corpus_tracks(sources: set[str]) -> list[tuple[str, str, Path]]:
    """(source, name, path) of every rendered tempo-corpus piece of ``sources``."""
    from build_corpus import default_cache

    root = default_cache()
    truth = HERE / "corpus" / "truth.csv"
    tracks = []
    with truth.open(newline="") as handle:
        for row in csv.DictReader(handle):
            path = root / row["file"]
            if row["source"] in sources and path.exists():
                tracks.append((row["source"], Path(row["file"]).stem, path))
    return tracks


def soundtrack_tracks(sets: set[str]) -> list[tuple[str, str, real.Item]]:
    """(source, name, labelled item) of every installed soundtrack track of ``sets``."""
    tracks = []
    for name in SOUNDTRACK_SETS:
        if name in sets:
            for item in real.locate(real.read_labels(real.SETS[name])):
                tracks.append((f"soundtrack-{name}", f"{item.package}:{item.path}", item))
    return tracks


def _read(what, scratch: Path):
    import soundfile

    if isinstance(what, real.Item):
        samples, rate = real.decode(what, scratch)
    else:
        samples, rate = soundfile.read(str(what), dtype="float32", always_2d=True)
    return samples[: int(SECONDS * rate)], rate


def measure(job: tuple[str, str, object, tuple[float, ...], str]) -> dict:
    import numpy as np

    from calmtune.analysis import analyze_samples
    from calmtune.mood import classify
    from calmtune.mood.evidence import MoodEvidence

    source, name, what, gains, scratch = job
    samples, rate = _read(what, Path(scratch))
    ceiling = 10 ** (real.CEILING_DBFS / 20)
    verdicts = []
    for gain in gains:
        scaled = samples * np.float32(10 ** (gain / 20))
        limited = bool(np.abs(scaled).max() > ceiling) and gain > 0
        if limited:
            scaled = real.limit_peaks(scaled, rate, ceiling)
        features = analyze_samples(scaled, rate)
        scores = classify(MoodEvidence(features=features))
        verdicts.append({
            "gain": gain, "limited": limited, "mood": scores.mood.value,
            "confidence": scores.confidence, "calm": scores.calm,
            "bpm": features.bpm, "bpm_confidence": features.bpm_confidence,
            "features": {name: value for name, value in features._asdict().items()
                         if isinstance(value, float) and name not in LEVEL_FEATURES},
        })  # fmt: skip
    return {"source": source, "name": name, "verdicts": verdicts}


def describe(result: dict) -> str:
    parts = []
    for v in result["verdicts"]:
        tempo = (
            "no tempo" if v["bpm"] is None else f"{v['bpm']:.0f} BPM ({v['bpm_confidence']:.2f})"
        )
        limited = ", limited" if v["limited"] else ""
        parts.append(
            f"{v['gain']:+g} dB{limited}: {v['mood']} (confidence {v['confidence']:.2f}), "
            f"calm score {v['calm']:.3f}, {tempo}"
        )
    return f"  {result['source']} {result['name']}\n    " + "\n    ".join(parts)


def feature_moves(rows: list[dict], gain: float) -> str:
    """Per measurement, how far it moves from 0 dB to ``gain`` over the tracks of ``rows``, in
    interquartile ranges of its values at 0 dB: the 90th percentile and the largest move."""
    import numpy as np

    def at(row: dict, wanted: float) -> dict:
        return next((v["features"] for v in row["verdicts"] if v["gain"] == wanted), {})

    parts = []
    for name in at(rows[0], 0.0):
        pairs = [(at(r, 0.0).get(name), at(r, gain).get(name)) for r in rows]
        pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
        if len(pairs) < 4:
            continue
        spread = float(np.subtract(*np.percentile([a for a, _ in pairs], [75, 25])))
        if spread > 0:
            moves = [abs(b - a) / spread for a, b in pairs]
            parts.append(f"{name} {np.percentile(moves, 90):.2f}/{max(moves):.2f}")
    return ", ".join(parts) or "too few tracks"


def report(results: list[dict], verbose: bool) -> None:
    by_source: dict[str, list[dict]] = collections.defaultdict(list)
    for result in results:
        by_source[result["source"]].append(result)
    total = kept_total = 0
    print(f"{'source':<22} {'tracks':>6} {'kept':>6} {'moved':>6} {'calm spread (max)':>18}")
    for source, rows in by_source.items():
        moved = [r for r in rows if len({v["mood"] for v in r["verdicts"]}) > 1]
        spread = max(
            max(v["calm"] for v in r["verdicts"]) - min(v["calm"] for v in r["verdicts"])
            for r in rows
        )
        total += len(rows)
        kept_total += len(rows) - len(moved)
        print(f"{source:<22} {len(rows):>6} {len(rows) - len(moved):>6} {len(moved):>6} "
              f"{spread:>18.3f}")  # fmt: skip
    print(f"{'all':<22} {total:>6} {kept_total:>6} {total - kept_total:>6}")
    gains = [v["gain"] for v in results[0]["verdicts"] if v["gain"] != 0.0]
    if any(v["gain"] == 0.0 for v in results[0]["verdicts"]):
        print("\nhow far each measurement moves from 0 dB, in interquartile ranges of its spread "
              "over the source's\ntracks at their own level: 90th percentile/largest move")  # fmt: skip
        for gain in gains:
            for source, rows in by_source.items():
                print(f"  {gain:+g} dB, {source}: " + feature_moves(rows, gain))
    moved = [r for r in results if len({v["mood"] for v in r["verdicts"]}) > 1]
    if moved:
        print("\nverdict moved with the gain:")
        for result in moved:
            print(describe(result))
    if verbose:
        print("\nevery track:")
        for result in results:
            print(describe(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    all_sources = (*CORPUS_SOURCES, *(f"soundtrack-{s}" for s in SOUNDTRACK_SETS))
    parser.add_argument("--sources", default=",".join(all_sources),
                        help="comma-separated, from: " + ", ".join(all_sources))  # fmt: skip
    parser.add_argument("--gains", default="-12,0,6", help="dB relative to each track's own level")
    parser.add_argument("--limit", type=int, help="only the first N tracks of each source")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    wanted = set(args.sources.split(","))
    unknown = wanted - set(all_sources)
    if unknown:
        parser.error(f"unknown source: {', '.join(sorted(unknown))}")
    gains = tuple(float(g) for g in args.gains.split(","))
    tracks = corpus_tracks(wanted) + soundtrack_tracks(
        {s for s in SOUNDTRACK_SETS if f"soundtrack-{s}" in wanted}
    )
    if args.limit:
        counts: collections.Counter = collections.Counter()
        kept = []
        for track in tracks:
            counts[track[0]] += 1
            if counts[track[0]] <= args.limit:
                kept.append(track)
        tracks = kept
    if not tracks:
        print("no track to check: build the corpus (benchmarks/corpus/build_corpus.py) or install "
              "the soundtrack packages (docs/testing.md)")  # fmt: skip
        return 0
    print(f"{len(tracks)} tracks at {', '.join(f'{g:+g}' for g in gains)} dB")
    with tempfile.TemporaryDirectory(prefix="calmtune-gain-") as scratch:
        jobs = [(source, name, what, gains, scratch) for source, name, what in tracks]
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(measure, jobs, chunksize=2))
    report(results, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
