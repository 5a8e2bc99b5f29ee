"""``calmtune analyze`` and ``scan --analyze`` end to end through click's CliRunner."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner

from calmtune.cli import cli
from music_synth import make_piece


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def analyze_json(*args: str) -> dict:
    result = run("analyze", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _write(path, bpm: float, style: str, seed: int) -> str:
    piece = make_piece(bpm, style, seed, seconds=10.0, rate=44100)
    soundfile.write(str(path), piece.samples, piece.rate)
    return str(path)


@pytest.fixture
def music(tmp_path):
    folder = tmp_path / "music"
    folder.mkdir()
    files = {
        "slow": _write(folder / "slow.flac", 64.0, "clicks", 1),
        "fast": _write(folder / "fast.wav", 128.0, "clicks", 2),
        "silent": str(folder / "silent.wav"),
        "broken": str(folder / "broken.flac"),
    }
    soundfile.write(files["silent"], np.zeros(44100 * 2, dtype=np.float32), 44100)
    (folder / "broken.flac").write_bytes(b"fLaC" + bytes(3000))
    return folder, files


def test_analyze_paths_indexes_measures_and_reports_json(music):
    folder, files = music
    report = analyze_json(str(folder))
    by_path = {item["path"]: item for item in report["analyzed"]}
    assert set(by_path) == {files["slow"], files["fast"], files["silent"]}
    assert by_path[files["slow"]]["bpm"] == pytest.approx(64.0, rel=0.04)
    assert by_path[files["fast"]]["bpm"] == pytest.approx(128.0, rel=0.04)
    lufs = by_path[files["fast"]]["loudness_lufs"]
    assert by_path[files["fast"]]["replaygain_track_gain"] == pytest.approx(-18.0 - lufs, abs=0.01)
    assert set(by_path[files["fast"]]) == {
        "path", "bpm", "bpm_confidence", "loudness_lufs", "peak_dbfs", "replaygain_track_gain"
    }  # fmt: skip
    assert by_path[files["silent"]]["loudness_lufs"] is None
    assert [f["path"] for f in report["failed"]] == [files["broken"]]
    assert report["skipped"] == 0


def test_analyze_twice_skips_unchanged_files_and_redoes_changed_ones(music):
    folder, files = music
    analyze_json(str(folder))
    again = analyze_json(str(folder))
    assert again["analyzed"] == []
    assert again["skipped"] == 3
    _write(files["fast"], 100.0, "clicks", 3)  # new contents, new size or mtime
    os.utime(files["fast"], ns=(1, 1))
    third = analyze_json(str(folder))
    assert [item["path"] for item in third["analyzed"]] == [files["fast"]]
    assert third["analyzed"][0]["bpm"] == pytest.approx(100.0, rel=0.04)


def test_analyze_force_measures_again(music):
    folder, files = music
    analyze_json(str(folder))
    forced = analyze_json("--force", files["slow"])
    assert [item["path"] for item in forced["analyzed"]] == [files["slow"]]


def test_analyze_without_paths_takes_indexed_tracks_lacking_analysis(music):
    folder, files = music
    assert run("scan", "--json", str(folder)).exit_code == 0
    report = analyze_json("--jobs", "2")
    assert {item["path"] for item in report["analyzed"]} == {
        files["slow"],
        files["fast"],
        files["silent"],
    }
    shown = json.loads(run("show", "--json", files["slow"]).stdout)
    assert shown["bpm"] == pytest.approx(64.0, rel=0.04)
    assert shown["loudness_lufs"] is not None


def test_scan_with_analyze_stores_features(music):
    folder, files = music
    result = run("scan", "--analyze", "--json", str(folder))
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # stdout holds only the scan's JSON
    assert analyze_json()["analyzed"] == []  # nothing left to analyse
    shown = json.loads(run("show", "--json", files["fast"]).stdout)
    assert shown["features"]["bpm"] == pytest.approx(128.0, rel=0.04)


def test_analyze_human_output_lists_failures_on_stderr(music):
    folder, _files = music
    result = run("analyze", str(folder))
    assert result.exit_code == 0
    assert "Analysed 3 track(s)" in result.stdout
    assert "broken.flac" in result.stderr


def test_analyze_missing_path_is_a_usage_error(tmp_path):
    result = run("analyze", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


def _damaged_mp3(path) -> str:
    """An MP3 whose middle frames have scrambled side information: it decodes (the damaged
    frames are skipped) and libmpg123 prints its complaints straight to file descriptor 2."""
    import random

    noise = np.random.default_rng(0).standard_normal((44100 * 6, 2)).astype(np.float32) * 0.2
    soundfile.write(str(path), noise, 44100, format="MP3", subtype="MPEG_LAYER_III")
    data = bytearray(path.read_bytes())
    headers = [i for i in range(len(data) // 3, 2 * len(data) // 3)
               if data[i] == 0xFF and data[i + 1] & 0xE0 == 0xE0]  # fmt: skip
    scramble = random.Random(1)
    for start in headers[::3][:10]:
        for k in range(6, 14):
            data[start + k] = scramble.randrange(256)
    path.write_bytes(bytes(data))
    return str(path)


def test_analyze_in_this_process_keeps_decoder_messages_off_the_terminal(tmp_path):
    import subprocess
    import sys

    damaged = _damaged_mp3(tmp_path / "damaged.mp3")
    # The file must make the decoder speak on fd 2, or this test would prove nothing.
    read = "import soundfile, sys\nwith soundfile.SoundFile(sys.argv[1]) as f: f.read()"
    noisy = subprocess.run([sys.executable, "-c", read, damaged], capture_output=True, text=True)
    assert noisy.returncode == 0, noisy.stderr
    if "mpg123" not in noisy.stderr:
        pytest.skip("this libsndfile's MP3 decoder prints nothing about damaged frames")
    done = subprocess.run(
        [sys.executable, "-m", "calmtune", "analyze", "--jobs", "1", damaged],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Analysed 1 track(s)" in done.stdout
    assert "mpg123" not in done.stderr and "Note:" not in done.stderr, done.stderr


def test_show_lists_every_measurement_the_mood_weighs(music):
    # show --json had them all; the table left out the newest (bass share, low hits, tonal
    # clarity, roughness, texture change), so a reason like "a heavy low end" had no figure next to it.
    _folder, files = music
    analyze_json(files["fast"])
    shown = run("show", files["fast"]).stdout
    features = json.loads(run("show", "--json", files["fast"]).stdout)["features"]
    for label, name in (("Percussive share", "percussive_share"), ("Low hits", "low_percussive_share"),
                        ("Bass share", "bass_share"), ("Tonal clarity", "tonal_clarity"),
                        ("Roughness", "roughness"), ("Texture change", "texture_change")):  # fmt: skip
        # Texture change needs the sound loud at two moments 4 s apart; these clicks are not.
        assert (label in shown) is (features[name] is not None), (label, shown)
        assert features[name] is not None or name == "texture_change"
    assert f"{features['roughness']:.4f}" in shown
