"""`calmtune playlist build calm` on a generated index, against `calmtune --version`.

    python benchmarks/bench_playlist.py [--tracks 100000] [--repeat 21] [--instructions]

Target (docs/testing.md): the whole build command within 1.5x of the whole `--version` command, timed
in interleaved runs. Also prints, for context, the build in-process and its sample read, the cost
of the full read a compromised sample falls back to, and the playlist planned from the sample next
to the one planned from every calm row, so a speed-up that costs quality shows. Never fails on a
time. CI: ``--tracks 200 --repeat 1``.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from _common import (
    PYTHON,
    calmtune_command,
    count_instructions,
    report,
    time_call,
    time_commands,
)

GENRES = ["Ambient", "Classical", "Piano", "Lo-Fi", "Pop", "Rock", "Dance", "Soundtrack", "Jazz"]
MOOD_TAGS = [None, None, None, "Relaxed", "Chill", "Energetic", "Study", "Happy", "Peaceful"]


def library_items(n: int, seed: int = 1) -> list:
    """Tag records for ``n`` fake files: tempo, ReplayGain, genre and mood tags mostly present."""
    from calmtune.models import TagInfo

    rng = random.Random(seed)
    items = []
    for i in range(n):
        bpm = rng.uniform(50, 170)
        tags = TagInfo(
            format="flac",
            duration=rng.uniform(100, 480),
            title=f"Track {i}",
            artist=f"Artist {rng.randrange(max(1, n // 12))}",
            album=f"Album {rng.randrange(max(1, n // 10))}",
            genre=rng.choice(GENRES),
            tracknumber=i % 12 + 1,
            bpm=round(bpm) if rng.random() < 0.85 else None,
            mood=rng.choice(MOOD_TAGS),
            replaygain_track_gain=round(rng.uniform(-10, 12), 2) if rng.random() < 0.7 else None,
        )
        items.append((f"/bench/music/{i // 500:04d}/{i:06d}.flac", 30_000_000, 1_700_000_000, tags))
    return items


def make_index(db: Path, n: int) -> float:
    """Store the generated tags as a scan would, scored from the tags by the mood engine."""
    from calmtune.library import Library
    from calmtune.library.scoring import score_track

    start = time.perf_counter()
    items = [(*item, score_track(item[3], None, None)) for item in library_items(n)]
    with Library.open(db) as lib:
        for first in range(0, n, 5000):
            lib.upsert_scanned(items[first : first + 5000])
    return time.perf_counter() - start


def _describe(playlist_or_plan, library) -> str:
    """Length, track count and tempo path of a playlist (or of a plan's tracks)."""
    from calmtune.models import effective_bpm

    paths = getattr(playlist_or_plan, "paths", None)
    if paths is None:
        paths = [t.path for t in playlist_or_plan.tracks]
    tracks = [library.get_track(p) for p in paths]
    minutes = sum(t.tags.duration or 0 for t in tracks) / 60
    bpms = [effective_bpm(t.features, t.tags.bpm)[0] for t in tracks]
    tempos = " > ".join(f"{b:.0f}" if b else "?" for b in bpms)
    return f"{len(tracks)} tracks, {minutes:.1f} min, BPM {tempos}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions of both commands with valgrind (about 10 s)",
    )
    args = parser.parse_args()
    from calmtune.library import Library
    from calmtune.playlists.builder import plan_playlist
    from calmtune.playlists.indexed import build_from_index, sample_size
    from calmtune.playlists.recipe import get_recipe
    from calmtune.playlists.select import TrackRow

    with tempfile.TemporaryDirectory() as home:
        env = {"CALMTUNE_HOME": home}
        os.environ.update(env)
        from calmtune.config import Paths

        db = Paths.discover().default_db
        db.parent.mkdir(parents=True, exist_ok=True)
        built = make_index(db, args.tracks)
        with Library.open(db) as lib:
            calm = lib.count("calm")
        print(f"index: {args.tracks} tracks ({calm} calm) generated in {built:.1f} s")

        calmtune = calmtune_command()
        build = [*calmtune, "playlist", "build", "calm", "--seed", "7", "--format", "paths"]
        peer, ours = time_commands([[*calmtune, "--version"], build], repeat=args.repeat, env=env)
        report("playlist build calm (command)", ours, peer, "--version", "<= 1.5x")
        if args.instructions:
            counts = [
                count_instructions(argv, env=env) for argv in ([*calmtune, "--version"], build)
            ]
            if None in counts:
                print("  instructions: valgrind is not installed (or failed)")
            else:
                print(
                    f"  instructions: build {counts[1] / 1e6:.1f}M, --version "
                    f"{counts[0] / 1e6:.1f}M, ratio {counts[1] / counts[0]:.3f}"
                )

        recipe = get_recipe("calm")
        with Library.open(db) as lib:
            built_in = time_call(lambda: build_from_index(lib, recipe, seed=7), repeat=args.repeat)
            rows_wanted = sample_size(recipe.duration)
            sampled = time_call(
                lambda: lib.track_rows("calm", sample=rows_wanted, seed=7), repeat=args.repeat
            )
            print(
                f"  in-process build_from_index: {built_in * 1000:.1f} ms, of which reading the "
                f"~{rows_wanted}-row sample: {sampled * 1000:.1f} ms"
            )
            whole = time_call(lambda: lib.track_rows("calm"), repeat=3)
            rows = [TrackRow._make(r) for r in lib.track_rows("calm")]
            planned = time_call(lambda: plan_playlist(rows, recipe, seed=7), repeat=3)
            print(
                f"  fallback when a sample compromises: reading all {len(rows)} calm rows "
                f"{whole * 1000:.1f} ms, planning over them {planned * 1000:.1f} ms"
            )
            # The sample must not cost quality: compare with a plan over every calm row.
            for label, plan in (
                ("from the sample", build_from_index(lib, recipe, seed=7)),
                ("from every row", plan_playlist(rows, recipe, seed=7)),
            ):
                print(f"  playlist {label}: {_describe(plan, lib)}")
    print(f"(median of {args.repeat} interleaved runs each; python {PYTHON})")


if __name__ == "__main__":
    main()
