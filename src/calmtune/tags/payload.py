"""A file's audio payload: every byte that is not tag data, and checks that a write kept it.

A tag write must leave these bytes exactly as they were. Each format puts its tags somewhere else,
so each has a small walker that describes the payload as *pieces*: byte ranges of the file, and a
few bytes derived from its structure (an Ogg packet's number, a granule position). Pure standard
library; the tags package has no decoder.

- :func:`payload_digest` hashes every piece (the copy path compares two whole files).
- :func:`same_payload` compares a file before and after an in-place patch. A range at the same
  place in both that the patch did not touch holds the same bytes by construction, so only
  ranges that overlap the patch are read and compared; if the layout moved, every byte is.
"""

from __future__ import annotations

import hashlib
import itertools
import struct
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, NamedTuple

_CHUNK = 1 << 20

# A byte range [start, end) of the file, or bytes the walker derived from the file's structure.
Piece = tuple[int, int] | bytes
Walker = Callable[[BinaryIO, int], Iterator[Piece]]


class PayloadError(ValueError):
    """The file's structure cannot be walked (it is corrupt)."""


def id3v2_length(head: bytes) -> int:
    """The byte length of an ID3v2 tag starting ``head`` (0 if none): header, synchsafe size,
    and the footer when its flag is set. Shared with the format sniffing in ``_mutagen``."""
    if len(head) < 10 or not head.startswith(b"ID3"):
        return 0
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + (10 if head[5] & 0x10 else 0)


def _size(fobj: BinaryIO) -> int:
    fobj.seek(0, 2)
    return fobj.tell()


def _read_at(fobj: BinaryIO, pos: int, count: int) -> bytes:
    fobj.seek(pos)
    return fobj.read(count)


def _id3v2_end(fobj: BinaryIO) -> int:
    return id3v2_length(_read_at(fobj, 0, 10))


def _trailing_tags_start(fobj: BinaryIO, start: int, end: int) -> int:
    """Where trailing ID3v1 and APEv2 tags (in any order, repeated) begin."""
    while end - start >= 32:
        footer = _read_at(fobj, end - 32, 32)
        if footer.startswith(b"APETAGEX"):
            size, _count, flags = struct.unpack("<III", footer[12:24])
            end -= size + (32 if flags & 0x80000000 else 0)
            continue
        if end - start >= 128 and _read_at(fobj, end - 128, 3) == b"TAG":
            end -= 128
            continue
        break
    return max(end, start)


def _edge_tagged(fobj: BinaryIO, size: int) -> Iterator[Piece]:
    """MP3, TTA, WavPack, APE...: audio sits between a leading ID3v2 and trailing ID3v1/APEv2."""
    start = _id3v2_end(fobj)
    yield (start, _trailing_tags_start(fobj, start, size))


def _flac(fobj: BinaryIO, size: int) -> Iterator[Piece]:
    """STREAMINFO plus everything after the last metadata block (the frames)."""
    pos = _id3v2_end(fobj)
    if _read_at(fobj, pos, 4) != b"fLaC":
        raise PayloadError("no fLaC marker")
    pos += 4
    while True:
        head = _read_at(fobj, pos, 4)
        if len(head) < 4:
            raise PayloadError("metadata runs past the end")
        kind, length = head[0] & 0x7F, int.from_bytes(head[1:4], "big")
        if kind == 0:
            yield (pos, pos + 4 + length)
        pos += 4 + length
        if head[0] & 0x80:
            break
    yield (pos, _trailing_tags_start(fobj, pos, size))


class _OggPage(NamedTuple):
    start: int
    serial: int
    granule: int
    lacing: bytes
    body: int  # where the body starts (bodies are not read while walking)


def _ogg_pages(fobj: BinaryIO, size: int) -> Iterator[_OggPage]:
    pos = 0
    while pos < size:
        head = _read_at(fobj, pos, 27)
        if len(head) < 27 or not head.startswith(b"OggS"):
            raise PayloadError("broken Ogg page")
        granule, serial = struct.unpack("<qI", head[6:18])
        lacing = fobj.read(head[26])
        body = pos + 27 + len(lacing)
        if len(lacing) < head[26] or body + sum(lacing) > size:
            raise PayloadError("Ogg page cut short")
        yield _OggPage(pos, serial, granule, lacing, body)
        pos = body + sum(lacing)


class _OggPackets:
    """Cuts Ogg pages into payload pieces: every packet except each stream's comment packet
    (its second), plus audio granules.

    mutagen may re-paginate the header pages and renumber later pages, so pages may differ; the
    packets and granule positions must not."""

    def __init__(self) -> None:
        self._count: dict[int, int] = {}  # packets completed, per stream
        self._partial: dict[int, list[tuple[int, int]]] = {}  # the packet being cut, per stream

    def pieces(self, page: _OggPage) -> Iterator[Piece]:
        offset = page.body
        for value in page.lacing:
            ranges = self._partial.setdefault(page.serial, [])
            if value:
                if ranges and ranges[-1][1] == offset:
                    ranges[-1] = (ranges[-1][0], offset + value)
                else:
                    ranges.append((offset, offset + value))
            offset += value
            if value < 255:  # a lacing value below 255 ends a packet
                index = self._count.get(page.serial, 0)
                self._count[page.serial] = index + 1
                if index != 1:
                    yield struct.pack("<IQ", page.serial, index)
                    yield from ranges
                self._partial[page.serial] = []
        if page.granule > 0:
            yield struct.pack("<Iq", page.serial, page.granule)

    def unfinished(self) -> list[tuple[int, int]]:
        """The byte ranges of payload packets begun but not ended yet (not a comment packet)."""
        return [
            r
            for serial, ranges in self._partial.items()
            if self._count.get(serial, 0) != 1
            for r in ranges
        ]


def _ogg(fobj: BinaryIO, size: int) -> Iterator[Piece]:
    packets = _OggPackets()
    for page in _ogg_pages(fobj, size):
        yield from packets.pieces(page)


def _riff_like(big_endian: bool, keep: frozenset[bytes]) -> Walker:
    """WAV (RIFF, little-endian) and AIFF (FORM, big-endian): the chunks that hold audio."""
    fmt = ">I" if big_endian else "<I"

    def walk(fobj: BinaryIO, size: int) -> Iterator[Piece]:
        pos = 12
        found = False
        while pos + 8 <= size:
            head = _read_at(fobj, pos, 8)
            cid, length = head[:4], struct.unpack(fmt, head[4:8])[0]
            end = min(pos + 8 + length, size)
            if cid in keep:
                yield cid
                yield (pos + 8, end)
                found = True
            pos = end + (length & 1)
        if not found:
            raise PayloadError("no audio chunk")

    return walk


def _mp4(fobj: BinaryIO, size: int) -> Iterator[Piece]:
    """The bytes of every top-level ``mdat`` atom (mutagen rewrites only ``moov``)."""
    pos = 0
    found = False
    while pos + 8 <= size:
        head = _read_at(fobj, pos, 16)
        length, name = struct.unpack(">I4s", head[:8])
        header = 8
        if length == 1:
            length, header = struct.unpack(">Q", head[8:16])[0], 16
        elif length == 0:
            length = size - pos
        if length < header:
            raise PayloadError("broken MP4 atom")
        if name == b"mdat":
            yield (pos + header, min(pos + length, size))
            found = True
        pos += length
    if not found:
        raise PayloadError("no mdat atom")


def _asf(fobj: BinaryIO, size: int) -> Iterator[Piece]:
    """Everything after the ASF header object (the data and index objects)."""
    header_size = struct.unpack("<Q", _read_at(fobj, 16, 8))[0]
    yield (min(header_size, size), size)


_BY_FORMAT: dict[str, Walker] = {
    "mp3": _edge_tagged,
    "tta": _edge_tagged,
    "wv": _edge_tagged,
    "flac": _flac,
    "ogg": _ogg,
    "opus": _ogg,
    "m4a": _mp4,
    "wav": _riff_like(False, frozenset({b"fmt ", b"data"})),
    "aiff": _riff_like(True, frozenset({b"COMM", b"SSND"})),
    "wma": _asf,
}


def supports(fmt: str) -> bool:
    return fmt in _BY_FORMAT


def _pieces(fobj: BinaryIO, fmt: str) -> Iterator[Piece]:
    size = _size(fobj)
    try:
        yield from _BY_FORMAT[fmt](fobj, size)
    except struct.error as err:
        raise PayloadError(f"structure cut short: {err}") from err


def _range_bytes(fobj: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    fobj.seek(start)
    remaining = end - start
    while remaining > 0:
        block = fobj.read(min(_CHUNK, remaining))
        if not block:
            raise PayloadError("file shorter than its own structure says")
        yield block
        remaining -= len(block)


def _digest(fobj: BinaryIO, fmt: str) -> bytes:
    digest = hashlib.sha256()  # the fastest hashlib digest on CPUs with SHA extensions
    for piece in _pieces(fobj, fmt):  # every walker read seeks first, so reads may interleave
        if isinstance(piece, bytes):
            digest.update(piece)
        else:
            for block in _range_bytes(fobj, *piece):
                digest.update(block)
    return digest.digest()


def payload_digest(path: str, fmt: str) -> bytes:
    """The digest of the audio payload of ``path`` (format ``fmt``, as read_tags names it)."""
    from calmtune.userfiles import open_regular

    with open_regular(path) as fobj:  # a FIFO would block a plain open for ever
        return _digest(fobj, fmt)


def _overlaps(piece: tuple[int, int], touched: Iterable[tuple[int, int]]) -> bool:
    start, end = piece
    return any(start < t_end and t_start < end for t_start, t_end in touched)


def _same_bytes(old: BinaryIO, new: BinaryIO, piece: tuple[int, int]) -> bool:
    return all(
        a == b for a, b in zip(_range_bytes(old, *piece), _range_bytes(new, *piece), strict=True)
    )


def _compare(
    old: BinaryIO, new: BinaryIO, pairs: Iterable[tuple], touched: list[tuple[int, int]]
) -> bool | None:
    """Compare paired pieces of two files that differ only in ``touched``; None when the
    pieces are laid out differently (then only comparing everything can tell)."""
    for a, b in pairs:
        if isinstance(a, bytes) and isinstance(b, bytes):
            if a != b:
                return False
        elif a is None or b is None or isinstance(a, bytes) or a != b:
            return None
        elif _overlaps(a, touched) and not _same_bytes(old, new, a):
            return False
    return True


def _compare_ogg(old: BinaryIO, new: BinaryIO, touched: list[tuple[int, int]]) -> bool | None:
    """Ogg, page by page, stopping after the patch: an hour of audio is thousands of pages."""
    limit = max((end for _, end in touched), default=0)
    old_packets, new_packets = _OggPackets(), _OggPackets()
    pages = itertools.zip_longest(_ogg_pages(old, _size(old)), _ogg_pages(new, _size(new)))
    for a, b in pages:
        if a is None or b is None or (a.start, a.serial, a.lacing) != (b.start, b.serial, b.lacing):
            return None
        if a.start >= limit:
            # Both walks read the same pages so far, so they are in the same state, and from
            # here on both files hold the same bytes: only packets begun before are left.
            unfinished = [r for r in old_packets.unfinished() if _overlaps(r, touched)]
            return all(_same_bytes(old, new, r) for r in unfinished)
        pairs = itertools.zip_longest(old_packets.pieces(a), new_packets.pieces(b))
        same = _compare(old, new, list(pairs), touched)
        if not same:
            return same
    return True


def same_payload(old: BinaryIO, new: BinaryIO, fmt: str, touched: list[tuple[int, int]]) -> bool:
    """Whether ``new`` holds exactly ``old``'s audio payload, given that the two files differ
    only inside the ``touched`` byte ranges (an in-place patch)."""
    try:
        if fmt in ("ogg", "opus"):
            same = _compare_ogg(old, new, touched)
        else:
            pairs = itertools.zip_longest(_pieces(old, fmt), _pieces(new, fmt))
            same = _compare(old, new, pairs, touched)
    except struct.error as err:
        raise PayloadError(f"structure cut short: {err}") from err
    if same is None:  # the payload moved: compare all of it
        return _digest(old, fmt) == _digest(new, fmt)
    return same
