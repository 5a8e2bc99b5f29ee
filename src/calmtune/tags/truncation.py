"""Does an audio file end where its own headers say it ends?

A copy cut short (an interrupted download or transfer, a full disk) still opens: its headers
promise the full length, so it would be indexed at that length and analysed from its first
seconds. Each format declares its extent somewhere cheap to read (a chunk size, a sample count,
an end-of-stream flag, a block table); this module reads only headers and the file's last bytes,
never the audio. Pure standard library, like ``payload``.

``truncation`` returns a ``Truncation``: a short reason ("truncated: the audio stops at 37% of its
declared length") and, when the header tells, the fraction of the declared length that is there;
or None when the file looks whole or its format declares nothing checkable.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import BinaryIO, NamedTuple

from calmtune.tags.payload import id3v2_length

_TAIL = 1 << 16  # bytes read from the end to find the last Ogg page or WavPack block


class Truncation(NamedTuple):
    reason: str
    fraction: float | None = None  # of the declared length that is in the file, when known


def _short(have: int, declared: int) -> Truncation | None:
    """When fewer bytes (or samples) are there than declared (1% and 4 KiB of slack)."""
    if declared <= 0 or have >= declared - max(4096, declared // 100):
        return None
    fraction = max(0, have) / declared
    return Truncation(
        f"truncated: the audio stops at {int(fraction * 100)}% of its declared length", fraction
    )


def _file_size(fobj: BinaryIO) -> int:
    fobj.seek(0, 2)
    return fobj.tell()


def _id3v2_end(fobj: BinaryIO) -> int:
    """Where the audio starts after a leading ID3v2 tag (0 without one)."""
    fobj.seek(0)
    return id3v2_length(fobj.read(10))


def _riff(big_endian: bool, data_ids: tuple[bytes, ...]) -> Callable[[BinaryIO], Truncation | None]:
    """WAV (RIFF) and AIFF (FORM): the audio chunk must fit in the file."""
    fmt = ">I" if big_endian else "<I"

    def check(fobj: BinaryIO) -> Truncation | None:
        size = _file_size(fobj)
        pos = 12
        while pos + 8 <= size:
            fobj.seek(pos)
            head = fobj.read(8)
            length = struct.unpack(fmt, head[4:8])[0]
            if head[:4] in data_ids:
                if length in (0, 0xFFFFFFFF):  # a streamed WAV: size unknown, nothing to check
                    return None
                return _short(size - pos - 8, length)
            pos += 8 + length + (length & 1)
        return None

    return check


def _mp4(fobj: BinaryIO) -> Truncation | None:
    """Every top-level atom must fit in the file (a cut ``mdat`` is the usual case)."""
    size = _file_size(fobj)
    pos = 0
    while pos + 8 <= size:
        fobj.seek(pos)
        head = fobj.read(16)
        length, _name = struct.unpack(">I4s", head[:8])
        if length == 1 and len(head) >= 16:
            length = struct.unpack(">Q", head[8:16])[0]
        elif length == 0:
            return None  # "to the end of the file"
        if length < 8:
            return None
        if pos + length > size:
            return _short(size, pos + length)
        pos += length
    return None


def _ogg(fobj: BinaryIO) -> Truncation | None:
    """The last page of a whole Ogg stream carries the end-of-stream flag."""
    size = _file_size(fobj)
    fobj.seek(max(0, size - _TAIL))
    tail = fobj.read()
    last = tail.rfind(b"OggS")
    if last < 0 or len(tail) - last < 27:
        return Truncation("truncated: no complete Ogg page at the end")
    header_type = tail[last + 5]
    segments = tail[last + 26]
    body = sum(tail[last + 27 : last + 27 + segments])
    if last + 27 + segments + body > len(tail):
        return Truncation("truncated: the last Ogg page is cut short")
    if not header_type & 0x04:
        return Truncation("truncated: the Ogg stream has no end-of-stream page")
    return None


def _flac(fobj: BinaryIO) -> Truncation | None:
    """STREAMINFO's sample count against the last frame header's sample position."""
    start = _id3v2_end(fobj)
    fobj.seek(start)
    if fobj.read(4) != b"fLaC":
        return None
    block = fobj.read(4 + 34)
    if len(block) < 38 or block[0] & 0x7F != 0:
        return None
    info = block[4:]
    min_block = struct.unpack(">H", info[0:2])[0]
    max_block = struct.unpack(">H", info[2:4])[0]
    rate = int.from_bytes(info[10:13], "big") >> 4
    total = int.from_bytes(info[13:18], "big") & 0xFFFFFFFFF
    if not total or not rate:
        return None
    size = _file_size(fobj)
    fobj.seek(max(0, size - _TAIL))
    tail = fobj.read()
    position = _last_flac_frame_start(tail, min_block == max_block, max_block)
    if position is None:
        return None
    return _short(position + max_block, total)


def _last_flac_frame_start(tail: bytes, fixed: bool, block: int) -> int | None:
    """The first sample of the last frame whose header checks out (CRC-8) in ``tail``."""
    at = len(tail)
    while (at := tail.rfind(b"\xff", 0, at)) >= 0:
        if at + 16 > len(tail):
            continue
        second = tail[at + 1]
        if second & 0xFE != 0xF8:
            continue
        number, end = _utf8_number(tail, at + 4)
        if number is None:
            continue
        size_code, rate_code = tail[at + 2] >> 4, tail[at + 2] & 0x0F
        end += {6: 1, 7: 2}.get(size_code, 0) + {12: 1, 13: 2, 14: 2}.get(rate_code, 0)
        if end >= len(tail) or _crc8(tail[at:end]) != tail[end]:
            continue
        variable = second & 0x01
        return number if variable or not fixed else number * block
    return None


def _utf8_number(data: bytes, at: int) -> tuple[int | None, int]:
    """FLAC's UTF-8-style coded frame or sample number at ``at``: (value, index after it)."""
    if at >= len(data):
        return None, at
    first = data[at]
    if first < 0x80:
        return first, at + 1
    extra = 0
    mask = 0x40
    while first & mask and extra < 6:
        extra += 1
        mask >>= 1
    if extra == 0 or at + extra >= len(data):
        return None, at
    value = first & (mask - 1)
    for byte in data[at + 1 : at + 1 + extra]:
        if byte & 0xC0 != 0x80:
            return None, at
        value = (value << 6) | (byte & 0x3F)
    return value, at + 1 + extra


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _mp3(fobj: BinaryIO) -> Truncation | None:
    """A Xing/Info or VBRI header states the stream's byte count; without one (constant bit
    rate) the length is computed from the size, so a cut file is not misreported."""
    start = _id3v2_end(fobj)
    fobj.seek(start)
    frame = fobj.read(200)
    if len(frame) < 40 or frame[0] != 0xFF or frame[1] & 0xE0 != 0xE0:
        return None
    mpeg1 = (frame[1] >> 3) & 0x03 == 0x03
    mono = (frame[3] >> 6) == 0x03
    offset = 4 + ((17 if mono else 32) if mpeg1 else (9 if mono else 17))
    declared = None
    if frame[offset : offset + 4] in (b"Xing", b"Info"):
        flags = struct.unpack(">I", frame[offset + 4 : offset + 8])[0]
        at = offset + 8 + (4 if flags & 0x01 else 0)
        if flags & 0x02:
            declared = struct.unpack(">I", frame[at : at + 4])[0]
    elif frame[36:40] == b"VBRI":
        declared = struct.unpack(">I", frame[46:50])[0]
    if not declared:
        return None
    return _short(_file_size(fobj) - start, declared)


def _wavpack(fobj: BinaryIO) -> Truncation | None:
    """The last block must be whole and end at the total sample count of the first."""
    fobj.seek(0)
    first = fobj.read(32)
    if len(first) < 32 or first[:4] != b"wvpk":
        return None
    total = struct.unpack("<I", first[12:16])[0]
    if total in (0, 0xFFFFFFFF):
        return None
    size = _file_size(fobj)
    base = max(0, size - _TAIL)
    fobj.seek(base)
    tail = fobj.read()
    last = tail.rfind(b"wvpk")
    if last < 0 or len(tail) - last < 32:
        return Truncation("truncated: no whole WavPack block at the end")
    block_size = struct.unpack("<I", tail[last + 4 : last + 8])[0] + 8
    index, samples = struct.unpack("<II", tail[last + 16 : last + 24])
    if last + block_size > len(tail):
        return _short(index, total) or Truncation("truncated: the last WavPack block is cut short")
    return _short(index + samples, total)


def _tta(fobj: BinaryIO) -> Truncation | None:
    """TTA1: the seek table lists every frame's size; they must all be in the file."""
    start = _id3v2_end(fobj)
    fobj.seek(start)
    head = fobj.read(22)
    if len(head) < 22 or head[:4] != b"TTA1":
        return None
    rate, samples = struct.unpack("<II", head[10:18])
    if not rate or not samples:
        return None
    frame = rate * 256 // 245
    frames = -(-samples // frame)
    if frames > 1 << 24:
        return None
    table = fobj.read(4 * frames)
    if len(table) < 4 * frames:
        return Truncation("truncated: the seek table is cut short")
    declared = 22 + 4 * frames + 4 + sum(struct.unpack(f"<{frames}I", table))
    return _short(_file_size(fobj) - start, declared)


def _asf(fobj: BinaryIO) -> Truncation | None:
    """The File Properties object states the whole file's size."""
    fobj.seek(0)
    head = fobj.read(30)
    if len(head) < 30:
        return None
    header_size = struct.unpack("<Q", head[16:24])[0]
    if header_size > 1 << 24:
        return None
    fobj.seek(30)
    body = fobj.read(header_size - 30)
    properties = bytes.fromhex("a1dcab8c47a9cf118ee400c00c205365")
    at = body.find(properties)
    if at < 0 or at + 48 > len(body):
        return None
    declared = struct.unpack("<Q", body[at + 40 : at + 48])[0]
    return _short(_file_size(fobj), declared)


_CHECKS: dict[str, Callable[[BinaryIO], Truncation | None]] = {
    "wav": _riff(False, (b"data",)),
    "aiff": _riff(True, (b"SSND",)),
    "m4a": _mp4,
    "ogg": _ogg,
    "opus": _ogg,
    "flac": _flac,
    "mp3": _mp3,
    "wv": _wavpack,
    "tta": _tta,
    "wma": _asf,
}


def truncation(path: str, fmt: str) -> Truncation | None:
    """Why ``path`` (of format ``fmt``, as ``read_tags`` names it) looks cut short, or None."""
    from calmtune.userfiles import open_regular

    check = _CHECKS.get(fmt)
    if check is None:
        return None
    try:
        with open_regular(path) as fobj:
            return check(fobj)
    except (OSError, struct.error, ValueError, IndexError):
        return None  # unreadable structure: the reader reports real read errors itself


__all__ = ["Truncation", "truncation"]
