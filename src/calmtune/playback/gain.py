"""Loudness normalisation by attenuation only.

pygame's volume can only go down, so louder tracks are attenuated toward a session level set by
the quietest track (docs/music.md, "Loudness"). That keeps the quietest track audible, and no track
comes out louder than the session level, so a calm session never jumps up in loudness.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# One near-silent track must not drag the whole session down to a whisper: the session level
# never goes below this. Tracks quieter than it play unattenuated (we cannot boost them).
DEFAULT_FLOOR_LUFS = -30.0
# A track of unknown loudness is assumed to be as loud as a typical modern master. Guessing high
# errs toward attenuating it, which is the safe side for a calm session.
DEFAULT_UNKNOWN_LUFS = -14.0


@dataclass(frozen=True, slots=True)
class Normalizer:
    """Per-track gains for one session.

    ``target_lufs`` is ``None`` when no track's loudness is known; then nothing is attenuated,
    since there is nothing to compare with.
    """

    target_lufs: float | None
    unknown_lufs: float = DEFAULT_UNKNOWN_LUFS

    def gain_db(self, loudness_lufs: float | None) -> float:
        """Attenuation in dB (always <= 0) for a track of this loudness."""
        if self.target_lufs is None:
            return 0.0
        loudness = self.unknown_lufs if loudness_lufs is None else loudness_lufs
        return min(0.0, self.target_lufs - loudness)

    def gain(self, loudness_lufs: float | None) -> float:
        """The same as an amplitude factor in 0..1."""
        return db_to_amplitude(self.gain_db(loudness_lufs))


def session_target(
    loudnesses: Iterable[float | None], floor_lufs: float = DEFAULT_FLOOR_LUFS
) -> float | None:
    """The session level: the quietest known loudness, but not below ``floor_lufs``."""
    known = [value for value in loudnesses if value is not None]
    if not known:
        return None
    return max(min(known), floor_lufs)


def normalizer_for(
    loudnesses: Iterable[float | None],
    floor_lufs: float = DEFAULT_FLOOR_LUFS,
    unknown_lufs: float = DEFAULT_UNKNOWN_LUFS,
) -> Normalizer:
    return Normalizer(session_target(loudnesses, floor_lufs), unknown_lufs)


def db_to_amplitude(db: float) -> float:
    return 10.0 ** (db / 20.0)
