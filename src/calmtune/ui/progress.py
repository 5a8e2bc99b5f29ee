"""Progress bars on stderr: count, rate and ETA. Silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.console import Console


class ProgressSink(Protocol):
    def update(self, description: str, done: int, total: int | None) -> None: ...


def wants_progress(*, json_output: bool, quiet: bool) -> bool:
    """Progress is for people watching a terminal: not with --json/--quiet or a redirected stderr."""
    from calmtune.ui.console import is_terminal

    return not (json_output or quiet) and is_terminal(sys.stderr)


class _NoProgress:
    def update(self, description: str, done: int, total: int | None) -> None:
        pass


class _RichProgress:
    def __init__(self, progress) -> None:
        self._progress = progress
        self._task = progress.add_task("", total=None)

    def update(self, description: str, done: int, total: int | None) -> None:
        self._progress.update(self._task, description=description, completed=done, total=total)


def _rate_column():
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Items per second, from rich's own speed estimate."""

        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")

    return RateColumn()


@contextmanager
def progress_bar(console: Console | None, *, enabled: bool = True) -> Iterator[ProgressSink]:
    """A bar with description, count, rate and ETA on ``console``; a no-op for None or when the
    console is not a terminal. Callers pass None when the bar is off (--json, --quiet, a pipe),
    which also spares them creating a rich console at all."""
    if console is None or not enabled or not console.is_terminal:
        yield _NoProgress()
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _rate_column(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True, refresh_per_second=8) as progress:
        yield _RichProgress(progress)
