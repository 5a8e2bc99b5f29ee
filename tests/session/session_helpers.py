"""Helpers for the session tests: short generated tracks, calmtune in a subprocess or in a
pseudo-terminal, the journal read back through the library API, the disk driver's PCM.

Not a test module (no ``test_`` prefix); the test files here import it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

RATE = 44100


def tools_dir(*, ffmpeg: bool) -> str:
    """A folder for PATH holding only what a test decides: the Python running the tests, and
    ffmpeg when asked (``None`` when asked for ffmpeg on a machine without it). calmtune finds
    ffmpeg on PATH only, so this settles which formats play, whatever the machine has."""
    import shutil
    import tempfile

    real = shutil.which("ffmpeg") if ffmpeg else None
    if ffmpeg and real is None:
        return ""
    folder = (
        Path(tempfile.gettempdir()) / f"calmtune-tools-{os.getuid()}-{'ff' if ffmpeg else 'no'}"
    )
    folder.mkdir(exist_ok=True)
    links = {"python3": sys.executable, **({"ffmpeg": real} if real else {})}
    for name, target in links.items():
        link = folder / name
        if not link.exists():
            with contextlib.suppress(FileExistsError):
                link.symlink_to(target)
    return str(folder)


def calmtune_env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "CALMTUNE_HOME": str(home),
        "SDL_AUDIODRIVER": "dummy",
        "PYGAME_HIDE_SUPPORT_PROMPT": "1",
        # No ffmpeg on this PATH whatever the machine has (tests that want it pass their own).
        "PATH": tools_dir(ffmpeg=False),
    }
    env.pop("CALMTUNE_DEBUG", None)
    env.update(extra)
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "calmtune", *args]


def start(home: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        command(*args),
        env=calmtune_env(home, **env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(home: Path, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command(*args),
        env=calmtune_env(home, **env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for_line(proc: subprocess.Popen, timeout: float = 20) -> str:
    """The first line the process writes to stdout (plain mode prints one when a track starts)."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "no output in time"
    return proc.stdout.readline()


def sessions(home: Path) -> list:
    """The journal, newest first, read through the library API."""
    from calmtune.library import Library

    with Library.open(home / "library.db") as lib:
        return lib.journal.sessions()


def lock_pid(home: Path) -> int | None:
    text = (home / "state" / "session.lock").read_text().strip()
    return int(text) if text else None


def _take_stdin_as_controlling_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


# How long a test waits for calmtune to exit after q, Ctrl-C, a signal or the end: a deadline
# for a hang, not a measure of speed. A quit fades for a second (session/runner.QUIT_FADE), then
# saves the journal; on a busy machine (CI, two test runs at once) that took over 10 s once, so
# the deadline is generous and no test asserts a duration.
EXIT_DEADLINE = 60.0


class PtySession:
    """calmtune in a pseudo-terminal: keys go in, the screen comes out, modes can be compared."""

    def __init__(
        self, home: Path, *args: str, rows: int = 30, cols: int = 120, controlling: bool = False
    ) -> None:
        """``controlling=True`` makes the pseudo-terminal calmtune's controlling terminal, as a
        terminal window's is: Ctrl-C typed at it is SIGINT, and closing it is SIGHUP."""
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.modes_before = termios.tcgetattr(self.slave)
        self.output = b""
        self.proc = subprocess.Popen(
            command(*args),
            env=calmtune_env(home, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows)),
            stdin=self.slave,
            stdout=self.slave,
            stderr=self.slave,
            start_new_session=True,  # (setsid runs before preexec_fn)
            preexec_fn=_take_stdin_as_controlling_terminal if controlling else None,
        )

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    return

    def wait_for(self, needle: str, timeout: float = 20, since: int = 0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.output[since:].decode("utf-8", "replace"):
                return True
            if self.proc.poll() is not None:
                self.pump(0.2)
                return needle in self.output[since:].decode("utf-8", "replace")
            self.pump(0.1)
        return False

    def press(self, key: str) -> int:
        """Send a key; returns the output offset before it, for ``wait_for(since=...)``."""
        mark = len(self.output)
        os.write(self.master, key.encode())
        return mark

    def wait_exit(self, timeout: float = EXIT_DEADLINE) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.pump(0.2)
                return self.proc.returncode
            self.pump(0.05)
        return None

    def modes_now(self) -> list:
        return termios.tcgetattr(self.slave)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)
