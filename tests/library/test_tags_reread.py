"""A field the tag reader learned later (the year) reaches tracks indexed before: the next scan
reads those files again once, and keeps their analysis and the moods it gave."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli
from calmtune.library import Library
from calmtune.library.index import TAGS_VERSION


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_the_next_scan_reads_rows_of_an_older_tag_reader_again_and_keeps_their_analysis(tmp_path):
    root = tmp_path / "music"
    root.mkdir()
    make_tagged_file(root / "a", "flac", seconds=2.0, title="Hum", year="1994-05-01")
    make_tagged_file(root / "b", "mp3v23", seconds=2.0, title="Drone", year="2001")
    run("scan", str(root))
    run("analyze")
    with Library.open(_default_db()) as lib:
        before = {t.path: t for t in lib.iter_tracks(sort="path")}
    assert [t.tags.year for t in before.values()] == [1994, 2001]
    assert all(t.features is not None for t in before.values())

    # What an index from before the year looked like: no year, rows of reader version 0.
    conn = sqlite3.connect(_default_db())
    conn.execute("UPDATE tracks SET year = NULL, tags_version = 0")
    conn.commit()
    conn.close()

    report = run("scan", "--json", str(root)).stdout
    assert '"updated": 2' in report
    with Library.open(_default_db()) as lib:
        after = {t.path: t for t in lib.iter_tracks(sort="path")}
        versions = {r[0] for r in lib.conn.execute("SELECT tags_version FROM tracks")}
    assert versions == {TAGS_VERSION}
    assert [t.tags.year for t in after.values()] == [1994, 2001]
    for path, track in after.items():
        assert track.features == before[path].features  # the analysis still fits the file
        assert track.scores == before[path].scores  # and the mood it gave is kept
    assert '"updated": 0' in run("scan", "--json", str(root)).stdout  # once only


def _default_db():
    from calmtune.config import Paths

    return Paths.discover().default_db
