"""Turn raw tag text into typed values and back. Pure functions; garbage becomes ``None``.

Files in the wild hold "fast" in BPM and "loud" in a gain; a tag reader must shrug, not crash.
"""

from __future__ import annotations

import math
import re

_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*(?:db)?\s*$", re.IGNORECASE)

# R128 gains are relative to -23 LUFS, ReplayGain 2.0 to -18 LUFS: the same track needs 5 dB more.
R128_TO_REPLAYGAIN_DB = 5.0


def _number(text: object) -> float | None:
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = float(text)
    else:
        match = _NUMBER.match(str(text))
        if not match:
            return None
        value = float(match.group(1).replace(",", "."))
    return value if math.isfinite(value) else None


def parse_gain(text: object) -> float | None:
    """``"-6.50 dB"`` -> -6.5. Gains beyond +-64 dB are not real ReplayGain values."""
    value = _number(text)
    return value if value is not None and abs(value) <= 64.0 else None


def parse_peak(text: object) -> float | None:
    """``"0.988553"`` -> 0.988553 (linear). Negative or absurd peaks are garbage."""
    value = _number(text)
    return value if value is not None and 0.0 <= value <= 64.0 else None


def parse_bpm(text: object) -> float | None:
    """``"120"``/``"98.5"`` -> float; ``"fast"``, 0 and negative values -> None."""
    value = _number(text)
    return value if value is not None and 0.0 < value <= 1000.0 else None


# A year stands alone in a date: "1994", "1994-05-01", "01.05.1994", "2003-11-20T10:00:00".
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def parse_year(text: object) -> int | None:
    """The year in a date tag (``"1994-05-01"`` -> 1994); None when there is none."""
    if text is None:
        return None
    match = _YEAR.search(str(text))
    year = int(match.group(1)) if match else 0
    return year if year > 0 else None


def parse_tracknumber(text: object) -> int | None:
    """``"3/12"`` -> 3, ``"03"`` -> 3, an MP4 ``(3, 12)`` pair -> 3."""
    if isinstance(text, tuple):
        text = text[0] if text else None
    if isinstance(text, int) and not isinstance(text, bool):
        return text if text > 0 else None
    if text is None:
        return None
    match = re.match(r"^\s*(\d+)\s*(?:/.*)?$", str(text))
    if not match:
        return None
    number = int(match.group(1))
    return number if number > 0 else None


def parse_r128(text: object) -> float | None:
    """An Opus ``R128_TRACK_GAIN`` (Q7.8 integer at -23 LUFS) as a ReplayGain dB at -18 LUFS."""
    if text is None:
        return None
    match = re.match(r"^\s*([+-]?\d+)\s*$", str(text))
    if not match:
        return None
    q78 = int(match.group(1))
    if not -32768 <= q78 <= 32767:
        return None
    return round(q78 / 256.0 + R128_TO_REPLAYGAIN_DB, 2)


def format_gain(db: float) -> str:
    """The ReplayGain text convention: two decimals and `` dB``."""
    return f"{round(db, 2) + 0.0:.2f} dB"  # + 0.0 turns -0.0 into 0.0


def format_peak(peak: float) -> str:
    return f"{peak:.6f}"


def format_r128(db: float) -> str:
    """A ReplayGain dB (at -18 LUFS) as Opus Q7.8 text at -23 LUFS, clamped to the int16 range."""
    q78 = round((db - R128_TO_REPLAYGAIN_DB) * 256.0)
    return str(max(-32768, min(32767, q78)))


def format_bpm(bpm: float) -> str:
    """TBPM is an integer string by the ID3 spec; other families follow for consistency."""
    return str(round(bpm))


def clean_text(value: object) -> str | None:
    """A text value as calmtune stores it: stripped, NULs removed, empty -> None."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = str(value).replace("\x00", "").strip()
    return text or None
