"""The [mood] section of the settings file: validation and effect on the verdict."""

from __future__ import annotations

import tomllib

import pytest

from calmtune.errors import ConfigError
from calmtune.models import Features, Mood
from calmtune.mood import MoodSettings, classify
from calmtune.mood.evidence import MoodEvidence


def test_settings_from_toml_mood_section() -> None:
    doc = tomllib.loads(
        """
        [mood]
        calm_bpm = [55, 90]
        upbeat_bpm = [115, 150]
        calm_loudness_lufs = -22
        confidence_threshold = 0.6
        genre_weight = 0.5
        """
    )
    s = MoodSettings.from_mapping(doc["mood"], "settings.toml")
    assert s.calm_bpm == (55.0, 90.0)
    assert s.upbeat_bpm == (115.0, 150.0)
    assert s.focus_bpm == MoodSettings().focus_bpm
    assert s.calm_loudness_lufs == -22.0
    assert s.confidence_threshold == 0.6
    assert s.genre_weight == 0.5
    assert MoodSettings.from_mapping({}, "settings.toml") == MoodSettings()


@pytest.mark.parametrize(
    ("mapping", "needles"),
    [
        ({"calm_tempo": [60, 80]}, ["unknown key 'calm_tempo'", "allowed keys", "calm_bpm"]),
        ({"calm_bpm": 70}, ["calm_bpm", "two numbers"]),
        ({"calm_bpm": [80, 60]}, ["calm_bpm", "low < high"]),
        ({"calm_bpm": ["slow", 80]}, ["calm_bpm", "must be a number", '"slow"']),
        ({"calm_bpm": [60, 120]}, ["calm_bpm", "below the bottom of upbeat_bpm"]),
        ({"upbeat_bpm": [110, 400]}, ["upbeat_bpm", "300"]),
        ({"calm_loudness_lufs": -5, "upbeat_loudness_lufs": -10}, ["calm_loudness_lufs", "below"]),
        ({"calm_loudness_lufs": -90}, ["calm_loudness_lufs", "-70"]),
        ({"confidence_threshold": 1.5}, ["confidence_threshold", "between 0 and 1"]),
        ({"confidence_threshold": True}, ["confidence_threshold", "must be a number"]),
        ({"genre_weight": -1}, ["genre_weight", "between 0 and 5"]),
        ({"genre_weight": "high"}, ["genre_weight", "must be a number"]),
    ],
)
def test_settings_bad_values_name_source_key_and_what_is_allowed(mapping, needles) -> None:
    with pytest.raises(ConfigError) as err:
        MoodSettings.from_mapping(mapping, "/home/me/.config/calmtune/settings.toml")
    message = str(err.value)
    assert message.startswith("/home/me/.config/calmtune/settings.toml: ")
    for needle in needles:
        assert needle in message
    assert "\n" not in message


def test_settings_not_a_table() -> None:
    with pytest.raises(ConfigError, match=r"settings.toml: \[mood\] must be a table"):
        MoodSettings.from_mapping([1, 2], "settings.toml")  # type: ignore[arg-type]


def test_settings_calm_band_moves_the_verdict() -> None:
    track = MoodEvidence(features=Features(bpm=88, bpm_confidence=0.4, loudness_lufs=-24,
                                           onset_density=1.2))  # fmt: skip
    default = classify(track)
    wide = classify(track, MoodSettings(calm_bpm=(55, 95), upbeat_bpm=(115, 150)))
    assert wide.calm > default.calm
    assert any("in the calm band (55-95)" in r for r in wide.reasons)


def test_settings_threshold_and_genre_weight() -> None:
    ambient = MoodEvidence(genre="Ambient")
    assert classify(ambient).mood is Mood.CALM
    strict = classify(ambient, MoodSettings(confidence_threshold=0.8))
    assert strict.mood is Mood.UNKNOWN
    assert any("below the threshold 0.80" in r for r in strict.reasons)
    off = classify(ambient, MoodSettings(genre_weight=0))
    assert off.mood is Mood.UNKNOWN
    assert any("genre_weight 0" in r for r in off.reasons)


def test_settings_loudness_thresholds_never_move_the_verdict() -> None:
    """The level is the mastering's and the player's: the knobs only word the reason."""
    track = MoodEvidence(features=Features(loudness_lufs=-16, onset_density=0.8))
    default = classify(track)
    relaxed = classify(track, MoodSettings(calm_loudness_lufs=-15, upbeat_loudness_lufs=-6))
    assert (relaxed.mood, relaxed.calm, relaxed.confidence) == (
        default.mood,
        default.calm,
        default.confidence,
    )
    assert any("-16.0 LUFS is quiet" in r for r in relaxed.reasons)
    assert not any("LUFS" in r for r in default.reasons)
