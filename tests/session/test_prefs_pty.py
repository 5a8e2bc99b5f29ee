"""Liking and banning from the live view, in a real pseudo-terminal: the footer lists the keys,
`l` and `b` say what they did, `b` skips, and the index holds the verdicts afterwards."""

from __future__ import annotations

from pathlib import Path

from session_helpers import PtySession, run

from audiofiles import write_tone
from calmtune.library import Library
from calmtune.listening import Verdict


def test_live_view_l_likes_and_b_bans_and_skips(isolated_home: Path, tmp_path: Path) -> None:
    music = tmp_path / "music"
    music.mkdir()
    for n, name in enumerate(("01 First", "02 Second", "03 Third")):
        write_tone(music / f"{name}.wav", 6.0, freq=330 + 110 * n)
    assert run(isolated_home, "scan", str(music)).returncode == 0
    tty = PtySession(isolated_home, "play", str(music), "--fade-in", "0")
    try:
        assert tty.wait_for("l like · b ban")  # the footer lists the keys
        assert tty.wait_for("track 1 of 3")
        assert tty.wait_for("liked: 01 First", since=tty.press("l"))
        mark = tty.press("b")
        assert tty.wait_for("banned from every recipe: 01 First", since=mark)
        assert tty.wait_for("track 2 of 3", since=mark)  # b skipped it
        mark = tty.press("q")
        assert tty.wait_exit() == 0, tty.text[mark:]
        assert tty.modes_now() == tty.modes_before
    finally:
        tty.close()
    with Library.open(isolated_home / "library.db") as library:
        first = library.get_track(str(music / "01 First.wav"))
        second = library.get_track(str(music / "02 Second.wav"))
        # play FOLDER plays no recipe, so b banned it from every recipe, in place of the like
        assert library.preferences.verdict(first.id, "calm") is Verdict.BAN
        assert not library.preferences.is_liked(first.id)
        assert library.preferences.verdict(second.id) is None
