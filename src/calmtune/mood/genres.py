"""Genre text as real libraries hold it, matched against the curated priors in ``tables.py``.

Handles case and punctuation ("Hip-Hop", "hip hop", "HipHop"), "&"/"'n'" ("Drum & Bass",
"Drum'n'Bass"), several genres in one field ("Ambient; Electronic", "Rock/Pop"), ID3v1 numbers
("(26)"), and unknown compounds by their known parts ("Dark Melodic Techno" -> "techno").
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from calmtune.mood import tables

_SPLIT = str.maketrans({";": "\n", ",": "\n", "/": "\n", "|": "\n", "\\": "\n", "\x00": "\n"})
_PUNCT = str.maketrans({c: " " for c in '-_.()[]{}!?:"*~#=<>'})
_PARTIAL_FACTOR = 0.8  # a genre matched only by its parts says a little less
_HEAD_WEIGHT = 2.0
_MAX_COMPOUND_WORDS = 8  # in "Ambient Techno" the last word names the kind of music


class GenrePrior(NamedTuple):
    """What a genre field says: mean prior of the genres recognised in it."""

    calm: float
    upbeat: float
    focus: float
    arousal: float
    valence: float
    strength: float
    matched: tuple[str, ...]  # the values recognised, as written
    unknown: tuple[str, ...]  # the values not recognised, as written
    partial: bool  # some value was recognised only through its parts


def _tokens(text: str) -> list[str]:
    s = text.lower().replace("&", " and ").replace("+", " and ")
    s = s.replace("'n'", "n").replace("\u2019n\u2019", "n").replace("'", "").replace("\u2019", "")
    return s.translate(_PUNCT).split()


def _resolve(key: str) -> tuple[float, ...] | None:
    key = tables.GENRE_ALIASES.get(key, key)
    return tables.GENRE_PRIORS.get(key)


def _id3v1(value: str) -> str:
    """Replace an ID3v1 genre number, "(26)" or "26", by its name; "(26)Ambient" keeps the text."""
    if value.startswith("(") and ")" in value:
        end = value.index(")")
        inner, rest = value[1:end], value[end + 1 :].strip()
        if inner.isdigit():
            if rest:
                return rest
            number = int(inner)
            return tables.ID3V1_GENRES[number] if number < len(tables.ID3V1_GENRES) else value
    if value.isdigit() and int(value) < len(tables.ID3V1_GENRES):
        return tables.ID3V1_GENRES[int(value)]
    return value


def _match_one(value: str) -> tuple[list[tuple[tuple[float, ...], float]], bool, bool]:
    """(priors with their weights, informative?, partial?) for one genre value."""
    tokens = _tokens(value)
    compact = "".join(tokens)
    if not compact or compact in tables.GENRE_NON_INFORMATIVE:
        return [], False, False
    prior = _resolve(compact)
    if prior is not None:
        return [(prior, 1.0)], True, False
    # Unknown compound: take its longest known parts, without overlap. Genre names are short;
    # the cap keeps a pathological tag (thousands of words) from costing quadratic time.
    tokens = tokens[:_MAX_COMPOUND_WORDS]
    used = [False] * len(tokens)
    found: list[tuple[int, tuple[float, ...]]] = []
    for length in range(len(tokens) - 1, 0, -1):
        for start in range(len(tokens) - length + 1):
            if any(used[start : start + length]):
                continue
            part = _resolve("".join(tokens[start : start + length]))
            if part is not None:
                found.append((start + length, part))
                for i in range(start, start + length):
                    used[i] = True
    if not found:
        return [], True, False
    head_end = max(end for end, _ in found)
    return [(part, _HEAD_WEIGHT if end == head_end else 1.0) for end, part in found], True, True


@lru_cache(maxsize=8192)
def genre_prior(genre: str) -> GenrePrior | None:
    """The combined prior of every genre named in ``genre``; None if the field names nothing.

    A field whose values are all unknown gives strength 0 and lists them in ``unknown``.
    Cached: a library of 50,000 tracks holds a few hundred distinct genre strings.
    """
    values: list[tuple[list[float], float]] = []  # (mean prior, strength) per recognised value
    matched: list[str] = []
    unknown: list[str] = []
    partial = False
    for raw in genre.translate(_SPLIT).split("\n"):
        value = _id3v1(raw.strip())
        if not value:
            continue
        parts, informative, is_partial = _match_one(value)
        if not parts:
            if informative:
                unknown.append(value)
            continue
        matched.append(value)
        partial = partial or is_partial
        total = sum(w for _, w in parts)
        mean = [sum(p[i] * w for p, w in parts) / total for i in range(6)]
        values.append((mean[:5], mean[5] * (_PARTIAL_FACTOR if is_partial else 1.0)))
    if not values:
        if not unknown:
            return None
        return GenrePrior(0.0, 0.0, 0.0, 0.5, 0.5, 0.0, (), tuple(unknown), False)
    # Several genres: a mean weighted by strength, as strong as the most specific one.
    total = sum(strength for _, strength in values)
    mean = [sum(p[i] * strength for p, strength in values) / total for i in range(5)]
    strength = max(strength for _, strength in values)
    return GenrePrior(*mean, strength, tuple(matched), tuple(unknown), partial)
