"""The player on its null output: play order, events and the exact PCM it renders, on a clock
the test owns (no device, no waiting, positions exact on any machine).

Must-show figures from issue 13 are here: two tracks 15 LU apart come out within 1 dB; a
crossfade has no gap and its summed peak never passes full scale; pause and resume ramp over
at least 100 ms with no step; the session's clock, not the tracks, places the closing ramp and
the end.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio_fixtures import RATE, write_tone

from audiofiles import write_level
from calmtune.analysis.loudness import integrated_loudness
from calmtune.models import TagInfo, Track
from calmtune.playback import (
    Ending,
    EndReason,
    EventKind,
    FinishReason,
    PlayerState,
    PlayItem,
    null_player,
)
from testclock import Clock

LOUD, QUIET = 0.5, 0.5 * 10 ** (-15 / 20)  # 15 dB apart


def run(player, clock: Clock, *, seconds: float = 60.0, actions=None, step: float = 0.05):
    """Tick until finished (or ``seconds`` of clock), doing ``actions`` {time: callable}."""
    actions = dict(actions or {})
    events = []
    while player.state is not PlayerState.FINISHED and clock.now < seconds:
        for at in sorted(a for a in actions if a <= clock.now):
            actions.pop(at)(player)
        events += player.tick()
        clock.now += step
    return events + player.tick()


def kinds(events) -> list[tuple]:
    return [(e.kind.value, e.index) for e in events]


def write_dc(path: Path, seconds: float, level: float = 0.5) -> Path:
    """A constant signal at half scale unless told: the gain envelope shows sample by sample."""
    return write_level(path, seconds, level, RATE)


def album_track(path: Path, number: int) -> PlayItem:
    tags = TagInfo(format="wav", album="Night Pieces", albumartist="A", tracknumber=number)
    return PlayItem(str(path), track=Track(str(path), 1, 1, tags))


def test_player_tracks_15_lu_apart_come_out_within_1_db(tmp_path: Path) -> None:
    loud = write_tone(tmp_path / "loud.wav", 4.0, peak=LOUD, pad=0.0)
    quiet = write_tone(tmp_path / "quiet.wav", 4.0, peak=QUIET, freq=700, pad=0.0)
    clock = Clock()
    # Loudness unknown to the index: the player measures it on load (the bounded pre-scan).
    with null_player(
        [PlayItem(str(loud)), PlayItem(str(quiet))],
        now=clock,
        record=True,
        target_lufs=-23.0,
        crossfade=0.0,
        end_fade=0.0,
        meter=integrated_loudness,
    ) as player:
        player.play()
        run(player, clock)
        pcm = player.output.pcm()
    first, second = pcm[: 4 * RATE], pcm[4 * RATE :]
    heard = [integrated_loudness(part, RATE) for part in (first, second)]
    assert abs(heard[0] - heard[1]) < 1.0
    assert abs(heard[0] - (-23.0)) < 0.5  # the loud one is brought down to the target
    # Never toward the quieter track: the quiet one (-21.5 LUFS) is above the target too.
    assert abs(heard[1] - (-23.0)) < 0.5


def test_player_crossfade_has_no_gap_and_never_peaks_over_full_scale(tmp_path: Path) -> None:
    # Two near-full-scale tracks that the index says are quiet: no attenuation, so only the
    # crossfade's own arithmetic keeps the sum below full scale.
    a = write_tone(tmp_path / "a.wav", 3.0, peak=0.98, freq=220, pad=0.5)
    b = write_tone(tmp_path / "b.wav", 3.0, peak=0.98, freq=221, pad=0.5)
    items = [PlayItem(str(p), loudness_lufs=-40.0) for p in (a, b)]
    clock = Clock()
    with null_player(items, now=clock, record=True, crossfade=2.0, end_fade=0.0) as player:
        player.play()
        events = run(player, clock)
        pcm = player.output.pcm()[:, 0]
    assert np.abs(pcm).max() <= 0.98 + 1e-3
    # From the first sound to the last, no 20 ms window is silent: the trailing and leading
    # half-seconds of silence were trimmed and the tracks overlap for 2 s.
    loud = np.nonzero(np.abs(pcm) > 1e-3)[0]
    body = pcm[loud[0] : loud[-1]]
    window = RATE // 50
    rms = [
        np.sqrt(np.mean(body[i : i + window] ** 2)) for i in range(0, len(body) - window, window)
    ]
    assert min(rms) > 0.1
    assert abs(len(body) / RATE - (3.0 + 3.0 - 2.0)) < 0.05
    assert kinds(events)[:3] == [("track_started", 0), ("track_ended", 0), ("track_started", 1)]


def test_player_pause_and_resume_ramp_over_at_least_100_ms_without_a_step(tmp_path: Path) -> None:
    dc = write_dc(tmp_path / "dc.wav", 6.0)
    clock = Clock()
    with null_player([PlayItem(str(dc))], now=clock, record=True, end_fade=0.0) as player:
        player.play()
        events = run(player, clock, actions={1.0: lambda p: p.pause(), 3.0: lambda p: p.resume()})
        pcm = player.output.pcm()[:, 0]
    assert [e.kind for e in events if e.kind in (EventKind.PAUSED, EventKind.RESUMED)] == [
        EventKind.PAUSED,
        EventKind.RESUMED,
    ]
    level = np.abs(pcm) / 0.5
    down = np.nonzero((level < 0.95) & (level > 0.05))[0]
    falls, rises = down[down < len(pcm) // 2], down[down > len(pcm) // 4]
    fall = (falls[-1] - falls[0]) / RATE
    rise = (rises[-1] - rises[0]) / RATE
    assert fall >= 0.1 and rise >= 0.1
    inside = pcm[RATE // 2 : -RATE // 2]  # the file's own start and end are steps of a DC
    assert np.abs(np.diff(inside)).max() < 0.01  # no step at pause or resume: no click
    # The paused time is not in the stream: 6 s of track, plus the two ramps' share.
    assert abs(len(pcm) / RATE - 6.0) < 0.3


def test_player_album_neighbours_play_gaplessly(tmp_path: Path) -> None:
    one = write_tone(tmp_path / "1.wav", 1.0, freq=300, pad=0.0)
    two = write_tone(tmp_path / "2.wav", 1.0, freq=300, pad=0.0)
    clock = Clock()
    with null_player(
        [album_track(one, 1), album_track(two, 2)],
        now=clock,
        record=True,
        crossfade=3.0,
        end_fade=0.0,
    ) as player:
        player.play()
        run(player, clock)
        pcm = player.output.pcm()[:, 0]
    t = np.arange(RATE) / RATE
    single = np.rint(0.5 * np.sin(2 * np.pi * 300 * t) * 32767) / 32767
    expected = np.concatenate([single, single]) * player_gain(-14.0)
    assert len(pcm) == 2 * RATE  # no overlap, no gap
    assert np.abs(pcm - expected).max() < 1e-4


def player_gain(assumed_lufs: float, target: float = -20.0) -> float:
    """What the player does to a track it cannot measure (no meter given): assumes -14 LUFS."""
    return 10 ** (min(0.0, target - assumed_lufs) / 20)


def test_player_ending_follows_the_session_clock_not_the_tracks(tmp_path: Path) -> None:
    dc = [write_dc(tmp_path / f"{i}.wav", s) for i, s in enumerate((1.3, 2.2, 9.0))]
    clock = Clock()
    ending = Ending(closing_start=2.0, music_end=4.0, end=4.5)
    items = [PlayItem(str(p), loudness_lufs=-40.0) for p in dc]
    with null_player(items, now=clock, record=True, crossfade=0.0) as player:
        player.play(ending=ending)
        events = run(player, clock)
        pcm = np.abs(player.output.pcm()[:, 0])
    assert len(pcm) == round(4.5 * RATE)  # ends exactly at the session's end
    assert pcm[: 2 * RATE].min() > 0.49  # full level until the ramp, across the track change
    ramp = pcm[2 * RATE : 4 * RATE]
    assert ramp[0] > 0.49 and np.all(np.diff(ramp) <= 1e-6)  # only down, from exactly 2:00
    assert ramp[RATE] < 0.2  # a perceptual ramp: well down half-way
    assert pcm[4 * RATE :].max() == 0.0  # silence from 4:00 to the end
    assert events[-1].finished is FinishReason.SESSION_END


def test_player_bed_covers_a_session_whose_music_runs_out(tmp_path: Path) -> None:
    short = write_tone(tmp_path / "short.wav", 1.0, pad=0.0)
    bed = write_dc(tmp_path / "bed.wav", 0.5, level=0.2)
    clock = Clock()
    with null_player(
        [PlayItem(str(short), loudness_lufs=-40.0)],
        now=clock,
        record=True,
        crossfade=0.5,
        bed=PlayItem(str(bed), loudness_lufs=-40.0, repeat=True),
    ) as player:
        player.play(ending=Ending(closing_start=4.0, music_end=5.0, end=5.0))
        events = run(player, clock)
        pcm = np.abs(player.output.pcm()[:, 0])
    assert len(pcm) == 5 * RATE
    assert pcm[int(1.5 * RATE) : 4 * RATE].min() > 0.19  # the bed, looping seamlessly
    started = [e for e in events if e.kind is EventKind.TRACK_STARTED]
    assert [e.item.path for e in started] == [str(short), str(bed)]


def test_player_unplayable_picks_are_announced_and_skipped(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ogg"
    junk.write_bytes(b"not audio at all" * 100)
    good = write_tone(tmp_path / "good.wav", 0.5, pad=0.0)
    items = [PlayItem(str(tmp_path / "gone.mp3")), PlayItem(str(junk)), PlayItem(str(good))]
    clock = Clock()
    with null_player(items, now=clock) as player:
        player.play()
        events = run(player, clock)
    assert kinds(events) == [
        ("track_failed", 0),
        ("track_failed", 1),
        ("track_started", 2),
        ("track_ended", 2),
        ("finished", 2),
    ]
    assert events[0].reason == "file not found"
    assert "not a recognised audio format" in events[1].reason
    assert events[-1].finished is FinishReason.END_OF_LIST


def test_player_with_nothing_playable_finishes_at_once(tmp_path: Path) -> None:
    clock = Clock()
    with null_player([PlayItem(str(tmp_path / "gone.wav"))], now=clock) as player:
        player.play()
        events = player.tick()
    assert events[-1].finished is FinishReason.NOTHING_PLAYABLE
    assert player.state is PlayerState.FINISHED


def test_player_next_previous_and_restart_follow_the_order(tmp_path: Path) -> None:
    tones = [write_tone(tmp_path / f"t{i}.wav", 8.0, pad=0.0) for i in range(3)]
    clock = Clock()
    with null_player([PlayItem(str(p)) for p in tones], now=clock) as player:
        player.play()
        events = run(
            player,
            clock,
            seconds=9.0,
            actions={
                0.5: lambda p: p.next(),
                1.5: lambda p: p.previous(),  # 1 s into track 1: back to track 0
                6.0: lambda p: p.previous(),  # 4.5 s into track 0: restart it
            },
        )
    started = [e.index for e in events if e.kind is EventKind.TRACK_STARTED]
    assert started == [0, 1, 0, 0]
    ended = [e.ended for e in events if e.kind is EventKind.TRACK_ENDED]
    assert ended[:3] == [EndReason.SKIPPED] * 3


def test_player_stop_fades_then_finishes(tmp_path: Path) -> None:
    dc = write_dc(tmp_path / "dc.wav", 10.0)
    clock = Clock()
    with null_player([PlayItem(str(dc), loudness_lufs=-40.0)], now=clock, record=True) as player:
        player.play()
        events = run(player, clock, actions={1.0: lambda p: p.stop(fade=1.0)})
        pcm = np.abs(player.output.pcm()[:, 0])
    assert events[-1].finished is FinishReason.STOPPED
    assert 2.0 < len(pcm) / RATE < 2.6  # 1 s, what was already rendered, and the 1 s fade
    assert pcm[-1] < 1e-3 and np.all(np.diff(pcm[-RATE:]) <= 1e-6)


def test_player_volume_glides_to_the_cubic_level(tmp_path: Path) -> None:
    dc = write_dc(tmp_path / "dc.wav", 3.0)
    clock = Clock()
    item = PlayItem(str(dc), loudness_lufs=-40.0)
    with null_player([item], now=clock, record=True, end_fade=0.0) as player:
        player.play()
        events = run(player, clock, actions={1.0: lambda p: p.set_volume(50)})
        pcm = np.abs(player.output.pcm()[:, 0])
    assert [e.volume for e in events if e.kind is EventKind.VOLUME_CHANGED] == [50]
    assert pcm[-RATE // 2 :].max() == pytest.approx(0.5 * 0.125, abs=1e-3)  # 50% = 0.5 cubed
    assert np.abs(np.diff(pcm[RATE // 2 : -RATE // 2])).max() < 0.01  # a glide, not a step


def test_player_resamples_a_48k_file_to_the_output_rate(tmp_path: Path) -> None:
    hi = write_tone(tmp_path / "hi.wav", 2.0, freq=1000, pad=0.0, rate=48000)
    clock = Clock()
    with null_player([PlayItem(str(hi), loudness_lufs=-40.0)], now=clock, record=True) as player:
        player.play()
        run(player, clock)
        pcm = player.output.pcm()[:, 0]
    assert abs(len(pcm) - 2 * RATE) < 200  # two seconds at 44.1 kHz, not 48k samples a second
    spectrum = np.abs(np.fft.rfft(pcm[RATE // 2 : RATE // 2 + RATE]))
    assert abs(int(np.argmax(spectrum)) - 1000) <= 1  # still a 1 kHz tone
