"""A damaged, read-only or newer index: every command says so in one line with the fix and the
right exit code, never "internal error", and no music file changes."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli
from unprivileged import open_to_everyone, run_unprivileged

# Commands that must cope with whatever index they are given (not plain `tag`: on an index that
# still reads it would legitimately write moods into the files).
COMMANDS = [
    ["tracks"],
    ["tracks", "--json"],
    ["show", "{music}/t01.flac"],
    ["journal"],
    ["playlist", "build", "calm"],
    ["scan"],
    ["analyze", "--jobs", "1"],
    ["tag", "--dry-run"],
    ["play", "--no-ui", "--duration", "1s", "{music}/t00.wav"],
]


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def indexed(shared_tmp):
    """A small analysed library with a journal entry, the index in its own folder."""
    music = shared_tmp / "music"
    music.mkdir()
    for n in range(9):
        fmt = ("wav", "flac", "mp3")[n % 3]
        make_tagged_file(music / f"t{n:02d}", fmt, seconds=1.2, title=f"T{n}", genre="Ambient")
    db = shared_tmp / "index" / "library.db"
    runner = CliRunner()
    for args in (
        ["scan", str(music)],
        ["analyze", "--jobs", "1"],
        ["like", str(music / "t02.mp3")],
    ):
        result = runner.invoke(cli, ["--db", str(db), *args])
        assert result.exit_code == 0, result.output
    from calmtune.library import Library

    with Library.open(db) as library:
        session = library.journal.start("calm", stress_before=6)
        library.journal.track_played(session, str(music / "t00.wav"), 1.0)
        library.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return music, db


def _run(db: Path, music: Path, args: list[str]):
    args = [a.replace("{music}", str(music)) for a in args]
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def _assert_one_clear_line(result, args) -> None:
    assert "internal error" not in result.output, (args, result.output)
    assert "Traceback" not in result.output, (args, result.output)
    assert result.exit_code in (0, 1, 4), (args, result.exit_code, result.output)
    if result.exit_code == 1:
        errors = [line for line in result.stderr.splitlines() if "calmtune: error" in line]
        assert len(errors) == 1, (args, result.stderr)


def _damage(source: Path, target: Path, seed: int) -> None:
    """Random bytes at 20 places: odd seeds spare the first page (the schema), so the damage
    lands in rows and indexes that SQLite reads only later."""
    rng = random.Random(seed)
    data = bytearray(source.read_bytes())
    first = 4096 if seed % 2 else 100
    for _ in range(20):
        at = rng.randrange(first, len(data) - 4)
        size = rng.randrange(1, 4)
        data[at : at + size] = rng.randbytes(size)
    target.write_bytes(bytes(data))


@pytest.mark.parametrize("seed", range(6))
def test_damaged_index_gives_one_line_per_command_and_leaves_music_alone(indexed, seed):
    music, db = indexed
    before = _digest(music)
    damaged = db.with_name(f"damaged{seed}.db")
    for args in COMMANDS:
        _damage(db, damaged, seed)  # afresh for each command: a scan may have mended rows
        for side in damaged.parent.glob(f"{damaged.name}-*"):
            side.unlink()
        _assert_one_clear_line(_run(damaged, music, args), args)
    assert _digest(music) == before


def test_doctor_finds_damage_and_repair_rebuilds_keeping_what_it_can_read(indexed):
    music, db = indexed
    damaged = db.with_name("damaged.db")
    # Damage the index pages only, so the rows themselves (roots, analyses) can be salvaged.
    conn = sqlite3.connect(db)
    index_page = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_tracks_1'"
    ).fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    start = (index_page - 1) * 4096
    data[start + 8 : start + 200] = random.Random(1).randbytes(192)
    damaged.write_bytes(bytes(data))

    checked = _run(damaged, music, ["doctor", "--json"])
    assert checked.exit_code == 1
    index = next(c for c in json.loads(checked.stdout) if c["name"] == "index")
    assert not index["ok"] and "damaged" in index["detail"] and "--repair" in index["fix"]

    repaired = _run(damaged, music, ["doctor", "--repair", "--json"])
    assert repaired.stdout, (repaired.output, repaired.exception)
    report = {c["name"]: c for c in json.loads(repaired.stdout)}
    assert report["repair"]["ok"], report["repair"]
    assert "9 tracks" in report["repair"]["detail"]
    assert "kept 9 analyses" in report["repair"]["detail"]
    assert "1 likes and bans" in report["repair"]["detail"]
    assert report["index"]["ok"]
    assert list(damaged.parent.glob("damaged.db.damaged-*"))  # the damaged copy is kept
    listed = _run(damaged, music, ["tracks", "--json"])
    assert len(json.loads(listed.stdout)) == 9
    journal = _run(damaged, music, ["journal", "--json"])
    assert len(json.loads(journal.stdout)) == 1
    # The salvaged analyses kept their audio digests: they still follow a renamed file.
    (music / "t03.wav").rename(music / "renamed.wav")
    rescan = json.loads(_run(damaged, music, ["scan", "--json"]).stdout)
    assert rescan["renamed"] == 1


def test_newer_schema_is_one_line_for_every_command(indexed):
    music, db = indexed
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = _digest(music)
    for args in [*COMMANDS, ["tag", "--mood", "calm", "{music}/t00.wav"]]:
        result = _run(db, music, args)
        _assert_one_clear_line(result, args)
        assert result.exit_code == 1 and "newer calmtune" in result.stderr, args
    doctor = _run(db, music, ["doctor", "--json"])
    index = next(c for c in json.loads(doctor.stdout) if c["name"] == "index")
    assert "newer calmtune" in index["detail"] and not index["ok"]
    assert _digest(music) == before


def test_read_only_index_refuses_writes_before_touching_any_file(indexed, shared_tmp):
    music, db = indexed
    open_to_everyone(music, *music.iterdir(), db.parent, *db.parent.iterdir())
    db.chmod(0o444)
    db.parent.chmod(0o555)
    before = _digest(music)
    env = {"CALMTUNE_HOME": str(shared_tmp / "home")}
    target = str(music / "t00.wav")
    tag = run_unprivileged(
        ["--db", str(db), "tag", "--mood", "calm", target],
        env,
        warm=[["--db", str(shared_tmp / "warm.db"), "tag", "--mood", "calm", "--dry-run", target]],
    )
    assert tag.exit_code == 1, tag
    assert "read-only" in tag.stderr and "internal error" not in tag.stderr
    assert len(tag.stderr.strip().splitlines()) == 1
    assert _digest(music) == before  # the first file was not rewritten
    scanned = run_unprivileged(["--db", str(db), "scan", str(music)], env)
    assert scanned.exit_code == 1 and "read-only" in scanned.stderr
    listed = run_unprivileged(["--db", str(db), "tracks", "--json"], env)
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 9
    doctor = run_unprivileged(
        ["--db", str(db), "doctor", "--json"],
        env,
        warm=[["--db", str(shared_tmp / "warm.db"), "doctor", "--json"]],
    )
    assert doctor.stdout, doctor
    checks = {c["name"]: c for c in json.loads(doctor.stdout)}
    if os.geteuid() == 0 or not os.access(db, os.W_OK):
        assert not checks["permissions"]["ok"] and "read-only" in checks["permissions"]["detail"]
    db.parent.chmod(0o755)


def test_reads_never_create_the_index_or_its_folder(tmp_path):
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    for args in (["tracks"], ["tracks", "--json"], ["journal"], ["doctor", "--json"]):
        result = CliRunner().invoke(cli, ["--db", str(missing), *args])
        assert result.exit_code in (0, 1), result.output
        assert "internal error" not in result.output
    assert not (tmp_path / "nonexistent").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)
