"""The live view of a playing session: a rich ``Live`` redrawn 4 times a second from the loop.

The view is handed to ``Live`` as an object with ``__rich__``, so the screen is built only when it
is drawn. Drawing happens on the session's own thread (``auto_refresh`` off, the loop calls
``refresh``), because the engine is single-threaded and must not be read from rich's timer thread.
Text from tags goes through ``printable`` into ``Text`` objects: never parsed as markup, control
characters shown as escapes.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from calmtune.durations import format_clock
from calmtune.ui.text import printable

if TYPE_CHECKING:
    from calmtune.session.snapshot import NowPlaying, SessionSnapshot

REFRESH_PER_SECOND = 4
BREATH_SECONDS = 10.0  # one breath in and out: 6 a minute, the pace of slow, calming breathing
BAR_WIDTH = 40
KEY_HINT = "space pause · n next · p previous · +/- vol · l like · b ban · f finish · q quit"


class LiveView:
    """A session reporter (see ``calmtune.session.runner.Reporter``) drawing a live screen."""

    def __init__(
        self,
        console: Console,
        *,
        breathe: bool = False,
        refresh_per_second: float = REFRESH_PER_SECOND,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._console = console
        self._breathe = breathe
        self._interval = 1.0 / refresh_per_second
        self._now = now
        self._started = now()
        self._last_draw = -math.inf
        self._source: Callable[[], SessionSnapshot] | None = None
        self._warnings: deque[str] = deque(maxlen=3)
        self._live = Live(
            self,
            console=console,
            auto_refresh=False,
            transient=False,
            redirect_stdout=True,  # a stray print lands above the view instead of through it
            redirect_stderr=True,
        )

    def __enter__(self) -> LiveView:
        self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._live.stop()  # draws the last frame and shows the cursor again

    # -- Reporter ----------------------------------------------------------------------------

    def track_started(self, snapshot: SessionSnapshot) -> None:
        self._last_draw = -math.inf  # show the new title at once

    def track_skipped(self, path: str, reason: str) -> None:
        self._warnings.append(f"skipped {printable(path)}: {printable(reason)}")
        self._last_draw = -math.inf

    def note(self, text: str) -> None:
        self._last_draw = -math.inf

    def refresh(self, snapshot: Callable[[], SessionSnapshot]) -> None:
        self._source = snapshot
        now = self._now()
        if now - self._last_draw >= self._interval:
            self._last_draw = now
            try:
                self._live.refresh()
            except OSError:  # the terminal hung up (SIGHUP); the session ends without a view
                from calmtune.ui.console import release_lost_terminal

                release_lost_terminal()

    # -- drawing -----------------------------------------------------------------------------

    def __rich__(self) -> RenderableType:
        if self._source is None:
            return Text("starting…", style="dim")
        return render(
            self._source(),
            warnings=list(self._warnings),
            breath=self._now() - self._started if self._breathe else None,
        )


def render(
    snap: SessionSnapshot, *, warnings: list[str] | None = None, breath: float | None = None
) -> RenderableType:
    """The screen for one snapshot. ``breath``: seconds since the pacer started, or no pacer."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", justify="right", no_wrap=True, min_width=7)
    grid.add_column(no_wrap=True, overflow="ellipsis")
    now = snap.now
    if now is not None:
        grid.add_row("", _title(now, snap.state))
        if now.artist:
            grid.add_row("by", Text(printable(now.artist)))
        mood = _mood_text(now)
        if mood is not None:
            grid.add_row("mood", mood)
        if now.bpm:
            grid.add_row("tempo", Text(f"{now.bpm:.0f} BPM"))
        grid.add_row("track", _track_bar(snap, now))
    grid.add_row("session", _session_bar(snap))
    grid.add_row("volume", Text(f"{snap.volume}%"))
    if snap.next_up is not None:
        grid.add_row("next", _short_title(snap.next_up))
    if breath is not None:
        grid.add_row("breathe", breathing_bar(breath))
    parts: list[RenderableType] = [grid]
    status = snap.ending or snap.note
    if status:
        parts.append(Text(printable(status), style="italic"))
    for line in (warnings if warnings is not None else list(snap.warnings))[-3:]:
        parts.append(Text(printable(line), style="yellow", overflow="ellipsis", no_wrap=True))
    parts.append(Text(KEY_HINT, style="dim"))
    return Group(*parts)


def _title(now: NowPlaying, state: str) -> Text:
    text = Text(printable(now.title), style="bold")
    if state == "paused":
        text.append("  (paused)", style="yellow")
    elif state == "silence":
        text = Text("silence: rest a moment", style="bold")
    return text


def _mood_text(now: NowPlaying) -> Text | None:
    if now.soundscape:
        return Text("calm: generated soundscape (no music in the library yet)")
    if not now.mood:
        return None
    text = Text(printable(now.mood))
    if now.why:
        text.append(f"  {printable(now.why)}", style="dim")
    return text


def _short_title(now: NowPlaying) -> Text:
    text = Text(printable(now.title))
    if now.artist:
        text.append(f" - {printable(now.artist)}", style="dim")
    return text


def _track_bar(snap: SessionSnapshot, now: NowPlaying) -> RenderableType:
    duration = now.duration
    if not duration or now.soundscape:
        return Text(format_clock(snap.position))
    position = min(snap.position, duration)
    return _bar_with_text(
        duration,
        position,
        f"{format_clock(position)} / {format_clock(duration)}  -{format_clock(duration - position)}",
    )


def _session_bar(snap: SessionSnapshot) -> RenderableType:
    place = ""
    if snap.index is not None and snap.count > 1:
        place = f"  track {snap.index + 1} of {snap.count}"
    if snap.duration is None:
        return Text(f"{format_clock(snap.elapsed)}{place}")
    remaining = snap.remaining or 0.0
    label = f"{format_clock(snap.elapsed)} / {format_clock(snap.duration)}  {format_clock(remaining)} left"
    if snap.wind_down is not None:
        label += f"  winding down {snap.wind_down:.0%}"
    return _bar_with_text(snap.duration, min(snap.elapsed, snap.duration), label + place)


def _bar_with_text(total: float, done: float, label: str) -> RenderableType:
    row = Table.grid(padding=(0, 1))
    row.add_column(width=BAR_WIDTH, no_wrap=True)
    row.add_column(no_wrap=True)
    row.add_row(ProgressBar(total=total, completed=done, width=BAR_WIDTH), Text(label))
    return row


def breathing_bar(seconds: float, width: int = BAR_WIDTH) -> Text:
    """A bar that grows for half a breath ("in") and shrinks for the other half ("out").

    The size follows a raised cosine, so it slows near full and empty as breathing does.
    """
    phase = (seconds % BREATH_SECONDS) / BREATH_SECONDS
    fill = (1 - math.cos(2 * math.pi * phase)) / 2  # 0 -> 1 -> 0 over one breath
    cells = max(1, round(fill * width))
    word = "in " if phase < 0.5 else "out"
    text = Text("█" * cells, style="cyan")
    text.append(" " * (width - cells))
    text.append(f"  {word}")
    return text
