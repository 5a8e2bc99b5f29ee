"""Play order: which item comes next or before, skipping items that failed. Pure logic.

``previous`` restarts the current track when it has played for more than a few seconds, as most
players do, and steps back otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RESTART_THRESHOLD = 3.0  # seconds


@dataclass(slots=True)
class PlayOrder:
    """A cursor over ``count`` items. ``current`` is ``None`` before the start and after the end."""

    count: int
    current: int | None = None
    failed: set[int] = field(default_factory=set)

    def first(self) -> int | None:
        return self._forward_from(0)

    def after(self, index: int | None) -> int | None:
        """The next playable index after ``index`` (from the start when ``None``)."""
        return self._forward_from(0 if index is None else index + 1)

    def before(self, index: int) -> int | None:
        """The nearest earlier playable index, or ``None``."""
        for candidate in range(index - 1, -1, -1):
            if candidate not in self.failed:
                return candidate
        return None

    def previous_target(self, position: float) -> int | None:
        """Where "previous" goes: the current item (restart) if it has played more than
        ``RESTART_THRESHOLD`` seconds or nothing earlier is playable, else the one before."""
        if self.current is None:
            return None
        if position > RESTART_THRESHOLD:
            return self.current
        earlier = self.before(self.current)
        return self.current if earlier is None else earlier

    def mark_failed(self, index: int) -> None:
        self.failed.add(index)

    def grow(self, count: int) -> None:
        self.count = max(self.count, count)

    def _forward_from(self, start: int) -> int | None:
        for candidate in range(start, self.count):
            if candidate not in self.failed:
                return candidate
        return None
