"""Mood words as people and taggers write them, mapped onto calmtune's three receptive moods.

Taggers write moods in many spellings ("Relaxed", "chill-out", "CHILL; Mellow"). Words that fit
none of the three (sad, aggressive, romantic ...) are reported as unknown, never forced.
"""

from __future__ import annotations

from functools import lru_cache

from calmtune.models import Mood

_CALM = (
    "calm", "calming", "calmness", "relaxed", "relaxing", "relax", "relaxation", "chill",
    "chilled", "chillout", "chill out", "chilled out", "peaceful", "peace", "mellow", "sleep",
    "sleepy", "sleeping", "soothing", "serene", "tranquil", "gentle", "soft", "quiet",
    "meditative", "meditation", "dreamy", "laid back", "laidback", "easygoing", "easy going",
    "lullaby", "restful", "cozy", "cosy", "comforting", "tender", "wind down", "winddown",
    "unwind", "zen", "sedative", "reflective", "contemplative", "introspective", "pastoral",
    "ethereal", "atmospheric", "warm", "smooth", "slow", "bedtime", "sleepytime", "mild",
)  # fmt: skip
_UPBEAT = (
    "upbeat", "happy", "energetic", "energy", "energising", "energizing", "party", "uplifting",
    "cheerful", "joyful", "joyous", "fun", "exciting", "excited", "euphoric", "dance",
    "danceable", "groovy", "lively", "bouncy", "feel good", "feelgood", "positive",
    "motivational", "motivating", "workout", "pumped", "powerful", "driving", "celebratory",
    "playful", "sunny", "hype", "rousing", "triumphant", "anthemic", "fast", "high energy",
    "exuberant", "boisterous", "rowdy", "festive", "carefree", "optimistic", "bright",
)  # fmt: skip
_FOCUS = (
    "focus", "focused", "focussed", "focusing", "concentration", "concentrate", "study",
    "studying", "work", "working", "deep focus", "productive", "productivity", "steady",
    "coding", "reading", "cerebral", "thinking", "flow",
)  # fmt: skip

# normalised word -> mood; spaces are also tried removed, so "chill out" covers "chill-out".
SYNONYMS: dict[str, Mood] = {
    **dict.fromkeys(_CALM, Mood.CALM),
    **dict.fromkeys(_UPBEAT, Mood.UPBEAT),
    **dict.fromkeys(_FOCUS, Mood.FOCUS),
}
SYNONYMS.update({w.replace(" ", ""): m for w, m in list(SYNONYMS.items())})

# Separators taggers use between several values in one field.
_SPLIT = str.maketrans({";": "\n", ",": "\n", "/": "\n", "|": "\n", "\\": "\n", "\x00": "\n"})
_SPACE = str.maketrans({"-": " ", "_": " ", ".": " ", "\t": " "})


def split_words(text: str) -> list[str]:
    """The separate values in a multi-valued tag, stripped, in their original order."""
    return [part.strip() for part in text.translate(_SPLIT).split("\n") if part.strip()]


def _lookup(value: str) -> Mood | None:
    key = " ".join(value.lower().translate(_SPACE).split())
    return SYNONYMS.get(key) or SYNONYMS.get(key.replace(" ", ""))


@lru_cache(maxsize=4096)
def moods_in_text(text: str) -> tuple[tuple[Mood, ...], tuple[str, ...]]:
    """The moods recognised in a (possibly multi-valued) mood tag, and the values not recognised.

    Cached: a library repeats a few dozen mood spellings across thousands of tracks.
    """
    known: list[Mood] = []
    unknown: list[str] = []
    for value in split_words(text):
        mood = _lookup(value)
        if mood is None:
            unknown.append(value)
        else:
            known.append(mood)
    return tuple(known), tuple(unknown)


def mood_from_word(text: str) -> Mood | None:
    """The mood a tag such as "Relaxed", "chill" or "Chill; Mellow" stands for, or None.

    Several values vote; the most frequent mood wins and a tie goes to the one written first
    (taggers put the main mood first). Unknown values are ignored; None if nothing is known.
    """
    known, _unknown = moods_in_text(text)
    if not known:
        return None
    return max(known, key=lambda mood: (known.count(mood), -known.index(mood)))
