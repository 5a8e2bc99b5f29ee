"""The log of unattended runs: cron jobs, timers and pipes append what they did to a rotating file.

Nobody watches those runs, so afterwards the log must say what ran, when, how it ended and why.
Interactive runs log nothing (they show it), and never import ``logging`` at all; neither do
queries such as ``tracks`` (see ``cli.app.LOGGED_COMMANDS``).

Other modules log with ``logging.getLogger("calmtune.<module>")``: INFO and above reach the file.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

    import click

LOG_FILE_NAME = "calmtune.log"
MAX_BYTES = 1_000_000  # about ten thousand runs' worth of lines
BACKUP_COUNT = 3  # calmtune.log.1 ... .3: at most 4 MB on disk
LOGGER_NAME = "calmtune"
_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


def log_file(state_dir: Path) -> Path:
    return state_dir / LOG_FILE_NAME


def _file_handler(path: Path) -> logging.Handler:
    """The rotating log file, or a handler that drops the records when the file cannot be
    opened: an unwritable state folder must not stop the music."""
    import logging

    from calmtune.safetext import printable

    class OneLineFormatter(logging.Formatter):
        """One record, one line: a file name holding a newline, a tab or bytes that are not
        UTF-8 is written with visible escapes (``calmtune.safetext``), never split or dropped."""

        def format(self, record: logging.LogRecord) -> str:
            return printable(super().format(record))

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = _rotating_file_handler(path)
    except OSError:
        return logging.NullHandler()
    handler.setLevel(logging.INFO)
    handler.setFormatter(OneLineFormatter(_FORMAT, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    return handler


def _rotating_file_handler(path: Path) -> logging.Handler:
    """A log file that moves aside to ``.1`` (``.1`` to ``.2`` and so on, keeping
    ``BACKUP_COUNT``) before a record would take it to ``MAX_BYTES``: the rule of
    ``logging.handlers.RotatingFileHandler``, written out here because importing that module
    (it pulls in socket, pickle and queue) was 29.5M of the 423M instructions of an unattended
    no-change ``calmtune scan`` of 2,000 files (``benchmarks/bench_scan.py --instructions``)."""
    import logging

    class RotatingFile(logging.FileHandler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                if self._would_fill(record):
                    self._rotate()
                super().emit(record)
            except Exception:
                self.handleError(record)

        def _would_fill(self, record: logging.LogRecord) -> bool:
            name = self.baseFilename
            if os.path.exists(name) and not os.path.isfile(name):
                return False  # never move a FIFO or /dev/null aside
            if self.stream is None:
                self.stream = self._open()
            self.stream.seek(0, os.SEEK_END)
            return self.stream.tell() + len(self.format(record) + "\n") >= MAX_BYTES

        def _rotate(self) -> None:
            self.stream.close()
            self.stream = None
            name = self.baseFilename
            for n in range(BACKUP_COUNT - 1, 0, -1):
                if os.path.exists(f"{name}.{n}"):
                    os.replace(f"{name}.{n}", f"{name}.{n + 1}")
            if os.path.exists(name):
                os.replace(name, f"{name}.1")
            self.stream = self._open()

    # backslashreplace: a record can never fail to encode (a "--- Logging error ---").
    return RotatingFile(path, encoding="utf-8", errors="backslashreplace")


def start_unattended_log(ctx: click.Context, state_dir: Path, *, verbose: int = 0) -> None:
    """Log this run's start and, when the command's context closes, its exit code and duration.

    Called from the group callback when stdout is not a terminal. The handler is removed again at
    close, so runs in one process (tests) never write into each other's files.
    """
    import logging

    handler = _file_handler(log_file(state_dir))
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    if verbose:
        handler.setLevel(logging.DEBUG)
    saved = (logger.level, logger.propagate)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False  # the records belong in the file, not on a root handler's stderr
    started = time.monotonic()
    log = logging.getLogger(f"{LOGGER_NAME}.run")
    log.info(
        "start: calmtune %s (uid %d, XDG_RUNTIME_DIR=%s)",
        shlex.join(sys.argv[1:]),
        os.getuid(),
        os.environ.get("XDG_RUNTIME_DIR", "unset"),
    )

    def finish() -> None:
        code, reason = _outcome(sys.exc_info()[1])
        elapsed = time.monotonic() - started
        # A signal is how someone (Ctrl-C, kill, a closed terminal, systemd) ends a run: news,
        # not an error. So is a reader of stdout that went away (141).
        stopped = _signal_name(code)
        if stopped and (not reason or reason.startswith("KeyboardInterrupt")):
            reason = f"stopped by {stopped}"
        level = logging.INFO if code == 0 or stopped else logging.ERROR
        tail = f": {reason}" if reason else ""
        log.log(
            level,
            "end %s: exit %d after %.1f s%s",
            ctx.invoked_subcommand or "-",
            code,
            elapsed,
            tail,
        )
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(saved[0])
        logger.propagate = saved[1]

    ctx.call_on_close(finish)


def _outcome(exc: BaseException | None) -> tuple[int, str]:
    """The exit code and cause of the run being closed.

    The context closes while click's ``Exit`` (raised by the group's error handling) is in flight;
    the error that caused it is that exception's ``__context__``.
    """
    if exc is None:
        return 0, ""
    code: Any = getattr(exc, "exit_code", None)
    if code is None:
        code = getattr(exc, "code", 1)
    if type(exc).__name__ != "Exit":  # e.g. a usage error: it is its own cause
        return (code if isinstance(code, int) else 1), _describe(exc)
    # An Exit raised while handling an error carries that error as its context; a bare Exit
    # (e.g. doctor's "problems found") has no message of its own.
    cause = exc.__context__
    reason = _describe(cause) if cause is not None else ""
    return (code if isinstance(code, int) else 1), reason


def _signal_name(code: int) -> str | None:
    """``"SIGINT"`` for exit code 130 and so on (the shell's 128 + N); ``None`` for other codes."""
    if 128 < code < 128 + 65:
        import signal  # only here: its enums cost every run that ends normally 3M instructions

        try:
            return signal.Signals(code - 128).name
        except ValueError:
            return None
    return None


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
