"""``calmtune relax`` as a user runs it, through SDL's disk driver: the PCM file is what was heard.

The driver plays in real time, so CI runs a short session here (75 seconds) and
``test_planner_heard.py`` runs the long ones on the null output. The 3, 10 and 25-minute
sessions through the disk driver (38 minutes) run with CALMTUNE_LONG_TESTS=1:

    CALMTUNE_LONG_TESTS=1 pytest -s tests/playlists/test_planner_disk.py
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from heard import RATE, SILENT_PEAK, calm_specs, loudness, mixed_specs, write_library

from calmtune import levels
from calmtune.cli import cli

LONG = os.environ.get("CALMTUNE_LONG_TESTS") == "1"


def _relax_on_disk(home: Path, raw: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CALMTUNE_HOME": str(home),
        "SDL_AUDIODRIVER": "disk",
        "SDL_DISKAUDIOFILE": str(raw),
        "PYGAME_HIDE_SUPPORT_PROMPT": "1",
    }
    env.pop("CALMTUNE_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "calmtune", "relax", "--no-ui", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=3600,
    )


def _pcm(raw: Path) -> np.ndarray:
    return np.fromfile(raw, dtype="<i2").reshape(-1, 2).astype(np.float64) / 32768.0


def _silent_share(pcm: np.ndarray, closing: float, duration: float) -> float:
    """The share of the session that is silent (0.1 s windows under -60 dBFS) from its first
    sound (the file also holds the moments between opening the device and the session's start)
    to the start of its closing fade (which ends in the planned silence)."""
    size = round(0.1 * RATE)
    start = int(np.argmax(np.abs(pcm).max(axis=1) >= SILENT_PEAK))
    music = pcm[start : start + round(closing * RATE) // size * size]
    peaks = np.abs(music).reshape(-1, size * 2).max(axis=1)
    return float(np.sum(peaks < SILENT_PEAK)) * 0.1 / duration


def _prepare(home: Path, music: Path) -> Path:
    from calmtune.playback.soundscape import ensure_soundscape

    result = CliRunner().invoke(cli, ["scan", str(music)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ensure_soundscape(home / "cache")
    return home


def _journal_tracks(home: Path) -> list[str]:
    from calmtune.library import Library

    with Library.open(home / "library.db") as library:
        return list(library.journal.sessions()[0].tracks)


def test_relax_on_the_disk_driver_fills_the_session_and_never_steps_up(isolated_home, tmp_path):
    files = write_library(tmp_path / "mixed", mixed_specs()[:36])
    home = _prepare(isolated_home, tmp_path / "mixed")
    raw = tmp_path / "out.raw"
    done = _relax_on_disk(home, raw, "--duration", "75s", "--seed", "3")
    assert done.returncode == 0, done.stderr
    pcm = _pcm(raw)
    # 75 s: 67.5 s of music whose last 20 s fade out, then 7.5 s of closing silence.
    share = _silent_share(pcm, 47.5, 75.0)
    print(f"relax -d 75s on the disk driver: unplanned silence {share:.2%}")
    assert share <= 0.05
    # Loudness as heard, in 3-second windows from after the fade-in to the closing fade: it
    # never rises by more than the rule's 1 LU (plus the meter's 0.5 on a window that holds a
    # crossfade).
    windows = [loudness(pcm[i * RATE : (i + 3) * RATE], RATE) for i in range(6, 45, 3)]
    rises = [b - a for a, b in itertools.pairwise(windows)]
    print(f"  heard in 3 s windows: {[round(w, 1) for w in windows]}")
    assert max(rises) <= 1.5
    # And each track played at the level the rule gives it.
    target = levels.target_for("calm")
    for path in _journal_tracks(home)[:-1]:
        want = levels.heard_loudness(files[path], target)
        assert min(abs(w - want) for w in windows) < 0.5, (path, want, windows)


@pytest.fixture(scope="module")
def calm_music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("calm-music")
    write_library(folder, calm_specs(24, (120.0, 240.0)))
    return folder


@pytest.mark.slow
@pytest.mark.skipif(not LONG, reason="38 minutes in real time: set CALMTUNE_LONG_TESTS=1")
@pytest.mark.parametrize("minutes", [3, 10, 25])
def test_relax_on_the_disk_driver_sounds_for_the_whole_session(
    isolated_home, tmp_path, calm_music, minutes
):
    home = _prepare(isolated_home, calm_music)
    raw = tmp_path / "out.raw"
    done = _relax_on_disk(home, raw, "--duration", f"{minutes}m", "--seed", str(minutes))
    assert done.returncode == 0, done.stderr
    duration = minutes * 60.0
    music_end = duration - min(30.0, duration * 0.1)  # the calm recipe's closing silence
    share = _silent_share(_pcm(raw), music_end - 20.0, duration)  # and its 20 s fade-out
    print(f"relax -d {minutes}m on the disk driver: unplanned silence {share:.2%}; {done.stderr}")
    assert share <= 0.05
