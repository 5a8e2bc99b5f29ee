"""``calmtune doctor``: each broken part is named with its fix and a non-zero exit; a sound set-up is 0."""

from __future__ import annotations

import json
import os
import sys

import pytest
from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli.app import cli
from calmtune.health import check_audio
from calmtune.library import Library


def _doctor(*args: str):
    return CliRunner().invoke(cli, ["doctor", *args])


def _checks(result) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(result.stdout)}


@pytest.fixture
def scanned_library(tmp_path):
    """A real index: one tagged calm track scanned from a folder that exists."""
    music = tmp_path / "music"
    music.mkdir()
    make_tagged_file(music / "calm", "flac", title="Rain", genre="Ambient", mood="Relaxed")
    result = CliRunner().invoke(cli, ["scan", str(music)])
    assert result.exit_code == 0, result.output
    return music


def test_doctor_on_a_healthy_setup_exits_0(scanned_library):
    result = _doctor("--json")

    assert result.exit_code == 0, result.output
    checks = _checks(result)
    assert all(c["ok"] for c in checks.values())
    assert "'dummy'" in checks["audio"]["detail"]
    assert "1 tracks, integrity ok" in checks["index"]["detail"]
    assert checks["roots"]["detail"] == "1 library root(s) present"
    assert "flac" in checks["formats"]["detail"]
    assert _doctor().stdout.rstrip().endswith("All is well.")


def test_doctor_reports_a_broken_settings_file_with_its_fix(isolated_home, scanned_library):
    settings = isolated_home / "settings.toml"
    settings.write_text("[playback]\nvolume = 300\n")

    result = _doctor("--json")

    assert result.exit_code == 1
    check = _checks(result)["settings"]
    assert not check["ok"]
    assert "line 2" in check["detail"] and "playback.volume" in check["detail"]
    assert str(settings) in check["fix"]
    assert _checks(result)["index"]["ok"]  # the other checks still ran


def test_doctor_reports_a_missing_root_with_its_fix(isolated_home, scanned_library, tmp_path):
    gone = tmp_path / "unplugged drive"
    with Library.open(isolated_home / "library.db") as lib:
        lib.add_roots([str(gone)])

    result = _doctor("--json")

    assert result.exit_code == 1
    check = _checks(result)["roots"]
    assert not check["ok"] and check["detail"] == f"library root(s) missing: {gone}"
    assert check["fix"].startswith("mount the drive")
    assert "[FAIL] roots:" in _doctor().stdout


def test_doctor_reports_a_corrupt_index_with_its_fix(isolated_home):
    db = isolated_home / "library.db"
    db.write_bytes(os.urandom(8192))

    result = _doctor("--json")

    assert result.exit_code == 1
    check = _checks(result)["index"]
    assert not check["ok"]
    assert "not a database" in check["detail"]
    assert "calmtune doctor --repair" in check["fix"]


def test_doctor_reports_a_missing_audio_device_with_its_fix(monkeypatch, scanned_library):
    monkeypatch.setenv("SDL_AUDIODRIVER", "nonexistent-driver")

    result = _doctor()

    assert result.exit_code == 1
    assert "[FAIL] audio:" in result.stdout
    assert "nonexistent-driver" in result.stdout
    assert "SDL_AUDIODRIVER=pipewire|pulseaudio|alsa" in " ".join(result.stdout.split())


def test_doctor_tries_the_driver_from_the_settings_file(monkeypatch, isolated_home):
    monkeypatch.delenv("SDL_AUDIODRIVER")
    (isolated_home / "settings.toml").write_text('[playback]\ndriver = "nonexistent-driver"\n')

    check = _checks(_doctor("--json"))["audio"]

    assert not check["ok"] and "'nonexistent-driver'" in check["detail"]


def test_audio_check_gives_up_on_a_hanging_probe():
    hanging = [sys.executable, "-c", "import time; time.sleep(60)"]

    check = check_audio(command=hanging, timeout=0.5)

    assert not check.ok
    assert "did not finish within 0.5 s" in check.detail
    assert "restart" in check.fix


def test_doctor_counts_tracks_not_yet_tagged_or_analysed(tmp_path):
    music = tmp_path / "music"
    music.mkdir()
    make_tagged_file(music / "a", "wav", title="Sleep lullaby", genre="Ambient")
    make_tagged_file(music / "b", "flac", title="Rain", genre="Ambient", mood="Relaxed")
    make_tagged_file(music / "c", "flac", title="Party anthem", genre="Dance", bpm="128")
    CliRunner().invoke(cli, ["scan", str(music)])
    # What `calmtune tag` would write: inferred, confident moods (read through `tracks --json`).
    tracks = json.loads(CliRunner().invoke(cli, ["tracks", "--json"]).stdout)
    untagged = [t for t in tracks if t["mood_source"] == "inferred" and t["mood"] != "unknown"]
    assert untagged and len(untagged) < 3  # the user's "Relaxed" never counts

    checks = _checks(_doctor("--json"))

    assert checks["tags"]["warning"] and checks["tags"]["ok"]
    assert checks["tags"]["detail"].startswith(f"{len(untagged)} of 3 tracks have a mood")
    assert "calmtune tag" in checks["tags"]["fix"]
    assert checks["analysis"]["detail"] == "3 of 3 tracks not analysed yet"
    assert "calmtune analyze" in checks["analysis"]["fix"]
