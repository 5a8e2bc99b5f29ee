"""Which of a verdict's reasons to show when there is room for one (the live view's mood line).

The engine lists reasons by source (the user's tag, measured audio, tags, genre, words), and some
of them are not reasons *for* the verdict: a key's valence, a genre that was ignored, evidence
that pointed elsewhere. One line should carry the evidence that weighs most for the mood shown,
in the engine's own order of strength (docs/music.md, "The three moods"):

1. a mood the user set by hand;
2. a measured or tagged tempo in the mood's band;
3. other evidence that names the mood (measured loudness, title words, a strong genre);
4. measured audio that describes the mood without naming it (sparse onsets, soft timbre);
5. a genre that is weak evidence on its own.

Pure and standard library only, like the rest of ``mood``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_USER = "a mood set by hand always wins"
_WEAK = "weak evidence on its own"
_NOT_EVIDENCE = ("ignored", "valence", "is used instead", "recomputed", "outranks")
# Measured descriptions of sedative or energetic sound that do not name a mood.
_DESCRIBES = {
    "calm": ("sparse", "soft timbre", "even dynamics", "legato", "sustained tones", "even sound"),
    "upbeat": ("dense", "bright timbre", "big dynamic swings", "strong accents", "drum-driven"),
    "focus": ("steady pulse", "even dynamics"),
}


def strongest_reason(mood: str, reasons: Sequence[str]) -> str | None:
    """The reason that backs ``mood`` most firmly, or ``None`` when none does.

    For an unknown mood it is the engine's explanation of why the mood stays unknown.
    """
    if mood == "unknown":
        return next((r for r in reasons if "stays unknown" in r), None)
    names_mood = re.compile(rf"\b{re.escape(mood)}\b")
    best: tuple[int, int] | None = None
    for position, reason in enumerate(reasons):
        rank = _rank(mood, reason, names_mood)
        if rank is not None and (best is None or (rank, position) < best):
            best = (rank, position)
    return None if best is None else reasons[best[1]]


def _rank(mood: str, reason: str, names_mood: re.Pattern[str]) -> int | None:
    if _USER in reason:
        return 1
    if any(word in reason for word in _NOT_EVIDENCE):
        return None
    named = names_mood.search(reason) is not None
    if named and _WEAK in reason:
        return 5
    if named and "BPM" in reason and "band" in reason:
        return 2
    if named:
        return 3
    if any(word in reason for word in _DESCRIBES.get(mood, ())):
        return 4
    return None
