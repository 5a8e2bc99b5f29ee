"""Odd names and special files in a music folder never stop scan, analyze or the log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli


def _make(folder: Path, raw_name: bytes, fmt: str = "wav", seconds: float = 0.6) -> str:
    """A real audio file under a name given as bytes (any name the file system allows)."""
    made = make_tagged_file(folder / f"tmp-{fmt}-{len(os.listdir(folder))}", fmt, seconds=seconds)
    target = os.path.join(os.fsencode(folder), raw_name)
    os.rename(made, target)
    return os.fsdecode(target)


def _odd_library(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "music"
    root.mkdir()
    names = {
        "latin1": _make(root, b"caf\xe9.wav"),
        "newline": _make(root, b"two\nlines.wav"),
        "tab": _make(root, b"tab\there.wav"),
        "dash": _make(root, b"-rf.wav"),
    }
    # Truncated, and not UTF-8: its analysis fails with a message naming the file.
    broken = _make(root, b"cut\xff.flac", "flac", seconds=3)
    with open(broken, "r+b") as fh:
        fh.truncate(os.path.getsize(broken) // 3)
    names["broken"] = broken
    os.mkfifo(root / "p.mp3")
    names["fifo"] = str(root / "p.mp3")
    return root, names


def test_scan_and_analyze_handle_odd_names_and_a_fifo(tmp_path):
    root, names = _odd_library(tmp_path)
    runner = CliRunner()
    scanned = runner.invoke(cli, ["scan", "--json", str(root)])
    assert scanned.exit_code == 0, scanned.output
    report = json.loads(scanned.stdout)
    failed = {f["path"]: f["error"] for f in report["failed"]}
    assert failed == {names["fifo"]: "not a regular file: a FIFO (named pipe)"}
    assert report["added"] == 5

    analysed = runner.invoke(cli, ["analyze", "--json", "--jobs", "1", str(root)])
    assert analysed.exit_code == 0, analysed.output
    result = json.loads(analysed.stdout)
    done = {a["path"] for a in result["analyzed"]}
    assert {names[k] for k in ("latin1", "newline", "tab", "dash")} <= done
    errors = {f["path"]: f["error"] for f in result["failed"]}
    assert set(errors) == {names["fifo"], names["broken"]}
    assert "internal error" not in analysed.output

    # A second run finds everything stored, including the failure that names an odd file.
    again = runner.invoke(cli, ["analyze", "--json", "--jobs", "1"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["analyzed"] == []

    listed = runner.invoke(cli, ["tracks", "--sort", "path"])  # plain lines: not a terminal
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert len(lines) == 5  # one line per track, whatever the names hold
    assert any(line.endswith("/two\\x0alines.wav") for line in lines)
    assert any(line.endswith("/caf\\xe9.wav") for line in lines)


def test_unattended_log_writes_odd_names_as_one_escaped_line(tmp_path, isolated_home):
    root, names = _odd_library(tmp_path)
    env = {**os.environ, "CALMTUNE_HOME": str(isolated_home)}
    for command in (["scan", str(root)], ["analyze", "--jobs", "1", names["broken"]]):
        proc = subprocess.run(
            [sys.executable, "-m", "calmtune", *command],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=120,
        )
        assert b"Logging error" not in proc.stderr
        assert b"Traceback" not in proc.stderr
    log = (isolated_home / "state" / "calmtune.log").read_bytes()
    log.decode("utf-8")  # valid UTF-8, whatever the names were
    lines = log.splitlines()
    assert len(lines) == 4  # start and end of each run, nothing split
    assert b"cut\\xff.flac" in lines[2]
