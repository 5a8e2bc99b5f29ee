"""Parse and format the durations users type: ``90s``, ``20m``, ``1h15m``, ``1:30:00``, ``25``.

Pure and standard-library only, so the CLI, the settings file and the recipes share one reading
of a duration. A bare number means minutes (docs/cli.md), because that is what people mean when they
ask for "a 20 minute session".
"""

from __future__ import annotations

import math

# Read with string methods, not regular expressions: every recipe has a duration, and compiling
# the three patterns cost 1.9M instructions at each `playlist build` (about 290M in all;
# `python benchmarks/bench_playlist.py --instructions`).
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}

FORMS = "90s, 20m, 1h15m, 1:30:00 (h:mm:ss), 4:30 (m:ss) or a bare number of minutes"
# The longest session, playlist or fade calmtune takes (options, settings, recipes): a day.
MAX_SECONDS = 24 * 3600.0


def parse_duration(text: str | float | int) -> float:
    """Return the duration in seconds.

    Accepts ``90s``, ``20m``, ``1h15m``, ``1h15m30s``, ``1.5h``, ``h:mm:ss``, ``m:ss`` and a bare
    number of minutes (``25``, ``2.5``; an int or float is minutes too). Spaces and case do
    not matter.
    Raises ``ValueError`` with the accepted forms for anything else, or a negative value.
    """
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r} (use {FORMS})")
    if isinstance(text, int | float):
        return _checked(float(text) * 60.0, text)
    raw = str(text)
    s = raw.strip().lower().replace(" ", "")
    if not s:
        raise ValueError(f"empty duration (use {FORMS})")
    if _is_number(s):
        return _checked(float(s) * 60.0, raw)
    clock = _clock_parts(s)
    if clock:
        a, b, c = clock
        if c is None:  # m:ss
            minutes, seconds = int(a), float(b)
            if seconds >= 60:
                raise ValueError(f"seconds must be under 60 in {raw!r} (use {FORMS})")
            return _checked(minutes * 60.0 + seconds, raw)
        hours, minutes, seconds = int(a), int(b), float(c)
        if minutes >= 60 or seconds >= 60:
            raise ValueError(f"minutes and seconds must be under 60 in {raw!r} (use {FORMS})")
        return _checked(hours * 3600.0 + minutes * 60.0 + seconds, raw)
    units = _unit_parts(s)
    if units:
        return _checked(sum(float(value) * _UNIT_SECONDS[unit] for unit, value in units), raw)
    raise ValueError(f"not a duration: {raw!r} (use {FORMS})")


def _is_number(text: str) -> bool:
    """Digits, then optionally ``.`` and more digits: ``25``, ``2.5`` (not ``.5``, ``5.``)."""
    whole, dot, fraction = text.partition(".")
    return whole.isdecimal() and (not dot or fraction.isdecimal())


def _clock_parts(text: str) -> tuple[str, str, str | None] | None:
    """``m:ss`` or ``h:mm:ss`` (seconds may have a fraction) split at the colons, else None.
    The minutes and seconds have one or two digits."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0].isdecimal():
        return None
    if not (parts[1].isdecimal() and len(parts[1]) <= 2):
        return None
    if len(parts) == 2:
        return parts[0], parts[1], None
    if not (_is_number(parts[2]) and len(parts[2].partition(".")[0]) <= 2):
        return None
    return parts[0], parts[1], parts[2]


def _unit_parts(text: str) -> list[tuple[str, str]] | None:
    """One or more number+unit parts, largest unit first (``1h``, ``1h15m``, ``2m30s``,
    ``1.5h``, ``90s``) as (unit, number) pairs, else None."""
    parts, rest = [], text
    for unit in "hms":
        value, found, after = rest.partition(unit)
        if found:
            if not _is_number(value):
                return None
            parts.append((unit, value))
            rest = after
    return parts if parts and not rest else None


def _checked(seconds: float, raw: object) -> float:
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a duration: {raw!r} (use {FORMS})")
    return seconds


def format_duration(seconds: float) -> str:
    """Write seconds as users type them, rounded: ``1h15m``, ``20m``, ``2m30s``."""
    total = round(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts) or "0s"


def format_clock(seconds: float) -> str:
    """Write seconds as ``m:ss`` or ``h:mm:ss`` for tables."""
    total = round(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
