"""Signals become flags: a handler only records what arrived, and the session loop acts on it.

Doing the work in the handler (fading, writing the journal, restoring the terminal) would run
arbitrary code in the middle of whatever the loop was doing; the loop checks the flag 20 times a
second, which is quick enough to start a fade-out well inside the 2 s the contract allows.

The handlers are installed before the session takes anything a signal must not leave behind (the
lock, the terminal's mode, the journal entry). While the session waits on a person or on another
session (the check-in prompt, ``--wait``, ``--replace``), nothing can look at a flag, so there a
signal ends the wait at once: the handler raises ``SignalReceived`` (``SignalFlags.raising``).

SIGHUP (the terminal or the ssh connection closed) ends a session as SIGTERM does.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Any

from calmtune.session.lock import REPLACE_SIGNAL

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, REPLACE_SIGNAL)


class SignalReceived(BaseException):
    """A signal ended a wait. A ``BaseException``, as ``KeyboardInterrupt`` is, so that no
    ``except Exception`` on the way (a prompt, a library) swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class SignalFlags:
    """While entered, SIGINT, SIGTERM, SIGHUP and the replace signal are recorded instead of
    acted on."""

    def __init__(self, signals: tuple[int, ...] = HANDLED) -> None:
        self._signals = signals
        self._saved: dict[int, Any] = {}
        self._pending: list[int] = []
        self._raising = False
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
        self.received.append(signum)
        if self._raising:
            self._raising = False  # one raise per wait; later signals are flags again
            raise SignalReceived(signum)
        self._pending.append(signum)

    @contextmanager
    def raising(self) -> Iterator[None]:
        """Within the block, a signal raises ``SignalReceived`` (also one that arrived just
        before it): for blocking waits that cannot check a flag."""
        pending = self.take()
        if pending is not None:
            raise SignalReceived(pending)
        self._raising = True
        try:
            yield
        finally:
            self._raising = False

    def take(self) -> int | None:
        """The oldest signal not yet handled, or ``None``."""
        return self._pending.pop(0) if self._pending else None


class NoSignals:
    """A stand-in that never reports a signal (tests of the loop, embedding)."""

    def take(self) -> int | None:
        return None
