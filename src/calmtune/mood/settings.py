"""The mood engine's user-adjustable knobs: the ``[mood]`` section of the settings file.

Only the main thresholds are exposed; the finer curves stay in ``tables.py`` so that a settings
file cannot put the engine into a state nobody has tested.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from calmtune.errors import ConfigError
from calmtune.mood import tables

_BANDS = ("calm_bpm", "focus_bpm", "upbeat_bpm")
_LOUDNESS = ("calm_loudness_lufs", "upbeat_loudness_lufs")


@dataclass(frozen=True, slots=True)
class MoodSettings:
    """Tempo bands (BPM, [low, high]), loudness thresholds (LUFS), the confidence threshold below
    which a mood stays ``unknown``, and a multiplier on genre evidence (0 turns genre off)."""

    calm_bpm: tuple[float, float] = tables.CALM_BPM
    focus_bpm: tuple[float, float] = tables.FOCUS_BPM
    upbeat_bpm: tuple[float, float] = tables.UPBEAT_BPM
    calm_loudness_lufs: float = tables.CALM_LOUDNESS_LUFS
    upbeat_loudness_lufs: float = tables.UPBEAT_LOUDNESS_LUFS
    confidence_threshold: float = tables.CONFIDENCE_THRESHOLD
    genre_weight: float = tables.GENRE_WEIGHT

    def __post_init__(self) -> None:
        for key in _BANDS:  # a list from code or TOML would make the settings unhashable
            object.__setattr__(self, key, tuple(getattr(self, key)))
        _check({name: getattr(self, name) for name in _NAMES}, "MoodSettings")

    @classmethod
    def from_mapping(cls, mapping: dict[str, Any], source: str) -> MoodSettings:
        """Build settings from a ``[mood]`` table; ``source`` names the file in error messages.

        Raises ConfigError naming the source, the key and what is allowed.
        """
        if not isinstance(mapping, dict):
            raise ConfigError(f"{source}: [mood] must be a table of settings, got {_show(mapping)}")
        values = {name: getattr(_DEFAULTS, name) for name in _NAMES}
        for key, raw in mapping.items():
            if key not in values:
                raise ConfigError(
                    f"{source}: unknown key '{key}' in [mood]; allowed keys: {', '.join(_NAMES)}"
                )
            values[key] = _band(raw, source, key) if key in _BANDS else _number(raw, source, key)
        _check(values, source)
        return cls(**values)


def _show(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else f'"{value}"'


def _number(raw: Any, source: str, key: str) -> float:
    # TOML booleans are ints in Python; "true" is never a sensible threshold.
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ConfigError(f"{source}: [mood] {key} must be a number, got {_show(raw)}")
    return float(raw)


def _band(raw: Any, source: str, key: str) -> tuple[float, float]:
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise ConfigError(
            f"{source}: [mood] {key} must be two numbers [low, high] in BPM, got {_show(raw)}"
        )
    lo, hi = (_number(v, source, key) for v in raw)
    return (lo, hi)


def _check(v: dict[str, Any], source: str) -> None:
    """Validate ranges and the order between knobs that the curves rely on."""
    lo_lim, hi_lim = tables.BPM_LIMITS
    for key in _BANDS:
        lo, hi = v[key]
        if not (lo_lim <= lo < hi <= hi_lim):
            raise ConfigError(
                f"{source}: [mood] {key} must be [low, high] with "
                f"{lo_lim:g} <= low < high <= {hi_lim:g} BPM, got [{lo:g}, {hi:g}]"
            )
    if v["calm_bpm"][1] >= v["upbeat_bpm"][0]:
        raise ConfigError(
            f"{source}: [mood] the top of calm_bpm ({v['calm_bpm'][1]:g}) must be below the bottom "
            f"of upbeat_bpm ({v['upbeat_bpm'][0]:g})"
        )
    lo_l, hi_l = tables.LOUDNESS_LIMITS
    for key in _LOUDNESS:
        value = v[key]
        if not (lo_l <= value <= hi_l):
            raise ConfigError(
                f"{source}: [mood] {key} must be between {lo_l:g} and {hi_l:g} LUFS, got {value:g}"
            )
    if v["calm_loudness_lufs"] >= v["upbeat_loudness_lufs"]:
        raise ConfigError(
            f"{source}: [mood] calm_loudness_lufs ({v['calm_loudness_lufs']:g}) must be below "
            f"upbeat_loudness_lufs ({v['upbeat_loudness_lufs']:g})"
        )
    if not (0.0 <= v["confidence_threshold"] <= 1.0):
        raise ConfigError(
            f"{source}: [mood] confidence_threshold must be between 0 and 1, "
            f"got {v['confidence_threshold']:g}"
        )
    g_lo, g_hi = tables.GENRE_WEIGHT_LIMITS
    if not (g_lo <= v["genre_weight"] <= g_hi):
        raise ConfigError(
            f"{source}: [mood] genre_weight must be between {g_lo:g} and {g_hi:g}, "
            f"got {v['genre_weight']:g}"
        )


_NAMES = tuple(f.name for f in fields(MoodSettings))
_DEFAULTS = MoodSettings()
