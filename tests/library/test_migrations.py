"""Index migrations: a fresh index is at the newest schema, an older one is brought forward with
its data, and a newer one is refused with a clear message."""

from __future__ import annotations

import json
import sqlite3

import pytest

from calmtune.errors import LibraryError
from calmtune.library import Library
from calmtune.library.migrations import MIGRATIONS, m001_initial, m002_journal
from calmtune.models import Mood, MoodScores, MoodSource, TagInfo
from loaded_modules import run_watching


def schema_2_index(path, reasons_column: list) -> None:
    """An index as calmtune 0.1.0 wrote it (schema 2: reasons as a JSON list)."""
    conn = sqlite3.connect(path)
    m001_initial(conn)
    m002_journal(conn)
    for number, stored in enumerate(reasons_column):
        conn.execute(
            "INSERT INTO tracks (path, size, mtime_ns, format, mood, mood_source, score_calm, "
            "reasons, scanned_at) VALUES (?, 1, 1, 'flac', 'calm', 'inferred', 0.8, ?, 0)",
            (f"/m/{number}.flac".encode(), stored),
        )
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()


def test_the_current_schema_version_is_the_number_of_migrations():
    """An index at ``SCHEMA_VERSION`` opens without running migrations: a migration added
    without bumping it would never run."""
    from calmtune.library.db import SCHEMA_VERSION

    assert len(MIGRATIONS) == SCHEMA_VERSION


def test_migrations_bring_a_new_index_to_the_newest_schema(tmp_path):
    with Library.open(tmp_path / "i.db") as lib:
        assert lib.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_listing_without_an_index_migrates_an_empty_one_without_loading_json():
    """`calmtune tracks` with no index reads an empty one made in memory, every migration run
    on it; migration 3 loads json only for rows it has to read (5.3M of 249M instructions,
    migrations.py). The home is this test's own, with no index in it."""
    done, loaded = run_watching(["tracks", "--limit", "1"], ["json"])
    assert "The library is empty" in done.stderr
    assert loaded == []


def test_migration_3_turns_json_reasons_into_lines(tmp_path):
    db = tmp_path / "i.db"
    good = json.dumps(["title word 'lullaby' suggests calm", "genre 'Ambient' suggests calm"])
    schema_2_index(db, [good, "[not json", json.dumps({"a": 1}), None, json.dumps([])])
    with Library.open(db) as lib:
        reasons = [lib.get_track(f"/m/{n}.flac").scores.reasons for n in range(5)]
        scores = [lib.get_track(f"/m/{n}.flac").scores.calm for n in range(5)]
    assert reasons[0] == ["title word 'lullaby' suggests calm", "genre 'Ambient' suggests calm"]
    assert reasons[1:] == [[], [], [], []]  # damaged or empty: no reasons, and no failure
    assert scores == [0.8] * 5  # the scores stay


def test_reasons_with_line_breaks_are_stored_as_one_line_each(tmp_path):
    scores = MoodScores(
        calm=0.9, upbeat=0.0, focus=0.1, arousal=None, valence=None, mood=Mood.CALM,
        confidence=0.9, source=MoodSource.INFERRED,
        reasons=["genre 'Deep\nSleep' suggests calm", "quiet\r\nand slow"],
    )  # fmt: skip
    with Library.open(tmp_path / "i.db") as lib:
        lib.upsert_scanned([("/m/a.flac", 1, 1, TagInfo("flac", duration=60), scores)])
        got = lib.get_track("/m/a.flac").scores.reasons
    assert got == ["genre 'Deep Sleep' suggests calm", "quiet and slow"]


def test_an_index_from_a_newer_calmtune_is_refused(tmp_path):
    db = tmp_path / "i.db"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(LibraryError, match="newer calmtune"):
        Library.open(db)


def test_migration_3_folds_line_breaks_inside_a_reason(tmp_path):
    db = tmp_path / "i.db"
    schema_2_index(db, [json.dumps(["genre 'Deep\nSleep' suggests calm", "quiet\r\nand slow", 7])])
    with Library.open(db) as lib:
        reasons = lib.get_track("/m/0.flac").scores.reasons
    assert reasons == ["genre 'Deep Sleep' suggests calm", "quiet and slow", "7"]
