"""Real playback through SDL's ``disk`` driver: the PCM it writes shows what a listener hears.

Each scenario runs in its own subprocess (SDL reads the driver settings when the device opens and
the mixer is process-global). All scenarios start together and play in real time side by side,
so the module takes about as long as the longest one (~5 s), not their sum.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from audio_fixtures import (
    RATE,
    segments,
    sine_loudness,
    window_rms_db,
    write_tone,
)

from audiofiles import read_pcm, rms_db, write_audio

PLAYER = Path(__file__).with_name("disk_player.py")
FFMPEG = shutil.which("ffmpeg")
LOUD, QUIET = 0.5, 0.5 * 10 ** (-15 / 20)  # 15 dB apart


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    events: list[dict]
    pcm: np.ndarray
    native_log: str
    underruns: int | None  # times the mixer ran dry (a busy machine): reported, not judged


def _scenarios(tmp: Path) -> dict[str, dict]:
    tone3 = write_tone(tmp / "tone3.wav", 3.0)
    tone6 = write_tone(tmp / "tone6.wav", 6.0)  # long, so late commands on a busy machine still fit
    loud = write_tone(tmp / "loud.wav", 2.0, peak=LOUD)
    quiet = write_tone(tmp / "quiet.wav", 2.0, peak=QUIET)
    corrupt = tmp / "corrupt.mp3"
    corrupt.write_bytes(np.random.default_rng(3).bytes(6000))
    m4a = write_audio(tmp / "song.m4a", "m4a", 1.0)
    first = write_tone(tmp / "first.wav", 2.0, freq=500)
    last = write_tone(tmp / "last.wav", 2.0, freq=700)
    scenarios = {
        "plain": {"items": [{"path": str(tone3)}]},
        "fade_in": {"items": [{"path": str(tone3)}], "fade_in": 1.5},
        "fade_out": {
            "items": [{"path": str(tone6)}],
            "actions": [{"at": 1.5, "do": "stop", "args": {"fade": 1.5}}],
        },
        "wind_down": {
            "items": [{"path": str(tone6)}],
            "actions": [{"at": 0.8, "do": "wind_down", "args": {"seconds": 3.0, "to_level": 0.1}}],
        },
        "normalised": {
            "items": [
                {"path": str(loud), "loudness_lufs": sine_loudness(LOUD)},
                {"path": str(quiet), "loudness_lufs": sine_loudness(QUIET)},
            ],
            "target_lufs": sine_loudness(QUIET),
        },
        "not_normalised": {
            "items": [
                {"path": str(loud), "loudness_lufs": -40.0},
                {"path": str(quiet), "loudness_lufs": -40.0},
            ]
        },
        "crossfade": {
            "items": [
                {"path": str(first), "loudness_lufs": -40.0},
                {"path": str(last), "loudness_lufs": -40.0},
            ],
            "crossfade": 1.0,
        },
        "skips": {
            "items": [
                {"path": str(first)},
                {"path": str(tmp / "vanished.wav")},
                {"path": str(corrupt)},
                {"path": str(m4a)},
                {"path": str(last)},
            ],
            # No ffmpeg on this PATH, whatever the machine has installed.
            "env": {"PATH": str(Path(sys.executable).parent)},
        },
    }
    if FFMPEG:
        scenarios["ffmpeg"] = {"items": [{"path": str(m4a)}, {"path": str(last)}]}
    return scenarios


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    tmp = tmp_path_factory.mktemp("disk")
    procs = {}
    for name, scenario in _scenarios(tmp).items():
        raw = tmp / f"{name}.raw"
        scenario["events"] = str(tmp / f"{name}.events")
        scenario["native_log"] = str(tmp / f"{name}.native.log")
        scenario["timeout"] = 20
        extra_env = scenario.pop("env", {})
        (tmp / f"{name}.json").write_text(json.dumps(scenario))
        env = {
            **os.environ,
            "SDL_AUDIODRIVER": "disk",
            "SDL_DISKAUDIOFILE": str(raw),
            "PYGAME_HIDE_SUPPORT_PROMPT": "1",
            **extra_env,
        }
        procs[name] = subprocess.Popen(
            [sys.executable, str(PLAYER), str(tmp / f"{name}.json")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=60)
        events_file = tmp / f"{name}.events"
        log = tmp / f"{name}.native.log"
        lines = events_file.read_text().splitlines() if events_file.exists() else []
        events = [json.loads(line) for line in lines]
        underruns = [e["count"] for e in events if e["kind"] == "underruns"]
        results[name] = Run(
            returncode=proc.returncode,
            stdout=out,
            stderr=err,
            events=[e for e in events if e["kind"] != "underruns"],
            pcm=read_pcm(tmp / f"{name}.raw"),
            native_log=log.read_text(errors="replace") if log.exists() else "",
            underruns=underruns[0] if underruns else None,
        )
    return results


def _kinds(run: Run) -> list[tuple]:
    return [(e["kind"], e["index"]) for e in run.events]


def test_disk_audio_flows_at_full_level_for_the_track_length(runs: dict[str, Run]) -> None:
    run = runs["plain"]
    assert run.returncode == 0, run.stderr
    (start, end), *rest = segments(run.pcm)
    assert rest == []
    assert abs((end - start) / RATE - 3.0) < 0.05
    # A 0.5 peak sine has an RMS of -9.03 dBFS; volume 100 and no attenuation leave it alone.
    assert abs(rms_db(run.pcm[start:end]) - (20 * np.log10(0.5 / np.sqrt(2)))) < 0.5
    assert _kinds(run) == [("track_started", 0), ("track_ended", 0), ("finished", 0)]
    assert run.events[-1]["finished"] == "end_of_list"


def test_disk_native_noise_goes_to_the_log_not_the_terminal(runs: dict[str, Run]) -> None:
    # SDL's disk driver announces itself on fd 2 ("CRITICAL: You are using the SDL disk i/o
    # audio driver!"); the guard must send that to the log while Python's stderr still works.
    run = runs["plain"]
    assert "disk i/o audio driver" in run.native_log
    assert "disk i/o audio driver" not in run.stderr
    assert "python stderr still reaches the terminal" in run.stderr


def test_disk_fade_in_rises_then_holds(runs: dict[str, Run]) -> None:
    run = runs["fade_in"]
    (start, end), *_ = segments(run.pcm)
    levels = window_rms_db(run.pcm[start:end])
    full = 20 * np.log10(0.5 / np.sqrt(2))
    assert levels[0] < full - 15  # starts soft
    assert abs(levels[-3] - full) < 1.0  # ends at full level
    rising = levels[:15]  # the 1.5 s fade
    assert all(b >= a - 0.5 for a, b in itertools.pairwise(rising))
    assert rising[-1] - rising[0] > 15


def test_disk_stop_fades_out_before_the_track_ends(runs: dict[str, Run]) -> None:
    run = runs["fade_out"]
    (start, end), *rest = segments(run.pcm)
    assert rest == []
    played = (end - start) / RATE
    assert 2.0 < played < 5.0  # stopped early: 1.5 s in plus a 1.5 s fade, not the 6 s track
    levels = window_rms_db(run.pcm[start:end])
    full = 20 * np.log10(0.5 / np.sqrt(2))
    assert abs(levels[5] - full) < 1.0  # full before the stop
    tail = levels[-10:]
    assert all(b <= a + 0.5 for a, b in itertools.pairwise(tail))
    assert tail[-1] < full - 20
    assert run.events[-2]["ended"] == "stopped"
    assert run.events[-1]["finished"] == "stopped"


def test_disk_wind_down_lowers_the_level_over_its_span_and_keeps_playing(
    runs: dict[str, Run],
) -> None:
    run = runs["wind_down"]
    (start, end), *_ = segments(run.pcm)
    assert abs((end - start) / RATE - 6.0) < 0.05  # the track plays to its end
    levels = window_rms_db(run.pcm[start:end])
    full = 20 * np.log10(0.5 / np.sqrt(2))
    assert abs(levels[3] - full) < 1.0
    span = levels[9:38]  # 0.9 s .. 3.8 s: inside the 3 s ramp that starts at ~0.8 s
    assert all(b <= a + 0.5 for a, b in itertools.pairwise(span))
    assert span[0] - span[-1] > 10
    # After the ramp it holds at 10% (-20 dB), still audible.
    assert abs(levels[-3] - (full - 20)) < 2.0
    assert run.events[-1]["finished"] == "end_of_list"


def test_disk_normalised_tracks_15_lu_apart_come_out_within_1_db(runs: dict[str, Run]) -> None:
    parts = segments(runs["normalised"].pcm)
    assert len(parts) == 2
    loud, quiet = (rms_db(runs["normalised"].pcm[a:b]) for a, b in parts)
    assert abs(loud - quiet) < 1.0
    # The quiet track is at the session's target: it plays untouched.
    assert abs(quiet - 20 * np.log10(QUIET / np.sqrt(2))) < 0.5


def test_disk_without_loudness_the_same_tracks_stay_15_db_apart(runs: dict[str, Run]) -> None:
    parts = segments(runs["not_normalised"].pcm)
    loud, quiet = (rms_db(runs["not_normalised"].pcm[a:b]) for a, b in parts)
    assert abs((loud - quiet) - 15.0) < 1.0


def test_disk_bad_items_are_skipped_with_a_reason_and_play_goes_on(runs: dict[str, Run]) -> None:
    run = runs["skips"]
    assert run.returncode == 0, run.stderr
    assert _kinds(run) == [  # the next pick is opened shortly before it is due
        ("track_started", 0),
        ("track_failed", 1),
        ("track_failed", 2),
        ("track_failed", 3),
        ("track_ended", 0),
        ("track_started", 4),
        ("track_ended", 4),
        ("finished", 4),
    ]
    reasons = [e["reason"] for e in run.events if e["kind"] == "track_failed"]
    assert reasons[0] == "file not found"
    assert reasons[1] == "not a recognised audio format, or the file is corrupt"
    assert reasons[2] == "m4a needs ffmpeg"
    parts = segments(run.pcm)
    assert [round((b - a) / RATE, 1) for a, b in parts] == [2.0, 2.0]
    assert "Traceback" not in run.stderr


def test_disk_crossfade_overlaps_without_a_gap(runs: dict[str, Run]) -> None:
    run = runs["crossfade"]
    assert run.returncode == 0, run.stderr
    (start, end), *rest = segments(run.pcm, gap=0.02)
    assert rest == [], f"underruns: {run.underruns}"  # one continuous sound: no gap
    assert abs((end - start) / RATE - 3.0) < 0.05  # 2 s + 2 s, overlapping by 1 s
    assert np.abs(run.pcm).max() <= 0.5 + 1e-3  # the sum never exceeds either track's peak


@pytest.mark.skipif(FFMPEG is None, reason="ffmpeg is not installed")
def test_disk_m4a_plays_through_ffmpeg_when_installed(runs: dict[str, Run]) -> None:
    run = runs["ffmpeg"]
    assert run.returncode == 0, run.stderr
    assert _kinds(run) == [
        ("track_started", 0),
        ("track_ended", 0),
        ("track_started", 1),
        ("track_ended", 1),
        ("finished", 1),
    ]
    parts = segments(run.pcm)
    assert len(parts) == 2
    assert abs((parts[0][1] - parts[0][0]) / RATE - 1.0) < 0.1  # the 1 s AAC tone
    assert rms_db(run.pcm[parts[0][0] : parts[0][1]]) > -20
