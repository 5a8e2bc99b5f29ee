"""The live view and keys in a real pseudo-terminal: what a person at a terminal sees and does."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from session_helpers import PtySession, sessions

from audiofiles import write_tone
from calmtune.listening import EndedBy


@pytest.fixture
def music(tmp_path: Path) -> Path:
    folder = tmp_path / "music"
    folder.mkdir()
    write_tone(folder / "01 Calm [bold]Rain.wav", 5.0, freq=330)
    write_tone(folder / "02 Second [red]Song.wav", 5.0, freq=440)
    write_tone(folder / "03 Third.wav", 5.0, freq=550)
    return folder


def test_live_view_keys_each_do_their_job_and_q_restores_the_terminal(
    isolated_home: Path, music: Path
) -> None:
    tty = PtySession(isolated_home, "play", str(music), "--volume", "50", "--fade-in", "0")
    try:
        assert tty.wait_for("01 Calm [bold]Rain")  # markup characters shown literally
        assert tty.wait_for("0:01 / 0:05") and tty.wait_for("0:02 / 0:05")  # the clock moves
        assert tty.wait_for("(paused)", since=tty.press(" "))
        tty.press(" ")
        tty.pump(0.6)
        assert "(paused)" not in tty.text[len(tty.text) - 400 :]  # resumed (latest frame)
        assert tty.wait_for("55%", since=tty.press("+"))
        assert tty.wait_for("50%", since=tty.press("-"))
        assert tty.wait_for("track 2 of 3", since=tty.press("n"))
        assert tty.wait_for("track 1 of 3", since=tty.press("p"))
        assert tty.wait_for("finishing after this track", since=tty.press("f"))
        tty.press("f")  # and off again
        tty.pump(0.3)
        mark = tty.press("q")
        code = tty.wait_exit()
        assert code == 0, tty.text[mark:]
        assert tty.modes_now() == tty.modes_before
    finally:
        tty.close()
    entry = sessions(isolated_home)[0]
    assert entry.ended_by is EndedBy.QUIT
    names = [Path(p).name for p in entry.tracks]
    assert names == ["01 Calm [bold]Rain.wav", "02 Second [red]Song.wav", "01 Calm [bold]Rain.wav"]


def test_live_view_finish_key_ends_after_the_track(isolated_home: Path, music: Path) -> None:
    tty = PtySession(isolated_home, "play", str(music), "--fade-in", "0", "--fade-out", "1")
    try:
        assert tty.wait_for("01 Calm [bold]Rain")
        assert tty.wait_for("finishing after this track", since=tty.press("f"))
        assert tty.wait_exit() == 0
        assert tty.modes_now() == tty.modes_before
    finally:
        tty.close()
    entry = sessions(isolated_home)[0]
    assert entry.ended_by is EndedBy.FINISH_KEY
    assert [Path(p).name for p in entry.tracks] == ["01 Calm [bold]Rain.wav"]


def test_live_view_sigterm_restores_the_terminal_and_exits_143(
    isolated_home: Path, music: Path
) -> None:
    tty = PtySession(isolated_home, "play", str(music), "--breathe")
    try:
        assert tty.wait_for("breathe")
        tty.proc.send_signal(signal.SIGTERM)
        assert tty.wait_exit() == 143
        assert tty.modes_now() == tty.modes_before
        assert "\x1b[?25h" in tty.text  # the cursor is shown again
    finally:
        tty.close()
    assert sessions(isolated_home)[0].ended_by is EndedBy.SIGTERM
