"""Signals become flags: a handler only records what arrived, and the session loop acts on it.

Doing the work in the handler (fading, writing the journal, restoring the terminal) would run
arbitrary code in the middle of whatever the loop was doing; the loop checks the flag 20 times a
second, which is quick enough to start a fade-out well inside the 2 s the contract allows.
"""

from __future__ import annotations

import signal
from types import FrameType, TracebackType
from typing import Any

from calmtune.session.lock import REPLACE_SIGNAL

HANDLED = (signal.SIGINT, signal.SIGTERM, REPLACE_SIGNAL)


class SignalFlags:
    """While entered, SIGINT, SIGTERM and the replace signal are recorded instead of acted on."""

    def __init__(self, signals: tuple[int, ...] = HANDLED) -> None:
        self._signals = signals
        self._saved: dict[int, Any] = {}
        self._pending: list[int] = []
        self.received: list[int] = []

    def __enter__(self) -> SignalFlags:
        for signum in self._signals:
            self._saved[signum] = signal.signal(signum, self._record)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for signum, previous in self._saved.items():
            signal.signal(signum, previous)
        self._saved.clear()

    def _record(self, signum: int, frame: FrameType | None) -> None:
        self._pending.append(signum)
        self.received.append(signum)

    def take(self) -> int | None:
        """The oldest signal not yet handled, or ``None``."""
        return self._pending.pop(0) if self._pending else None


class NoSignals:
    """A stand-in that never reports a signal (tests of the loop, embedding)."""

    def take(self) -> int | None:
        return None
