"""Single key presses from the terminal, without blocking the player's loop.

The terminal is put in cbreak mode (keys arrive at once, unechoed; Ctrl-C still sends SIGINT) and
polled with ``select`` at timeout 0. The old modes come back in ``__exit__``, which the session's
``with`` blocks reach on errors and after signals too (signal handlers only set a flag).
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import termios
import tty
from types import TracebackType
from typing import Any


class KeyReader:
    """Reads keys from ``stream`` (stdin) while entered; a no-op when it is not a terminal."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream if stream is not None else sys.stdin
        self._fd: int | None = None
        self._saved: list | None = None

    def __enter__(self) -> KeyReader:
        try:
            fd = self._stream.fileno()
        except (AttributeError, ValueError, OSError):
            return self
        if not os.isatty(fd):
            return self
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd, termios.TCSANOW)
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.restore()

    def restore(self) -> None:
        """Put the terminal back as it was; safe to call more than once."""
        if self._fd is not None and self._saved is not None:
            # A terminal that went away (hang-up) has nothing left to restore.
            with contextlib.suppress(termios.error):
                termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
        self._fd = None

    def read(self) -> list[str]:
        """Keys pressed since the last call, as characters; escape sequences (arrows) dropped."""
        if self._fd is None:
            return []
        try:
            ready, _, _ = select.select([self._fd], [], [], 0)
            if not ready:
                return []
            data = os.read(self._fd, 64)
        except (OSError, InterruptedError):
            return []
        if not data:  # end of input: stop polling a closed terminal
            self._fd = None
            return []
        return keys_from_bytes(data)


def keys_from_bytes(data: bytes) -> list[str]:
    """Split raw input into keys, dropping ANSI escape sequences such as arrow keys."""
    text = data.decode("utf-8", "replace")
    keys: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\x1b":
            i += 1
            if i < len(text) and text[i] in "[O":
                i += 1
                while i < len(text) and not ("@" <= text[i] <= "~"):
                    i += 1
            i += 1
            continue
        keys.append(ch)
        i += 1
    return keys
