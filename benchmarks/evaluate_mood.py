"""Evaluate the mood engine end to end on a generated, labelled set of synthetic pieces.

    python benchmarks/evaluate_mood.py [--per-class 20] [--seed 20261125] [--quick] [--keep DIR]
    python benchmarks/evaluate_mood.py --time-classify [--calls 50000]

Each piece is written as a WAV file (numpy + ``wave``) with a controlled tempo, loudness, onset
density, timbre and dynamics, labelled with the mood its sound was built for (docs/music.md, "The three
moods"), and given realistic tags: genre, title, album, sometimes a BPM or key tag. About
a third carry tags that disagree with the sound (a lullaby on a "Soundtrack"/"Metal" album, a dance
track tagged "Ambient"), because measured audio must be able to overrule genre.

Then the real analysis turns every file into ``Features`` and ``calmtune.mood.classify`` decides.
The script prints a confusion matrix (rows: the label; columns: the verdict, with ``unknown``),
accuracy, coverage, the same for the disagreeing subset, and for the tags alone (no audio).

Kept apart from tuning: the engine's tables were set from docs/music.md and the hand-written cases in
``tests/mood/``; nothing here feeds back into them. The default seed and the class ranges below
were fixed before the first run. Seed 1 served as a development draw (it showed that the generator
needed notes on the beat grid, and that pulse-less audio must count against focus); the evaluation
seed was run only after that. ``--seed`` checks stability on other draws, not to pick a flattering
one.

``--time-classify`` measures the engine alone: µs per ``classify`` call over a generated library of
tag records with and without features (no audio, no analysis needed).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import _common  # noqa: F401  (puts tests/ on sys.path: the music generator)

RATE = 22050  # music_synth.MOOD_RATE
MOODS = ("calm", "upbeat", "focus")
VERDICTS = (*MOODS, "unknown")
EVAL_SEED = 20261125

# What each class sounds like (docs/music.md): ranges drawn uniformly per piece.
CLASS_SOUND = {
    # tempo range, notes per beat (on the beat grid, as in real music: halves, quarters, 8ths,
    # 16ths), loudness target (RMS dBFS), timbre harmonics, section level swing (dB)
    "calm": {"bpm": (52, 76), "per_beat": (0.5, 1), "level": (-34, -24), "harm": (1, 3),
             "swing": (0, 2)},
    "focus": {"bpm": (84, 112), "per_beat": (1, 2), "level": (-21, -15), "harm": (3, 6),
              "swing": (0, 1.5)},
    "upbeat": {"bpm": (118, 150), "per_beat": (2, 4), "level": (-10, -6), "harm": (6, 12),
               "swing": (0, 2)},
}  # fmt: skip

GENRES = {
    "calm": ["Ambient", "New Age", "Classical", "Piano", "Neo-Classical", "Acoustic", "Chillout"],
    "focus": ["Lo-Fi Hip Hop", "Post-Rock", "Minimal", "Chillhop", "Baroque", "IDM", "Electronic"],
    "upbeat": ["Pop", "Dance", "House", "Rock", "Drum & Bass", "Funk", "Disco", "K-Pop"],
}
# Genres that disagree with the sound, as real libraries have them.
DISAGREE = {
    "calm": ["Soundtrack", "Metal", "Rock", "Romantic Classical", "Dance", "Electronic"],
    "focus": ["Ambient", "Pop", "Death Metal", "Classical", "Soundtrack"],
    "upbeat": ["Ambient", "New Age", "Romantic Classical", "Soundtrack", "Classical"],
}
TITLES = {
    "calm": ["Lullaby for {n}", "Rain on {p}", "Nocturne No. {i}", "{p} at Dusk", "Quiet {p}"],
    "focus": ["Study Session {i}", "{p} (Instrumental)", "Deep Work", "Loop {i}", "Étude {i}"],
    "upbeat": ["Dance All Night", "{p} (Club Mix)", "Run {n} Run", "Summer {i}", "Jump"],
}
NEUTRAL_TITLES = ["Track {i}", "{p}", "{n}'s Theme", "Part {i}", "Untitled {i}", "{p} {i}"]
BATTLE_TITLES = ["Battle on the {p}", "Storm Over {p}", "The Chase", "Victory March"]
NAMES = ["Mia", "Leo", "Ana", "Tom", "Ines", "Kai"]
PLACES = ["Lake", "Harbour", "Hills", "City", "River", "Ice", "Meadow"]


@dataclass
class Piece:
    label: str
    disagree: bool
    bpm: float
    per_beat: float
    level_db: float
    harmonics: int
    swing_db: float
    genre: str | None
    title: str
    album: str
    bpm_tag: float | None
    key: str | None


# --- synthesis (the project's one generator, tests/music_synth.py) ------------------------------


def render(piece: Piece, seed: int):
    """The piece's samples (mono float32 in -1..1), built for its label's sound."""
    from music_synth import mood_sketch

    return mood_sketch(
        piece.label,
        piece.bpm,
        piece.per_beat,
        piece.harmonics,
        piece.level_db,
        piece.swing_db,
        seed,
    )


def write_wav(path: Path, samples) -> None:
    import numpy as np

    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


# --- the labelled set ----------------------------------------------------------------------------


def make_pieces(per_class: int, seed: int) -> list[Piece]:
    rng = random.Random(seed)
    pieces = []
    for label in MOODS:
        sound = CLASS_SOUND[label]
        for i in range(per_class):
            disagree = rng.random() < 0.33
            fill = {"n": rng.choice(NAMES), "p": rng.choice(PLACES), "i": rng.randint(1, 24)}
            if disagree:
                genre = rng.choice(DISAGREE[label])
                other = rng.choice([m for m in MOODS if m != label])
                pool = BATTLE_TITLES if label == "calm" else TITLES[other]
                title = rng.choice(pool + NEUTRAL_TITLES)
            else:
                genre = rng.choice([*GENRES[label], None])
                title = rng.choice(TITLES[label] + NEUTRAL_TITLES * 2)
            bpm = rng.uniform(*sound["bpm"])
            pieces.append(
                Piece(
                    label=label,
                    disagree=disagree,
                    bpm=bpm,
                    per_beat=rng.choice(sound["per_beat"]),
                    level_db=rng.uniform(*sound["level"]),
                    harmonics=rng.randint(*sound["harm"]),
                    swing_db=rng.uniform(*sound["swing"]),
                    genre=genre,
                    title=title.format(**fill),
                    album=f"{rng.choice(PLACES)} Sessions Vol. {i % 4 + 1}",
                    # a DJ tool's BPM tag on some tracks, sometimes doubled as such tools do
                    bpm_tag=None
                    if rng.random() < 0.7
                    else round(bpm * (2 if rng.random() < 0.3 else 1)),
                    key=rng.choice([None, None, "Am", "C", "F#m", "Eb", "8A"]),
                )
            )
    return pieces


# --- analysis --------------------------------------------------------------------------------------


def find_analyser() -> Callable[[str], object]:
    """The analysis entry point turning a file path into ``Features``."""
    import calmtune.analysis as analysis

    for name in ("analyze_file", "analyse_file", "analyze_path", "analyze", "features_of"):
        fn = getattr(analysis, name, None)
        if callable(fn):
            return fn
    sys.exit(
        "calmtune.analysis exposes no file -> Features function yet "
        "(looked for analyze_file, analyse_file, analyze_path, analyze, features_of)"
    )


# --- scoring ---------------------------------------------------------------------------------------


def confusion(rows: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    table = {label: dict.fromkeys(VERDICTS, 0) for label in MOODS}
    for label, verdict in rows:
        table[label][verdict] += 1
    return table


def summary(rows: list[tuple[str, str]]) -> dict[str, float]:
    n = len(rows)
    decided = [(a, b) for a, b in rows if b != "unknown"]
    right = sum(a == b for a, b in rows)
    return {
        "n": n,
        "accuracy": right / n if n else math.nan,  # unknown counts as wrong
        "coverage": len(decided) / n if n else math.nan,
        "accuracy_when_decided": right / len(decided) if decided else math.nan,
    }


def print_matrix(title: str, rows: list[tuple[str, str]]) -> None:
    table = confusion(rows)
    s = summary(rows)
    print(f"\n{title}  (n={s['n']})")
    print(f"{'label / verdict':<16}" + "".join(f"{v:>9}" for v in VERDICTS))
    for label in MOODS:
        print(f"{label:<16}" + "".join(f"{table[label][v]:>9}" for v in VERDICTS))
    print(
        f"accuracy {s['accuracy']:.1%} (unknown counts as wrong) | coverage {s['coverage']:.1%} "
        f"| accuracy when decided {s['accuracy_when_decided']:.1%}"
    )


def evaluate(args: argparse.Namespace) -> int:
    """Render, analyse and classify the set in --keep DIR, or in a folder removed afterwards."""
    if args.keep:
        workdir = Path(args.keep)
        workdir.mkdir(parents=True, exist_ok=True)
        return evaluate_in(args, workdir)
    with tempfile.TemporaryDirectory(prefix="calmtune-eval-") as scratch:
        return evaluate_in(args, Path(scratch))


def evaluate_in(args: argparse.Namespace, workdir: Path) -> int:
    from calmtune.mood import classify
    from calmtune.mood.evidence import MoodEvidence

    analyse = find_analyser()
    per_class = 2 if args.quick else args.per_class
    pieces = make_pieces(per_class, args.seed)
    audio_rows, tag_rows, disagree_rows, records = [], [], [], []
    started = time.perf_counter()
    for index, piece in enumerate(pieces):
        path = workdir / f"{index:03d}-{piece.label}.wav"
        write_wav(path, render(piece, args.seed * 1000 + index))
        features = analyse(str(path))
        tags = {
            "genre": piece.genre,
            "title": piece.title,
            "album": piece.album,
            "bpm_tag": piece.bpm_tag,
            "key": piece.key,
        }
        full = classify(MoodEvidence(features=features, **tags))
        tags_only = classify(MoodEvidence(**tags))
        audio_rows.append((piece.label, full.mood.value))
        tag_rows.append((piece.label, tags_only.mood.value))
        if piece.disagree:
            disagree_rows.append((piece.label, full.mood.value))
        records.append(
            {
                "file": path.name,
                "label": piece.label,
                "disagree": piece.disagree,
                "made": {"bpm": round(piece.bpm, 1), "onsets_per_beat": round(piece.per_beat, 2),
                         "rms_dbfs": round(piece.level_db, 1)},
                "measured": {k: getattr(features, k) for k in (
                    "bpm", "bpm_confidence", "loudness_lufs", "onset_density", "brightness",
                    "loudness_range")},
                "tags": tags,
                "verdict": full.mood.value,
                "confidence": full.confidence,
                "tags_only": tags_only.mood.value,
            }
        )  # fmt: skip
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps({"seed": args.seed, "records": records,
                          "with_audio": summary(audio_rows), "tags_only": summary(tag_rows),
                          "disagreeing_tags": summary(disagree_rows)}, indent=1))  # fmt: skip
        return 0
    kept = f", files in {workdir}" if args.keep else ""
    print(f"mood evaluation: {len(pieces)} synthetic pieces, seed {args.seed}{kept}")
    print(f"generation + analysis + classify: {elapsed:.1f} s")
    print_matrix("measured audio + tags", audio_rows)
    print_matrix("the subset whose tags disagree with the sound (audio + tags)", disagree_rows)
    print_matrix("tags only, no analysis (same pieces)", tag_rows)
    if args.verbose:
        for r in records:
            if r["verdict"] != r["label"]:
                print(json.dumps(r))
    return 0


# --- classify timing -------------------------------------------------------------------------------


def time_classify(calls: int) -> int:
    from calmtune.models import Features
    from calmtune.mood import classify
    from calmtune.mood.evidence import MoodEvidence

    rng = random.Random(3)
    genres = [g for pool in (*GENRES.values(), *DISAGREE.values()) for g in pool] + [None]
    words = ["Love", "Night", "Rain", "Blue", "Lullaby", "Remix", "Home", "Road", "Live", "II"]

    def evidence(i: int, with_features: bool) -> MoodEvidence:
        features = None
        if with_features:
            features = Features(
                bpm=rng.uniform(50, 170), bpm_confidence=rng.random(),
                loudness_lufs=rng.uniform(-30, -6), onset_density=rng.uniform(0, 8),
                brightness=rng.uniform(500, 4000), loudness_range=rng.uniform(2, 18),
            )  # fmt: skip
        return MoodEvidence(
            genre=rng.choice(genres),
            title=f"{rng.choice(words)} {rng.choice(words)} {i}",  # unique: no cache hits
            album=f"Album {i // 12}",
            bpm_tag=rng.choice([None, None, 120.0]),
            key=rng.choice([None, "Am", "C"]),
            tag_mood=rng.choice([None, None, None, "Chill", "Happy"]),
            features=features,
        )

    for with_features in (False, True):
        batch = [evidence(i, with_features) for i in range(calls)]
        best = math.inf
        for _ in range(3):
            # CPU time of this process: on a shared machine, wall time counts other jobs too
            start = time.process_time()
            for ev in batch:
                classify(ev)
            best = min(best, time.process_time() - start)
        kind = "tags + measured features" if with_features else "tags only"
        print(f"classify, {kind:<25} {best / calls * 1e6:7.1f} µs per call "
              f"(CPU time, best of 3 runs over {calls} distinct tracks)")  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-class", type=int, default=20, help="pieces per mood (default 20)")
    parser.add_argument("--seed", type=int, default=EVAL_SEED)
    parser.add_argument("--quick", action="store_true", help="two pieces per mood, for CI")
    parser.add_argument("--keep", metavar="DIR", help="write the WAV files here and keep them")
    parser.add_argument("--json", action="store_true", help="per-piece records and summaries")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    parser.add_argument("--time-classify", action="store_true", help="only time classify()")
    parser.add_argument("--calls", type=int, default=50000)
    args = parser.parse_args(argv)
    if args.time_classify:
        return time_classify(args.calls)
    return evaluate(args)


if __name__ == "__main__":
    raise SystemExit(main())
