"""Keep native libraries' noise off the user's screen.

SDL, ALSA and decoders (mpg123's "Note: Illegal Audio-MPEG-Header", ALSA's "cannot find card")
write straight to file descriptor 2, from any thread, at any time during playback or an analysis
in this process (``analyze --jobs 1``), and would tear through a live display or a progress bar. Python's ``sys.stderr`` also writes to fd 2. So while the guard is active:

- fd 2 points at a log file (or /dev/null): what C code writes lands there;
- ``sys.stderr`` is swapped for a stream on a duplicate of the *original* fd 2, so Python's own
  messages, warnings, tracebacks and rich's error console still reach the terminal.

Consoles that look ``sys.stderr`` up when they write (rich does, when built without an explicit
``file``) follow the swap; a handler holding the old ``sys.stderr`` object would write to the log.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from pathlib import Path
from types import TracebackType

_lock = threading.Lock()
_depth = 0  # nested guards share the outermost redirection


class NativeStderrGuard:
    """Context manager redirecting fd 2 to ``log_path`` (``None``: /dev/null). Re-entrant."""

    def __init__(self, log_path: str | Path | None = None) -> None:
        self._log_path = log_path
        self._saved_fd: int | None = None
        self._saved_stream: object | None = None
        self._active = False

    def __enter__(self) -> NativeStderrGuard:
        global _depth
        with _lock:
            _depth += 1
            if _depth > 1:
                return self  # an outer guard already redirects
            try:
                self._redirect()
            except OSError:
                # fd 2 closed or the log unwritable: better noisy than failing to play.
                self._restore()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global _depth
        with _lock:
            _depth -= 1
            if self._active or self._saved_fd is not None:
                self._restore()

    @property
    def active(self) -> bool:
        return self._active

    def _redirect(self) -> None:
        _flush(sys.stderr)
        self._saved_fd = os.dup(2)
        target = os.devnull if self._log_path is None else os.fspath(self._log_path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        log_fd = os.open(target, flags, 0o600)
        try:
            os.dup2(log_fd, 2)
        finally:
            os.close(log_fd)
        self._saved_stream = sys.stderr
        encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
        sys.stderr = io.TextIOWrapper(
            io.FileIO(self._saved_fd, "w", closefd=False),
            encoding=encoding,
            errors="backslashreplace",
            line_buffering=True,
            write_through=True,
        )
        self._active = True

    def _restore(self) -> None:
        if self._active:
            _flush(sys.stderr)
            sys.stderr = self._saved_stream  # type: ignore[assignment]
            self._saved_stream = None
        if self._saved_fd is not None:
            os.dup2(self._saved_fd, 2)
            os.close(self._saved_fd)
            self._saved_fd = None
        self._active = False


def _flush(stream: object) -> None:
    flush = getattr(stream, "flush", None)
    if flush is not None:
        with contextlib.suppress(OSError, ValueError):
            flush()
