"""Files cut short are flagged, with their real length, by scan, show and doctor."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from audiofiles import ALL_FORMATS, make_tagged_file
from calmtune.cli import cli
from calmtune.tags import read_tags
from calmtune.tags.truncation import truncation


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_truncation_finds_a_cut_file_and_passes_a_whole_one(tmp_path, fmt):
    whole = make_tagged_file(tmp_path / "whole", fmt, seconds=6, title="Whole")
    name = read_tags(str(whole)).format
    assert truncation(str(whole), name) is None
    data = whole.read_bytes()
    cut = tmp_path / f"cut{whole.suffix}"
    cut.write_bytes(data[: len(data) * 2 // 5])
    found = truncation(str(cut), name)
    assert found is not None and found.reason.startswith("truncated")
    if found.fraction is not None:
        assert 0.3 < found.fraction < 0.5


def test_scan_show_and_doctor_flag_cut_files_with_their_real_length(tmp_path):
    root = tmp_path / "music"
    root.mkdir()
    paths = {}
    for fmt in ("flac", "wav", "mp3", "ogg"):
        path = make_tagged_file(root / f"song-{fmt}", fmt, seconds=8, title=fmt)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        paths[fmt] = str(path)
    whole = str(make_tagged_file(root / "whole", "flac", seconds=8, title="whole"))
    runner = CliRunner()
    scanned = runner.invoke(cli, ["scan", "--json", str(root)])
    report = json.loads(scanned.stdout)
    damaged = {d["path"]: d["problem"] for d in report["damaged"]}
    assert set(damaged) == set(paths.values())
    assert report["added"] == 5  # damaged files are indexed (what they hold still plays)
    shown = json.loads(runner.invoke(cli, ["show", "--json", paths["wav"]]).stdout)
    assert shown["damage"].startswith("truncated")
    assert shown["duration"] == pytest.approx(4.0, abs=0.3)  # the length really there
    assert json.loads(runner.invoke(cli, ["show", "--json", whole]).stdout)["damage"] is None
    doctor = runner.invoke(cli, ["doctor", "--json"])
    check = next(c for c in json.loads(doctor.stdout) if c["name"] == "damaged files")
    assert not check["ok"] and "4 file(s)" in check["detail"]
