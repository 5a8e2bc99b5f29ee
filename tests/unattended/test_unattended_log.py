"""Runs without a terminal leave a record in ``<state>/calmtune.log``; terminal runs do not."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from click.testing import CliRunner

from calmtune.cli.app import cli
from calmtune.logs import MAX_BYTES


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


def test_terminal_runs_write_no_log(isolated_home):
    leader, follower = os.openpty()
    try:
        done = _calmtune("scan", str(isolated_home / "state"), stdout=follower)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 0
    assert not (isolated_home / "state" / "calmtune.log").exists()


def test_in_process_runs_leave_no_handler_behind(isolated_home):
    logger = logging.getLogger("calmtune")
    before = (list(logger.handlers), logger.propagate, logger.level)

    result = CliRunner().invoke(cli, ["scan", str(isolated_home)])

    assert result.exit_code == 0
    assert (list(logger.handlers), logger.propagate, logger.level) == before
    assert "end scan: exit 0" in (isolated_home / "state" / "calmtune.log").read_text()


def test_an_unwritable_log_never_stops_the_run(isolated_home, tmp_path):
    (isolated_home / "state").write_text("a file where the state folder should be")

    done = _calmtune("scan", "--json", str(tmp_path))

    assert done.returncode == 0
    assert b'"added": 0' in done.stdout
    assert b"Traceback" not in done.stderr and b"Logging error" not in done.stderr
