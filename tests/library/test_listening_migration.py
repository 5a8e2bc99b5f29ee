"""The listening-events migration keeps the plays recorded before it, matched to their tracks."""

from __future__ import annotations

import sqlite3

from calmtune.library import Library
from calmtune.library.migrations import MIGRATIONS, m005_listening_events


def test_plays_recorded_before_the_migration_find_their_track(tmp_path) -> None:
    db = tmp_path / "i.db"
    conn = sqlite3.connect(db, isolation_level=None)
    before = MIGRATIONS[: MIGRATIONS.index(m005_listening_events)]
    for step in before:
        step(conn)
    conn.execute(f"PRAGMA user_version = {len(before)}")
    conn.execute(
        "INSERT INTO tracks (path, size, mtime_ns, format, scanned_at) VALUES (?, 1, 1, 'flac', 0)",
        (b"/m/a.flac",),
    )
    conn.execute("INSERT INTO sessions (id, started, recipe) VALUES (1, 0, 'calm')")
    conn.executemany(
        "INSERT INTO session_tracks VALUES (1, ?, ?, 0, 30)",
        [(1, b"/m/a.flac"), (2, b"/m/gone.flac")],
    )
    conn.close()
    with Library.open(db) as library:
        rows = library.conn.execute(
            "SELECT path, track_id, outcome FROM session_tracks ORDER BY position"
        ).fetchall()
        track = library.get_track("/m/a.flac")
        summary = library.journal.listening(track.id)
    assert rows == [(b"/m/a.flac", track.id, None), (b"/m/gone.flac", None, None)]
    assert (summary.plays, summary.unknown) == (1, 1)  # played, with no recorded outcome
