"""A digest of a file's audio payload: every byte that is not tag data.

A tag write must leave these bytes exactly as they were. Comparing them before and after a write
checks mutagen's work without decoding audio (the tags package has no decoder). Each format puts
its tags somewhere else, so each has its own small parser. Pure standard library.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterator
from typing import BinaryIO

_CHUNK = 1 << 20


class PayloadError(ValueError):
    """The file's structure cannot be walked (it is corrupt)."""


def _hash_range(fobj: BinaryIO, start: int, end: int, digest: hashlib._Hash) -> None:
    fobj.seek(start)
    remaining = end - start
    while remaining > 0:
        block = fobj.read(min(_CHUNK, remaining))
        if not block:
            raise PayloadError("file shorter than its own structure says")
        digest.update(block)
        remaining -= len(block)


def _size(fobj: BinaryIO) -> int:
    fobj.seek(0, 2)
    return fobj.tell()


def _id3v2_end(fobj: BinaryIO) -> int:
    fobj.seek(0)
    head = fobj.read(10)
    if len(head) < 10 or not head.startswith(b"ID3"):
        return 0
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + (10 if head[5] & 0x10 else 0)


def _trailing_tags_start(fobj: BinaryIO, start: int, end: int) -> int:
    """Where trailing ID3v1 and APEv2 tags (in any order, repeated) begin."""
    while end - start >= 32:
        fobj.seek(end - 32)
        footer = fobj.read(32)
        if footer.startswith(b"APETAGEX"):
            size, _count, flags = struct.unpack("<III", footer[12:24])
            end -= size + (32 if flags & 0x80000000 else 0)
            continue
        if end - start >= 128:
            fobj.seek(end - 128)
            if fobj.read(3) == b"TAG":
                end -= 128
                continue
        break
    return max(end, start)


def _edge_tagged(fobj: BinaryIO, digest: hashlib._Hash) -> None:
    """MP3, TTA, WavPack, APE...: audio sits between a leading ID3v2 and trailing ID3v1/APEv2."""
    start = _id3v2_end(fobj)
    end = _trailing_tags_start(fobj, start, _size(fobj))
    _hash_range(fobj, start, end, digest)


def _flac(fobj: BinaryIO, digest: hashlib._Hash) -> None:
    """STREAMINFO plus everything after the last metadata block (the frames)."""
    pos = _id3v2_end(fobj)
    fobj.seek(pos)
    if fobj.read(4) != b"fLaC":
        raise PayloadError("no fLaC marker")
    pos += 4
    size = _size(fobj)
    while True:
        fobj.seek(pos)
        head = fobj.read(4)
        if len(head) < 4:
            raise PayloadError("metadata runs past the end")
        kind, length = head[0] & 0x7F, int.from_bytes(head[1:4], "big")
        if kind == 0:
            _hash_range(fobj, pos, pos + 4 + length, digest)
        pos += 4 + length
        if head[0] & 0x80:
            break
    _hash_range(fobj, pos, _trailing_tags_start(fobj, pos, size), digest)


def _ogg_pages(fobj: BinaryIO) -> Iterator[tuple[int, int, bytes, bytes]]:
    """(serial, granule, lacing values, body) per Ogg page."""
    fobj.seek(0)
    while True:
        head = fobj.read(27)
        if not head:
            return
        if len(head) < 27 or not head.startswith(b"OggS"):
            raise PayloadError("broken Ogg page")
        granule, serial = struct.unpack("<qI", head[6:18])
        lacing = fobj.read(head[26])
        body = fobj.read(sum(lacing))
        if len(body) < sum(lacing):
            raise PayloadError("Ogg page cut short")
        yield serial, granule, lacing, body


def _ogg(fobj: BinaryIO, digest: hashlib._Hash) -> None:
    """Every packet except each stream's comment packet (its second), plus audio granules.

    mutagen re-paginates the header pages and renumbers later pages, so pages differ; the
    packets and granule positions must not."""
    packet_index: dict[int, int] = {}
    partial: dict[int, bytearray] = {}
    for serial, granule, lacing, body in _ogg_pages(fobj):
        offset = 0
        for value in lacing:
            partial.setdefault(serial, bytearray()).extend(body[offset : offset + value])
            offset += value
            if value < 255:  # a lacing value below 255 ends a packet
                index = packet_index.get(serial, 0)
                packet_index[serial] = index + 1
                if index != 1:
                    digest.update(struct.pack("<IQ", serial, index))
                    digest.update(partial[serial])
                partial[serial] = bytearray()
        if granule > 0:
            digest.update(struct.pack("<Iq", serial, granule))


def _riff_like(
    big_endian: bool, keep: frozenset[bytes]
) -> Callable[[BinaryIO, hashlib._Hash], None]:
    """WAV (RIFF, little-endian) and AIFF (FORM, big-endian): hash the chunks that hold audio."""
    fmt = ">I" if big_endian else "<I"

    def walk(fobj: BinaryIO, digest: hashlib._Hash) -> None:
        size = _size(fobj)
        pos = 12
        found = False
        while pos + 8 <= size:
            fobj.seek(pos)
            head = fobj.read(8)
            cid, length = head[:4], struct.unpack(fmt, head[4:8])[0]
            end = min(pos + 8 + length, size)
            if cid in keep:
                digest.update(cid)
                _hash_range(fobj, pos + 8, end, digest)
                found = True
            pos = end + (length & 1)
        if not found:
            raise PayloadError("no audio chunk")

    return walk


def _mp4(fobj: BinaryIO, digest: hashlib._Hash) -> None:
    """The bytes of every top-level ``mdat`` atom (mutagen rewrites only ``moov``)."""
    size = _size(fobj)
    pos = 0
    found = False
    while pos + 8 <= size:
        fobj.seek(pos)
        head = fobj.read(16)
        length, name = struct.unpack(">I4s", head[:8])
        header = 8
        if length == 1:
            length, header = struct.unpack(">Q", head[8:16])[0], 16
        elif length == 0:
            length = size - pos
        if length < header:
            raise PayloadError("broken MP4 atom")
        if name == b"mdat":
            _hash_range(fobj, pos + header, min(pos + length, size), digest)
            found = True
        pos += length
    if not found:
        raise PayloadError("no mdat atom")


def _asf(fobj: BinaryIO, digest: hashlib._Hash) -> None:
    """Everything after the ASF header object (the data and index objects)."""
    fobj.seek(16)
    header_size = struct.unpack("<Q", fobj.read(8))[0]
    _hash_range(fobj, header_size, _size(fobj), digest)


_BY_FORMAT: dict[str, Callable[[BinaryIO, hashlib._Hash], None]] = {
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


def payload_digest(path: str, fmt: str) -> bytes:
    """The digest of the audio payload of ``path`` (format ``fmt``, as read_tags names it)."""
    digest = hashlib.sha256()  # the fastest hashlib digest on CPUs with SHA extensions
    with open(path, "rb") as fobj:
        try:
            _BY_FORMAT[fmt](fobj, digest)
        except struct.error as err:
            raise PayloadError(f"structure cut short: {err}") from err
    return digest.digest()


def supports(fmt: str) -> bool:
    return fmt in _BY_FORMAT
