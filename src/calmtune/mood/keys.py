"""Musical key tags ("Am", "C# minor", "Dbmaj", Camelot "8A", Open Key "1m") -> major or minor.

Mode is the classic cue for valence: minor keys sound darker. calmtune uses it for valence only.
"""

from __future__ import annotations

from functools import lru_cache

_MODES = {
    "": "major",
    "maj": "major",
    "major": "major",
    "dur": "major",
    "m": "minor",
    "min": "minor",
    "minor": "minor",
    "moll": "minor",
    "mi": "minor",
}
_NOTES = frozenset("abcdefgh")
_ACCIDENTALS = ("#", "b", "\u266f", "\u266d", "s", "is", "es")


@lru_cache(maxsize=256)
def key_mode(key: str) -> str | None:
    """ "major", "minor" or None when the text is not a key (e.g. "o" for off-key, or empty)."""
    s = "".join(key.split())
    if not s:
        return None
    # Camelot (1A-12B: A minor, B major) and Open Key (1m-12d: m minor, d major).
    digits = s.rstrip("aAbBmMdD")
    if digits.isdigit() and 1 <= int(digits) <= 12 and len(s) == len(digits) + 1:
        return "minor" if s[-1] in "aAmM" else "major"
    if s[0].lower() not in _NOTES:
        return None
    # "Am" is A minor and "AM" is usually A major (DJ software); other text is case-free.
    rest = s[1:]
    if rest == "M":
        return "major"
    rest = rest.lower()
    if rest in _MODES:
        return _MODES[rest]
    for accidental in _ACCIDENTALS:
        if rest.startswith(accidental) and rest[len(accidental) :] in _MODES:
            return _MODES[rest[len(accidental) :]]
    return None
