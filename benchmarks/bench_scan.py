"""Scanning a generated library: the first scan and a no-change rescan, each against a peer.

    python benchmarks/bench_scan.py [--files 2000] [--jobs N] [--instructions]

- first scan (`calmtune scan` as a whole command, index written) against a bare single-process
  `mutagen.File` loop over the same files (also a whole command). Target: at most 1.0x.
- no-change rescan (whole command) against `os.walk` + `stat` of the same tree (whole command).
  Target: within 3x. The in-process times (the scan function against the walk loop, without
  interpreter start-up) are printed too, because for small trees start-up dominates both.
  ``--instructions`` also counts the instructions of both rescan commands with valgrind.

The library mixes MP3 (ID3v2.4 and v2.3), FLAC, Ogg Vorbis, Opus, M4A, WAV and AIFF files with real
tags, a few seconds of audio each, spread over artist/album folders.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from _common import PYTHON, command_env, count_instructions, report

MIX = ["mp3", "mp3v23", "flac", "ogg", "opus", "m4a", "wav", "aiff"]

MUTAGEN_LOOP = """
import os, sys, mutagen
n = 0
for folder, _dirs, files in os.walk(sys.argv[1]):
    for name in files:
        try:
            f = mutagen.File(os.path.join(folder, name))
            n += f is not None and f.tags is not None
        except Exception:
            pass
print(n)
"""

WALK_STAT = """
import os, sys
n = 0
for folder, _dirs, files in os.walk(sys.argv[1]):
    for name in files:
        os.stat(os.path.join(folder, name))
        n += 1
print(n)
"""


def make_library(root: Path, count: int) -> None:
    """Write a few templates per format, then copy them with fresh tags: fast, and real files."""
    import mutagen

    from audiofiles import make_tagged_file

    templates = {}
    (root / ".templates").mkdir(parents=True)
    for fmt in MIX:
        templates[fmt] = make_tagged_file(
            root / ".templates" / fmt, fmt, seconds=3.0, title="t", artist="a", album="b"
        )
    for n in range(count):
        fmt = MIX[n % len(MIX)]
        src = templates[fmt]
        dest = root / f"Artist {n % 97:02d}" / f"Album {n % 13}" / f"{n:05d} track{src.suffix}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        audio = mutagen.File(dest)
        _retitle(audio, fmt, f"Track {n}", f"Artist {n % 97}")
        audio.save(**({"v2_version": 3} if fmt == "mp3v23" else {}))
    shutil.rmtree(root / ".templates")


def _retitle(audio, fmt: str, title: str, artist: str) -> None:
    from mutagen.id3 import TIT2, TPE1

    if fmt in ("mp3", "mp3v23", "wav", "aiff"):
        audio.tags.add(TIT2(encoding=3, text=[title]))
        audio.tags.add(TPE1(encoding=3, text=[artist]))
    elif fmt == "m4a":
        audio.tags["\xa9nam"] = [title]
        audio.tags["\xa9ART"] = [artist]
    else:
        audio.tags["TITLE"] = [title]
        audio.tags["ARTIST"] = [artist]


def timed(argv: list[str], env: dict) -> float:
    import subprocess

    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions of both rescan commands with valgrind",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="calmtune-bench-scan-"))
    try:
        lib = work / "music"
        t0 = time.perf_counter()
        make_library(lib, args.files)
        print(f"generated {args.files} files in {time.perf_counter() - t0:.1f} s under {lib}")
        env = command_env({"CALMTUNE_HOME": str(work / "home")})
        scan = [PYTHON, "-m", "calmtune", "scan", "--json", str(lib)]
        if args.jobs:
            scan[4:4] = ["--jobs", str(args.jobs)]
        mutagen_loop = [PYTHON, "-c", MUTAGEN_LOOP, str(lib)]
        # Warm the page cache for both sides, then alternate them.
        timed(mutagen_loop, env)
        firsts, peers = [], []
        for _ in range(args.repeat):
            shutil.rmtree(work / "home", ignore_errors=True)
            firsts.append(timed(scan, env))
            peers.append(timed(mutagen_loop, env))
        report("first scan", min(firsts), min(peers), "mutagen loop", "<= 1.0x")

        walk = [PYTHON, "-c", WALK_STAT, str(lib)]
        rescans = [timed(scan, env) for _ in range(args.repeat)]
        walks = [timed(walk, env) for _ in range(args.repeat)]
        report("rescan, nothing changed", min(rescans), min(walks), "os.walk+stat", "<= 3x")
        if args.instructions:
            ours, peer = (count_instructions(argv, env=env) for argv in (scan, walk))
            if ours is None or peer is None:
                print("  instructions: valgrind is not installed (or failed)")
            else:
                print(
                    f"  instructions: rescan {ours / 1e6:.1f}M, os.walk+stat {peer / 1e6:.1f}M, "
                    f"ratio {ours / peer:.2f}"
                )
        _in_process(lib, work / "home" / "library.db", args.repeat)
        print(f"(best of {args.repeat}; {os.cpu_count()} cores; jobs={args.jobs or 'default'})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _in_process(lib: Path, db: Path, repeat: int) -> None:
    from calmtune.library import Library
    from calmtune.library.scanner import scan

    def walk_stat() -> None:
        for folder, _dirs, files in os.walk(lib):
            for name in files:
                os.stat(os.path.join(folder, name))

    with Library.open(db) as library:
        ours = min(_clock(lambda: scan(library, [str(lib)])) for _ in range(repeat))
    peer = min(_clock(walk_stat) for _ in range(repeat))
    report("rescan, in-process (no start-up)", ours, peer, "os.walk+stat", "<= 3x")


def _clock(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
