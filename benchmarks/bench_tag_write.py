"""Tagging N files with calmtune's safe write against a bare mutagen in-place write loop.

Both sides set the mood of the same files (separate copies) in the same run, taking turns in
chunks of 64 files, and both sync each file to disk (the peer calls fsync after mutagen's save).
Two cases:

- patch: files with the padding taggers leave, so the new tags fit. calmtune computes the edit
  in memory, journals the old bytes (synced), patches the file in place, syncs and verifies it.
  Target: at most 2x the peer.
- copy: files with no padding left, so the tags must grow. mutagen moves the audio down inside
  the file; calmtune writes a verified copy (with padding for next time) and renames it over.

WavPack is left out: its APEv2 tag has no padding, so it always takes the copy path.
The copies are synced before timing, so each fsync pays for the tag write alone. Never fails on
a time.

    python benchmarks/bench_tag_write.py              # 500 files, 10 s of audio each
    python benchmarks/bench_tag_write.py --files 16 --seconds 1   # CI's tiny run
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

FORMATS = ("mp3", "mp3v23", "flac", "ogg", "opus", "m4a", "wav", "aiff", "wma", "tta")
CHUNK = 64  # files per turn when the two sides take turns


def strip_padding(path: Path) -> None:
    """Save the file's tags again with no padding, as some taggers and rippers leave them."""
    import mutagen
    from mutagen.id3 import ID3

    audio = mutagen.File(path)
    if isinstance(audio.tags, ID3):
        audio.save(padding=lambda info: 0, v2_version=audio.tags.version[1])
    else:
        audio.save(padding=lambda info: 0)


def make_sets(root: Path, count: int, seconds: float, names: tuple[str, ...]) -> dict:
    """Identical sets of ``count`` tagged files (formats interleaved), one folder per name;
    names ending in ``copy`` hold files without padding."""
    from audiofiles import make_tagged_file

    templates = {}
    for padded in (True, False):
        for fmt in FORMATS:
            path = make_tagged_file(
                root / f"template_{fmt}_{padded}", fmt, seconds=seconds, title="t", artist="a"
            )
            if not padded:
                strip_padding(path)
            templates[fmt, padded] = path
    sets: dict[str, list[Path]] = {}
    for name in names:
        folder = root / name
        folder.mkdir()
        files = sets.setdefault(name, [])
        for i in range(count):
            template = templates[FORMATS[i % len(FORMATS)], not name.endswith("copy")]
            target = folder / f"{i:05d}{template.suffix}"
            shutil.copyfile(template, target)
            files.append(target)
    os.sync()  # so that the timed fsyncs write the tag changes, not the fresh copies
    return sets


def bare_mutagen_loop(files: list[Path]) -> None:
    """What a plain tagger does: load, set the mood key, save in place; plus an fsync."""
    import mutagen
    from mutagen.id3 import ID3, TMOO, TXXX
    from mutagen.mp4 import MP4FreeForm

    for path in files:
        audio = mutagen.File(path)
        tags = audio.tags
        if isinstance(tags, ID3):
            if tags.version[:2] == (2, 3):
                tags.add(TXXX(encoding=3, desc="MOOD", text=["Calm"]))
                audio.save(v2_version=3)
            else:
                tags.add(TMOO(encoding=3, text=["Calm"]))
                audio.save()
        elif path.suffix == ".m4a":
            tags["----:com.apple.iTunes:MOOD"] = [MP4FreeForm(b"Calm")]
            audio.save()
        elif path.suffix == ".wma":
            tags["WM/Mood"] = ["Calm"]
            audio.save()
        else:
            tags["MOOD"] = ["Calm"]
            audio.save()
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def calmtune_loop(files: list[Path], writer) -> None:
    """As ``calmtune tag`` writes: through the run's one TagWriter, in group commits."""
    from calmtune.models import Mood
    from calmtune.tags import TagUpdate

    update = TagUpdate(mood=Mood.CALM)
    for path, outcome in writer.write_many((str(p), update) for p in files):
        if not outcome or isinstance(outcome, Exception):
            raise SystemExit(f"{path}: not written: {outcome}")


def interleaved(peer_files: list[Path], our_files: list[Path]) -> tuple[float, float]:
    """Total seconds of each side, timed in alternating chunks (peer, calmtune, peer, ...), so
    a machine that slows down part-way slows both alike."""
    from calmtune.tags import TagWriter

    peer = ours = 0.0
    with TagWriter() as writer:
        for i in range(0, len(our_files), CHUNK):
            start = time.perf_counter()
            bare_mutagen_loop(peer_files[i : i + CHUNK])
            middle = time.perf_counter()
            calmtune_loop(our_files[i : i + CHUNK], writer)
            peer, ours = peer + middle - start, ours + time.perf_counter() - middle
    return peer, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10.0, help="audio length of each file")
    parser.add_argument(
        "--no-sync",
        action="store_true",
        help="make fsync and fdatasync do nothing on both sides: the ratio on storage where a "
        "sync is free (not safe; a measurement only)",
    )
    args = parser.parse_args()
    import mutagen  # noqa: F401  (imported before timing, for both sides alike)

    names = ("peer_patch", "calmtune_patch", "peer_copy", "calmtune_copy")
    with tempfile.TemporaryDirectory(prefix="calmtune-bench-tag-") as tmp:
        os.environ["CALMTUNE_HOME"] = os.path.join(tmp, "home")  # the journal goes there
        sets = make_sets(Path(tmp), args.files, args.seconds, names)
        if args.no_sync:
            os.fsync = os.fdatasync = lambda fd: None
        size_mb = sum(os.path.getsize(p) for p in sets["calmtune_patch"]) / 1e6
        times = {}
        for case in ("patch", "copy"):
            peer_files, our_files = sets[f"peer_{case}"], sets[f"calmtune_{case}"]
            times[f"peer_{case}"], times[f"calmtune_{case}"] = interleaved(peer_files, our_files)
    n = args.files
    print(
        f"tag write: {n} files ({'/'.join(FORMATS)}), {args.seconds:g} s each, "
        f"{size_mb:.1f} MB per set, "
        + ("syncs disabled on both sides" if args.no_sync else "fsync per file on both sides")
    )
    for case in ("patch", "copy"):
        peer, ours = times[f"peer_{case}"], times[f"calmtune_{case}"]
        target = "target at most 2x" if case == "patch" else "no target"
        print(
            f"  {case:5s}: calmtune {ours:6.2f} s ({ours / n * 1000:6.2f} ms/file) | "
            f"mutagen {peer:6.2f} s ({peer / n * 1000:6.2f} ms/file) | "
            f"ratio {ours / peer:5.2f}x ({target})"
        )


if __name__ == "__main__":
    main()
