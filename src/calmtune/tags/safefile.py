"""Atomic file replacement: temp copy in the same folder, fsync, ``os.replace``, fsync folder.

mutagen edits files in place; a crash mid-write can cut a file in half. calmtune instead edits a
copy, and the original is swapped out only by a single rename, so at every moment the path holds
the old file or the new one, whole.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator
from os import PathLike
from pathlib import Path

TEMP_MARK = ".calmtune-tmp-"
# ".<name>.calmtune-tmp-<pid>-<8 hex>": the pid lets a cleanup spare a run that is still going.
_TEMP_NAME = re.compile(r"^\..*\.calmtune-tmp-(\d+)-[0-9a-f]{8}$", re.DOTALL)
_MAX_NAME_BYTES = 120  # names are capped at 255 bytes; keep room for the suffix


def temp_path_for(path: str) -> str:
    """A fresh, recognisable temp name next to ``path``."""
    folder, name = os.path.split(path)
    raw = os.fsencode(name)[:_MAX_NAME_BYTES]
    stem = os.fsdecode(raw)
    return os.path.join(folder, f".{stem}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}")


def fsync_folder(folder: str) -> None:
    """Make a rename durable. Some file systems cannot fsync a folder; that is not an error."""
    fd = os.open(folder or ".", os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def temp_copy(path: str) -> Iterator[str]:
    """Copy ``path`` to a new temp file in its folder; remove the temp unless it was committed."""
    tmp = temp_path_for(path)
    try:
        with open(path, "rb") as src, open(tmp, "xb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        yield tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def commit(tmp: str, path: str, original: os.stat_result, *, sync_folder: bool = True) -> None:
    """Give ``tmp`` the original's permissions, flush it, and rename it over ``path``.

    ``sync_folder=False`` leaves the folder fsync to the caller (one per folder for a bulk run):
    until then a power cut may bring back the old file, but never a damaged one."""
    os.chmod(tmp, stat.S_IMODE(original.st_mode))
    if os.geteuid() == 0:
        os.chown(tmp, original.st_uid, original.st_gid)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    if sync_folder:
        fsync_folder(os.path.dirname(path))


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftovers cannot be in use: every write removes its temp
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cleanup_stale_temp_files(places: Iterable[str | PathLike[str]]) -> list[str]:
    """Remove calmtune temp files left by interrupted runs; returns the paths removed.

    ``places`` are folders or files (a file stands for its folder). Temp files of a calmtune
    process that is still running are kept, so two runs in one folder do not hurt each other.
    """
    folders = {str(p) if Path(p).is_dir() else os.path.dirname(str(p)) or "." for p in places}
    removed: list[str] = []
    for folder in sorted(folders):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            match = _TEMP_NAME.match(name)
            if not match or _pid_alive(int(match.group(1))):
                continue
            full = os.path.join(folder, name)
            try:
                os.unlink(full)
            except OSError:  # gone already, or a read-only folder: nothing we can do here
                continue
            removed.append(full)
    return removed
