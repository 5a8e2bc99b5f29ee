"""The engine with the real pygame mixer on SDL's dummy driver: commands, events, volume.

Position-dependent behaviour (previous restarts after 3 s, pause freezes the clock) runs on an
injected clock, so no test waits for seconds to pass.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pygame.mixer
import pytest
from audio_fixtures import write_m4a, write_tone

from calmtune.playback import (
    TICK_SECONDS,
    EndReason,
    Engine,
    EventKind,
    FinishReason,
    PlayerState,
    PlayItem,
)


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def tones(tmp_path: Path) -> list[PlayItem]:
    return [
        PlayItem(str(write_tone(tmp_path / f"t{i}.wav", 2.0, freq=300 + 100 * i, pad=0.0)))
        for i in range(3)
    ]


def _summary(events) -> list[tuple]:
    return [(e.kind, e.index) for e in events]


def _run_until_finished(engine: Engine, limit: float = 10.0) -> list:
    events = []
    deadline = time.monotonic() + limit
    while engine.state is not PlayerState.FINISHED and time.monotonic() < deadline:
        events += engine.tick()
        time.sleep(TICK_SECONDS / 2)
    return events + engine.tick()


def test_engine_next_and_previous_follow_the_play_order(tones: list[PlayItem]) -> None:
    clock = FakeTime()
    with Engine(tones, now=clock) as engine:
        engine.play()
        assert _summary(engine.tick()) == [(EventKind.TRACK_STARTED, 0)]
        engine.next()
        events = engine.tick()
        assert _summary(events) == [(EventKind.TRACK_ENDED, 0), (EventKind.TRACK_STARTED, 1)]
        assert events[0].ended is EndReason.SKIPPED
        clock.now += 1.0
        engine.previous()  # 1 s in: go back
        assert _summary(engine.tick())[-1] == (EventKind.TRACK_STARTED, 0)
        clock.now += 4.0
        engine.previous()  # 4 s in: restart the same track
        assert _summary(engine.tick()) == [(EventKind.TRACK_ENDED, 0), (EventKind.TRACK_STARTED, 0)]
        assert engine.position == 0.0
        engine.next()
        engine.next()
        assert engine.status().index == 2
        assert engine.status().next_item is None
        engine.next()  # past the last
        events = engine.tick()
        assert events[-1].kind is EventKind.FINISHED
        assert events[-1].finished is FinishReason.END_OF_LIST
        assert engine.state is PlayerState.FINISHED


def test_engine_pause_freezes_the_position_and_resume_goes_on(tones: list[PlayItem]) -> None:
    clock = FakeTime()
    with Engine(tones, now=clock) as engine:
        engine.play()
        clock.now += 1.0
        engine.pause()
        assert engine.state is PlayerState.PAUSED
        assert not pygame.mixer.music.get_busy()  # the mixer really paused
        clock.now += 60.0
        assert engine.position == pytest.approx(1.0)
        engine.resume()
        # Resuming fades in briefly instead of starting at full level with a click.
        assert pygame.mixer.music.get_volume() == 0.0
        clock.now += 0.5
        assert engine.position == pytest.approx(1.5)
        kinds = [e.kind for e in engine.tick()]
        assert kinds == [EventKind.TRACK_STARTED, EventKind.PAUSED, EventKind.RESUMED]
        assert pygame.mixer.music.get_volume() == 1.0  # the 0.3 s resume fade is over


def test_engine_volume_changes_reach_the_mixer(tones: list[PlayItem]) -> None:
    with Engine(tones, volume=100) as engine:
        engine.play()
        engine.volume_up()  # already at 100: no change, no event
        engine.set_volume(50)
        assert pygame.mixer.music.get_volume() == pytest.approx(16 / 128)  # 0.5 cubed
        engine.volume_down(10)
        engine.set_volume(-20)
        events = [e for e in engine.tick() if e.kind is EventKind.VOLUME_CHANGED]
        assert [e.volume for e in events] == [50, 40, 0]
        assert pygame.mixer.music.get_volume() == 0.0


def test_engine_reapplies_the_track_gain_after_every_load(tmp_path: Path) -> None:
    loud = PlayItem(str(write_tone(tmp_path / "l.wav", 1.0)), loudness_lufs=-10.0)
    quiet = PlayItem(str(write_tone(tmp_path / "q.wav", 1.0)), loudness_lufs=-22.0)
    with Engine([quiet, loud, quiet]) as engine:
        engine.play()
        assert pygame.mixer.music.get_volume() == 1.0  # the quietest sets the level
        engine.next()
        assert pygame.mixer.music.get_volume() == pytest.approx(0.25, abs=1 / 128)  # -12 dB
        assert engine.status().output_level == pygame.mixer.music.get_volume()
        engine.next()
        assert pygame.mixer.music.get_volume() == 1.0


def test_engine_finish_after_current_stops_at_the_end_of_the_track(tmp_path: Path) -> None:
    short = [PlayItem(str(write_tone(tmp_path / f"s{i}.wav", 0.3, pad=0.0))) for i in range(2)]
    with Engine(short) as engine:
        engine.play()
        engine.finish_after_current()
        assert engine.status().finish_after_current
        events = _run_until_finished(engine)
    assert _summary(events) == [
        (EventKind.TRACK_STARTED, 0),
        (EventKind.TRACK_ENDED, 0),
        (EventKind.FINISHED, 0),
    ]
    assert events[1].ended is EndReason.COMPLETED
    assert events[-1].finished is FinishReason.FINISH_AFTER_CURRENT


def test_engine_with_nothing_playable_finishes_at_once(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ogg"
    junk.write_bytes(b"not audio at all" * 100)
    items = [PlayItem(str(tmp_path / "gone.mp3")), PlayItem(str(junk))]
    with Engine(items, ffmpeg=None) as engine:
        engine.play()
        events = engine.tick()
    assert _summary(events) == [
        (EventKind.TRACK_FAILED, 0),
        (EventKind.TRACK_FAILED, 1),
        (EventKind.FINISHED, None),
    ]
    assert events[0].reason == "file not found"
    assert events[1].reason.startswith("cannot decode it")
    assert events[-1].finished is FinishReason.NOTHING_PLAYABLE


def test_engine_previous_steps_over_a_failed_track(tones: list[PlayItem], tmp_path: Path) -> None:
    items = [tones[0], PlayItem(str(tmp_path / "gone.wav")), tones[1]]
    with Engine(items, now=FakeTime()) as engine:
        engine.play()
        engine.next()  # 1 fails, 2 starts
        engine.previous()
        events = engine.tick()
    assert _summary(events)[-1] == (EventKind.TRACK_STARTED, 0)
    assert [e.index for e in events if e.kind is EventKind.TRACK_FAILED] == [1]


def test_engine_stop_while_paused_is_immediate(tones: list[PlayItem]) -> None:
    with Engine(tones) as engine:
        engine.play()
        engine.pause()
        engine.stop(fade=5.0)
        events = engine.tick()
        assert engine.state is PlayerState.FINISHED
    assert events[-2].ended is EndReason.STOPPED
    assert events[-1].finished is FinishReason.STOPPED


def test_engine_stop_with_fade_finishes_after_the_fade(tones: list[PlayItem]) -> None:
    clock = FakeTime()
    with Engine(tones, now=clock) as engine:
        engine.play()
        engine.stop(fade=2.0)
        assert engine.state is PlayerState.STOPPING
        clock.now += 1.0
        engine.tick()
        assert 0.0 < engine.status().output_level < 1.0
        assert pygame.mixer.music.get_busy()  # still audible while fading
        clock.now += 1.5
        events = engine.tick()
        assert engine.state is PlayerState.FINISHED
        assert events[-1].finished is FinishReason.STOPPED


def test_engine_wind_down_can_stop_at_its_end(tones: list[PlayItem]) -> None:
    clock = FakeTime()
    with Engine(tones, now=clock) as engine:
        engine.play()
        engine.wind_down(120.0, to_level=0.0, stop_at_end=True)
        clock.now += 60.0
        engine.tick()
        halfway = engine.status()
        assert halfway.state is PlayerState.PLAYING
        assert halfway.wind_down_progress == pytest.approx(0.5)
        assert 0.0 < halfway.output_level < 0.5
        clock.now += 60.0
        events = engine.tick()
        assert events[-1].finished is FinishReason.STOPPED


def test_engine_repeating_item_keeps_playing(tmp_path: Path) -> None:
    loop = PlayItem(str(write_tone(tmp_path / "loop.wav", 0.2, pad=0.0)), duration=0.2, repeat=True)
    with Engine([loop]) as engine:
        engine.play()
        deadline = time.monotonic() + 0.8
        events = []
        while time.monotonic() < deadline:
            events += engine.tick()
            time.sleep(TICK_SECONDS)
        assert engine.state is PlayerState.PLAYING
        assert 0.0 <= engine.position < 0.2
    assert [e.kind for e in events] == [EventKind.TRACK_STARTED]


def test_engine_plays_odd_file_names(tmp_path: Path) -> None:
    names = [os.fsdecode(b"caf\xe9 latin-1.wav"), "[bold]ünï[red] \x1b[31m.wav"]
    items = [PlayItem(str(write_tone(tmp_path / name, 0.5))) for name in names]
    with Engine(items) as engine:
        engine.play()
        engine.next()
        events = engine.tick()
    assert [e.kind for e in events if e.kind is EventKind.TRACK_FAILED] == []
    assert _summary(events)[-2:] == [(EventKind.TRACK_ENDED, 0), (EventKind.TRACK_STARTED, 1)]


def test_engine_commands_before_play_and_after_finish_do_nothing(tones: list[PlayItem]) -> None:
    with Engine(tones) as engine:
        engine.next()
        engine.pause()
        engine.previous()
        assert engine.state is PlayerState.IDLE
        assert engine.tick() == []
        engine.stop()
        assert engine.state is PlayerState.FINISHED
        engine.play()
        engine.next()
        assert [e.kind for e in engine.tick()] == [EventKind.FINISHED]


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_engine_ffmpeg_decodes_to_a_temp_wav_and_cleans_up(tmp_path: Path) -> None:
    broken = tmp_path / "broken.m4a"
    broken.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(500))
    items = [
        PlayItem(str(write_m4a(tmp_path / "a.m4a", 1.0))),
        PlayItem(str(broken)),
        PlayItem(str(write_m4a(tmp_path / "b.m4a", 1.0))),
    ]
    work = tmp_path / "work"
    with Engine(items, work_dir=work) as engine:
        engine.play()
        assert len(list(work.glob("*.wav"))) >= 1  # the current one (and the next, prefetched)
        engine.next()
        events = engine.tick()
        assert _summary(events)[-1] == (EventKind.TRACK_STARTED, 2)
        failed = [e for e in events if e.kind is EventKind.TRACK_FAILED]
        assert [e.index for e in failed] == [1]
        assert failed[0].reason.startswith("ffmpeg could not decode it")
    assert list(work.iterdir()) == []
