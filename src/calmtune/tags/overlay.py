"""A file object showing a real file with some byte ranges replaced, without writing to it.

mutagen edits files through file objects. Handed an ``EditedView`` of the original, it "saves"
into memory: reads come from the real file, writes stay here. What it wrote, compared with the
original, is exactly what the tag write changes (:meth:`EditedView.changes`). The same class
laid over a patched file with the old bytes shows the file as it was, for the payload check.

The view keeps the file's length: a write past the end or a truncation means the tags outgrew
their padding, and raises :class:`NotInPlace` at once (before mutagen moves the whole file
through memory). So does writing more than ``limit`` bytes.
"""

from __future__ import annotations

import io
import os
from typing import BinaryIO, NamedTuple


class NotInPlace(Exception):
    """The edit cannot be an in-place patch (the file would change length, or too much of it)."""


class Region(NamedTuple):
    """One changed byte range: where, the bytes there before, and the bytes written."""

    offset: int
    old: bytes
    new: bytes

    @property
    def end(self) -> int:
        return self.offset + len(self.old)


class EditedView(io.RawIOBase):
    """``base`` (an open binary file, read only) with ``patches`` [(offset, bytes)] laid over it."""

    def __init__(
        self, base: BinaryIO, patches: tuple[tuple[int, bytes], ...] = (), limit: int = 1 << 26
    ) -> None:
        super().__init__()
        self._base = base
        self._size = os.fstat(base.fileno()).st_size
        self._pos = 0
        self._limit = limit
        self._extents: list[tuple[int, bytearray]] = []  # sorted, neither overlapping nor touching
        for offset, data in patches:
            self._put(offset, data)

    # -- the file object mutagen uses ----------------------------------------------------------

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, self._size)[whence]
        if base + offset < 0:
            raise OSError(22, "Invalid argument")
        self._pos = base + offset
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = self._size if size is None or size < 0 else min(self._size, self._pos + size)
        if end <= self._pos:
            return b""
        self._base.seek(self._pos)
        data = bytearray(self._base.read(end - self._pos))
        for start, buf in self._extents:
            lo, hi = max(start, self._pos), min(start + len(buf), end)
            if lo < hi:
                data[lo - self._pos : hi - self._pos] = buf[lo - start : hi - start]
        self._pos += len(data)
        return bytes(data)

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def write(self, data) -> int:  # type: ignore[override]
        data = bytes(data)
        if not data:
            return 0
        if self._pos + len(data) > self._size:
            raise NotInPlace("the new tags need more room than the file has")
        self._put(self._pos, data)
        self._pos += len(data)
        return len(data)

    def truncate(self, size: int | None = None) -> int:
        if (self._pos if size is None else size) != self._size:
            raise NotInPlace("the new tags take less room and the file would shrink")
        return self._size

    def fileno(self) -> int:  # mutagen must not reach the real file behind this view
        raise io.UnsupportedOperation("fileno")

    # -- what was changed ---------------------------------------------------------------------

    def _put(self, offset: int, data: bytes) -> None:
        end = offset + len(data)
        touching = [(s, b) for s, b in self._extents if s <= end and s + len(b) >= offset]
        start = min([offset, *(s for s, _ in touching)])
        stop = max([end, *(s + len(b) for s, b in touching)])
        merged = bytearray(stop - start)
        for s, b in touching:
            merged[s - start : s - start + len(b)] = b
        merged[offset - start : end - start] = data
        merged_away = {s for s, _ in touching}
        kept = [(s, b) for s, b in self._extents if s not in merged_away]
        self._extents = sorted([*kept, (start, merged)], key=lambda extent: extent[0])
        if sum(len(b) for _, b in self._extents) > self._limit:
            raise NotInPlace("the edit rewrites too much of the file to patch it in place")

    def changes(self) -> list[Region]:
        """The byte ranges whose content differs from the real file, with old and new bytes."""
        regions = []
        for start, buf in self._extents:
            self._base.seek(start)
            old = self._base.read(len(buf))
            new = bytes(buf)
            head = _common_prefix(old, new)
            if head == len(new):
                continue
            tail = _common_suffix(old, new)
            end = len(new) - tail
            regions.append(Region(start + head, old[head:end], new[head:end]))
        return regions


def _common_prefix(a: bytes, b: bytes) -> int:
    """How many leading bytes ``a`` and ``b`` share (by halving, so slices compare in C)."""
    lo, hi = 0, min(len(a), len(b))  # a[:lo] == b[:lo]; the answer is in lo..hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: bytes, b: bytes) -> int:
    """How many trailing bytes ``a`` and ``b`` (of equal length) share."""
    n = len(a)
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[n - mid : n - lo] == b[n - mid : n - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo
