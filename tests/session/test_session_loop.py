"""The session loop over the real player on its null output and a real index's journal.

The null output plays at the pace of a clock the test owns: each loop turn advances it by one
tick, so a session of any length runs in moments and every position is exact. Keys and signals
are fed in as plain inputs (what a terminal or the kernel would deliver), so the loop's reactions
are observed through the journal, the result and the PCM, not through any stand-in.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from audiofiles import write_tone
from calmtune.library import Library
from calmtune.listening import EndedBy
from calmtune.playback import PlayItem, null_player
from calmtune.session import Session, fit_timing
from calmtune.session.controls import Command, Request
from testclock import Clock


class Script:
    """Delivers given keys / signals after a number of loop turns (20 turns is about 1 s)."""

    def __init__(self, at: dict[int, object]) -> None:
        self.at, self.turn = dict(at), 0

    def read(self) -> list[str]:
        self.turn += 1
        value = self.at.pop(self.turn, None)
        return list(value) if isinstance(value, str) else []

    def take(self) -> int | None:
        self.turn += 1
        value = self.at.pop(self.turn, None)
        return value if isinstance(value, int) else None


@pytest.fixture
def library(tmp_path: Path):
    with Library.open(tmp_path / "library.db") as lib:
        yield lib


def _tones(tmp_path: Path, *seconds: float) -> list[PlayItem]:
    return [
        PlayItem(str(write_tone(tmp_path / f"t{i}.wav", s, freq=300 + 100 * i)), duration=s)
        for i, s in enumerate(seconds)
    ]


def _run(items, timing, library, **kwargs):
    clock = Clock()
    with null_player(items, now=clock) as player:
        session = Session(
            player, timing, label="test", journal=library.journal, sleep=clock.sleep, **kwargs
        )
        return session.run()


def test_session_loop_duration_ends_with_wind_down_and_journal(tmp_path, library) -> None:
    items = _tones(tmp_path, 10.0)
    result = _run(items, fit_timing(2.0, fade_in=0.2, fade_out=0.5, wind_down=1.0), library)
    assert result.ended_by is EndedBy.COMPLETED
    assert result.elapsed == pytest.approx(2.0, abs=0.01)  # its duration, silence included
    entry = library.journal.sessions()[0]
    assert entry.ended_by is EndedBy.COMPLETED and entry.tracks == [items[0].path]
    assert 1.0 < entry.listened_seconds < 2.5


def test_session_loop_finish_key_stops_after_the_current_track(tmp_path, library) -> None:
    items = _tones(tmp_path, 1.5, 1.5, 1.5)
    keys = Script({5: "f"})
    result = _run(items, fit_timing(None, fade_in=0, fade_out=0.5), library, keys=keys)
    assert result.ended_by is EndedBy.FINISH_KEY
    assert result.tracks == [items[0].path]
    assert library.journal.sessions()[0].ended_by is EndedBy.FINISH_KEY


def test_session_loop_next_then_quit(tmp_path, library) -> None:
    items = _tones(tmp_path, 5.0, 5.0, 5.0)
    keys = Script({4: "n", 12: "q"})
    result = _run(items, fit_timing(None, fade_in=0, fade_out=1), library, keys=keys)
    assert result.ended_by is EndedBy.QUIT
    assert result.tracks == [items[0].path, items[1].path]
    # n at 0.2 s, q at 0.6 s and a 1 s fade: long before the tracks end
    assert 1.5 < result.elapsed < 2.2  # (plus the half second already queued)


def test_session_loop_plays_the_list_to_the_end_and_skips_bad_entries(tmp_path, library) -> None:
    items = _tones(tmp_path, 1.0, 1.0)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEfmt garbage" * 10)
    items.insert(1, PlayItem(str(broken)))
    items.insert(1, PlayItem(str(tmp_path / "vanished.wav")))
    result = _run(items, fit_timing(None, fade_in=0, fade_out=0.3), library)
    assert result.ended_by is EndedBy.COMPLETED
    assert result.tracks == [items[0].path, items[3].path]
    reasons = dict(result.skipped)
    assert reasons[str(tmp_path / "vanished.wav")] == "file not found"
    assert str(broken) in reasons


def test_session_loop_signal_fades_and_records_it(tmp_path, library) -> None:
    items = _tones(tmp_path, 10.0)
    signals = Script({10: signal.SIGTERM})
    result = _run(items, fit_timing(None, fade_in=0, fade_out=1), library, signals=signals)
    assert result.ended_by is EndedBy.SIGTERM and result.signal == signal.SIGTERM
    # half a second of play, then what was queued and the fade: silence within 2 s of the signal
    assert 1.5 < result.elapsed <= 0.5 + 2.0 + 0.06
    assert library.journal.sessions()[0].ended_by is EndedBy.SIGTERM


def test_session_loop_nothing_playable_is_an_error_entry(tmp_path, library) -> None:
    items = [PlayItem(str(tmp_path / "gone.wav"))]
    result = _run(items, fit_timing(None, fade_in=0, fade_out=1), library)
    assert result.nothing_playable
    assert library.journal.sessions()[0].ended_by is EndedBy.ERROR


class Remote:
    """Media-control requests after a number of loop turns, and every snapshot published."""

    def __init__(self, at: dict[int, Request]) -> None:
        self.at, self.turn, self.published = dict(at), 0, []

    def take(self) -> list[Request]:
        self.turn += 1
        request = self.at.pop(self.turn, None)
        return [request] if request is not None else []

    def publish(self, snapshot) -> None:
        self.published.append((self.turn, snapshot))


def test_session_loop_obeys_media_controls_and_publishes_each_turn(tmp_path, library) -> None:
    items = _tones(tmp_path, 5.0, 5.0)
    remote = Remote(
        {
            3: Request(Command.PAUSE),
            6: Request(Command.PAUSE),  # already paused: nothing happens
            9: Request(Command.PLAY),
            12: Request(Command.SET_VOLUME, 30),
            15: Request(Command.NEXT),
            20: Request(Command.QUIT),
        }
    )
    result = _run(items, fit_timing(None, fade_in=0, fade_out=1), library, remote=remote)
    state = {turn: snap for turn, snap in remote.published}
    assert state[2].state == "playing" and state[2].volume == 100
    assert state[4].state == "paused" and state[7].state == "paused"
    assert state[10].state == "playing" and state[13].volume == 30
    assert state[14].index == 0 and state[16].index == 1
    assert result.ended_by is EndedBy.QUIT
    assert result.tracks == [items[0].path, items[1].path]
    assert remote.published[-1][1].state == "finished"  # the end is published too
