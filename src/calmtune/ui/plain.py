"""One plain line per track, for pipes, cron and ``--no-ui``: no colours, no cursor moves, no keys.

Track lines go to stdout (a log of what played); warnings to stderr. Text from tags is escaped,
so a title holding escape codes cannot take over a terminal that shows the log later.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from calmtune.ui.text import printable

if TYPE_CHECKING:
    from calmtune.session.snapshot import SessionSnapshot


class PlainLines:
    """A session reporter (``calmtune.session.runner.Reporter``) writing plain lines."""

    def __init__(self, *, quiet: bool = False) -> None:
        self._quiet = quiet

    def track_started(self, snapshot: SessionSnapshot) -> None:
        if self._quiet or snapshot.now is None:
            return
        _write(sys.stdout, track_line(snapshot))

    def track_skipped(self, path: str, reason: str) -> None:
        _write(sys.stderr, f"calmtune: warning: skipped {printable(path)}: {printable(reason)}")

    def note(self, text: str) -> None:
        if not self._quiet:
            _write(sys.stderr, f"calmtune: {printable(text)}")

    def refresh(self, snapshot: Callable[[], SessionSnapshot]) -> None:
        pass


def track_line(snapshot: SessionSnapshot) -> str:
    """``21:04:05  Title - Artist  (calm)``: start time, title, artist, mood."""
    now = snapshot.now
    assert now is not None
    parts = [time.strftime("%H:%M:%S"), " ", printable(now.title)]
    if now.artist:
        parts.append(f" - {printable(now.artist)}")
    if now.mood:
        parts.append(f"  ({printable(now.mood)})")
    return "".join(parts)


def _write(stream, line: str) -> None:
    # Looked up at call time: while the player runs, sys.stderr is a stream on the real terminal.
    try:
        stream.write(line + "\n")
        stream.flush()
    except OSError:  # the terminal hung up; the session still ends and saves as it should
        from calmtune.ui.console import release_lost_terminal

        release_lost_terminal()
