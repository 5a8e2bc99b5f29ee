"""Words in a title or album that hint at a mood: "Lullaby", "Rain", "(Workout Mix)", "Adagio"."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from calmtune.mood import tables

_PUNCT = str.maketrans({c: " " for c in "-_.,;:!?()[]{}/\\|\"'*~#&+=<>\u2019\u201c\u201d"})
_QUALIFIER_START = ("(", "[", " - ", " – ", " — ")
# Every token that can start a hit: most titles share none, and skip the scan (fast path).
_STARTS = frozenset(tables.TITLE_WORDS) | {p.split()[0] for p in tables.TITLE_PHRASES}


class WordHit(NamedTuple):
    word: str  # lower case, as matched
    field: str  # "title" or "album"
    prior: tuple[float, float, float, float, float]  # calm, upbeat, focus, arousal, valence
    weight: float


def _split_qualifier(text: str) -> tuple[str, str]:
    """("Song", "Live at Leeds") for "Song (Live at Leeds)"; the qualifier names a version."""
    cut = len(text)
    for mark in _QUALIFIER_START:
        at = text.find(mark)
        if 0 < at < cut:
            cut = at
    return text[:cut], text[cut:]


def _hits_in(tokens: list[str], field: str, factor: float, version_words: bool) -> list[WordHit]:
    hits: list[WordHit] = []
    if _STARTS.isdisjoint(tokens):
        return hits
    skip = -1
    for i, token in enumerate(tokens):
        if i == skip:
            continue
        if i + 1 < len(tokens):
            phrase = f"{token} {tokens[i + 1]}"
            found = tables.TITLE_PHRASES.get(phrase)
            if found is not None:
                hits.append(WordHit(phrase, field, found[0], found[1] * factor))
                skip = i + 1
                continue
        entry = tables.TITLE_WORDS.get(token)
        if entry is None:
            continue
        if token in tables.QUALIFIER_ONLY_WORDS and not version_words:
            continue
        hits.append(WordHit(token, field, entry[0], entry[1] * factor))
    return hits


@lru_cache(maxsize=16384)
def _field_hits(text: str, field: str) -> tuple[WordHit, ...]:
    factor = 1.0 if field == "title" else tables.ALBUM_WORD_FACTOR
    main, qualifier = _split_qualifier(text)
    main_tokens = main.lower().translate(_PUNCT).split()
    # "Live at Wembley", "Unplugged": a version word leading an album names the whole album.
    leading_version = (
        field == "album"
        and bool(main_tokens)
        and main_tokens[0]
        in {
            "live",
            "unplugged",
            "acoustic",
            "instrumental",
            "remixes",
            "remixed",
        }
    )
    hits = _hits_in(main_tokens, field, factor, leading_version)
    if qualifier:
        hits += _hits_in(qualifier.lower().translate(_PUNCT).split(), field, factor, True)
    return tuple(hits)


def word_hits(title: str | None, album: str | None) -> list[WordHit]:
    """Every mood word found in the title and album, title first; each word counted once."""
    hits: list[WordHit] = []
    seen: set[str] = set()
    for text, field in ((title, "title"), (album, "album")):
        if not text:
            continue
        for hit in _field_hits(text, field):
            if hit.word not in seen:
                seen.add(hit.word)
                hits.append(hit)
    return hits
