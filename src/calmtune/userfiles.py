"""Opening files the user named (audio, playlists, settings, recipes) without hanging or flooding.

A music folder can hold anything the file system allows: a FIFO called ``p.mp3`` blocks a plain
``open()`` until some writer appears, and ``/dev/zero`` named as a playlist or ``--config`` reads
until memory runs out. So every reader here looks before it opens (``stat``, which never blocks),
opens with ``O_NONBLOCK`` and checks the opened file again (``fstat``: the name may have been
swapped in between), and reads at most a stated number of bytes. Only regular files are read.

Pure standard library; every package that reads a user's file goes through this module.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

# What a settings file or a recipe can reasonably be; anything bigger is not one.
TEXT_FILE_LIMIT = 1 << 20  # 1 MiB
# A playlist of 100,000 entries with long paths fits in a few MiB.
PLAYLIST_LIMIT = 32 << 20  # 32 MiB

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotRegularFile(OSError):
    """The name leads to a folder, FIFO, device or socket: nothing calmtune reads."""


class FileTooLarge(OSError):
    """The file is bigger than what it claims to be could ever be."""


def kind_of(mode: int) -> str:
    """``"a FIFO (named pipe)"``, ``"a character device"``, ...; "a special file" otherwise."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a special file"


def _not_regular(path: str | os.PathLike[str], mode: int) -> NotRegularFile:
    return NotRegularFile(errno.EINVAL, f"not a regular file: {kind_of(mode)}", os.fspath(path))


def check_regular(path: str | os.PathLike[str]) -> os.stat_result:
    """The ``stat`` of ``path`` (following links) if it is a regular file.

    Raises ``NotRegularFile`` for anything else, ``OSError`` (FileNotFoundError, ...) when it
    cannot be reached. Never opens the file, so it never blocks and has no side effects on
    devices. Use before handing a path to a library that opens it by name itself."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(path, st.st_mode)
    return st


def regular_file_problem(path: str | os.PathLike[str]) -> str | None:
    """None when ``path`` is a regular file we may open, else a short reason for a message."""
    try:
        check_regular(path)
    except FileNotFoundError:
        return "file not found"
    except NotRegularFile as err:
        return err.strerror
    except OSError as err:
        if err.errno in (errno.EACCES, errno.EPERM):
            return "permission denied"
        return (err.strerror or str(err)).lower()
    return None


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for binary reading, only if it is a regular file.

    ``O_NONBLOCK`` makes the open itself return at once even if the name was swapped for a FIFO
    after the check; ``fstat`` on the open descriptor then proves what was opened. Blocking mode
    is restored for the reads (regular files never block anyway).
    """
    check_regular(path)
    fh = open(path, "rb", opener=_nonblocking_opener)  # noqa: SIM115 (returned to the caller)
    try:
        mode = os.fstat(fh.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        os.set_blocking(fh.fileno(), True)
    except BaseException:
        fh.close()
        raise
    return fh


def _nonblocking_opener(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The whole content of the regular file ``path``, if it holds at most ``limit`` bytes.

    Raises ``FileTooLarge`` past the limit (read stops at ``limit + 1`` bytes, so a file that grows
    while read cannot make us read more), ``NotRegularFile`` or ``OSError``."""
    with open_regular(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(
            errno.EFBIG, f"too large (over {_size_text(limit)}), not a file of this kind", path
        )
    return data


def _size_text(size: int) -> str:
    return f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"


__all__ = [
    "PLAYLIST_LIMIT",
    "TEXT_FILE_LIMIT",
    "FileTooLarge",
    "NotRegularFile",
    "check_regular",
    "kind_of",
    "open_regular",
    "read_bounded",
    "regular_file_problem",
]
