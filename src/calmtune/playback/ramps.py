"""Gain ramps over the output stream: fades, crossfades, the pause ramp and a wind-down lasting
minutes. Pure logic; positions are in whatever unit the caller uses (the player uses frames of the
output stream, so a ramp lands on exact samples whatever the machine's timing).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class Curve(StrEnum):
    LINEAR = "linear"  # straight in amplitude
    PERCEPTUAL = "perceptual"  # straight in cube-root amplitude, close to how loudness is heard
    COSINE = "cosine"  # a raised cosine: smooth at both ends (crossfades: in + out = 1)


def to_perceptual(amplitude: float) -> float:
    """Amplitude 0..1 to the 0..1 scale desktop mixers show (cubic, as PulseAudio uses)."""
    return max(0.0, amplitude) ** (1.0 / 3.0)


def from_perceptual(level: float) -> float:
    """The inverse of :func:`to_perceptual`."""
    return min(1.0, max(0.0, level)) ** 3


@dataclass(frozen=True, slots=True)
class Ramp:
    """A move of a gain factor from ``start`` to ``end`` over ``duration``, from ``begins_at``.

    With the perceptual curve a fade sounds even: a linear-amplitude fade-in seems to jump up at
    once and then hardly change, and a linear fade-out seems to hang and then drop.
    """

    start: float
    end: float
    begins_at: float
    duration: float
    curve: Curve = Curve.PERCEPTUAL

    @property
    def ends_at(self) -> float:
        return self.begins_at + max(0.0, self.duration)

    def progress(self, now: float) -> float:
        """0 before the ramp, 1 once it is done."""
        if self.duration <= 0:
            return 1.0
        return min(1.0, max(0.0, (now - self.begins_at) / self.duration))

    def level(self, now: float) -> float:
        t = self.progress(now)
        if t >= 1.0:
            return self.end
        return float(self._shape(t))

    def levels(self, first: int, count: int) -> np.ndarray | float:
        """The level at each of ``count`` positions from ``first``; a plain float when the ramp
        is flat over them (the common case: most blocks need no per-sample arithmetic)."""
        import numpy as np

        last = first + count
        if self.duration <= 0 or last <= self.begins_at or first >= self.ends_at:
            return self.start if last <= self.begins_at and self.duration > 0 else self.end
        t = (np.arange(first, last, dtype=np.float64) - self.begins_at) / self.duration
        np.clip(t, 0.0, 1.0, out=t)
        return self._shape(t)

    def _shape(self, t):  # type: ignore[no-untyped-def]
        if self.curve is Curve.LINEAR:
            return self.start + (self.end - self.start) * t
        if self.curve is Curve.COSINE:
            import numpy as np

            w = 0.5 - 0.5 * np.cos(np.pi * t)
            return self.start + (self.end - self.start) * w
        a, b = to_perceptual(self.start), to_perceptual(self.end)
        return (a + (b - a) * t) ** 3

    def done(self, now: float) -> bool:
        return self.progress(now) >= 1.0


def ramp_from(
    current: float, to: float, now: float, length: float, curve: Curve = Curve.PERCEPTUAL
) -> Ramp:
    """A ramp starting at the level we are at now, so a new fade never jumps."""
    return Ramp(start=current, end=to, begins_at=now, duration=max(0.0, length), curve=curve)


def hold(level: float) -> Ramp:
    """A constant level (a ramp that is already over)."""
    return Ramp(start=level, end=level, begins_at=0.0, duration=0.0)


def volume_to_amplitude(percent: int) -> float:
    """The user's 0-100 volume as an amplitude factor, on the perceptual (cubic) scale."""
    return from_perceptual(min(100, max(0, percent)) / 100.0)


def db_to_amplitude(db: float) -> float:
    return 10.0 ** (db / 20.0)
