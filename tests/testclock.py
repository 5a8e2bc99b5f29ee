"""A clock the test owns: the code under test reads it, and its sleep advances it at once.

Timing in tests is measured on this clock or in the PCM, never in seconds of real waiting
(docs/testing.md). Not a test module; import it with ``from testclock import Clock``.
"""

from __future__ import annotations


class Clock:
    """``clock()`` is the time now; ``clock.sleep(s)`` moves it on by ``s`` without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
