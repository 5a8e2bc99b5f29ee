"""Tagging N files with calmtune's safe write against a bare mutagen in-place write loop.

Both loops set the mood of the same files (separate copies) in the same run. calmtune copies each
file, edits and verifies the copy, fsyncs it and renames it over the original; mutagen edits in
place (usually inside the tag's padding) with no fsync. The ratio is the price of that safety.
Target: at most 2x. Never fails on a time.

    python benchmarks/bench_tag_write.py              # 500 files, 10 s of audio each
    python benchmarks/bench_tag_write.py --files 20   # CI's tiny run
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

FORMATS = ("mp3", "mp3v23", "flac", "ogg", "opus", "m4a", "wav", "aiff")


def make_copies(root: Path, count: int, seconds: float) -> tuple[list[Path], ...]:
    """Three identical sets of ``count`` tagged files (formats interleaved)."""
    from audiofiles import make_tagged_file

    templates = [
        make_tagged_file(
            root / f"template_{fmt}", fmt, seconds=seconds, title="t", artist="a", genre="Ambient"
        )
        for fmt in FORMATS
    ]
    sets: tuple[list[Path], list[Path], list[Path]] = ([], [], [])
    for name, files in zip(("calmtune", "mutagen", "batch"), sets, strict=True):
        folder = root / name
        folder.mkdir()
        for i in range(count):
            template = templates[i % len(templates)]
            target = folder / f"{i:05d}{template.suffix}"
            shutil.copyfile(template, target)
            files.append(target)
    return sets


def bare_mutagen_loop(files: list[Path]) -> None:
    """What a plain tagger does: load, set the mood key, save in place."""
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
        else:
            tags["MOOD"] = ["Calm"]
            audio.save()


def calmtune_loop(files: list[Path], *, batch: bool) -> None:
    """``batch``: as ``calmtune tag`` runs, one folder fsync at the end instead of one per file."""
    from calmtune.models import Mood
    from calmtune.tags import TagUpdate, fsync_folders, write_tags

    update = TagUpdate(mood=Mood.CALM)
    for path in files:
        write_tags(str(path), update, sync_folder=not batch)
    if batch:
        fsync_folders(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10.0, help="audio length of each file")
    args = parser.parse_args()
    import mutagen  # noqa: F401  (imported before timing, for both sides alike)

    with tempfile.TemporaryDirectory(prefix="calmtune-bench-tag-") as tmp:
        ours_files, peer_files, batch_files = make_copies(Path(tmp), args.files, args.seconds)
        size_mb = sum(os.path.getsize(p) for p in ours_files) / 1e6
        start = time.perf_counter()
        bare_mutagen_loop(peer_files)
        peer = time.perf_counter() - start
        start = time.perf_counter()
        calmtune_loop(ours_files, batch=False)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        calmtune_loop(batch_files, batch=True)
        batch = time.perf_counter() - start
    n = args.files
    formats = "/".join(FORMATS)
    print(f"tag write: {n} files ({formats}), {args.seconds:g} s each, {size_mb:.1f} MB per set")
    print(f"  bare mutagen in place           : {peer:7.2f} s ({peer / n * 1000:6.2f} ms/file)")
    for label, t in (("per file", ours), ("per run ", batch)):
        print(
            f"  calmtune, folder fsync {label} : {t:7.2f} s ({t / n * 1000:6.2f} ms/file), "
            f"{t / peer:5.2f}x mutagen (target at most 2x)"
        )


if __name__ == "__main__":
    main()
