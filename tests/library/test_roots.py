"""Library roots: listed, added and forgotten; overlapping roots merged; analyze adopts none."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli


def _cli(*args: str) -> dict | list:
    result = CliRunner().invoke(cli, [*args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result


def _library(tmp_path):
    root = tmp_path / "music"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    for n in range(3):
        make_tagged_file(root / "a" / f"a{n}", "wav", seconds=0.3, title=f"A{n}")
        make_tagged_file(root / "b" / f"b{n}", "wav", seconds=0.3, title=f"B{n}")
    return root


def test_overlapping_roots_are_merged_and_files_counted_once(tmp_path):
    root = _library(tmp_path)
    assert _cli("scan", "--json", str(root / "a"))["added"] == 3
    assert _cli("scan", "--json", str(root))["added"] == 3  # b's three; a's are unchanged
    (root / "b" / "alias").symlink_to(root / "a")  # a link back into the library
    again = _cli("scan", "--json")
    assert again["unchanged"] == 6 and again["added"] == 0
    assert [r["path"] for r in _cli("roots", "--json")] == [str(root)]
    # New and renamed files after overlapping scans: no UNIQUE constraint failure.
    _cli("scan", "--json", str(root / "a"))
    make_tagged_file(root / "a" / "new", "wav", seconds=0.3, title="New")
    (root / "b" / "b0.wav").rename(root / "b" / "renamed.wav")
    rescan = _cli("scan", "--json")
    assert rescan["failed"] == []
    assert len(_cli("tracks", "--json")) == 7


def test_roots_add_list_forget(tmp_path):
    root = _library(tmp_path)
    listing = _cli("roots", "add", "--json", str(root / "a"), str(root / "b"))
    assert [r["path"] for r in listing] == [str(root / "a"), str(root / "b")]
    _cli("scan")
    assert {r["path"]: r["tracks"] for r in _cli("roots", "--json")} == {
        str(root / "a"): 3,
        str(root / "b"): 3,
    }
    # A folder holding both replaces them.
    assert [r["path"] for r in _cli("roots", "add", "--json", str(root))] == [str(root)]
    files = sorted(p.name for p in root.rglob("*.wav"))
    assert _cli("roots", "forget", "--json", str(root)) == []
    assert _cli("tracks", "--json") == []
    assert sorted(p.name for p in root.rglob("*.wav")) == files  # never touches files
    missing = CliRunner().invoke(cli, ["roots", "forget", str(root)])
    assert missing.exit_code == 1 and "not a library root" in missing.stderr


def test_analyze_path_does_not_adopt_it_as_a_root(tmp_path):
    root = _library(tmp_path)
    analysed = _cli("analyze", "--json", "--jobs", "1", str(root / "a"))
    assert len(analysed["analyzed"]) == 3
    assert _cli("roots", "--json") == []
    scanned = _cli("scan", "--json", str(root / "b" / "b0.wav"))  # a file is never a root
    assert scanned["added"] == 1
    assert _cli("roots", "--json") == []


def test_roots_add_refuses_a_device_or_a_fifo_and_remembers_nothing(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        result = CliRunner().invoke(cli, ["roots", "add", path])
        assert result.exit_code == 2, result.output
        assert "is not a folder" in result.stderr and "Traceback" not in result.output
    assert _cli("roots", "--json") == []
