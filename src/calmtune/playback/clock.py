"""A pausable stopwatch. pygame's ``music.get_pos`` ignores start offsets and freezes while paused,
so the engine keeps its own time. Pure: the time source is injected, which makes it testable."""

from __future__ import annotations

import time
from collections.abc import Callable

TimeSource = Callable[[], float]


class PlaybackClock:
    """Seconds of playing time since ``start``, not counting pauses."""

    def __init__(self, now: TimeSource = time.monotonic) -> None:
        self._now = now
        self._started_at: float | None = None  # monotonic time the current run began
        self._banked = 0.0  # playing time before the current run
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def start(self, offset: float = 0.0) -> None:
        """(Re)start from ``offset`` seconds, running."""
        self._banked = offset
        self._started_at = self._now()
        self._running = True

    def pause(self) -> None:
        if self._running and self._started_at is not None:
            self._banked += self._now() - self._started_at
            self._running = False

    def resume(self) -> None:
        if not self._running:
            self._started_at = self._now()
            self._running = True

    def reset(self) -> None:
        self._banked = 0.0
        self._started_at = None
        self._running = False

    def elapsed(self) -> float:
        if self._running and self._started_at is not None:
            return self._banked + (self._now() - self._started_at)
        return self._banked
