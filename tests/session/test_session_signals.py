"""Signals at every stage of a session: waiting for the lock, at the check-in prompt, playing.

Each is given back what the session took (the lock, the terminal's mode and cursor, the journal
entry with how it ended), says one line, and exits with the shell's 128 + N (docs/cli.md, "Exit
codes"); a session replaced before it played hands over and exits 0.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from session_helpers import PtySession, lock_pid, sessions, start, wait_for_line

from audiofiles import write_tone
from calmtune.listening import EndedBy

PROMPT = "Enter skips"


@pytest.fixture
def music(tmp_path: Path) -> Path:
    folder = tmp_path / "music"
    folder.mkdir()
    write_tone(folder / "01 One.wav", 4.0, freq=330)
    write_tone(folder / "02 Two.wav", 4.0, freq=440)
    return folder


@pytest.fixture(scope="module")
def rendered_soundscape(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in soundscape, rendered once for this module (each home reuses the file)."""
    from calmtune.playback.soundscape import ensure_soundscape

    return ensure_soundscape(tmp_path_factory.mktemp("soundscape-cache"))


@pytest.fixture
def soundscape_in_home(isolated_home: Path, rendered_soundscape: Path) -> None:
    """The rendered soundscape in this home's cache, so a session on an empty library starts at
    once."""
    cache = isolated_home / "cache"
    cache.mkdir(exist_ok=True)
    shutil.copy(rendered_soundscape, cache / rendered_soundscape.name)


def _finish(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


@pytest.mark.parametrize("typed", [False, True], ids=["signal-sent", "typed-at-the-terminal"])
def test_ctrl_c_at_the_check_in_prompt_exits_130_and_frees_the_lock(
    isolated_home: Path, typed: bool
) -> None:
    """The signal sent to the process, and Ctrl-C typed at its controlling terminal as a person
    would."""
    tty = PtySession(isolated_home, "relax", "--check-in", "--duration", "1m", controlling=typed)
    try:
        assert tty.wait_for(PROMPT)
        assert lock_pid(isolated_home) == tty.proc.pid
        if typed:
            tty.press("\x03")
        else:
            tty.proc.send_signal(signal.SIGINT)
        assert tty.wait_exit() == 130
        assert tty.modes_now() == tty.modes_before
    finally:
        tty.close()
    assert "stopped by SIGINT before the session started" in tty.text
    assert "Aborted!" not in tty.text and "Traceback" not in tty.text
    assert lock_pid(isolated_home) is None  # released: the next session can start
    assert sessions(isolated_home) == []  # nothing played, nothing to record


def test_closing_the_terminal_at_the_check_in_prompt_exits_129_and_frees_the_lock(
    isolated_home: Path,
) -> None:
    tty = PtySession(isolated_home, "relax", "--check-in", "--duration", "1m", controlling=True)
    try:
        assert tty.wait_for(PROMPT)
        os.close(tty.master)  # the window closes: SIGHUP, and the prompt's terminal is gone
        tty.master = os.open(os.devnull, os.O_RDONLY)  # for close()
        code = tty.proc.wait(timeout=15)
    finally:
        tty.close()
    assert code == 129
    assert lock_pid(isolated_home) is None
    assert sessions(isolated_home) == []


def test_ctrl_c_typed_at_the_closing_check_in_exits_130_and_keeps_the_session(
    isolated_home: Path, soundscape_in_home: None
) -> None:
    tty = PtySession(isolated_home, "relax", "--check-in", "--duration", "2s", controlling=True)
    try:
        assert tty.wait_for(PROMPT)
        mark = tty.press("6\r")
        assert tty.wait_for("And now", timeout=30, since=mark)
        tty.press("\x03")
        assert tty.wait_exit() == 130
        assert tty.modes_now() == tty.modes_before
    finally:
        tty.close()
    assert "Aborted!" not in tty.text and "Traceback" not in tty.text
    (entry,) = sessions(isolated_home)  # the session played whole: it is kept as it ended
    assert entry.ended_by is EndedBy.COMPLETED
    assert (entry.stress_before, entry.stress_after) == (6, None)
    assert lock_pid(isolated_home) is None


def test_ctrl_c_typed_in_the_live_view_fades_saves_and_exits_130(
    isolated_home: Path, music: Path
) -> None:
    tty = PtySession(isolated_home, "play", str(music), controlling=True)
    try:
        assert tty.wait_for("track 1 of 2")
        mark = tty.press("\x03")
        assert tty.wait_exit() == 130
        assert tty.modes_now() == tty.modes_before
    finally:
        tty.close()
    after = tty.output[mark:].decode("utf-8", "replace")
    assert "\x1b[?25h" in after and "session ended (sigint)" in after
    assert sessions(isolated_home)[0].ended_by is EndedBy.SIGINT


def test_closing_the_terminal_hangs_up_the_session_which_saves_and_exits_129(
    isolated_home: Path, music: Path
) -> None:
    """The window or the ssh connection closes: the kernel sends SIGHUP, and writes fail."""
    tty = PtySession(isolated_home, "play", str(music), controlling=True)
    try:
        assert tty.wait_for("track 1 of 2")
        os.close(tty.master)  # the hang-up
        tty.master = os.open(os.devnull, os.O_RDONLY)  # for close()
        code = tty.proc.wait(timeout=15)
    finally:
        tty.close()
    assert code == 129
    entry = sessions(isolated_home)[0]
    assert entry.ended_by is EndedBy.SIGHUP and entry.ended is not None
    assert lock_pid(isolated_home) is None


def test_replace_while_the_first_waits_at_its_prompt_hands_over_cleanly(
    isolated_home: Path, music: Path
) -> None:
    tty = PtySession(isolated_home, "relax", "--check-in", "--duration", "1m")
    second = None
    try:
        assert tty.wait_for(PROMPT)
        second = start(isolated_home, "play", str(music), "--no-ui", "--replace")
        assert tty.wait_exit() == 0  # not "User defined signal 1", exit 138
        _out, err = second.communicate(timeout=60)
    finally:
        tty.close()
        if second is not None:
            _finish(second)
    assert "another session took over before this one started" in tty.text
    assert second.returncode == 0, err
    (entry,) = sessions(isolated_home)  # only the session that played
    assert entry.ended_by is EndedBy.COMPLETED and len(entry.tracks) == 2


def test_sighup_in_the_live_view_fades_saves_restores_and_exits_129(
    isolated_home: Path, music: Path
) -> None:
    tty = PtySession(isolated_home, "play", str(music), "--breathe")
    try:
        assert tty.wait_for("breathe")
        mark = len(tty.output)
        tty.proc.send_signal(signal.SIGHUP)
        assert tty.wait_exit() == 129
        assert tty.modes_now() == tty.modes_before
    finally:
        tty.close()
    after = tty.output[mark:].decode("utf-8", "replace")
    assert "\x1b[?25h" in after  # the cursor is shown again
    assert "session ended (sighup)" in after
    entry = sessions(isolated_home)[0]
    assert entry.ended_by is EndedBy.SIGHUP and entry.ended is not None


def test_sighup_after_the_terminal_closed_still_saves_and_exits_129(
    isolated_home: Path, music: Path
) -> None:
    tty = PtySession(isolated_home, "play", str(music))
    try:
        assert tty.wait_for("track 1 of 2")
        os.close(tty.master)  # the window closed: every write to the terminal now fails
        tty.master = os.open(os.devnull, os.O_RDONLY)  # for close()
        tty.proc.send_signal(signal.SIGHUP)
        code = tty.proc.wait(timeout=15)
    finally:
        tty.close()
    assert code == 129  # not 1 ("internal error: Input/output error")
    entry = sessions(isolated_home)[0]
    assert entry.ended_by is EndedBy.SIGHUP and entry.ended is not None


def test_sighup_in_plain_mode_ends_like_sigterm_with_129_and_logs_info(
    isolated_home: Path, music: Path
) -> None:
    proc = start(isolated_home, "play", str(music), "--no-ui")
    try:
        wait_for_line(proc)
        proc.send_signal(signal.SIGHUP)
        _out, err = proc.communicate(timeout=15)
    finally:
        _finish(proc)
    assert proc.returncode == 129
    assert "session ended (sighup)" in err
    assert sessions(isolated_home)[0].ended_by is EndedBy.SIGHUP
    log = (isolated_home / "state" / "calmtune.log").read_text()
    assert "INFO calmtune.run: end play: exit 129" in log and "stopped by SIGHUP" in log
    assert " ERROR " not in log


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_waiting_for_the_lock_ends_the_wait_with_one_line(
    isolated_home: Path, music: Path, signum: int, code: int
) -> None:
    first = start(isolated_home, "play", str(music), "--no-ui")
    waiting = None
    try:
        wait_for_line(first)
        waiting = start(isolated_home, "play", str(music), "--no-ui", "--wait")
        assert "waiting for the session playing" in waiting.stderr.readline()
        waiting.send_signal(signum)
        _out, err = waiting.communicate(timeout=15)
        assert waiting.returncode == code
        assert f"stopped by {signal.Signals(signum).name} before the session started" in err
        assert lock_pid(isolated_home) == first.pid  # the first one plays on
        log = (isolated_home / "state" / "calmtune.log").read_text()
        assert f"{waiting.pid} INFO calmtune.run: end play: exit {code}" in log
        assert " ERROR " not in log
    finally:
        first.send_signal(signal.SIGTERM)
        _finish(first)
        if waiting is not None:
            _finish(waiting)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_is_logged_as_info_not_as_an_error(
    isolated_home: Path, music: Path, signum: int, code: int
) -> None:
    """A Ctrl-C was logged as an ERROR."""
    proc = start(isolated_home, "play", str(music), "--no-ui")
    try:
        wait_for_line(proc)
        proc.send_signal(signum)
        proc.communicate(timeout=15)
    finally:
        _finish(proc)
    assert proc.returncode == code
    log = (isolated_home / "state" / "calmtune.log").read_text()
    name = signal.Signals(signum).name
    assert f"INFO calmtune.run: end play: exit {code}" in log and f"stopped by {name}" in log
    assert " ERROR " not in log


def test_end_of_input_at_the_check_in_prompts_skips_the_ratings(
    isolated_home: Path, soundscape_in_home: None
) -> None:
    tty = PtySession(isolated_home, "relax", "--check-in", "--duration", "2s")
    try:
        assert tty.wait_for(PROMPT)
        mark = tty.press("\x04")  # Ctrl-D: end of input, as Enter
        assert tty.wait_for("And now", timeout=30, since=mark)
        tty.press("\x04")
        assert tty.wait_exit() == 0
    finally:
        tty.close()
    assert "Aborted!" not in tty.text
    entry = sessions(isolated_home)[0]
    assert entry.ended_by is EndedBy.COMPLETED
    assert entry.stress_before is None and entry.stress_after is None
