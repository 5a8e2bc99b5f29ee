"""Listening events: each play of a track is one journal row, opened when it starts and closed with
how it ended (finished, skipped after N seconds, cut short, back), the replays marked; the track
is found again through the index after a rename.

Sessions run over the real player on its null output at the pace of a clock the test owns (as in
test_session_loop.py), on a real index whose tracks were scanned from generated files.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from session_helpers import calmtune_env, command

from audiofiles import write_tone
from calmtune.library import Library
from calmtune.library.scanner import scan
from calmtune.listening import PlayOutcome, Verdict
from calmtune.playback import PlayItem, null_player
from calmtune.session import Session, fit_timing
from testclock import Clock


class Keys:
    """Keys pressed after a number of loop turns (20 turns is 1 s)."""

    def __init__(self, at: dict[int, str]) -> None:
        self.at, self.turn = dict(at), 0

    def read(self) -> list[str]:
        self.turn += 1
        return list(self.at.pop(self.turn, ""))


def _library_of_tones(tmp_path: Path, seconds: list[float]) -> tuple[Library, list[PlayItem]]:
    music = tmp_path / "music"
    music.mkdir()
    for i, length in enumerate(seconds):
        write_tone(music / f"t{i}.wav", length, freq=300 + 100 * i)
    library = Library.open(tmp_path / "library.db")
    scan(library, [str(music)], jobs=1)
    tracks = {t.path: t for t in library.iter_tracks(sort="path")}
    items = [PlayItem.from_track(tracks[str(music / f"t{i}.wav")]) for i in range(len(seconds))]
    return library, items


def _events(library: Library) -> list[tuple]:
    return library.conn.execute(
        "SELECT position, track_id, outcome, replay, seconds FROM session_tracks "
        "ORDER BY session_id, position"
    ).fetchall()


def test_each_play_is_an_event_with_how_it_ended(tmp_path) -> None:
    library, items = _library_of_tones(tmp_path, [6.0, 2.0, 6.0, 6.0])
    ids = [item.track.id for item in items]
    # n at 1 s: track 0 skipped; track 1 plays out (2 s); p about 1 s into track 2 goes back to
    # track 1 (a restart needs over 3 s heard), which plays again; q during track 2's second play.
    keys = Keys({20: "n", 90: "p", 180: "q"})
    clock = Clock()
    with null_player(items, now=clock) as player:
        session = Session(
            player,
            fit_timing(None, fade_in=0, fade_out=0.5),
            label="calm",
            journal=library.journal,
            keys=keys,
            sleep=clock.sleep,
        )
        session.run()
    rows = _events(library)
    outcomes = [(track_id, outcome, replay) for _pos, track_id, outcome, replay, _s in rows]
    assert outcomes == [
        (ids[0], "skipped", 0),
        (ids[1], "finished", 0),
        (ids[2], "back", 0),
        (ids[1], "finished", 1),  # asked for again with p
        (ids[2], "cut", 0),  # q
    ]
    skipped_after = rows[0][4]
    assert 1.0 <= skipped_after <= 1.6  # the second before n, and the short skip fade
    summary = library.journal.listening(ids[1])
    assert (summary.plays, summary.finished, summary.replayed) == (2, 2, 1)
    library.close()


def test_a_restart_with_p_marks_a_replay_and_the_first_play_as_back(tmp_path) -> None:
    library, items = _library_of_tones(tmp_path, [8.0, 2.0])
    keys = Keys({100: "p"})  # 5 s into track 0: restarts it (over 3 s heard)
    clock = Clock()
    with null_player(items, now=clock) as player:
        Session(
            player,
            fit_timing(None, fade_in=0, fade_out=0.5),
            label="calm",
            journal=library.journal,
            keys=keys,
            sleep=clock.sleep,
        ).run()
    rows = [(outcome, replay) for _p, _t, outcome, replay, _s in _events(library)]
    assert rows == [("back", 0), ("finished", 1), ("finished", 0)]
    library.close()


def test_the_session_end_cutting_a_long_track_is_not_heard_to_the_end(tmp_path) -> None:
    library, items = _library_of_tones(tmp_path, [40.0])
    clock = Clock()
    with null_player(items, now=clock) as player:
        Session(
            player,
            fit_timing(5.0, fade_in=0, fade_out=1.0, wind_down=0),
            label="calm",
            journal=library.journal,
            sleep=clock.sleep,
        ).run()
    assert [row[2] for row in _events(library)] == [PlayOutcome.CUT.value]
    library.close()


def test_events_follow_a_track_renamed_in_the_index(tmp_path) -> None:
    library, items = _library_of_tones(tmp_path, [1.0])
    journal = library.journal
    sid = journal.start("calm")
    track = items[0].track
    journal.track_played(sid, track.path, 1.0, PlayOutcome.SKIPPED, track_id=track.id)
    # The index gives the track a new name (as a scan does when it recognises moved audio).
    new_path = str(tmp_path / "moved.wav")
    with library.conn:
        library.conn.execute(
            "UPDATE tracks SET path = ? WHERE id = ?", (os.fsencode(new_path), track.id)
        )
    moved = library.get_track(new_path)
    assert journal.listening(moved.id).skipped == 1
    library.close()


def test_show_says_how_often_a_track_was_skipped(tmp_path) -> None:
    from click.testing import CliRunner

    from calmtune.cli import cli

    library, items = _library_of_tones(tmp_path, [1.0])
    journal, track = library.journal, items[0].track
    for n, outcome in enumerate(["skipped"] * 4 + ["finished"]):
        sid = journal.start("calm", started=1000.0 + n)
        journal.track_played(sid, track.path, 3.0 + n, PlayOutcome(outcome), track_id=track.id)
    library.close()
    db = str(tmp_path / "library.db")
    plain = CliRunner().invoke(cli, ["--db", db, "show", track.path])
    assert plain.exit_code == 0, plain.output
    assert "skipped 4 of 5 times" in plain.stdout
    assert "heard to the end 1 time" in plain.stdout
    data = CliRunner().invoke(cli, ["--db", db, "show", track.path, "--json"])
    import json

    listening = json.loads(data.stdout)["listening"]
    assert listening["plays"] == 5 and listening["skipped"] == 4 and listening["finished"] == 1
    assert listening["skipped_after_seconds"] == 4.5  # median of 3, 4, 5, 6


def _played_rows(db: Path) -> list[tuple]:
    with Library.open(db) as library:
        return library.conn.execute(
            "SELECT t.path, st.outcome FROM session_tracks st LEFT JOIN tracks t "
            "ON t.id = st.track_id ORDER BY st.position"
        ).fetchall()


def test_events_survive_a_kill_9_mid_session(tmp_path) -> None:
    """A real `calmtune play` on the dummy driver, killed with SIGKILL while its third track
    plays: the index holds the two finished plays and the start of the third."""
    import subprocess

    home = tmp_path / "home"
    music = tmp_path / "music"
    music.mkdir()
    for i in range(4):
        write_tone(music / f"{i}.wav", 1.0 if i < 2 else 60.0, freq=300 + 100 * i)
    env = calmtune_env(home)
    subprocess.run(command("scan", str(music)), env=env, check=True, capture_output=True)
    db = home / "library.db"
    proc = subprocess.Popen(
        command("play", str(music), "--no-ui", "--fade-in", "0"),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            rows = _played_rows(db)
            if len(rows) >= 3:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the session ended before the third track"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    rows = _played_rows(db)
    names = [os.path.basename(os.fsdecode(path)) for path, _outcome in rows]
    assert names == ["0.wav", "1.wav", "2.wav"]
    assert [outcome for _path, outcome in rows] == ["finished", "finished", None]
    with Library.open(db) as library:
        session = library.journal.sessions()[0]
    assert session.ended_by.value == "running"  # no chance to say how it ended


@pytest.mark.parametrize("outcome", list(PlayOutcome))
def test_every_outcome_round_trips_through_the_journal(tmp_path, outcome) -> None:
    with Library.open(tmp_path / "i.db") as library:
        sid = library.journal.start("calm")
        library.journal.track_played(sid, "/m/a.flac", 2.0, outcome, track_id=None)
        stored = library.conn.execute("SELECT outcome FROM session_tracks").fetchone()[0]
    assert PlayOutcome(stored) is outcome


def test_keys_l_and_b_like_and_ban_the_playing_track(tmp_path) -> None:
    library, items = _library_of_tones(tmp_path, [4.0, 4.0, 4.0])
    ids = [item.track.id for item in items]
    # l on track 0, l again (un-like) and l once more; b on track 1: banned from calm, skipped
    keys = Keys({10: "l", 14: "l", 18: "l", 100: "b", 120: "q"})
    clock = Clock()
    with null_player(items, now=clock) as player:
        result = Session(
            player,
            fit_timing(None, fade_in=0, fade_out=0.5),
            label="calm",
            journal=library.journal,
            preferences=library.preferences,
            recipe="calm",
            keys=keys,
            sleep=clock.sleep,
        ).run()
    prefs = library.preferences
    assert prefs.verdict(ids[0], "calm") is Verdict.LIKE
    assert prefs.verdict(ids[1], "calm") is Verdict.BAN
    assert prefs.verdict(ids[1], "focus") is None  # banned from the session's recipe only
    assert [Path(p).name for p in result.tracks] == ["t0.wav", "t1.wav", "t2.wav"]
    outcomes = [row[2] for row in _events(library)]
    assert outcomes[1] == "skipped"  # b skips what it bans
    library.close()


def test_like_key_on_a_file_outside_the_index_says_why_nothing_happened(tmp_path) -> None:
    path = write_tone(tmp_path / "loose.wav", 3.0)
    notes = []

    class Notes:
        def track_started(self, snapshot) -> None:
            pass

        def track_skipped(self, path, reason) -> None:
            pass

        def note(self, text: str) -> None:
            notes.append(text)

        def refresh(self, snapshot) -> None:
            pass

    with Library.open(tmp_path / "i.db") as library:
        clock = Clock()
        with null_player([PlayItem(str(path))], now=clock) as player:
            Session(
                player,
                fit_timing(None, fade_in=0, fade_out=0.5),
                label="play",
                preferences=library.preferences,
                reporter=Notes(),
                keys=Keys({5: "l", 10: "q"}),
                sleep=clock.sleep,
            ).run()
        assert library.preferences.listing() == []
    assert any("only tracks in the index" in n for n in notes)
