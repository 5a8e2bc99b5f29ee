"""The parts of playback that need no sound: clock, ramps, gain math, play order, formats."""

from __future__ import annotations

import pytest

from calmtune.models import Features, TagInfo, Track
from calmtune.playback.clock import PlaybackClock
from calmtune.playback.formats import format_of, needs_ffmpeg, playable_formats
from calmtune.playback.gain import Normalizer, db_to_amplitude, normalizer_for, session_target
from calmtune.playback.item import PlayItem, track_loudness
from calmtune.playback.order import PlayOrder
from calmtune.playback.ramps import (
    Curve,
    Ramp,
    from_perceptual,
    mixer_volume,
    ramp_from,
    to_perceptual,
    volume_to_amplitude,
)


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# -- clock ------------------------------------------------------------------------------------


def test_clock_counts_playing_time_only() -> None:
    time = FakeTime()
    clock = PlaybackClock(time)
    clock.start()
    time.now += 2.0
    clock.pause()
    time.now += 30.0  # paused: does not count
    assert clock.elapsed() == pytest.approx(2.0)
    clock.resume()
    time.now += 1.5
    assert clock.elapsed() == pytest.approx(3.5)


def test_clock_start_offset_and_repeated_pause_resume() -> None:
    time = FakeTime()
    clock = PlaybackClock(time)
    clock.start(offset=10.0)
    clock.pause()
    clock.pause()  # a second pause changes nothing
    time.now += 5
    clock.resume()
    clock.resume()
    time.now += 1
    assert clock.elapsed() == pytest.approx(11.0)
    clock.reset()
    assert clock.elapsed() == 0.0
    assert not clock.running


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


def test_mixer_volume_rounds_to_sdl_steps_but_keeps_tiny_levels_audible() -> None:
    assert mixer_volume(1.7) == 1.0
    assert mixer_volume(0.5) == 64 / 128
    assert mixer_volume(0.0001) == 1 / 128
    assert mixer_volume(0.0) == 0.0


# -- gain -------------------------------------------------------------------------------------


def test_session_target_is_the_quietest_track_above_the_floor() -> None:
    assert session_target([-10.0, -20.0, None, -14.0]) == -20.0
    assert session_target([-10.0, -55.0], floor_lufs=-30.0) == -30.0
    assert session_target([None, None]) is None
    assert session_target([]) is None


def test_normalizer_only_attenuates() -> None:
    norm = normalizer_for([-10.0, -25.0, -40.0], floor_lufs=-30.0)
    assert norm.target_lufs == -30.0
    assert norm.gain_db(-10.0) == pytest.approx(-20.0)
    assert norm.gain_db(-30.0) == 0.0
    assert norm.gain_db(-40.0) == 0.0  # quieter than the session level: untouched, never boosted
    assert all(norm.gain(x) <= 1.0 for x in (-5.0, -30.0, -60.0, None))


def test_normalizer_treats_unknown_loudness_as_loud() -> None:
    norm = Normalizer(target_lufs=-20.0, unknown_lufs=-14.0)
    assert norm.gain_db(None) == pytest.approx(-6.0)


def test_normalizer_without_any_known_loudness_leaves_all_alone() -> None:
    norm = normalizer_for([None, None])
    assert norm.gain(None) == 1.0
    assert norm.gain(-5.0) == 1.0


def test_normalised_tracks_15_lu_apart_end_at_the_same_level() -> None:
    norm = normalizer_for([-8.0, -23.0])
    out = [lufs + norm.gain_db(lufs) for lufs in (-8.0, -23.0)]
    assert out == [-23.0, -23.0]
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
