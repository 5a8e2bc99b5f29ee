"""Global options from the environment, as the README and `calmtune --help` say."""

from __future__ import annotations

import json

from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli


def test_calmtune_db_selects_the_index(tmp_path):
    music = tmp_path / "music"
    music.mkdir()
    make_tagged_file(music / "one", "wav", title="One")
    db = tmp_path / "elsewhere" / "mine.db"
    runner = CliRunner()
    scanned = runner.invoke(cli, ["scan", str(music)], env={"CALMTUNE_DB": str(db)})
    assert scanned.exit_code == 0, scanned.output
    assert db.exists()
    listed = runner.invoke(cli, ["tracks", "--json"], env={"CALMTUNE_DB": str(db)})
    assert [t["title"] for t in json.loads(listed.stdout)] == ["One"]
    default = runner.invoke(cli, ["tracks", "--json"])
    assert json.loads(default.stdout) == []


def test_calmtune_config_selects_the_settings_file(tmp_path):
    bad = tmp_path / "settings.toml"
    bad.write_text("[playback]\nvolume = 300\n")
    result = CliRunner().invoke(cli, ["tracks"], env={"CALMTUNE_CONFIG": str(bad)})
    assert result.exit_code == 1
    assert "volume" in result.stderr and str(bad) in result.stderr


def test_calmtune_quiet_and_command_options_come_from_the_environment(tmp_path):
    music = tmp_path / "music"
    music.mkdir()
    make_tagged_file(music / "one", "wav", title="One")
    runner = CliRunner()
    quiet = runner.invoke(cli, ["scan", str(music)], env={"CALMTUNE_QUIET": "1"})
    assert quiet.exit_code == 0 and quiet.stdout == ""
    bad_jobs = runner.invoke(cli, ["scan", str(music)], env={"CALMTUNE_SCAN_JOBS": "none"})
    assert bad_jobs.exit_code == 2 and "--jobs" in bad_jobs.stderr
