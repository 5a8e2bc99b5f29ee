"""The query language shared by ``tracks``, ``playlist build`` and recipes (docs/cli.md, "Queries").

Pure and standard-library only: this module turns text into ``Term`` values and never sees SQL.
``calmtune.library.query_sql`` translates terms into SQL with parameters.

Grammar, in the spirit of beets::

    query  := term (spaces term)*          all terms must match (AND)
    term   := ["^"] [field ":"] value      "^" keeps the tracks the term does not match
    value  := "quoted phrase" | 'quoted phrase' | text without spaces
    range  := number ".." number | ".." number | number ".."      (bpm, loudness, year, duration)

A term without a field looks for its text in the title, artist, album artist, album and genre. On
the command line each argument is one term (the shell has already split and unquoted them, so
``title:"rain song"`` arrives as ``title:rain song``); a query string (``--query``, a recipe's
``query``) is split at spaces outside quotes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from calmtune.errors import CalmtuneError
from calmtune.models import Mood


class Kind(StrEnum):
    """How a field's value is written and compared."""

    TEXT = "text"  # a case-insensitive substring
    PATH = "path"  # a substring of the file path, exact bytes
    CHOICE = "choice"  # one of a fixed set of words
    WORD = "word"  # an exact word (case-insensitive)
    NUMBER = "number"  # a number or a range
    YEAR = "year"  # a whole number or a range
    DURATION = "duration"  # durations (90s, 4m, 3:30; a bare number is minutes) or a range


FIELDS: dict[str, Kind] = {
    "artist": Kind.TEXT,
    "album": Kind.TEXT,
    "albumartist": Kind.TEXT,
    "title": Kind.TEXT,
    "genre": Kind.TEXT,
    "path": Kind.PATH,
    "mood": Kind.CHOICE,
    "format": Kind.WORD,
    "year": Kind.YEAR,
    "bpm": Kind.NUMBER,
    "loudness": Kind.NUMBER,
    "duration": Kind.DURATION,
}
# Where a term without a field looks.
ANY_FIELDS = ("title", "artist", "albumartist", "album", "genre")
MOODS = tuple(m.value for m in Mood)
# SQLite nests an expression at most 1,000 deep; no one types more than a few dozen terms.
MAX_TERMS = 100
_SHOWN_LENGTH = 60  # how much of a bad term an error message repeats

_FIELD_PREFIX = re.compile(r"\^?([A-Za-z_]+):")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_QUOTES = "\"'"


class QueryError(CalmtuneError):
    """A query term calmtune cannot read. A usage error: the message names the term."""

    exit_code = 2

    def __init__(self, term: str, problem: str) -> None:
        super().__init__(f"bad query term {_shown(term)}: {problem}")
        self.term = term
        self.problem = problem


class Term(NamedTuple):
    """One condition. ``field`` None means "any of ``ANY_FIELDS``".

    Text kinds carry ``text``; number kinds ``low``/``high`` (inclusive, None: open). ``missing``
    asks for tracks without a value (``artist:`` with nothing after the colon).
    """

    field: str | None
    text: str | None = None
    low: float | None = None
    high: float | None = None
    missing: bool = False
    negate: bool = False
    source: str = ""  # the term as written, for messages

    @property
    def kind(self) -> Kind:
        return Kind.TEXT if self.field is None else FIELDS[self.field]


def parse_query(text: str) -> tuple[Term, ...]:
    """Terms from a query string (``--query``, a recipe's ``query``): split at spaces outside
    quotes. Raises ``QueryError`` naming the first bad term."""
    return parse_terms(split_terms(text))


def parse_terms(raw_terms: Iterable[str]) -> tuple[Term, ...]:
    """Terms from already split words (command-line arguments): each one is one term."""
    terms = tuple(parse_term(raw) for raw in raw_terms)
    if len(terms) > MAX_TERMS:
        raise QueryError(terms[MAX_TERMS].source, f"a query holds at most {MAX_TERMS} terms")
    return terms


def split_terms(text: str) -> list[str]:
    """Split a query string into raw terms.

    A quote opens a phrase only at the start of a value (after ``^`` and ``field:``), so an
    apostrophe inside a word (``title:don't``) is an ordinary character.
    """
    terms: list[str] = []
    at, end = 0, len(text)
    while at < end:
        if text[at].isspace():
            at += 1
            continue
        prefix = _FIELD_PREFIX.match(text, at)
        value_at = prefix.end() if prefix else at + (text[at] == "^")
        if value_at < end and text[value_at] in _QUOTES:
            close = text.find(text[value_at], value_at + 1)
            if close < 0:
                raise QueryError(text[at:].split()[0], "the quote is never closed")
            stop = close + 1
            if stop < end and not text[stop].isspace():
                raise QueryError(text[at:].split()[0], "text follows the closing quote")
        else:
            stop = at
            while stop < end and not text[stop].isspace():
                stop += 1
        terms.append(text[at:stop])
        at = stop
    return terms


def parse_term(raw: str) -> Term:
    """One term as written: ``artist:kaufman``, ``^genre:metal``, ``bpm:60..80``, ``rain``."""
    negate = raw.startswith("^")
    body = raw[1:] if negate else raw
    prefix = _FIELD_PREFIX.match(raw)
    if prefix is None:
        value = _unquoted(body)
        if not value:
            raise QueryError(raw, "nothing to look for")
        return Term(None, text=_checked_text(raw, value), negate=negate, source=raw)
    name = prefix.group(1).lower()
    kind = FIELDS.get(name)
    if kind is None:
        raise QueryError(raw, f"unknown field {name!r} (fields: {', '.join(FIELDS)})")
    value = _unquoted(raw[prefix.end() :])
    base = Term(name, negate=negate, source=raw)
    if not value:
        if kind in (Kind.CHOICE, Kind.WORD):
            raise QueryError(raw, f"{name} needs a value")
        return base._replace(missing=True)
    if kind is Kind.TEXT:
        return base._replace(text=_checked_text(raw, value))
    if kind is Kind.PATH:
        try:
            os.fsencode(value)
        except UnicodeEncodeError:
            raise QueryError(raw, "cannot be part of a file name") from None
        return base._replace(text=value)
    if kind is Kind.CHOICE:
        mood = value.lower()
        if mood not in MOODS:
            raise QueryError(raw, f"mood is one of {', '.join(MOODS)}")
        return base._replace(text=mood)
    if kind is Kind.WORD:
        return base._replace(text=_checked_text(raw, value).lower())
    low, high = _range(raw, name, kind, value)
    return base._replace(low=low, high=high)


def _unquoted(value: str) -> str:
    """A value wholly inside matching quotes loses them; anything else is taken as it is."""
    if len(value) >= 2 and value[0] in _QUOTES and value[-1] == value[0]:
        return value[1:-1]
    return value


def _checked_text(raw: str, value: str) -> str:
    """Tags are Unicode text; a value holding undecodable bytes (from a file name typed on the
    command line) could never match one."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(raw, "holds bytes that are not UTF-8 text") from None
    return value


def _range(raw: str, name: str, kind: Kind, value: str) -> tuple[float | None, float | None]:
    """``a..b``, ``..b``, ``a..`` or one value. One value matches what rounds to it."""
    if ".." in value:
        first, _, last = value.partition("..")
        if not first and not last:
            raise QueryError(raw, f"a range needs at least one end, e.g. {_EXAMPLES[kind]}")
        low = _number(raw, name, kind, first) if first else None
        high = _number(raw, name, kind, last) if last else None
        if low is not None and high is not None and low > high:
            raise QueryError(raw, f"the range runs backwards; write {last}..{first}")
        return low, high
    number = _number(raw, name, kind, value)
    if kind is Kind.YEAR:
        return number, number
    return number - 0.5, number + 0.5


_EXAMPLES = {
    Kind.NUMBER: "60..80, ..-18 or 100..",
    Kind.YEAR: "1990..1999, ..1979 or 2000..",
    Kind.DURATION: "3m..5m, ..90s or 10m..",
}


def _number(raw: str, name: str, kind: Kind, text: str) -> float:
    if kind is Kind.DURATION:
        from calmtune.durations import FORMS, parse_duration

        try:
            return parse_duration(text)
        except ValueError:
            raise QueryError(raw, f"{name} takes durations ({FORMS}) or a range") from None
    if not _NUMBER.fullmatch(text):
        raise QueryError(raw, f"{name} takes a number or a range such as {_EXAMPLES[kind]}")
    number = float(text)
    if kind is Kind.YEAR and not number.is_integer():
        raise QueryError(raw, "a year is a whole number")
    return number


def fold(text: str | None) -> str | None:
    """Text as compared: case-folded (``Björk`` finds ``BJÖRK``, ``strasse`` finds ``Straße``).

    Composed first, so an accent stored as a separate mark (as macOS writes names) matches."""
    if text is None:
        return None
    import unicodedata

    return unicodedata.normalize("NFC", text).casefold()


def _shown(term: str) -> str:
    """A term quoted for a message: escapes instead of control characters, and cut short."""
    if len(term) > _SHOWN_LENGTH:
        return repr(term[:_SHOWN_LENGTH]) + "…"
    return repr(term)


__all__ = [
    "ANY_FIELDS",
    "FIELDS",
    "MAX_TERMS",
    "Kind",
    "QueryError",
    "Term",
    "fold",
    "parse_query",
    "parse_term",
    "parse_terms",
    "split_terms",
]
