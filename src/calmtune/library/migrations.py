"""The index schema, as an append-only list of small named migrations.

Each migration runs once, in order, inside one transaction, and bumps ``PRAGMA user_version``.
Never edit a migration that has shipped: append a new one. A migration holds all the code it
needs, as it was when it was written, and imports nothing else of calmtune: it must do to an old
index tomorrow exactly what it did on the day it shipped (docs/design.md, "Migrations").

Paths are stored as BLOBs of the file system's own bytes (``os.fsencode``), so file names that are
not valid UTF-8 are indexed and found again exactly.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated DDL inside the caller's transaction.

    ``executescript`` would COMMIT first and break the one-transaction-per-migration rule.
    """
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def m001_initial(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE roots (
            path BLOB PRIMARY KEY,
            added_at REAL NOT NULL
        );
        CREATE TABLE tracks (
            id INTEGER PRIMARY KEY,
            path BLOB NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            format TEXT NOT NULL,
            duration REAL,
            sample_rate INTEGER,
            channels INTEGER,
            bitrate INTEGER,
            title TEXT,
            artist TEXT,
            album TEXT,
            albumartist TEXT,
            genre TEXT,
            tracknumber INTEGER,
            tag_bpm REAL,
            tag_key TEXT,
            tag_mood TEXT,
            tag_mood_by_calmtune INTEGER NOT NULL DEFAULT 0,
            rg_track_gain REAL,
            rg_track_peak REAL,
            rg_album_gain REAL,
            rg_album_peak REAL,
            user_mood TEXT,
            mood TEXT NOT NULL DEFAULT 'unknown',
            mood_source TEXT NOT NULL DEFAULT 'inferred',
            mood_confidence REAL NOT NULL DEFAULT 0,
            score_calm REAL,
            score_upbeat REAL,
            score_focus REAL,
            arousal REAL,
            valence REAL,
            reasons TEXT,
            scanned_at REAL NOT NULL
        );
        CREATE INDEX tracks_mood ON tracks (mood);
        CREATE TABLE features (
            track_id INTEGER PRIMARY KEY REFERENCES tracks (id) ON DELETE CASCADE,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            bpm REAL,
            bpm_confidence REAL,
            loudness_lufs REAL,
            peak_dbfs REAL,
            loudness_range REAL,
            onset_density REAL,
            brightness REAL,
            silent INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            analyzed_at REAL NOT NULL
        );
        CREATE TABLE scan_failures (
            path BLOB PRIMARY KEY,
            size INTEGER,
            mtime_ns INTEGER,
            error TEXT NOT NULL,
            seen_at REAL NOT NULL
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    )


def m002_journal(conn: sqlite3.Connection) -> None:
    """Listening sessions and the tracks each one played (journal, recently played)."""
    _run(
        conn,
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started REAL NOT NULL,
            ended REAL,
            recipe TEXT NOT NULL,
            ended_by TEXT NOT NULL DEFAULT 'running',
            stress_before INTEGER,
            stress_after INTEGER,
            listened_seconds REAL NOT NULL DEFAULT 0
        );
        CREATE TABLE session_tracks (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            path BLOB NOT NULL,
            played_at REAL NOT NULL,
            seconds REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (session_id, position)
        );
        CREATE INDEX session_tracks_path ON session_tracks (path)
        """,
    )


def m003_reasons_as_lines(conn: sqlite3.Connection) -> None:
    """Mood reasons were a JSON list; they become one reason per line, a line break inside a
    reason folded into a space. A damaged list loses its reasons and keeps its scores."""
    updates = []
    for track_id, stored in conn.execute(
        "SELECT id, reasons FROM tracks WHERE reasons IS NOT NULL"
    ):
        # json only once there is a list to read: a new index (and the empty one `tracks` reads
        # when there is none) has no rows, and loading json for nothing cost 5.3M of 249M
        # instructions of `calmtune tracks --limit 1` (benchmarks/bench_startup.py).
        import json

        try:
            reasons = json.loads(stored)
        except ValueError:
            reasons = None
        if not isinstance(reasons, list):
            updates.append((None, track_id))
            continue
        lines = "\n".join(" ".join(str(reason).splitlines()) for reason in reasons)
        updates.append((lines or None, track_id))
    conn.executemany("UPDATE tracks SET reasons = ? WHERE id = ?", updates)


def m004_year(conn: sqlite3.Connection) -> None:
    """The year a track was recorded or released (queries such as ``year:1990..1999``), and which
    tag reader filled each row: rows from before the year was read say 0, so the next scan reads
    their files again (``Library.file_states``)."""
    _run(
        conn,
        """
        ALTER TABLE tracks ADD COLUMN year INTEGER;
        ALTER TABLE tracks ADD COLUMN tags_version INTEGER NOT NULL DEFAULT 0
        """,
    )


def m005_listening_events(conn: sqlite3.Connection) -> None:
    """Each play of a track in a session becomes a listening event: which track (its index id, so
    the event follows the file through a rename; NULL once the track leaves the index), how the
    play ended (finished, skipped, cut, back; NULL while playing or when the process died), and
    whether the listener asked for it again with ``p``. Plays recorded before keep their path
    and are matched to the track of that path."""
    _run(
        conn,
        """
        ALTER TABLE session_tracks ADD COLUMN track_id INTEGER
            REFERENCES tracks (id) ON DELETE SET NULL;
        ALTER TABLE session_tracks ADD COLUMN outcome TEXT;
        ALTER TABLE session_tracks ADD COLUMN replay INTEGER NOT NULL DEFAULT 0;
        UPDATE session_tracks SET track_id =
            (SELECT t.id FROM tracks t WHERE t.path = session_tracks.path);
        CREATE INDEX session_tracks_track ON session_tracks (track_id)
        """,
    )


def m006_preferences(conn: sqlite3.Connection) -> None:
    """The listener's explicit verdicts: a track liked or banned, for one recipe or (recipe '')
    for every recipe. A track that leaves the index takes its verdicts with it."""
    _run(
        conn,
        """
        CREATE TABLE preferences (
            track_id INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
            recipe TEXT NOT NULL DEFAULT '',
            verdict TEXT NOT NULL CHECK (verdict IN ('like', 'ban')),
            set_at REAL NOT NULL,
            PRIMARY KEY (track_id, recipe)
        )
        """,
    )


def m007_goals(conn: sqlite3.Connection) -> None:
    """The listener's plain goals: sessions a week, or an average stress drop; one of each kind
    per recipe ('' for sessions of any recipe)."""
    _run(
        conn,
        """
        CREATE TABLE goals (
            kind TEXT NOT NULL CHECK (kind IN ('sessions', 'drop')),
            recipe TEXT NOT NULL DEFAULT '',
            target REAL NOT NULL,
            set_at REAL NOT NULL,
            PRIMARY KEY (kind, recipe)
        )
        """,
    )


def m008_gain_invariant_features(conn: sqlite3.Connection) -> None:
    """Measurements that do not move with the playback gain (onset strength, spectral flux,
    percussive share), the analysis version they came from (older results are measured again by
    ``calmtune analyze``), and the audio payload digest, so a file whose tags alone changed
    keeps its analysis."""
    _run(
        conn,
        """
        ALTER TABLE features ADD COLUMN onset_strength REAL;
        ALTER TABLE features ADD COLUMN spectral_flux REAL;
        ALTER TABLE features ADD COLUMN percussive_share REAL;
        ALTER TABLE features ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE features ADD COLUMN payload BLOB
        """,
    )


def m009_damage(conn: sqlite3.Connection) -> None:
    """Why a file looks damaged (cut short: its headers promise more audio than it holds), for
    ``show``, ``doctor`` and the scan report. Rows from before say nothing until their file is
    read again."""
    _run(conn, "ALTER TABLE tracks ADD COLUMN damage TEXT")


def m010_bass_and_clarity(conn: sqlite3.Connection) -> None:
    """Analysis version 3: the bass share, the low percussive share and the tonal clarity (rows
    measured before stay NULL there and are measured again by ``calmtune analyze``)."""
    _run(
        conn,
        """
        ALTER TABLE features ADD COLUMN bass_share REAL;
        ALTER TABLE features ADD COLUMN low_percussive_share REAL;
        ALTER TABLE features ADD COLUMN tonal_clarity REAL
        """,
    )


def m011_roughness(conn: sqlite3.Connection) -> None:
    """Analysis version 4: the roughness (rows measured before stay NULL there and are measured
    again by ``calmtune analyze``)."""
    _run(conn, "ALTER TABLE features ADD COLUMN roughness REAL")


def m012_texture_change(conn: sqlite3.Connection) -> None:
    """Analysis version 5: the texture change (rows measured before stay NULL there and are
    measured again by ``calmtune analyze``)."""
    _run(conn, "ALTER TABLE features ADD COLUMN texture_change REAL")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_initial,
    m002_journal,
    m003_reasons_as_lines,
    m004_year,
    m005_listening_events,
    m006_preferences,
    m007_goals,
    m008_gain_invariant_features,
    m009_damage,
    m010_bass_and_clarity,
    m011_roughness,
    m012_texture_change,
]


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema up to date. Safe to call on every open."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        from calmtune.errors import LibraryError

        raise LibraryError(
            f"the index was written by a newer calmtune (schema {current}, this one knows "
            f"{len(MIGRATIONS)})",
            hint="upgrade calmtune or use another --db",
        )
    for number, step in enumerate(MIGRATIONS[current:], start=current + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-check under the write lock: another process may have migrated meanwhile.
            if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                conn.execute("ROLLBACK")
                continue
            step(conn)
            conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
