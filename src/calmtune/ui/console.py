"""The two rich consoles: data and tables to stdout, progress and messages to stderr.

rich honours ``NO_COLOR`` and turns colour and live displays off when the stream is not a terminal.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def make_console(*, stderr: bool = False, quiet: bool = False) -> Console:
    from rich.console import Console

    # stderr=True (not file=sys.stderr): rich then looks sys.stderr up on every write, so the
    # console follows the playback engine when it re-points Python's stderr at the terminal.
    return Console(
        stderr=stderr,
        highlight=False,  # never colour numbers or paths inside track titles
        emoji=False,  # ":zzz:" in a title stays literal
        quiet=quiet,
    )


def is_terminal(stream=None) -> bool:
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
