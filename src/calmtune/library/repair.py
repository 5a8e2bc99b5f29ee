"""Looking at an index without changing it, and rebuilding a damaged one from the music files.

What the index holds comes from two places. Tags, durations and inferred moods come from the files
and a scan rebuilds them. Analyses (slow to redo), moods the user chose in calmtune, the library
roots and the listening journal live only in the index: a rebuild salvages whatever of them can
still be read from the damaged copy, row by row, and keeps only values that make sense.
"""

from __future__ import annotations

import math
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from calmtune.library.migrations import MIGRATIONS
from calmtune.models import Mood


@dataclass(slots=True)
class IndexState:
    """What ``inspect`` found: readable at all, schema version, writable, integrity problems."""

    exists: bool
    version: int | None = None
    error: str | None = None  # why it cannot be opened or read
    writable: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def newer(self) -> bool:
        return self.version is not None and self.version > len(MIGRATIONS)

    @property
    def damaged(self) -> bool:
        return self.error is not None or bool(self.problems)


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the index. In a folder this user cannot write, SQLite
    cannot make the WAL's shared-memory file, and the index is read as an immutable snapshot."""
    uri = Path(path).absolute().as_uri()
    conn = sqlite3.connect(uri + "?mode=ro", uri=True, isolation_level=None, timeout=5)
    try:
        conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorname", "") != "SQLITE_READONLY_DIRECTORY":
            raise
        conn.close()
        conn = sqlite3.connect(uri + "?immutable=1", uri=True, isolation_level=None, timeout=5)
    return conn


def inspect(path: Path) -> IndexState:
    """The state of the index at ``path``, found without changing it (no migration, no write)."""
    path = Path(path)
    if not path.exists():
        return IndexState(exists=False)
    state = IndexState(exists=True, writable=_writable(path))
    try:
        conn = _read_only(path)
    except sqlite3.Error as exc:
        state.error = " ".join(str(exc).split()) or type(exc).__name__
        return state
    try:
        state.version = conn.execute("PRAGMA user_version").fetchone()[0]
        rows = conn.execute("PRAGMA integrity_check(20)").fetchall()
        state.problems = [str(r[0]) for r in rows if r[0] != "ok"]
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        state.error = " ".join(str(exc).split()) or type(exc).__name__
    finally:
        conn.close()
    return state


def _writable(path: Path) -> bool:
    """Whether this user may write the index file and create its -wal/-shm files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


@dataclass(slots=True)
class Salvage:
    """What could be read back from a damaged index."""

    roots: list[bytes] = field(default_factory=list)
    user_moods: dict[bytes, str] = field(default_factory=dict)
    # path -> (size, mtime_ns, bpm, bpm_confidence, lufs, peak, lra, onsets, brightness, silent,
    # audio digest or None)
    features: dict[bytes, tuple] = field(default_factory=dict)
    sessions: list[tuple] = field(default_factory=list)
    session_tracks: list[tuple] = field(default_factory=list)
    preferences: list[tuple] = field(default_factory=list)  # (path, recipe, verdict, set_at)
    lost: list[str] = field(default_factory=list)  # tables that could not be read whole


def _rows(conn: sqlite3.Connection, sql: str, salvage: Salvage, what: str) -> list[tuple]:
    """Rows of ``sql``, stopping at the first damaged page (the rows before it are kept)."""
    rows: list[tuple] = []
    try:
        for row in conn.execute(sql):
            rows.append(row)
    except (sqlite3.Error, UnicodeDecodeError):
        salvage.lost.append(what)
    return rows


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    try:
        return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    except (sqlite3.Error, UnicodeDecodeError):
        return set()


def _tables(conn: sqlite3.Connection) -> set[str]:
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except (sqlite3.Error, UnicodeDecodeError):
        return set()


def _number(value: Any) -> bool:
    return value is None or (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    )


def salvage(path: Path) -> Salvage:
    """Read what can still be read from the index at ``path``: roots, user moods, analyses and
    the journal. Values that are not what calmtune writes are left behind."""
    found = Salvage()
    try:
        conn = _read_only(path)
    except sqlite3.Error:
        found.lost.append("everything")
        return found
    try:
        moods = {m.value for m in Mood}
        for (root,) in _rows(conn, "SELECT path FROM roots", found, "library roots"):
            if isinstance(root, bytes):
                found.roots.append(root)
        sql = "SELECT path, user_mood FROM tracks WHERE user_mood IS NOT NULL"
        for key, mood in _rows(conn, sql, found, "moods you set"):
            if isinstance(key, bytes) and mood in moods:
                found.user_moods[key] = mood
        sql = (
            "SELECT t.path, f.size, f.mtime_ns, f.bpm, f.bpm_confidence, f.loudness_lufs, "
            "f.peak_dbfs, f.loudness_range, f.onset_density, f.brightness, f.silent, {digest} "
            "FROM features f JOIN tracks t ON t.id = f.track_id WHERE f.error IS NULL"
        )
        # The audio digest (migration 5) lets an analysis follow later renames; an index from
        # before it has none.
        has_digest = "payload" in _columns(conn, "features")
        rows = _rows(
            conn, sql.format(digest="f.payload" if has_digest else "NULL"), found, "analyses"
        )
        for key, *values, digest in rows:
            if isinstance(key, bytes) and all(_number(v) for v in values):
                found.features[key] = (*values, digest if isinstance(digest, bytes) else None)
        sql = (
            "SELECT id, started, ended, recipe, ended_by, stress_before, stress_after, "
            "listened_seconds FROM sessions"
        )
        for row in _rows(conn, sql, found, "journal"):
            if all(_number(v) for i, v in enumerate(row) if i not in (3, 4)) and isinstance(
                row[3], str
            ):
                found.sessions.append(row)
        sql = "SELECT session_id, position, path, played_at, seconds FROM session_tracks"
        for row in _rows(conn, sql, found, "journal tracks"):
            if isinstance(row[2], bytes) and all(_number(v) for i, v in enumerate(row) if i != 2):
                found.session_tracks.append(row)
        if "preferences" in _tables(conn):  # likes and bans (migration 6)
            sql = (
                "SELECT t.path, p.recipe, p.verdict, p.set_at FROM preferences p "
                "JOIN tracks t ON t.id = p.track_id"
            )
            for row in _rows(conn, sql, found, "likes and bans"):
                if isinstance(row[0], bytes) and row[2] in ("like", "ban") and _number(row[3]):
                    found.preferences.append(row)
    finally:
        conn.close()
    return found


def move_aside(path: Path) -> Path:
    """Rename the index (and its -wal/-shm files) out of the way; returns the new name."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(target.with_name(target.name + suffix))
    path.replace(target)
    return target


def restore(conn: sqlite3.Connection, found: Salvage) -> dict[str, int]:
    """Put salvaged user moods, analyses and sessions into a freshly scanned index (``conn``).

    An analysis is kept only for a file whose size and modification time are still those it was
    measured on; a mood only for a file that is still indexed. Returns counts for the report."""
    ids = {
        key: (tid, size, mtime)
        for key, tid, size, mtime in conn.execute("SELECT path, id, size, mtime_ns FROM tracks")
    }
    kept = {"moods": 0, "analyses": 0, "sessions": 0, "preferences": 0}
    now = time.time()
    conn.execute("BEGIN IMMEDIATE")
    try:
        for key, mood in found.user_moods.items():
            if key in ids:
                conn.execute("UPDATE tracks SET user_mood = ? WHERE id = ?", (mood, ids[key][0]))
                kept["moods"] += 1
        for key, (size, mtime, *values) in found.features.items():
            if key in ids and ids[key][1:] == (size, mtime):
                conn.execute(
                    "INSERT OR REPLACE INTO features (track_id, size, mtime_ns, bpm, "
                    "bpm_confidence, loudness_lufs, peak_dbfs, loudness_range, onset_density, "
                    "brightness, silent, error, analyzed_at, payload) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                    (ids[key][0], size, mtime, *values[:7], int(bool(values[7])), now, values[8]),
                )
                kept["analyses"] += 1
        known_sessions = set()
        for row in found.sessions:
            conn.execute(
                "INSERT OR IGNORE INTO sessions (id, started, ended, recipe, ended_by, "
                "stress_before, stress_after, listened_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            known_sessions.add(row[0])
            kept["sessions"] += 1
        for row in found.session_tracks:
            if row[0] in known_sessions:
                conn.execute(
                    "INSERT OR IGNORE INTO session_tracks (session_id, position, path, "
                    "played_at, seconds, track_id) VALUES (?, ?, ?, ?, ?, "
                    "(SELECT id FROM tracks WHERE path = ?))",
                    (*row, row[2]),
                )
        for key, recipe, verdict, set_at in found.preferences:
            if key in ids:
                conn.execute(
                    "INSERT OR IGNORE INTO preferences (track_id, recipe, verdict, set_at) "
                    "VALUES (?, ?, ?, ?)",
                    (ids[key][0], recipe, verdict, set_at),
                )
                kept["preferences"] += 1
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return kept


@dataclass(slots=True)
class Rebuilt:
    """The outcome of ``rebuild``, for doctor's report."""

    moved_to: Path
    roots: list[str]
    tracks: int
    kept: dict[str, int]
    lost: list[str]
    failed: int


def rebuild(path: Path, *, fallback_roots: list[str], mood_settings: Any = None) -> Rebuilt:
    """Replace the damaged index at ``path`` with one scanned afresh from the library roots (read
    from the damaged copy, else ``fallback_roots``), then put back what was salvaged.

    The damaged file is kept beside it (``library.db.damaged-<time>``); no music file is written.
    """
    from calmtune.library.index import Library
    from calmtune.library.scanner import scan

    path = Path(path)
    found = salvage(path)
    roots = [os.fsdecode(r) for r in found.roots] or list(fallback_roots)
    moved_to = move_aside(path)
    with Library.open(path, mood_settings=mood_settings) as library:
        failed = len(scan(library, roots).failed) if roots else 0
        kept = restore(library.conn, found)
        library.rescore_all()
        tracks = library.count()

    return Rebuilt(moved_to, roots, tracks, kept, found.lost, failed)


__all__ = [
    "IndexState",
    "Rebuilt",
    "Salvage",
    "inspect",
    "move_aside",
    "rebuild",
    "restore",
    "salvage",
]
