"""A scan and readers at the same time, and a scan killed with SIGKILL."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli
from processes import children, cmdline, running


@pytest.fixture
def big_library(tmp_path):
    root = tmp_path / "many"
    for n in range(7):
        (root / f"d{n}").mkdir(parents=True)
    for n in range(600):
        make_tagged_file(
            root / f"d{n % 7}" / f"t{n:04d}",
            "wav",
            seconds=0.05,
            title=f"T{n}",
            artist=f"A{n % 13}",
        )
    return root


def _scan_process(root, env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "calmtune", "scan", "--json", "--jobs", "2", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _count(db) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM tracks").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def test_readers_never_see_database_locked_during_a_scan(big_library, isolated_home):
    proc = _scan_process(big_library, dict(os.environ))
    runner = CliRunner()
    reads = 0
    while proc.poll() is None or reads == 0:
        result = runner.invoke(cli, ["tracks", "--json", "--limit", "5", "--sort", "title"])
        assert result.exit_code == 0, result.output
        assert "locked" not in result.output
        json.loads(result.stdout)
        reads += 1
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert json.loads(out)["added"] == 600
    assert reads > 1


def test_scan_killed_with_sigkill_is_completed_by_the_next(big_library, isolated_home):
    db = isolated_home / "library.db"
    rng = random.Random(7)
    partial_counts = []
    for _ in range(3):
        proc = _scan_process(big_library, dict(os.environ))
        time.sleep(rng.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        partial_counts.append(_count(db))
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    result = CliRunner().invoke(cli, ["scan", "--json", str(big_library)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["added"] + report["unchanged"] == 600
    assert report["failed"] == []
    assert _count(db) == 600


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads the process table from /proc")
def test_analyze_killed_with_sigkill_leaves_no_worker_running(tmp_path, isolated_home):
    root = tmp_path / "long"
    root.mkdir()
    for n in range(4):
        make_tagged_file(root / f"t{n}", "flac", seconds=40, title=f"T{n}")
    assert CliRunner().invoke(cli, ["scan", str(root)]).exit_code == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "calmtune", "analyze", "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    while len(workers) < 2 and proc.poll() is None:  # the pool's two workers (and its helper)
        workers = {p for p in children(proc.pid) if b"multiprocessing" in cmdline(p)}
        time.sleep(0.05)
    assert len(workers) >= 2, "the analysis finished before its workers could be seen"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for _ in range(200):  # the kernel kills them at once; allow for a busy machine
        alive = {p for p in workers if running(p)}
        if not alive:
            break
        time.sleep(0.05)
    assert not alive
