"""Query terms (``calmtune.query``) as an SQL condition with parameters.

Every value a user typed travels as a bound parameter; the SQL text is built only from the fixed
column expressions below, so no term can change the statement. The condition reads the columns of
``tracks t LEFT JOIN features f`` (``index._TRACK_FROM``).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from typing import Any

from calmtune.library.expressions import CURRENT_LOUDNESS, EFFECTIVE_BPM
from calmtune.query import ANY_FIELDS, Kind, Term, fold

# The SQL function that case-folds text the way ``calmtune.query.fold`` does (SQLite's own
# lower() folds ASCII only, so "Björk" would not find "BJÖRK").
FOLD_FUNCTION = "calmtune_fold"

COLUMNS: dict[str, str] = {
    "artist": "t.artist",
    "album": "t.album",
    "albumartist": "t.albumartist",
    "title": "t.title",
    "genre": "t.genre",
    "path": "t.path",
    "mood": "t.mood",
    "format": "t.format",
    "year": "t.year",
    "bpm": f"({EFFECTIVE_BPM})",
    "loudness": f"({CURRENT_LOUDNESS})",
    "duration": "t.duration",
}


def register_functions(conn: sqlite3.Connection) -> None:
    """Make ``calmtune_fold`` available on ``conn`` (idempotent)."""
    conn.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


def where_clause(terms: Sequence[Term]) -> tuple[str, list[Any]]:
    """``(condition, parameters)`` that all ``terms`` hold; ``("1", [])`` for no terms."""
    parts: list[str] = []
    params: list[Any] = []
    for term in terms:
        condition, values = _condition(term)
        if term.negate:
            # A missing value (NULL) does not match the term, so the negation keeps it.
            condition = f"NOT COALESCE({condition}, 0)"
        parts.append(condition)
        params.extend(values)
    return (" AND ".join(parts) or "1"), params


def _condition(term: Term) -> tuple[str, list[Any]]:
    if term.field is None:
        needle = fold(term.text)
        checks = [_contains(COLUMNS[name]) for name in ANY_FIELDS]
        return f"({' OR '.join(checks)})", [needle] * len(checks)
    column = COLUMNS[term.field]
    kind = term.kind
    if term.missing:
        if kind in (Kind.TEXT, Kind.PATH):
            return f"({column} IS NULL OR {column} = '')", []
        return f"({column} IS NULL)", []
    if kind is Kind.TEXT:
        return _contains(column), [fold(term.text)]
    if kind is Kind.PATH:
        # Paths are stored as the file system's bytes: compare bytes, exactly.
        return f"(instr({column}, ?) > 0)", [os.fsencode(os.path.expanduser(term.text))]
    if kind in (Kind.CHOICE, Kind.WORD):
        return f"({column} = ?)", [term.text]
    if term.low is not None and term.high is not None:
        return f"({column} BETWEEN ? AND ?)", [term.low, term.high]
    if term.low is not None:
        return f"({column} >= ?)", [term.low]
    return f"({column} <= ?)", [term.high]


def _contains(column: str) -> str:
    return f"(instr({FOLD_FUNCTION}({column}), ?) > 0)"
