"""``calmtune relax`` and ``calmtune play`` as a user runs them: real processes, real signals,
the journal read back from the index. Plain mode (no terminal), dummy audio driver.
"""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path

import pytest
from session_helpers import (
    lock_pid,
    run,
    sessions,
    start,
    tools_dir,
    wait_for_line,
)

from audiofiles import write_audio, write_tone
from calmtune.listening import EndedBy


@pytest.fixture(scope="session")
def rendered_soundscape(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in soundscape, rendered once for the test run (each home reuses the file)."""
    from calmtune.playback.soundscape import ensure_soundscape

    return ensure_soundscape(tmp_path_factory.mktemp("soundscape-cache"))


@pytest.fixture
def home(isolated_home: Path, rendered_soundscape: Path) -> Path:
    cache = isolated_home / "cache"
    cache.mkdir(exist_ok=True)
    shutil.copy(rendered_soundscape, cache / rendered_soundscape.name)
    return isolated_home


def _stop(proc) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_relax_on_an_empty_library_plays_the_soundscape_for_the_duration(home: Path) -> None:
    began = time.monotonic()
    done = run(home, "relax", "--duration", "5s", "--no-ui")
    took = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    assert "calmtune scan ~/Music" in done.stderr
    assert "soundscape" in done.stdout  # the plain line of the one item playing
    entry = sessions(home)[0]
    assert entry.recipe == "calm" and entry.ended_by is EndedBy.COMPLETED
    assert 4.5 <= took < 15


def test_relax_sigterm_fades_saves_and_exits_143(home: Path) -> None:
    proc = start(home, "relax", "--duration", "60s", "--no-ui")
    try:
        wait_for_line(proc)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)  # how soon it is silent is measured on the session's clock
    finally:
        _stop(proc)  # (test_session_loop: silence within 2 s of the signal, queued sound too)
    assert proc.returncode == 143, proc.stderr.read()
    entry = sessions(home)[0]
    assert entry.ended_by is EndedBy.SIGTERM and entry.ended is not None
    assert len(entry.tracks) == 1


def test_second_session_exits_5_naming_the_first(home: Path) -> None:
    first = start(home, "relax", "--duration", "60s", "--no-ui")
    try:
        wait_for_line(first)
        second = run(home, "focus", "--no-ui", "--duration", "5s")
        assert second.returncode == 5
        assert f"PID {first.pid}" in second.stderr and "--replace" in second.stderr
        assert lock_pid(home) == first.pid
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=10)
        _stop(first)
    assert first.returncode == 130
    assert sessions(home)[0].ended_by is EndedBy.SIGINT


def test_replace_stops_the_playing_session_and_takes_over(home: Path) -> None:
    first = start(home, "relax", "--duration", "60s", "--no-ui")
    try:
        wait_for_line(first)
        second = run(home, "relax", "--duration", "3s", "--no-ui", "--replace")
        first.wait(timeout=10)
    finally:
        _stop(first)
    assert second.returncode == 0, second.stderr
    assert first.returncode == 0  # it ended cleanly, at another session's request
    newest, older = sessions(home)[:2]
    assert older.ended_by is EndedBy.REPLACED
    assert newest.ended_by is EndedBy.COMPLETED
    assert newest.started >= older.ended - 0.5


def test_wait_plays_after_the_running_session(home: Path) -> None:
    first = start(home, "relax", "--duration", "3s", "--no-ui")
    try:
        wait_for_line(first)
        second = run(home, "relax", "--duration", "2s", "--no-ui", "--wait")
        first.wait(timeout=10)
    finally:
        _stop(first)
    assert second.returncode == 0 and "waiting" in second.stderr
    newest, older = sessions(home)[:2]
    assert older.ended_by is newest.ended_by is EndedBy.COMPLETED
    assert newest.started >= older.ended - 0.5


def _mixed_playlist(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    files = {
        # Long enough that the player opens what follows only after the test removed a file
        # (it opens the next track a second or so before it is due).
        "first": write_tone(tmp_path / "first.wav", 5.0),
        "missing": tmp_path / "missing.wav",
        "corrupt": tmp_path / "corrupt.mp3",
        "song": write_audio(tmp_path / "song.m4a", "m4a", 1.0),
        "vanishing": write_tone(tmp_path / "vanishing.wav", 1.0),
        "last": write_tone(tmp_path / "last.wav", 1.0, freq=660),
    }
    files["corrupt"].write_bytes(bytes(range(256)) * 40)
    playlist = tmp_path / "mix.m3u8"
    playlist.write_text("#EXTM3U\n" + "\n".join(str(p) for p in files.values()) + "\n")
    return playlist, files


def _play_mixed(home: Path, tmp_path: Path, **env: str):
    playlist, files = _mixed_playlist(tmp_path)
    proc = start(home, "play", str(playlist), **env)
    try:
        assert "first" in wait_for_line(proc)
        files["vanishing"].unlink()  # gone between building the list and its turn
        out, err = proc.communicate(timeout=30)
    finally:
        _stop(proc)
    return proc, out, err, files


def test_play_skips_missing_corrupt_and_m4a_and_plays_on(home: Path, tmp_path: Path) -> None:
    proc, out, err, files = _play_mixed(home, tmp_path, PATH=tools_dir(ffmpeg=False))
    assert proc.returncode == 0, err
    assert "missing.wav: file not found" in err
    assert "corrupt.mp3: not a recognised audio format" in err
    assert "song.m4a: m4a needs ffmpeg" in err
    assert "vanishing.wav: file not found" in err
    assert "last" in out
    entry = sessions(home)[0]
    assert entry.tracks == [str(files["first"]), str(files["last"])]
    assert entry.ended_by is EndedBy.COMPLETED


def test_play_with_ffmpeg_plays_m4a_and_still_skips_the_rest(home: Path, tmp_path: Path) -> None:
    tools = tools_dir(ffmpeg=True)
    if not tools:
        pytest.skip("ffmpeg is not installed here; the test without it covers the skip")
    proc, _out, err, files = _play_mixed(home, tmp_path, PATH=tools)
    assert proc.returncode == 0, err
    assert "missing.wav: file not found" in err
    assert "corrupt.mp3: not a recognised audio format" in err
    assert "m4a" not in err
    assert "vanishing.wav: file not found" in err
    entry = sessions(home)[0]
    assert entry.tracks == [str(files["first"]), str(files["song"]), str(files["last"])]


def test_play_a_folder_recursively_including_files_not_indexed(home: Path, tmp_path) -> None:
    music = tmp_path / "music"
    (music / "sub").mkdir(parents=True)
    write_tone(music / "a.wav", 0.8)
    write_tone(music / "sub" / "b.wav", 0.8)
    (music / "notes.txt").write_text("not audio")
    done = run(home, "play", str(music), "--fade-in", "0", "--fade-out", "0.2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[-1] for line in lines] == ["a", "b"]
    assert sessions(home)[0].recipe == "play"


def test_play_nothing_playable_exits_4_saying_what_to_do(home: Path, tmp_path: Path) -> None:
    done = run(home, "play", str(tmp_path / "nowhere"), "http://radio.example/stream")
    assert done.returncode == 4
    assert "no such file, folder, recipe or saved playlist" in done.stderr
    assert "streams and URLs are not played" in done.stderr
    assert "calmtune playlist recipes" in done.stderr
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(bytes(range(256)) * 40)
    done = run(home, "play", str(broken))
    assert done.returncode == 4 and "none of the tracks could be played" in done.stderr


def test_focus_on_an_empty_library_exits_4_with_the_scan_hint(home: Path) -> None:
    done = run(home, "focus", "--no-ui")
    assert done.returncode == 4
    assert "calmtune scan ~/Music" in done.stderr


@pytest.mark.slow
def test_relax_twenty_seconds_ends_by_itself_near_twenty(home: Path) -> None:
    began = time.monotonic()
    done = run(home, "relax", "--duration", "20s", "--no-ui")
    took = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    assert 20.0 <= took < 30.0
    entry = sessions(home)[0]
    assert entry.ended_by is EndedBy.COMPLETED
    assert 19.0 <= entry.ended - entry.started <= 22.0


def test_play_a_playlist_of_bad_lines_skips_them_and_plays_the_rest(
    home: Path, tmp_path: Path
) -> None:
    """A NUL in a line gave 'internal error: ValueError: embedded null byte' and no music; junk
    bytes holding a form feed or NEL were split into several "lines", so the numbers were off."""
    track = write_tone(tmp_path / "tone.wav", 2.0)
    playlist = tmp_path / "odd.m3u"
    junk = bytes(range(256)).replace(b"\n", b"").replace(b"\r", b"")  # NUL, FF, NEL, ...
    playlist.write_bytes(
        b"~a\x00b/x.mp3\n\x1b]0;pwned\x07.mp3\n" + junk + b"\n" + str(track).encode() + b"\n"
    )
    done = run(home, "play", str(playlist), "--no-ui")
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr and "\x1b" not in done.stderr
    warnings = [line for line in done.stderr.splitlines() if "skipped" in line]
    assert [w.split(": skipped")[0] for w in warnings] == [
        f"calmtune: warning: odd.m3u, line {n}" for n in (1, 2, 3)
    ]
    assert [Path(p).name for p in sessions(home)[0].tracks] == ["tone.wav"]


def test_play_a_broken_file_is_one_calmtune_sentence_not_decoder_text(
    home: Path, tmp_path: Path
) -> None:
    """The old player let the decoder speak: 'mpg123_getformat: Message: I am done with this track.'"""
    track = write_tone(tmp_path / "tone.wav", 1.0)
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"\xff\xfb" + bytes(range(256)) * 20)
    done = run(home, "play", str(junk), str(track), "--no-ui")
    assert done.returncode == 0, done.stderr
    (warning,) = [line for line in done.stderr.splitlines() if "junk.mp3" in line]
    assert warning.startswith(f"calmtune: warning: skipped {junk}: ")
    assert "mpg123" not in done.stderr and "Message:" not in done.stderr


def test_play_a_playlist_naming_dev_zero_skips_it_with_a_plain_reason(
    home: Path, tmp_path: Path
) -> None:
    """It read for ever, or said "No such file or directory: 'b'/dev/zero''"."""
    track = write_tone(tmp_path / "tone.wav", 1.0)
    playlist = tmp_path / "zero.m3u"
    playlist.write_text(f"/dev/zero\n{track}\n")
    done = run(home, "play", str(playlist), "--no-ui", timeout=60)
    assert done.returncode == 0, done.stderr
    (warning,) = [line for line in done.stderr.splitlines() if "/dev/zero" in line]
    assert "character device" in warning and "b'" not in warning
    assert [Path(p).name for p in sessions(home)[0].tracks] == ["tone.wav"]
