"""Only regular files are opened, without blocking, and reads of user-named files are bounded."""

from __future__ import annotations

import os
import signal

import pytest

from calmtune.userfiles import (
    FileTooLarge,
    NotRegularFile,
    check_regular,
    open_regular,
    read_bounded,
    regular_file_problem,
)


@pytest.fixture
def no_hang():
    """Fail (rather than hang the suite) if a call blocks: a FIFO open would wait for ever."""

    def on_alarm(_signum, _frame):
        raise TimeoutError("blocked")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_open_regular_refuses_a_fifo_without_blocking(tmp_path, no_hang):
    fifo = tmp_path / "p.mp3"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile, match="FIFO"):
        open_regular(fifo)
    assert regular_file_problem(fifo) == "not a regular file: a FIFO (named pipe)"


def test_read_bounded_refuses_a_character_device(no_hang):
    with pytest.raises(NotRegularFile, match="character device"):
        read_bounded("/dev/zero", 1000)


def test_read_bounded_stops_past_the_limit(tmp_path):
    big = tmp_path / "big.toml"
    big.write_bytes(b"x" * 2049)
    with pytest.raises(FileTooLarge, match="too large"):
        read_bounded(big, 2048)
    assert read_bounded(big, 4096) == b"x" * 2049


def test_open_regular_reads_a_file_through_a_symlink_and_keeps_its_name(tmp_path):
    target = tmp_path / "a.wav"
    target.write_bytes(b"RIFF")
    link = tmp_path / "link.wav"
    link.symlink_to(target)
    with open_regular(link) as fh:
        assert fh.read() == b"RIFF"
        assert fh.name == str(link)
    assert check_regular(link).st_size == 4


def test_regular_file_problem_names_missing_files_and_folders(tmp_path):
    assert regular_file_problem(tmp_path / "gone.mp3") == "file not found"
    assert regular_file_problem(tmp_path) == "not a regular file: a folder"
    (tmp_path / "ok.mp3").write_bytes(b"")
    assert regular_file_problem(tmp_path / "ok.mp3") is None


def test_playlist_readers_refuse_a_fifo_and_a_device(tmp_path, no_hang):
    from calmtune.errors import PlaylistError
    from calmtune.playlists.jsonio import read_playlist

    fifo = tmp_path / "mix.json"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero"):
        with pytest.raises(PlaylistError, match="not a regular file"):
            read_playlist(path)
