"""The live view of a playing session: a rich ``Live`` redrawn 4 times a second from the loop.

The view is handed to ``Live`` as an object with ``__rich__``, so the screen is built only when it
is drawn. Drawing happens on the session's own thread (``auto_refresh`` off, the loop calls
``refresh``), because the engine is single-threaded and must not be read from rich's timer thread.
Text from tags goes through ``printable`` into ``Text`` objects: never parsed as markup, control
characters shown as escapes.

The screen is laid out for the terminal's width at each draw, down to 40 columns: bars shrink or
go, and what does not fit beside them moves to a line of its own, so times are never cut. When
the terminal changes size (SIGWINCH), lines drawn for the old width may have been re-wrapped by
the terminal, so the next draw clears the screen first: no line of an old frame stays behind.
"""

from __future__ import annotations

import contextlib
import math
import signal
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.control import Control
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
MIN_BAR_WIDTH = 6  # a narrower bar says nothing: drop it
LABEL_WIDTH = 7  # the right-aligned labels ("session"), then one space
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
        self._size = console.size
        self._previous_winch = None
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
        try:  # only the main thread may set handlers; elsewhere the size check alone does it
            self._previous_winch = signal.signal(signal.SIGWINCH, self._resized)
        except (ValueError, AttributeError):
            self._previous_winch = None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._previous_winch is not None:
            signal.signal(signal.SIGWINCH, self._previous_winch)
        with contextlib.suppress(OSError):  # a terminal that is gone needs no clearing
            self._clear_if_resized()
        self._live.stop()  # draws the last frame and shows the cursor again

    def _resized(self, signum: int, frame: object) -> None:
        self._last_draw = -math.inf  # redraw at the next turn of the loop, not in the handler

    def _clear_if_resized(self) -> None:
        """After a change of size, clear the screen and draw from its top: the terminal may have
        re-wrapped the old frame's lines, and rich would then move up too few of them."""
        size = self._console.size
        if size != self._size:
            self._size = size
            self._console.control(Control.clear(), Control.home())

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
                self._clear_if_resized()
                self._live.refresh()
            except OSError:  # the terminal hung up (SIGHUP); the session ends without a view
                from calmtune.ui.console import release_lost_terminal

                release_lost_terminal()

    # -- drawing -----------------------------------------------------------------------------

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self._source is None:
            yield Text("starting…", style="dim")
            return
        yield render(
            self._source(),
            warnings=list(self._warnings),
            breath=self._now() - self._started if self._breathe else None,
            width=options.max_width,
        )


def render(
    snap: SessionSnapshot,
    *,
    warnings: list[str] | None = None,
    breath: float | None = None,
    width: int = 120,
) -> RenderableType:
    """The screen for one snapshot, ``width`` columns wide. ``breath``: seconds since the pacer
    started, or no pacer."""
    room = max(12, width - LABEL_WIDTH - 1)  # the column right of the labels
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", justify="right", no_wrap=True, min_width=LABEL_WIDTH)
    grid.add_column(no_wrap=True, overflow="ellipsis", max_width=room)
    now = snap.now
    if snap.state == "silence":
        # The music has ended: the closing silence is part of the session, not the last track.
        grid.add_row("", Text("silence: rest a moment", style="bold"))
        grid.add_row("", Text("breathe slowly; the session ends by itself", style="dim"))
    elif now is not None:
        grid.add_row("", _title(now, snap.state))
        if now.artist:
            grid.add_row("by", Text(printable(now.artist)))
        mood = _mood_text(now)
        if mood is not None:
            grid.add_row("mood", mood)
        if now.bpm:
            grid.add_row("tempo", Text(f"{now.bpm:.0f} BPM"))
        _add_bar_rows(grid, "track", *_track_parts(snap, now), room)
    _add_bar_rows(grid, "session", *_session_parts(snap), room)
    grid.add_row("volume", Text(f"{snap.volume}%"))
    if snap.next_up is not None and snap.state != "silence":
        grid.add_row("next", _short_title(snap.next_up))
    if breath is not None:
        grid.add_row("breathe", breathing_bar(breath, min(BAR_WIDTH, room - 5)))
    parts: list[RenderableType] = [grid]
    status = snap.ending or snap.note
    if status:
        parts.append(Text(printable(status), style="italic"))
    for line in (warnings if warnings is not None else list(snap.warnings))[-3:]:
        parts.append(Text(printable(line), style="yellow", overflow="ellipsis", no_wrap=True))
    parts.append(Text(KEY_HINT, style="dim"))  # wraps between words on a narrow terminal
    return Group(*parts)


def _title(now: NowPlaying, state: str) -> Text:
    text = Text(printable(now.title), style="bold")
    if state == "paused":
        text.append("  (paused)", style="yellow")
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


# A bar row: (total, done) for the bar, the times that must show whole, and extras that may move
# to a line of their own.
_BarParts = tuple[float | None, float, str, list[str]]


def _track_parts(snap: SessionSnapshot, now: NowPlaying) -> _BarParts:
    duration = now.duration
    if not duration or now.soundscape:
        return None, 0.0, format_clock(snap.position), []
    position = min(snap.position, duration)
    times = f"{format_clock(position)} / {format_clock(duration)}"
    return duration, position, times, [f"-{format_clock(duration - position)}"]


def _session_parts(snap: SessionSnapshot) -> _BarParts:
    extras = []
    if snap.index is not None and snap.count > 1 and snap.state != "silence":
        extras.append(f"track {snap.index + 1} of {snap.count}")
    if snap.duration is None:
        return None, 0.0, format_clock(snap.elapsed), extras
    remaining = snap.remaining or 0.0
    times = f"{format_clock(snap.elapsed)} / {format_clock(snap.duration)}"
    extras.insert(0, f"{format_clock(remaining)} left")
    if snap.wind_down:  # the closing ramp has begun
        extras.insert(1, f"winding down {snap.wind_down:.0%}")
    return snap.duration, min(snap.elapsed, snap.duration), times, extras


def _add_bar_rows(
    grid: Table,
    label: str,
    total: float | None,
    done: float,
    times: str,
    extras: list[str],
    room: int,
) -> None:
    """A bar and its times in ``room`` columns: the times always whole; the extras beside them
    while they fit, else on the next line; the bar in what is left, or not at all."""
    text = times
    spill: list[str] = []
    for extra in extras:
        if not spill and len(text) + 2 + len(extra) <= room - MIN_BAR_WIDTH - 1:
            text += f"  {extra}"
        else:
            spill.append(extra)
    bar_width = min(BAR_WIDTH, room - len(text) - 1)
    if total is None or bar_width < MIN_BAR_WIDTH:
        grid.add_row(label, Text(text))
    else:
        row = Table.grid(padding=(0, 1))
        row.add_column(width=bar_width, no_wrap=True)
        row.add_column(no_wrap=True)
        row.add_row(ProgressBar(total=total, completed=done, width=bar_width), Text(text))
        grid.add_row(label, row)
    if spill:
        grid.add_row("", Text("  ".join(spill), overflow="fold"))


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
