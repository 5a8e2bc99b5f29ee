"""Finding audio files under a library root, quickly and without getting lost.

Recognition is by file extension only (no file is opened while walking), so a rescan of an unchanged
library costs one ``stat`` per file. Hidden files and folders are skipped. Symbolic links to folders
are followed, but every folder is entered at most once (by device and inode), which breaks loops.
"""

import os
import stat
from typing import NamedTuple

# NamedTuples and a plain class, not dataclasses, and no ``from __future__ import annotations``
# (typing compiles string annotations of a NamedTuple one by one), for the same reason as the
# records in models.py: a no-change rescan is mostly start-up. The scanner's and this module's six
# dataclasses, with the dataclasses import, were 12.4M of its 370M instructions
# (``benchmarks/bench_scan.py --instructions``).


class FoundFile(NamedTuple):
    path: str
    size: int
    mtime_ns: int


class WalkProblem(NamedTuple):
    path: str
    error: str


class WalkResult:
    __slots__ = ("files", "problems", "seen_files", "unlisted_dirs", "visited")

    def __init__(self) -> None:
        self.files: list[FoundFile] = []
        self.problems: list[WalkProblem] = []
        # Folders that could not be listed: their indexed tracks must not be dropped as
        # "vanished".
        self.unlisted_dirs: list[str] = []
        # Folders entered so far, by (device, inode), shared by every root walked into this
        # result: overlapping roots and links to folders are walked once.
        self.visited: set[tuple[int, int]] = set()
        self.seen_files: set[str] = set()


def _describe(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def walk_audio(root: str, extensions: frozenset[str], result: WalkResult) -> None:
    """Add every audio file under ``root`` (a folder or a single file) to ``result``."""
    root = os.path.abspath(root)
    try:
        st = os.stat(root)
    except OSError as exc:
        result.problems.append(WalkProblem(root, _describe(exc)))
        result.unlisted_dirs.append(root)
        return
    if not stat.S_ISDIR(st.st_mode):
        _add_file(root, st, result)
        return
    # One pass over each folder's entries, with no function call per file: a no-change rescan is
    # mostly this loop and start-up. Written as a generator of folders, a second loop over each
    # folder's entries and two calls per file, it took 59.7M instructions over 2,000 files in
    # 1,359 folders; this way 48.0M (os.walk + stat of the same tree: 70.3M), the bench tree of
    # ``benchmarks/bench_scan.py``.
    files, seen_files = result.files, result.seen_files
    stack = [root]
    while stack:
        folder = stack.pop()
        entries = _enter(folder, result)
        if entries is None:
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue  # hidden
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir:
                subfolders.append(entry.path)
                continue
            dot = name.rfind(".")
            if dot <= 0 or name[dot:].lower() not in extensions:
                continue
            try:
                st = entry.stat()  # follows symlinks: a link to a file counts as that file
            except OSError as exc:
                _stat_failed(entry, exc, result)
                continue
            path = entry.path
            if stat.S_ISREG(st.st_mode) and path not in seen_files:
                seen_files.add(path)
                files.append(FoundFile(path, st.st_size, st.st_mtime_ns))
            else:
                _add_file(path, st, result)  # seen already, or not a regular file
        # Reverse so the stack pops folders in name order: stable, readable progress.
        subfolders.sort(reverse=True)
        stack.extend(subfolders)


def _enter(folder: str, result: WalkResult) -> list[os.DirEntry] | None:
    """The entries of ``folder``; None when it cannot be listed or was walked already."""
    try:
        st = os.stat(folder)
    except OSError as exc:
        result.problems.append(WalkProblem(folder, f"cannot enter folder: {_describe(exc)}"))
        return None
    identity = (st.st_dev, st.st_ino)
    if identity in result.visited:
        return None  # a symlink loop or a second link to a folder already walked
    result.visited.add(identity)
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError as exc:
        result.problems.append(WalkProblem(folder, f"cannot list folder: {_describe(exc)}"))
        result.unlisted_dirs.append(folder)
        return None


def _stat_failed(entry: os.DirEntry, exc: OSError, result: WalkResult) -> None:
    if isinstance(exc, FileNotFoundError):
        if entry.is_symlink():
            result.problems.append(WalkProblem(entry.path, "broken symbolic link"))
        return  # otherwise it vanished while we walked: nothing to index
    result.problems.append(WalkProblem(entry.path, _describe(exc)))


def _add_file(path: str, st: os.stat_result, result: WalkResult) -> None:
    """A regular file is indexed; a FIFO, device or socket with an audio name is reported (opening
    a FIFO would block the scan for ever)."""
    if path in result.seen_files:
        return  # a file root inside a folder root
    result.seen_files.add(path)
    if stat.S_ISREG(st.st_mode):
        result.files.append(FoundFile(path, st.st_size, st.st_mtime_ns))
    else:
        from calmtune.userfiles import kind_of

        result.problems.append(WalkProblem(path, f"not a regular file: {kind_of(st.st_mode)}"))
