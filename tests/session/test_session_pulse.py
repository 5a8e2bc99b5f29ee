"""A real sound server: a private PulseAudio daemon with a null sink, a short ``calmtune relax``
played through SDL's pulseaudio driver, and the sink's monitor recorded with ``parec``. What was
recorded is what a listener would have heard: the fade-in, the level at the session's loudness
target, the crossfades without a gap, the wind-down into silence.

The daemon runs as the test's own user with its own XDG_RUNTIME_DIR and socket, so it never
touches a sound server the machine already has. Where PulseAudio is missing or cannot start,
the test is skipped with the reason; ``.ci/run`` installs it. The daemon and the recorder are
killed at the end, whatever happens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from session_helpers import RATE, calmtune_env, command

from audiofiles import write_tone
from calmtune.analysis.loudness import integrated_loudness

SINK = "calmtune_test_sink"
TARGET = -23.0  # the calm recipe's loudness target (calmtune.levels)


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private PulseAudio daemon with a null sink; yields the environment that reaches it."""
    daemon_bin = shutil.which("pulseaudio")
    if daemon_bin is None or not shutil.which("parec") or not shutil.which("pactl"):
        pytest.skip("PulseAudio (pulseaudio, parec, pactl) is not installed; .ci/run installs it")
    runtime = tmp_path / "run"
    (runtime / "pulse").mkdir(parents=True)
    runtime.chmod(0o700)
    socket = runtime / "pulse" / "native"
    env = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(runtime),
        "HOME": str(tmp_path),  # its cookie and state stay in the test's folder
        "PULSE_SERVER": f"unix:{socket}",
    }
    log = (tmp_path / "pulseaudio.log").open("wb")
    daemon = subprocess.Popen(
        [
            daemon_bin,
            "--daemonize=no",
            "-n",  # no default.pa: only the modules below (no volume restore, no devices)
            "--exit-idle-time=-1",
            "--use-pid-file=no",
            "--disallow-exit",
            "-L",
            f"module-null-sink sink_name={SINK} rate={RATE} channels=2",
            "-L",
            f"module-native-protocol-unix socket={socket} auth-anonymous=1",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        if not _wait_for_server(env, daemon):
            reason = (tmp_path / "pulseaudio.log").read_text(errors="replace").strip()
            pytest.skip(f"the PulseAudio daemon could not start here: {reason[-300:]}")
        subprocess.run(["pactl", "set-sink-volume", SINK, "100%"], env=env, check=False)
        yield env
    finally:
        _stop(daemon)
        log.close()


def _wait_for_server(env: dict[str, str], daemon: subprocess.Popen) -> bool:
    for _ in range(100):  # up to ~10 s on a busy machine
        if daemon.poll() is not None:
            return False
        done = subprocess.run(["pactl", "list", "short", "sinks"], env=env, capture_output=True)
        if done.returncode == 0 and SINK.encode() in done.stdout:
            return True
        time.sleep(0.1)
    return False


def _library(home: Path) -> None:
    """Three calm tracks in the index, far louder than the target and 12 dB apart."""
    from calmtune.library import Library
    from calmtune.library.scoring import score_track
    from calmtune.models import TagInfo

    music = home / "music"
    music.mkdir(parents=True)
    rows = []
    for i, (freq, peak) in enumerate([(330, 0.5), (440, 0.25), (550, 0.125)]):
        path = write_tone(music / f"calm{i}.wav", 8.0, freq=freq, peak=peak)
        tags = TagInfo(
            format="wav",
            duration=8.0,
            title=f"Calm {i}",
            artist=f"Artist {i}",
            album=f"Album {i}",
            genre="Ambient",
            bpm=70 - 4 * i,
            mood="Relaxed",
        )
        st = path.stat()
        rows.append((str(path), st.st_size, st.st_mtime_ns, tags, score_track(tags, None, None)))
    with Library.open(home / "library.db") as lib:
        lib.upsert_scanned(rows)


def _db(pcm: np.ndarray, start: float, end: float) -> float:
    part = pcm[int(start * RATE) : int(end * RATE)]
    return float(20 * np.log10(np.sqrt(np.mean(part**2)) + 1e-12))


def test_relax_through_pulseaudio_is_heard_as_planned(
    pulse: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    _library(isolated_home)
    # A short fade-in and crossfade so that every part fits in a 20 s session.
    (isolated_home / "settings.toml").write_text("[playback]\nfade_in = 1\ncrossfade = 2\n")
    recording = tmp_path / "heard.raw"
    recorder = None
    try:
        with recording.open("wb") as out:
            recorder = subprocess.Popen(
                [
                    "parec",
                    f"--device={SINK}.monitor",
                    "--format=s16le",
                    f"--rate={RATE}",
                    "--channels=2",
                    "--latency-msec=20",
                ],
                env=pulse,
                stdout=out,
                stderr=subprocess.DEVNULL,
            )
            env = calmtune_env(isolated_home, SDL_AUDIODRIVER="pulseaudio")
            env.update({k: pulse[k] for k in ("XDG_RUNTIME_DIR", "PULSE_SERVER")})
            done = subprocess.run(
                [*command("relax", "-d", "20s", "--wind-down", "6s", "--no-ui", "--seed", "1")],
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=90,
            )
            time.sleep(0.5)  # the last of the closing silence reaches the monitor
    finally:
        _stop(recorder)
    assert done.returncode == 0, done.stderr
    data = np.fromfile(recording, dtype="<i2").reshape(-1, 2).astype(np.float64) / 32768.0
    loud = np.nonzero(np.abs(data[:, 0]) > 1e-4)[0]
    assert len(loud), "nothing was heard on the sink"
    heard = data[loud[0] :]
    left = heard[:, 0]
    # The fade-in: soft at first, rising to the full level within its second.
    assert _db(left, 0.0, 0.2) < _db(left, 1.5, 2.0) - 10
    # The level: the first track (-9.7 LUFS as written) is heard at the session's target.
    assert abs(integrated_loudness(heard[int(1.5 * RATE) : int(5.0 * RATE)], RATE) - TARGET) < 1.0
    # No gap from the first sound to the closing ramp: crossfades overlap, nothing drops out.
    windows = [_db(left, t, t + 0.05) for t in np.arange(0.5, 13.0, 0.05)]
    assert min(windows) > -50.0
    # The wind-down from 14 s into silence at 18 s (the closing silence is a tenth: 2 s).
    assert _db(left, 17.2, 17.7) < _db(left, 12.0, 13.5) - 15
    assert np.abs(left[int(18.3 * RATE) : int(19.5 * RATE)]).max() < 1e-3
