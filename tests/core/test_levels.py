"""The shared loudness rule: attenuation only, toward a per-mood target."""

from __future__ import annotations

from calmtune import levels


def test_levels_loud_track_is_brought_down_to_the_target():
    assert levels.gain_db(-9.8, -23.0) == -13.2
    assert levels.heard_loudness(-9.8, -23.0) == -23.0


def test_levels_quiet_track_is_never_boosted():
    assert levels.gain_db(-31.0, -23.0) == 0.0
    assert levels.heard_loudness(-31.0, -23.0) == -31.0


def test_levels_unknown_loudness_is_assumed_loud():
    assert levels.gain_db(None, -23.0) == -23.0 - levels.UNKNOWN_LUFS < 0


def test_levels_calm_and_sleep_targets_are_quieter_than_upbeat():
    assert levels.target_for("sleep") < levels.target_for("calm") < levels.target_for("upbeat")
    assert levels.target_for("nonsense") == levels.DEFAULT_TARGET_LUFS


def test_levels_override_is_clamped_to_the_allowed_range():
    assert levels.target_for("calm", -18.0) == -18.0
    assert levels.target_for("calm", 5.0) == levels.TARGET_RANGE[1]
    assert levels.target_for("calm", -99.0) == levels.TARGET_RANGE[0]
