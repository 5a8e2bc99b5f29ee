"""The parts of playback that need no sound: ramps, play order, formats, loudness of items."""

from __future__ import annotations

import pytest

from calmtune.models import Features, TagInfo, Track
from calmtune.playback.formats import format_of, needs_ffmpeg, playable_formats
from calmtune.playback.item import PlayItem, track_loudness
from calmtune.playback.order import PlayOrder
from calmtune.playback.ramps import (
    Curve,
    Ramp,
    db_to_amplitude,
    from_perceptual,
    ramp_from,
    to_perceptual,
    volume_to_amplitude,
)

# -- ramps ------------------------------------------------------------------------------------


def test_ramp_linear_midpoint_and_ends() -> None:
    ramp = Ramp(start=0.0, end=1.0, begins_at=10.0, duration=4.0, curve=Curve.LINEAR)
    assert ramp.level(5.0) == 0.0  # before it begins
    assert ramp.level(12.0) == pytest.approx(0.5)
    assert ramp.level(20.0) == 1.0
    assert ramp.done(14.0)
    assert not ramp.done(13.9)


def test_ramp_perceptual_fade_is_monotonic_and_spends_time_in_the_quiet_range() -> None:
    ramp = Ramp(start=0.0, end=1.0, begins_at=0.0, duration=10.0)
    levels = [ramp.level(t / 10) for t in range(101)]
    assert levels == sorted(levels)
    assert levels[0] == 0.0
    assert levels[-1] == 1.0
    # Half-way through a perceptual fade-in the amplitude is 1/8 (-18 dB), not 1/2 (-6 dB).
    assert levels[50] == pytest.approx(0.125)


def test_ramp_from_current_level_never_jumps() -> None:
    fade_in = Ramp(start=0.0, end=1.0, begins_at=0.0, duration=4.0)
    now = 1.0
    current = fade_in.level(now)
    fade_out = ramp_from(current, 0.0, now, 2.0)
    assert fade_out.level(now) == pytest.approx(current)
    assert fade_out.level(now + 2.0) == 0.0


def test_ramp_zero_duration_is_immediately_done() -> None:
    ramp = ramp_from(0.3, 0.7, 5.0, 0.0)
    assert ramp.done(5.0)
    assert ramp.level(5.0) == 0.7


def test_perceptual_scale_round_trips() -> None:
    for amplitude in (0.0, 0.001, 0.125, 0.5, 1.0):
        assert from_perceptual(to_perceptual(amplitude)) == pytest.approx(amplitude)


def test_volume_percent_maps_to_cubic_amplitude() -> None:
    assert volume_to_amplitude(100) == 1.0
    assert volume_to_amplitude(0) == 0.0
    assert volume_to_amplitude(50) == pytest.approx(0.125)
    assert volume_to_amplitude(140) == 1.0
    assert volume_to_amplitude(-3) == 0.0


def test_ramp_levels_match_level_sample_by_sample() -> None:
    for curve in Curve:
        ramp = Ramp(start=0.2, end=0.9, begins_at=100, duration=50, curve=curve)
        block = ramp.levels(90, 80)
        assert [round(float(x), 9) for x in block] == [
            round(ramp.level(t), 9) for t in range(90, 170)
        ]
    flat = Ramp(start=0.2, end=0.9, begins_at=100, duration=50)
    assert flat.levels(0, 50) == 0.2 and flat.levels(200, 50) == 0.9  # no array when flat


def test_cosine_crossfade_gains_add_up_to_one() -> None:
    out = Ramp(1.0, 0.0, 0, 1000, Curve.COSINE).levels(0, 1000)
    into = Ramp(0.0, 1.0, 0, 1000, Curve.COSINE).levels(0, 1000)
    assert max(abs(a + b - 1.0) for a, b in zip(out, into, strict=True)) < 1e-12
    assert db_to_amplitude(-20.0) == pytest.approx(0.1)


def test_track_loudness_prefers_measurement_over_replaygain() -> None:
    tags = TagInfo(format="flac", replaygain_track_gain=-4.0)
    measured = Track("a.flac", 1, 1, tags, features=Features(loudness_lufs=-21.5))
    tagged = Track("b.flac", 1, 1, tags)
    bare = Track("c.flac", 1, 1, TagInfo(format="flac"))
    assert track_loudness(measured) == -21.5
    assert track_loudness(tagged) == -14.0  # -18 - (-4)
    assert track_loudness(bare) is None
    item = PlayItem.from_track(tagged)
    assert item.path == "b.flac"
    assert item.loudness_lufs == -14.0


# -- order ------------------------------------------------------------------------------------


def test_order_next_skips_failed_items() -> None:
    order = PlayOrder(5)
    order.mark_failed(1)
    order.mark_failed(2)
    assert order.first() == 0
    assert order.after(0) == 3
    assert order.after(4) is None


def test_order_previous_restarts_after_three_seconds() -> None:
    order = PlayOrder(3, current=2)
    assert order.previous_target(position=3.5) == 2
    assert order.previous_target(position=2.9) == 1


def test_order_previous_at_the_first_track_restarts_it() -> None:
    order = PlayOrder(3, current=0)
    assert order.previous_target(position=0.5) == 0


def test_order_previous_skips_failed_items_backwards() -> None:
    order = PlayOrder(4, current=3)
    order.mark_failed(2)
    assert order.previous_target(position=1.0) == 1
    order.mark_failed(1)
    order.mark_failed(0)
    assert order.previous_target(position=1.0) == 3  # nothing earlier: restart


def test_order_first_when_everything_failed_is_none() -> None:
    order = PlayOrder(2, failed={0, 1})
    assert order.first() is None
    order.grow(3)
    assert order.first() == 2


# -- formats ----------------------------------------------------------------------------------


def test_formats_by_extension() -> None:
    assert format_of("/music/A Song.FLAC") == "flac"
    assert format_of("x.oga") == "ogg"
    assert format_of("x.aif") == "aiff"
    assert format_of("noext") == ""
    assert needs_ffmpeg("x.m4a")
    assert needs_ffmpeg("x.WMA")
    assert not needs_ffmpeg("x.mp3")


def test_playable_formats_depend_on_ffmpeg() -> None:
    without = playable_formats(look_up=False)
    with_ffmpeg = playable_formats("/usr/bin/ffmpeg")
    assert without["mp3"] and without["flac"] and without["opus"]
    assert without["m4a"] is False and without["wma"] is False
    assert with_ffmpeg["m4a"] is True
