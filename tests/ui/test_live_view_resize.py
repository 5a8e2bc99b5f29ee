"""The live view in a real terminal that changes size: tmux runs calmtune in a 120-column window,
the test resizes it to 40 columns and back (tmux sends SIGWINCH, as any terminal does), and reads
the screen tmux shows. No line of an old frame may remain, and at 40 columns no time is cut.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (Debian: tmux; .ci/run installs it)"
)


def _tone(path: Path, seconds: float, freq: float) -> Path:
    rate = 22050
    t = np.arange(int(seconds * rate)) / rate
    pcm = np.rint(0.2 * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


class Tmux:
    """One tmux server of our own (its own socket), holding one window that runs calmtune."""

    def __init__(self, home: Path, args: list[str], *, cols: int, rows: int) -> None:
        self.socket = f"calmtune-test-{os.getpid()}-{id(self)}"
        env = {
            "CALMTUNE_HOME": str(home),
            "SDL_AUDIODRIVER": "dummy",
            "PYGAME_HIDE_SUPPORT_PROMPT": "1",
            "TERM": "xterm-256color",
        }
        command = " ".join(
            [*(f"{k}={v}" for k, v in env.items()), sys.executable, "-m", "calmtune", *args]
        )
        # Some lines first, as a shell leaves them, one wider than 40 columns: the view then
        # starts part-way down, where a terminal that re-wraps on resize can leave an old frame.
        history = "seq 1 8; echo " + "history-wider-than-forty-columns-" * 2 + "; "
        self._tmux(
            "new-session", "-d", "-x", str(cols), "-y", str(rows), "-s", "view",
            f"{history}exec env -u COLUMNS -u LINES {command}",
        )  # fmt: skip
        self._tmux("set-option", "-t", "view", "window-size", "manual")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def screen(self) -> list[str]:
        return self._tmux("capture-pane", "-p", "-t", "view").splitlines()

    def resize(self, cols: int) -> None:
        self._tmux("resize-window", "-t", "view", "-x", str(cols))

    def wait_for(self, test, timeout: float = 20.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.screen()
            if test(lines) or time.monotonic() > deadline:
                return lines
            time.sleep(0.2)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=20)


def _rows(lines: list[str], label: str) -> list[str]:
    """The rows of a frame labelled ``label`` (labels are right-aligned in 7 columns)."""
    return [line for line in lines if line[:7].strip() == label and line[7:8] == " "]


def _one_frame(lines: list[str]) -> bool:
    """Each row label, the title and the key hint appear once: no second (old) frame."""
    for label in ("track", "session", "volume"):
        if len(_rows(lines, label)) != 1:
            return False
    return (
        sum("Calm Rain" in line for line in lines) == 1
        and sum("space pause" in line for line in lines) == 1
    )


def _times_whole(lines: list[str]) -> bool:
    """The track and session rows show both clocks, whole: 'm:ss / m:ss'."""
    for label in ("track", "session"):
        (row,) = _rows(lines, label)
        if not re.search(r"\d+:\d\d / \d+:\d\d", row):
            return False
    return True


def test_live_view_redraws_cleanly_when_the_terminal_shrinks_to_40_columns_and_grows_back(
    isolated_home: Path, tmp_path: Path
) -> None:
    music = tmp_path / "music"
    music.mkdir()
    _tone(music / "01 Calm Rain.wav", 90.0, 330.0)
    _tone(music / "02 Evening.wav", 90.0, 440.0)
    args = ["play", str(music), "--fade-in", "0", "--duration", "3m"]
    tmux = Tmux(isolated_home, args, cols=120, rows=30)
    try:
        wide = tmux.wait_for(lambda lines: _one_frame(lines) and _times_whole(lines))
        assert _one_frame(wide) and _times_whole(wide), "\n".join(wide)
        assert any(len(line.rstrip()) > 60 for line in wide)  # drawn for 120 columns

        tmux.resize(40)
        narrow = tmux.wait_for(
            lambda lines: (
                _one_frame(lines)
                and _times_whole(lines)
                and all(len(line.rstrip()) <= 40 for line in lines)
            ),
            timeout=10,
        )
        assert _one_frame(narrow), "\n".join(narrow)
        assert _times_whole(narrow), "\n".join(narrow)
        assert all(len(line.rstrip()) <= 40 for line in narrow)

        tmux.resize(120)
        again = tmux.wait_for(
            lambda lines: _one_frame(lines) and any(len(line.rstrip()) > 60 for line in lines),
            timeout=10,
        )
        assert _one_frame(again), "\n".join(again)
        assert _times_whole(again), "\n".join(again)
    finally:
        tmux.close()
