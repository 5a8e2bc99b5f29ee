"""Runs without a terminal leave a record in ``<state>/calmtune.log``; terminal runs do not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from calmtune.cli.app import cli
from calmtune.logs import BACKUP_COUNT, MAX_BYTES, LogFile


def _calmtune(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "calmtune", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


def test_piped_runs_log_start_and_outcome(isolated_home, tmp_path):
    _calmtune("scan", "--json", str(tmp_path))
    _calmtune("--db", "/dev/null/no index.db", "scan")

    lines = (isolated_home / "state" / "calmtune.log").read_text().splitlines()

    assert len(lines) == 4
    assert f"INFO calmtune.run: start: calmtune scan --json {tmp_path}" in lines[0]
    assert "INFO calmtune.run: end scan: exit 0 after" in lines[1]
    assert "start: calmtune --db '/dev/null/no index.db' scan" in lines[2]
    assert "ERROR calmtune.run: end scan: exit 1 after" in lines[3]
    assert "/dev/null" in lines[3]


def test_queries_write_no_log(isolated_home):
    """tracks, show, journal ... hand their answer to the caller; only acting commands log."""
    assert _calmtune("journal").returncode == 0
    assert _calmtune("show", "/no/such.flac").returncode == 1
    assert not (isolated_home / "state" / "calmtune.log").exists()


def test_usage_errors_are_logged_with_their_exit_code(isolated_home):
    _calmtune("scan", "--jobs", "0")
    log = (isolated_home / "state" / "calmtune.log").read_text()
    assert "end scan: exit 2 after" in log and "BadParameter" in log


def test_log_rotates_when_full(isolated_home):
    log = isolated_home / "state" / "calmtune.log"
    log.parent.mkdir(parents=True)
    log.write_text("old line\n" * (MAX_BYTES // 9 + 1))

    _calmtune("scan", str(log.parent))

    assert (isolated_home / "state" / "calmtune.log.1").read_text().startswith("old line")
    assert "end scan: exit 0" in log.read_text()
    assert "old line" not in log.read_text()


def test_rotation_keeps_the_newest_backups(tmp_path):
    """The log's own rotation follows logging.handlers.RotatingFileHandler: .1 -> .2 -> .3, and
    the oldest backup is dropped."""
    log = tmp_path / "calmtune.log"
    log.write_text("x" * MAX_BYTES)
    for n in range(1, BACKUP_COUNT + 1):
        (tmp_path / f"calmtune.log.{n}").write_text(f"backup {n}\n")

    LogFile(log).write("INFO", "calmtune.test", "fresh")

    assert "fresh" in log.read_text() and len(log.read_text()) < 200
    assert (tmp_path / "calmtune.log.1").read_text() == "x" * MAX_BYTES
    for n in range(2, BACKUP_COUNT + 1):
        assert (tmp_path / f"calmtune.log.{n}").read_text() == f"backup {n - 1}\n"
    assert not (tmp_path / f"calmtune.log.{BACKUP_COUNT + 1}").exists()


def test_a_record_is_one_line_in_logging_format(tmp_path):
    """Control characters and bytes that are not UTF-8 in a message are escaped, never split the
    line; the fields are those of logging's "%(asctime)s %(process)d %(levelname)s %(name)s"."""
    log = tmp_path / "calmtune.log"
    name = os.fsdecode(b"bad\xff\nname.flac")

    LogFile(log).write("ERROR", "calmtune.run", f"end scan: exit 1 after 0.1 s: {name}")

    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    stamp, pid, level, rest = lines[0].split(" ", 3)
    assert len(stamp) == len("2026-12-03T21:00:00+0000") and stamp[10] == "T"
    assert pid == str(os.getpid()) and level == "ERROR"
    assert rest.startswith("calmtune.run: end scan: exit 1 after 0.1 s: bad")
    assert rest.endswith(r"bad\xff\x0aname.flac")


def test_a_log_that_is_not_a_file_is_never_moved(tmp_path):
    log = LogFile(tmp_path / "null")
    log.path = Path(os.devnull)
    for _ in range(3):
        log.write("INFO", "calmtune.test", "x" * MAX_BYTES)
    assert os.path.exists(os.devnull) and not os.path.exists(os.devnull + ".1")


def test_an_unwritable_log_drops_the_record(tmp_path):
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state folder should be")

    LogFile(blocker / "calmtune.log").write("INFO", "calmtune.test", "lost")

    assert blocker.read_text() == "a file where the state folder should be"


def test_terminal_runs_write_no_log(isolated_home):
    leader, follower = os.openpty()
    try:
        done = _calmtune("scan", str(isolated_home / "state"), stdout=follower)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 0
    assert not (isolated_home / "state" / "calmtune.log").exists()


def test_in_process_runs_each_log_their_own_lines(isolated_home):
    """Runs in one process (tests, a host program) share no logger state."""
    for _ in range(2):
        result = CliRunner().invoke(cli, ["scan", str(isolated_home)])
        assert result.exit_code == 0

    lines = (isolated_home / "state" / "calmtune.log").read_text().splitlines()
    assert len(lines) == 4
    assert ["start" in line for line in lines] == [True, False, True, False]
    assert all("end scan: exit 0" in line for line in lines[1::2])
