"""The loudness a session aims at, and what the listener hears of each track (pure, stdlib only).

calmtune normalises by attenuation only: a track louder than the session's target is turned down
to it, a quieter one plays as it is (boosting would need a limiter and would lift the noise floor
of quiet recordings). So what is heard is ``min(track loudness, target)``. The planner orders a
calm session by this heard loudness and the player applies the same rule, so the arc the planner
drew is the arc that reaches the ear (docs/music.md, "Loudness").

Targets are quieter for calm and sleep than for upbeat: receptive therapy asks for soft dynamics
when lowering arousal. A recipe or the settings may set their own (``target_lufs``).
"""

from __future__ import annotations

# Integrated loudness (LUFS, ITU-R BS.1770) each kind of session plays at. -18 LUFS is the
# ReplayGain 2.0 reference; calm and sleep sit below it, upbeat above.
TARGET_LUFS = {"calm": -23.0, "sleep": -26.0, "focus": -20.0, "upbeat": -16.0}
DEFAULT_TARGET_LUFS = -20.0
# A track whose loudness is not known is assumed to be as loud as a typical modern master, so it
# is attenuated rather than allowed to jump out of a calm session.
UNKNOWN_LUFS = -14.0
# The range a target may take in recipes and settings.
TARGET_RANGE = (-40.0, -10.0)


def target_for(mood: str | None, override: float | None = None) -> float:
    """The session target in LUFS: an explicit ``override`` (recipe or settings), else by mood."""
    if override is not None:
        return min(TARGET_RANGE[1], max(TARGET_RANGE[0], float(override)))
    return TARGET_LUFS.get(mood or "", DEFAULT_TARGET_LUFS)


def gain_db(track_lufs: float | None, target_lufs: float) -> float:
    """The attenuation (dB, always <= 0) that brings a track down to the target."""
    loudness = UNKNOWN_LUFS if track_lufs is None else track_lufs
    return min(0.0, target_lufs - loudness)


def heard_loudness(track_lufs: float | None, target_lufs: float) -> float:
    """The loudness the listener hears after normalisation: ``min(track, target)``."""
    loudness = UNKNOWN_LUFS if track_lufs is None else track_lufs
    return min(loudness, target_lufs)
