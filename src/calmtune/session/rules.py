"""The session rules as numbers: how long, how it fades in, winds down, fades out, and the silence.

Pure logic. ``SessionTiming`` is what the loop follows; ``session_timing`` chooses each value in
one order everywhere: the command-line option, then the user's settings, then the recipe, then a
built-in default. Values that cannot fit the session (a 20 s fade in a 6 s session) are shortened
instead of refused, so a short trial session still starts and ends gently (docs/music.md,
"Receptive music therapy", rule 7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from calmtune import levels
from calmtune.durations import parse_duration
from calmtune.errors import ConfigError
from calmtune.playlists.recipe import Recipe

DEFAULT_FADE_IN = 2.0  # ``play`` without a recipe
DEFAULT_FADE_OUT = 5.0
SILENCE_SHARE = 0.1  # the closing silence takes at most this share of a session
FADE_SHARE = 0.5  # a fade takes at most half of the music


@dataclass(frozen=True, slots=True)
class SessionTiming:
    """Seconds. ``duration`` includes the closing silence; ``None`` plays until the list ends."""

    duration: float | None
    fade_in: float = DEFAULT_FADE_IN
    fade_out: float = DEFAULT_FADE_OUT
    wind_down: float = 0.0  # the slow ramp to silence before the end (0: a fade-out instead)
    silence: float = 0.0  # silence after the music, inside ``duration``

    @property
    def music_end(self) -> float | None:
        """When the music must have faded away, in session seconds."""
        if self.duration is None:
            return None
        return self.duration - self.silence

    @property
    def closing(self) -> float:
        """How long the closing ramp lasts: the wind-down when there is one, else the fade-out."""
        return self.wind_down if self.wind_down > 0 else self.fade_out

    @property
    def closing_starts(self) -> float | None:
        """A wind-down takes the session's last ``wind_down`` seconds (ramp, then the closing
        silence); a fade-out ends where the closing silence begins."""
        end = self.music_end
        if end is None or self.duration is None:
            return None
        if self.wind_down > 0:
            return min(end, max(0.0, self.duration - self.wind_down))
        return max(0.0, end - self.fade_out)


def fit_timing(
    duration: float | None,
    *,
    fade_in: float,
    fade_out: float,
    wind_down: float = 0.0,
    end_silence: float = 0.0,
) -> SessionTiming:
    """Clamp the asked values so they fit inside ``duration``."""
    if duration is None:
        return SessionTiming(None, fade_in=max(0.0, fade_in), fade_out=max(0.0, fade_out))
    duration = max(0.0, duration)
    silence = min(max(0.0, end_silence), duration * SILENCE_SHARE)
    music = duration - silence
    return SessionTiming(
        duration=duration,
        fade_in=min(max(0.0, fade_in), music * FADE_SHARE),
        fade_out=min(max(0.0, fade_out), music * FADE_SHARE),
        wind_down=min(max(0.0, wind_down), duration),
        silence=silence,
    )


def first_set(*values: Any) -> Any:
    """The first value that is not ``None`` (option, then settings, then recipe, then default)."""
    return next((v for v in values if v is not None), None)


def settings_duration(section: Mapping[str, Any], key: str, where: str) -> float | None:
    """A duration setting such as ``[session] wind_down = "5m"``, in seconds."""
    value = section.get(key)
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as err:
        raise ConfigError(f"settings: '{where}.{key}' = {value!r}: {err}") from None


def session_timing(
    *,
    recipe: Recipe | None,
    playback: Mapping[str, Any],
    session: Mapping[str, Any],
    duration: float | None = None,
    fade_in: float | None = None,
    fade_out: float | None = None,
    wind_down: float | None = None,
) -> SessionTiming:
    """The timing for a session: options win over settings, settings over the recipe."""
    return fit_timing(
        first_set(duration, recipe.duration if recipe else None),
        fade_in=first_set(
            fade_in, playback.get("fade_in"), recipe.fade_in if recipe else None, DEFAULT_FADE_IN
        ),
        fade_out=first_set(
            fade_out,
            playback.get("fade_out"),
            recipe.fade_out if recipe else None,
            DEFAULT_FADE_OUT,
        ),
        wind_down=first_set(
            wind_down,
            settings_duration(session, "wind_down", "session"),
            recipe.wind_down if recipe else None,
            0.0,
        ),
        end_silence=recipe.end_silence if recipe else 0.0,
    )


def session_target_lufs(recipe: Recipe | None, playback: Mapping[str, Any]) -> float:
    """The loudness the session plays at: ``[playback] target_lufs``, else the recipe's, else
    the mood's default (``calmtune.levels``: calm and sleep quieter than upbeat)."""
    override = first_set(_number(playback, "target_lufs"), recipe.target_lufs if recipe else None)
    return levels.target_for(recipe.mood if recipe else None, override)


def session_crossfade(recipe: Recipe | None, playback: Mapping[str, Any]) -> float:
    """Seconds tracks overlap: ``[playback] crossfade``, else the recipe's; plain ``play`` of
    files keeps them end to end unless the settings say otherwise."""
    value = first_set(_number(playback, "crossfade"), recipe.crossfade if recipe else None, 0.0)
    return min(30.0, max(0.0, float(value)))


def _number(section: Mapping[str, Any], key: str) -> float | None:
    value = section.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"settings: 'playback.{key}' = {value!r}: must be a number")
    return float(value)
