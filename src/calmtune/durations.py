"""Parse and format the durations users type: ``90s``, ``20m``, ``1h15m``, ``1:30:00``, ``25``.

Pure and standard-library only, so the CLI, the settings file and the recipes share one reading
of a duration. A bare number means minutes (docs/cli.md), because that is what people mean when they
ask for "a 20 minute session".
"""

from __future__ import annotations

import math
import re

_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}
# Patterns as text: ``re`` compiles and caches them on first use, not at every start-up.
# One or more number+unit parts, largest unit first: 1h, 1h15m, 2m30s, 1.5h, 90s.
_UNITS = r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?"
_NUMBER = r"\d+(?:\.\d+)?"
_CLOCK = r"(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?"

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
    if re.fullmatch(_NUMBER, s):
        return _checked(float(s) * 60.0, raw)
    clock = re.fullmatch(_CLOCK, s)
    if clock:
        a, b, c = clock.groups()
        if c is None:  # m:ss
            minutes, seconds = int(a), float(b)
            if seconds >= 60:
                raise ValueError(f"seconds must be under 60 in {raw!r} (use {FORMS})")
            return _checked(minutes * 60.0 + seconds, raw)
        hours, minutes, seconds = int(a), int(b), float(c)
        if minutes >= 60 or seconds >= 60:
            raise ValueError(f"minutes and seconds must be under 60 in {raw!r} (use {FORMS})")
        return _checked(hours * 3600.0 + minutes * 60.0 + seconds, raw)
    units = re.fullmatch(_UNITS, s)
    if units and any(units.groups()):
        total = sum(
            float(value) * _UNIT_SECONDS[unit]
            for value, unit in zip(units.groups(), "hms", strict=True)
            if value is not None
        )
        return _checked(total, raw)
    raise ValueError(f"not a duration: {raw!r} (use {FORMS})")


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
