"""MPRIS2 end to end: a private ``dbus-daemon --session``, a real ``calmtune play`` writing what it
plays through SDL's disk driver, driven by ``playerctl``, with the PropertiesChanged and Seeked
signals caught through a match rule. The PCM shows that what the bus says is what was heard.

Positions are compared in the PCM and in the session's own clock, never in seconds waited.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from bus_helpers import SignalWatcher, playerctl, private_session_bus, require, wait_until

from audiofiles import make_tagged_file, read_pcm
from session.session_helpers import calmtune_env

RATE = 44100
WINDOW = RATE // 100  # 10 ms
# (file, seconds, tone Hz, title, artist, album)
TRACKS = [
    ("1-dawn", 40.0, 440.0, "Dawn Chorus", "Ada Lovelace", "Morning"),
    ("2-dusk", 20.0, 660.0, "Dusk Drone", "Brian Eno", "Evening"),
]


def make_tracks(folder: Path) -> None:
    folder.mkdir()
    for name, seconds, freq, title, artist, album in TRACKS:
        make_tagged_file(
            folder / name,
            "flac",
            seconds=seconds,
            freq=freq,
            title=title,
            artist=artist,
            album=album,
        )


def start_play(home: Path, music: Path, raw: Path, **env: str) -> subprocess.Popen:
    args = ["-v", "play", str(music), "--no-ui", "--fade-in", "0", "--fade-out", "0"]
    return subprocess.Popen(
        [sys.executable, "-m", "calmtune", *args, "--volume", "100"],
        env=calmtune_env(home, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(raw), **env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def position(address: str) -> float:
    return float(playerctl(address, "position"))


def test_playerctl_controls_a_session_and_the_pcm_agrees(isolated_home, tmp_path):
    require("dbus-daemon", "playerctl")
    make_tracks(tmp_path / "music")
    raw = tmp_path / "out.raw"
    with private_session_bus() as address:
        watcher = SignalWatcher(address)
        proc = start_play(isolated_home, tmp_path / "music", raw, DBUS_SESSION_BUS_ADDRESS=address)
        try:
            wait_until(lambda: "Dawn Chorus" in _try(playerctl, address, "metadata"), "metadata")
            metadata = playerctl(address, "metadata")
            assert "Dawn Chorus" in metadata and "Ada Lovelace" in metadata
            assert "Morning" in metadata and "mpris:length" in metadata

            # play-pause pauses: the signal, the status, and a clock that stands still
            seen = len(watcher.changes())
            playerctl(address, "play-pause")
            watcher.wait_for_change(lambda c: c.get("PlaybackStatus") == "Paused", seen)
            assert playerctl(address, "status") == "Paused"
            # The sound glides out (a short ramp, no click); then the clock stands still while
            # the output keeps running: positions half a second of written PCM apart agree.
            paused_at = _settled_position(address, raw)

            seen = len(watcher.changes())
            playerctl(address, "play-pause")
            watcher.wait_for_change(lambda c: c.get("PlaybackStatus") == "Playing", seen)
            wait_until(lambda: position(address) > paused_at + 1.0, "playing on")

            # volume 0.5 changes the level
            seen = len(watcher.changes())
            playerctl(address, "volume", "0.5")
            watcher.wait_for_change(lambda c: c.get("Volume") == 0.5, seen)
            assert float(playerctl(address, "volume")) == 0.5
            turned_down_at = position(address)
            wait_until(lambda: position(address) > max(turned_down_at + 1.0, 3.5), "playing on")

            # previous after 3 s restarts the track: a jump, announced with Seeked
            playerctl(address, "previous")
            wait_until(lambda: any(m == "Seeked" for m, _ in watcher.signals), "Seeked")
            (jumped_to,) = next(body for m, body in watcher.signals if m == "Seeked")
            assert jumped_to < 1_000_000  # microseconds: back to the start
            wait_until(lambda: position(address) > 1.0, "playing on after the restart")

            # next advances
            seen = len(watcher.changes())
            playerctl(address, "next")
            change = watcher.wait_for_change(
                lambda c: c.get("Metadata", {}).get("xesam:title", ("s", ""))[1] == "Dusk Drone",
                seen,
            )
            assert change["Metadata"]["xesam:artist"][1] == ["Brian Eno"]
            assert playerctl(address, "metadata", "xesam:title") == "Dusk Drone"
            wait_until(lambda: position(address) > 1.0, "the next track playing")

            # stop ends the session, gently
            seen = len(watcher.changes())
            playerctl(address, "stop")
            assert proc.wait(timeout=60) == 0, proc.stderr.read()
            watcher.wait_for_change(lambda c: c.get("PlaybackStatus") == "Stopped", seen)
            stderr = proc.stderr.read()
        finally:
            _end(proc)
            watcher.close()
    assert stderr.count("media controls on the session bus as org.mpris.MediaPlayer2.calmtune") == 1
    _check_pcm(read_pcm(raw), paused_at)


def _check_pcm(pcm: np.ndarray, paused_at: float) -> None:
    """What the disk driver wrote: 440 Hz, a silent pause, 440 Hz at full level and then
    at the level of volume 50 (restarted once), then 660 Hz at that level."""
    from calmtune.playback.ramps import volume_to_amplitude

    windows = pcm[: len(pcm) // WINDOW * WINDOW].reshape(-1, WINDOW)
    level = np.sqrt(np.mean(windows**2, axis=1))
    sound = np.nonzero(level > 1e-3)[0]
    assert len(sound), "silent output"
    start = sound[0]
    silent_runs = _runs(level[start:] <= 1e-4)
    pause_start, pause_length = next((s + start, n) for s, n in silent_runs if n >= 30)
    # The session clock stood where the PCM went quiet (output buffers are a few 10 ms long).
    assert abs((pause_start - start) / 100 - paused_at) < 0.35
    tones = [_tone(pcm[i * WINDOW : (i + 10) * WINDOW]) for i in range(start, len(level) - 10, 10)]
    assert tones[0] == 440
    switch = tones.index(660)
    assert all(t == 440 for t in tones[: switch - 1] if t is not None)
    after_pause = pause_start + pause_length
    switched = start + switch * 10

    def sounding(first: int, last: int) -> float:
        """The typical level of a stretch, leaving out the short gaps of a skip or a restart."""
        stretch = level[first:last]
        return float(np.median(stretch[stretch > 1e-3]))

    resumed = sounding(after_pause + 50, after_pause + 90)  # after the resume glide
    quiet = sounding(switched - 100, switched - 20)  # the last second before "next"
    drop_db = 20 * np.log10(quiet / resumed)
    expected_db = 20 * np.log10(volume_to_amplitude(50) / volume_to_amplitude(100))
    assert abs(drop_db - expected_db) < 1.5, (drop_db, expected_db)
    dusk = sounding(switched + 40, switched + 80)
    assert abs(20 * np.log10(dusk / quiet)) < 1.5  # the volume stays
    assert (switch * 10) / 100 < TRACKS[0][1]  # "next" cut the first track short


def test_without_a_session_bus_the_session_plays_and_says_so_once_with_v(isolated_home, tmp_path):
    make_tracks(tmp_path / "music")
    raw = tmp_path / "out.raw"
    runtime = tmp_path / "runtime"  # an XDG_RUNTIME_DIR without a bus socket in it
    runtime.mkdir()
    env = calmtune_env(
        isolated_home,
        SDL_AUDIODRIVER="disk",
        SDL_DISKAUDIOFILE=str(raw),
        XDG_RUNTIME_DIR=str(runtime),
    )
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "calmtune",
            "-v",
            "play",
            str(tmp_path / "music"),
            "--no-ui",
            "-d2s",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("no D-Bus session bus") == 1
    assert "Traceback" not in done.stderr
    pcm = read_pcm(raw)
    assert np.max(np.abs(pcm)) > 0.05  # it played


def _settled_position(address: str, raw: Path, tries: int = 10) -> float:
    """The position once it stops moving: two readings 0.5 s of output apart are equal."""
    for _ in range(tries):
        before, written = position(address), _pcm_seconds(raw)
        wait_until(lambda w=written: _pcm_seconds(raw) > w + 0.5, "time paused")
        if position(address) == before:
            return before
    raise AssertionError("the position kept moving while paused")


def _pcm_seconds(raw: Path) -> float:
    return raw.stat().st_size / 4 / RATE if raw.exists() else 0.0


def _tone(chunk: np.ndarray) -> int | None:
    """The test tone in a chunk: 440 or 660 Hz, None for quiet or unclear chunks."""
    if len(chunk) < WINDOW or np.sqrt(np.mean(chunk**2)) < 1e-3:
        return None
    spectrum = np.abs(np.fft.rfft(chunk * np.hanning(len(chunk))))
    peak = np.fft.rfftfreq(len(chunk), 1 / RATE)[np.argmax(spectrum)]
    return next((f for f in (440, 660) if abs(peak - f) < 20), None)


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of True."""
    runs, begin = [], None
    for i, flag in enumerate(flags):
        if flag and begin is None:
            begin = i
        elif not flag and begin is not None:
            runs.append((begin, i - begin))
            begin = None
    if begin is not None:
        runs.append((begin, len(flags) - begin))
    return runs


def _try(function, *args) -> str:
    try:
        return function(*args)
    except AssertionError:
        return ""


def _end(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    proc.stderr.close()
