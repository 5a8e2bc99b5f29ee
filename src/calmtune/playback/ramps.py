"""Volume ramps the engine runs itself: fade-in, fade-out, and a wind-down lasting minutes.

pygame's own ``fadeout`` does not block and drops the queued track, and nothing in pygame ramps
over minutes, so calmtune evaluates a ramp on every tick and sets the volume. Pure logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Curve(StrEnum):
    LINEAR = "linear"  # straight in amplitude
    PERCEPTUAL = "perceptual"  # straight in cube-root amplitude, close to how loudness is heard


def to_perceptual(amplitude: float) -> float:
    """Amplitude 0..1 to the 0..1 scale desktop mixers show (cubic, as PulseAudio uses)."""
    return max(0.0, amplitude) ** (1.0 / 3.0)


def from_perceptual(level: float) -> float:
    """The inverse of :func:`to_perceptual`."""
    return min(1.0, max(0.0, level)) ** 3


@dataclass(frozen=True, slots=True)
class Ramp:
    """A move of a gain factor from ``start`` to ``end`` over ``duration`` seconds of play time.

    With the perceptual curve a fade sounds even: a linear-amplitude fade-in seems to jump up at
    once and then hardly change, and a linear fade-out seems to hang and then drop.
    """

    start: float
    end: float
    begins_at: float  # play-clock seconds
    duration: float
    curve: Curve = Curve.PERCEPTUAL

    def progress(self, now: float) -> float:
        """0 before the ramp, 1 once it is done."""
        if self.duration <= 0:
            return 1.0
        return min(1.0, max(0.0, (now - self.begins_at) / self.duration))

    def level(self, now: float) -> float:
        t = self.progress(now)
        if t >= 1.0:
            return self.end
        if self.curve is Curve.LINEAR:
            return self.start + (self.end - self.start) * t
        a, b = to_perceptual(self.start), to_perceptual(self.end)
        return from_perceptual(a + (b - a) * t)

    def done(self, now: float) -> bool:
        return self.progress(now) >= 1.0


def ramp_from(current: float, to: float, now: float, seconds: float) -> Ramp:
    """A ramp starting at the level we are at now, so a new fade never jumps."""
    return Ramp(start=current, end=to, begins_at=now, duration=max(0.0, seconds))


def hold(level: float) -> Ramp:
    """A constant level (a ramp that is already over)."""
    return Ramp(start=level, end=level, begins_at=0.0, duration=0.0)


def volume_to_amplitude(percent: int) -> float:
    """The user's 0-100 volume as an amplitude factor, on the perceptual (cubic) scale."""
    return from_perceptual(min(100, max(0, percent)) / 100.0)


MIXER_STEPS = 128  # SDL_mixer's MIX_MAX_VOLUME: pygame volumes are rounded to 1/128


def mixer_volume(amplitude: float) -> float:
    """The value to hand ``pygame.mixer.music.set_volume``: clamped to 0..1 and rounded to the
    mixer's own step, so the engine can skip calls that would change nothing."""
    clamped = min(1.0, max(0.0, amplitude))
    steps = round(clamped * MIXER_STEPS)
    if steps == 0 and clamped > 0.0:
        steps = 1  # audible until a ramp really reaches zero
    return steps / MIXER_STEPS
