"""The two rich consoles: data and tables to stdout, progress and messages to stderr.

rich honours ``NO_COLOR`` and turns colour and live displays off when the stream is not a terminal.
There, a line is as long as its content (rich would wrap at 80 columns) and ends without the
spaces rich pads table cells with, so ``grep``, ``cut`` and ``diff`` see clean lines.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

# Width of a console writing to a pipe or a file: wide enough that no row of a table is wrapped
# (a path is at most 4096 bytes), so the text is laid out as if the window were endless.
PIPE_WIDTH = 10_000
# The narrowest layout calmtune draws on a terminal (the live view's minimum too).
MIN_TERMINAL_WIDTH = 40


def make_console(*, stderr: bool = False, quiet: bool = False) -> Console:
    from rich.console import Console

    piped = not is_terminal(sys.stderr if stderr else sys.stdout)
    console = Console(
        # On a terminal, stderr=True (not file=sys.stderr): rich then looks sys.stderr up on every
        # write, so the console follows the player when it re-points Python's stderr at the
        # terminal. In a pipe, the stream that strips trailing spaces does the same lookup.
        file=_UnpaddedLines(stderr) if piped else None,
        stderr=stderr,
        width=PIPE_WIDTH if piped else None,
        highlight=False,  # never colour numbers or paths inside track titles
        markup=False,  # "[bold]" in a string is text: calmtune styles with Text, never markup
        emoji=False,  # ":zzz:" in a title stays literal
        quiet=quiet,
    )
    if not piped and console.width < MIN_TERMINAL_WIDTH:
        # COLUMNS=0 or a sliver of a window: rich would squeeze every cell to nothing and print
        # blank lines. Lay out for the narrowest width the live view supports and let the terminal
        # wrap instead, so nothing is lost.
        console.width = MIN_TERMINAL_WIDTH
    return console


def is_terminal(stream=None) -> bool:
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def release_lost_terminal() -> None:
    """The terminal is gone (SIGHUP: its window or ssh connection closed) and writing to it fails
    with EIO. Point stdout and stderr at /dev/null, so that the rest of the shutdown (the journal
    is saved already) and Python's last flush at exit run quietly, and the exit code stays 129."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            os.dup2(devnull, fd)
    finally:
        os.close(devnull)


class _UnpaddedLines:
    """A text stream for rich in a pipe: writes to the current ``sys.stdout``/``sys.stderr``,
    each line without its trailing spaces (table padding)."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._pending = ""

    @property
    def _target(self) -> TextIO:
        return sys.stderr if self._stderr else sys.stdout

    @property
    def encoding(self) -> str:
        return getattr(self._target, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._target.fileno()

    def write(self, text: str) -> int:
        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        if lines:
            self._target.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self._pending:  # a line left open on purpose (print(..., end="")): as it is
            self._target.write(self._pending)
            self._pending = ""
        self._target.flush()
