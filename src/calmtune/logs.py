"""The log of unattended runs: cron jobs, timers and pipes append what they did to a rotating file.

Nobody watches those runs, so afterwards the log must say what ran, when, how it ended and why:
one line when the run starts and one when it ends. Interactive runs log nothing (they show it);
neither do queries such as ``tracks`` (see ``cli.app.LOGGED_COMMANDS``).

The file is written here directly, not through the ``logging`` package: two lines a run need no
handlers or records, and importing ``logging`` was 18M of the 358M instructions of an unattended
no-change ``calmtune scan`` of 2,000 files (``benchmarks/bench_scan.py --instructions``,
docs/design.md). The line format is the one ``logging`` would write with ``_FORMAT``.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

LOG_FILE_NAME = "calmtune.log"
MAX_BYTES = 1_000_000  # about ten thousand runs' worth of lines
BACKUP_COUNT = 3  # calmtune.log.1 ... .3: at most 4 MB on disk
LOGGER_NAME = "calmtune"
# "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s" in logging's terms.
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def log_file(state_dir: Path) -> Path:
    return state_dir / LOG_FILE_NAME


class LogFile:
    """Appends one-line records to the log file, moving it aside to ``.1`` (``.1`` to ``.2`` and
    so on, keeping ``BACKUP_COUNT``) before a record would take it to ``MAX_BYTES``: the rule of
    ``logging.handlers.RotatingFileHandler``. A record that cannot be written is dropped: an
    unwritable state folder must not stop the music."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, level: str, name: str, message: str) -> None:
        from calmtune.safetext import printable

        stamp = time.strftime(_TIME_FORMAT, time.localtime())
        # One record, one line: a file name holding a newline, a tab or bytes that are not UTF-8
        # is written with visible escapes (``calmtune.safetext``), never split or dropped, and
        # backslashreplace means a record can never fail to encode.
        line = printable(f"{stamp} {os.getpid()} {level} {name}: {message}") + "\n"
        data = line.encode("utf-8", "backslashreplace")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self._would_fill(len(data)):
                self._rotate()
            with open(self.path, "ab") as stream:
                stream.write(data)
        except OSError:
            pass

    def _would_fill(self, size: int) -> bool:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        import stat

        if not stat.S_ISREG(st.st_mode):
            return False  # never move a FIFO or /dev/null aside
        return st.st_size + size >= MAX_BYTES

    def _rotate(self) -> None:
        name = str(self.path)
        for n in range(BACKUP_COUNT - 1, 0, -1):
            if os.path.exists(f"{name}.{n}"):
                os.replace(f"{name}.{n}", f"{name}.{n + 1}")
        os.replace(name, f"{name}.1")


def start_unattended_log(ctx: click.Context, state_dir: Path) -> None:
    """Log this run's start and, when the command's context closes, its exit code and duration.

    Called from the group callback when stdout is not a terminal.
    """
    log = LogFile(log_file(state_dir))
    name = f"{LOGGER_NAME}.run"
    started = time.monotonic()
    log.write(
        "INFO",
        name,
        f"start: calmtune {shlex.join(sys.argv[1:])} (uid {os.getuid()}, "
        f"XDG_RUNTIME_DIR={os.environ.get('XDG_RUNTIME_DIR', 'unset')})",
    )

    def finish() -> None:
        code, reason = _outcome(sys.exc_info()[1])
        elapsed = time.monotonic() - started
        # A signal is how someone (Ctrl-C, kill, a closed terminal, systemd) ends a run: news,
        # not an error. So is a reader of stdout that went away (141).
        stopped = _signal_name(code)
        if stopped and (not reason or reason.startswith("KeyboardInterrupt")):
            reason = f"stopped by {stopped}"
        level = "INFO" if code == 0 or stopped else "ERROR"
        tail = f": {reason}" if reason else ""
        command = ctx.invoked_subcommand or "-"
        log.write(level, name, f"end {command}: exit {code} after {elapsed:.1f} s{tail}")

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
