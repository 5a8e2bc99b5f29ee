"""Playback cost (decoding included) and of the live view, and the time to first sound.

    python benchmarks/bench_playback.py [--seconds 60] [--tracks 10000]

1. The same file plays for ``--seconds`` twice, side by side (dummy SDL driver, separate homes so
   the single-instance lock lets both run): once with the live view in a pseudo-terminal, once
   with ``--no-ui``. The file is a 48 kHz FLAC of tones and noise, so calmtune's whole output
   pipeline is in the figure: FLAC decoding (libsndfile), resampling to the 44.1 kHz output
   (soxr), gain and ramps, and handing blocks to the mixer. Each process's CPU time comes from
   ``wait4``, its peak RSS from ``/proc/PID/status`` (VmHWM). Targets (docs/testing.md):
   playback at most 5% of one core, the view at most 2 points more; RSS under 120 MB.
2. ``calmtune relax --no-ui`` on an index of ``--tracks`` tracks: the time from starting the
   command to the track-start line, which the session prints once the track's first block has
   begun to play (target: 0.8 s on 10,000 tracks).
   The index is written through the library API (tags as a scan would store them, scored by
   the mood engine); every entry is a hard link to one real WAV, so whichever track the
   playlist picks really plays.

Never fails on a time. CI: ``--seconds 3 --tracks 200``.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from _common import PYTHON, command_env, time_command

from audiofiles import write_tone


def write_music(path: Path, seconds: float, rate: int = 48000) -> Path:
    """A stereo FLAC at ``rate``: two tones and soft noise (noise keeps FLAC from compressing it
    to nothing, as real music would not let it)."""
    import numpy as np
    import soundfile

    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(5)
    left = 0.2 * np.sin(2 * np.pi * 220 * t) + 0.02 * rng.standard_normal(len(t))
    right = 0.2 * np.sin(2 * np.pi * 330 * t) + 0.02 * rng.standard_normal(len(t))
    soundfile.write(str(path), np.stack([left, right], axis=1), rate, format="FLAC")
    return path


def env_for(home: Path) -> dict[str, str]:
    return command_env(
        {
            "CALMTUNE_HOME": str(home),
            "SDL_AUDIODRIVER": "dummy",
            "PYGAME_HIDE_SUPPORT_PROMPT": "1",
            "TERM": "xterm-256color",
        }
    )


def start_plain(home: Path, args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "calmtune", *args],
        env=env_for(home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_in_pty(home: Path, args: list[str]) -> tuple[subprocess.Popen, int, int]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    proc = subprocess.Popen(
        [PYTHON, "-m", "calmtune", *args],
        env=env_for(home),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    return proc, master, slave


PEAKS: dict[int, int] = {}  # pid -> VmHWM kB, sampled while any run is reaped


def reap(
    proc: subprocess.Popen, master: int | None = None, watch: tuple[int, ...] = ()
) -> tuple[float, float, float]:
    """Wait for ``proc`` (draining its terminal); returns (cpu seconds, wall seconds, RSS MB)."""
    began = time.monotonic()
    while True:
        for pid in (proc.pid, *watch):  # a zombie has no VmHWM: sample side-by-side runs too
            PEAKS[pid] = max(PEAKS.get(pid, 0), vm_hwm_kb(pid))
        peak_kb = PEAKS[proc.pid]
        if master is not None:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                with contextlib.suppress(OSError):
                    os.read(master, 65536)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        if master is None:
            time.sleep(0.1)
    cpu = usage.ru_utime + usage.ru_stime
    # Not ru_maxrss: on Linux a child's starts at this (numpy-heavy) parent's RSS from fork.
    return cpu, time.monotonic() - began, peak_kb / 1024


def vm_hwm_kb(pid: int) -> int:
    """The process's peak RSS so far (VmHWM; reset by exec, unlike ru_maxrss)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def view_cost(tmp: Path, seconds: float) -> None:
    song = write_music(tmp / "song.flac", seconds + 5)
    args = ["play", str(song), "--duration", f"{seconds}s"]
    homes = [tmp / "home-view", tmp / "home-plain"]
    for home in homes:
        home.mkdir()
    began = time.monotonic()
    live, master, slave = start_in_pty(homes[0], args)
    plain = start_plain(homes[1], [*args, "--no-ui"])
    # Reap the plain run in a thread-free way: drain the pty until the view run ends, then wait.
    live_cpu, _, live_rss = reap(live, master, watch=(plain.pid,))
    plain_cpu, _, plain_rss = reap(plain)
    wall = time.monotonic() - began
    os.close(master)
    os.close(slave)
    live_pct = 100 * live_cpu / wall
    plain_pct = 100 * plain_cpu / wall
    print(
        f"playback {seconds:g} s, side by side, wall {wall:.1f} s (exit {live.returncode}/{plain.returncode})"
    )
    print(
        f"  live view : CPU {live_cpu:6.2f} s = {live_pct:5.2f}% of a core | peak RSS {live_rss:6.1f} MB"
    )
    print(
        f"  --no-ui   : CPU {plain_cpu:6.2f} s = {plain_pct:5.2f}% of a core | peak RSS {plain_rss:6.1f} MB"
    )
    print(f"  playback  : {plain_pct:.2f}% of a core with decoding and resampling (target <= 5%)")
    print(
        f"  view cost : {live_pct - plain_pct:+.2f} points of one core (target <= +2); "
        f"RSS target < 120 MB"
    )


def first_audio(tmp: Path, tracks: int) -> None:
    from calmtune.library import Library
    from calmtune.library.scoring import score_track
    from calmtune.models import Features, TagInfo

    home = tmp / "home-index"
    music = tmp / "music"
    music.mkdir()
    home.mkdir()
    source = write_tone(tmp / "calm.wav", 30.0, freq=220.0, peak=0.2)
    began = time.perf_counter()
    items = []
    for i in range(tracks):
        path = music / f"{i // 500:03d}" / f"{i:06d}.wav"
        path.parent.mkdir(exist_ok=True)
        os.link(source, path)
        tags = TagInfo(
            format="wav",
            duration=30.0,
            title=f"Track {i}",
            artist=f"Artist {i % 997}",
            album=f"Album {i % 1409}",
            genre="Ambient" if i % 2 else "Pop",
            bpm=60 + i % 70,
            mood="Relaxed" if i % 3 == 0 else None,
        )
        st = path.stat()
        items.append((str(path), st.st_size, st.st_mtime_ns, tags, score_track(tags, None, None)))
    with Library.open(home / "library.db") as lib:
        for first in range(0, len(items), 5000):
            lib.upsert_scanned(items[first : first + 5000])
        calm = lib.count("calm")
    made = time.perf_counter() - began
    print(f"index: {tracks} tracks ({calm} calm) written in {made:.1f} s through the library API")
    unmeasured = time_to_first_sound(home)
    print(
        f"relax on {tracks} tracks, loudness not measured yet: first sound after "
        f"{unmeasured * 1000:.0f} ms (the player measures the first track on load)"
    )
    # As after `calmtune analyze`: the index knows each track's loudness.
    with Library.open(home / "library.db") as lib:
        for path, size, mtime_ns, _tags, _scores in items:
            lib.store_features(path, size, mtime_ns, Features(loudness_lufs=-21.0), None)
    measured = time_to_first_sound(home)
    print(
        f"relax on {tracks} tracks, analysed index: first sound after {measured * 1000:.0f} ms "
        f"(target <= 800 ms; the track line is printed once its first block plays)"
    )
    # The same machine's pace in the same run: a busy machine slows both alike.
    version = time_command([PYTHON, "-m", "calmtune", "--version"], repeat=3, env=env_for(home))
    print(
        f"  for scale: `calmtune --version` {version * 1000:.0f} ms; first sound (analysed) is "
        f"{measured / version:.2f}x that"
    )


def time_to_first_sound(home: Path) -> float:
    """Seconds from starting `calmtune relax` to the track line it prints when the first block
    begins to play (median of three runs)."""
    times = []
    for _ in range(3):
        proc = subprocess.Popen(
            [PYTHON, "-m", "calmtune", "relax", "--no-ui", "--duration", "10s"],
            env=env_for(home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        started = time.perf_counter()
        proc.stdout.readline()
        times.append(time.perf_counter() - started)
        proc.terminate()
        proc.communicate(timeout=15)
    return sorted(times)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--tracks", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="calmtune-bench-play-") as tmp:
        view_cost(Path(tmp), args.seconds)
        first_audio(Path(tmp), args.tracks)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
