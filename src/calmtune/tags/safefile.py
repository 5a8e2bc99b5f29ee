"""The copy path of a tag write: a temp copy in the same folder, fsync, ``os.replace``, fsync
the folder.

Used when the new tags do not fit the room the file keeps for them (its length must change). The
copy is edited and proved right; the original is swapped out only by a single rename, so at every
moment the path holds the old file or the new one, whole. The rename gives the path a new inode,
so this path is never used for a file with hard links (they would be split).
"""

from __future__ import annotations

import contextlib
import errno
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


def is_temp_name(name: str) -> bool:
    """Whether ``name`` (a file name, no folder) is one :func:`temp_path_for` makes."""
    return _TEMP_NAME.match(name) is not None


def fsync_folder(folder: str | PathLike[str], *, strict: bool = False) -> None:
    """Make a new name or a rename in ``folder`` durable.

    Best effort unless ``strict``: the files are already written, and some file systems cannot
    fsync a folder. ``strict`` (the journal's own folder) raises unless the file system merely
    does not support it."""
    try:
        fd = os.open(os.fspath(folder) or ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as err:
        if strict and err.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise


@contextlib.contextmanager
def temp_copy(path: str, tmp: str) -> Iterator[str]:
    """Copy ``path`` to the new file ``tmp``; remove ``tmp`` unless it was committed."""
    try:
        with open(path, "rb") as src, open(tmp, "xb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        yield tmp
    finally:
        # Gone when committed. If it cannot be removed, the journal keeps its name and the
        # next run removes it: the error that brought us here is the one to report.
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def commit(tmp: str, path: str, original: os.stat_result) -> None:
    """Give ``tmp`` the original's permissions, flush it, and rename it over ``path``.

    The caller fsyncs the folder (once per folder for a bulk run): until then a power cut may
    bring back the old file, but never a damaged one."""
    os.chmod(tmp, stat.S_IMODE(original.st_mode))
    if os.geteuid() == 0:
        os.chown(tmp, original.st_uid, original.st_gid)
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


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
