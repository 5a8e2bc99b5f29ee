"""`calmtune playlist build calm` on a generated index, against `calmtune --version`.

    python benchmarks/bench_playlist.py [--tracks 100000] [--repeat 5]

Target (QUALITY.md): the whole build command within 1.5x of the whole `--version` command. Also
prints, for context, the time to read the calm tracks from the index and the pure builder
in-process (over ``Track`` objects and over flat ``TrackRow`` tuples), so a miss shows which part
is slow. Never fails on a time. CI: ``--tracks 200 --repeat 1``.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from _common import PYTHON, calmtune_command, report, time_call, time_command

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


def in_memory_tracks(n: int) -> list:
    """The same library as ``Track`` objects scored by the mood engine, for the pure builder."""
    from calmtune.library.scoring import score_track
    from calmtune.models import Track

    return [
        Track(path=p, size=s, mtime_ns=m, tags=t, scores=score_track(t, None, None))
        for p, s, m, t in library_items(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from calmtune.library import Library
    from calmtune.playlists.builder import build_playlist, plan_playlist
    from calmtune.playlists.recipe import get_recipe
    from calmtune.playlists.select import track_row

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
        peer = time_command([*calmtune, "--version"], repeat=args.repeat, env=env)
        build = [*calmtune, "playlist", "build", "calm", "--seed", "7", "--format", "paths"]
        ours = time_command(build, repeat=args.repeat, env=env)
        report("playlist build calm (command)", ours, peer, "--version", "<= 1.5x")

        recipe = get_recipe("calm")
        with Library.open(db) as lib:
            read = time_call(lambda: list(lib.iter_tracks(mood="calm", sort="path")), repeat=3)
        print(f"  of which reading the calm tracks from the index: {read * 1000:.1f} ms")
        tracks = in_memory_tracks(args.tracks)
        pure = time_call(lambda: build_playlist(tracks, recipe, seed=7), repeat=args.repeat)
        result = build_playlist(tracks, recipe, seed=7)
        print(
            f"  pure builder over {len(tracks)} in-memory tracks: {pure * 1000:.1f} ms "
            f"({len(result.tracks)} tracks, {result.duration_total / 60:.1f} min)"
        )
        rows = [track_row(t) for t in tracks]
        planned = time_call(lambda: plan_playlist(rows, recipe, seed=7), repeat=args.repeat)
        print(f"  planner over {len(rows)} TrackRow tuples: {planned * 1000:.1f} ms")
    print(f"(median of {args.repeat} runs each; python {PYTHON})")


if __name__ == "__main__":
    main()
