import os

from calmtune.library.walk import WalkResult, walk_audio
from unprivileged import call_unprivileged

EXT = frozenset({".mp3", ".flac"})


def _walk(root) -> WalkResult:
    result = WalkResult()
    walk_audio(str(root), EXT, result)
    return result


def test_walk_finds_audio_by_extension_case_insensitively(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.MP3").write_bytes(b"x")
    (tmp_path / "two.flac").write_bytes(b"yy")
    (tmp_path / "cover.jpg").write_bytes(b"z")
    found = sorted(os.path.basename(f.path) for f in _walk(tmp_path).files)
    assert found == ["one.MP3", "two.flac"]


def test_walk_skips_hidden_files_and_folders(tmp_path):
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.mp3").write_bytes(b"x")
    (tmp_path / ".y.mp3").write_bytes(b"x")
    assert _walk(tmp_path).files == []


def test_walk_survives_symlink_loops_and_reports_broken_links(tmp_path):
    (tmp_path / "music").mkdir()
    (tmp_path / "music" / "song.mp3").write_bytes(b"x")
    os.symlink(tmp_path, tmp_path / "music" / "loop")  # points back up
    os.symlink(tmp_path / "music" / "self.mp3", tmp_path / "music" / "self.mp3")  # ELOOP
    os.symlink(tmp_path / "gone.mp3", tmp_path / "music" / "dangling.mp3")
    result = _walk(tmp_path)
    assert [os.path.basename(f.path) for f in result.files] == ["song.mp3"]
    problems = {os.path.basename(p.path): p.error for p in result.problems}
    assert problems["dangling.mp3"] == "broken symbolic link"
    assert "self.mp3" in problems


def test_walk_reports_unreadable_folder(shared_tmp):
    locked = shared_tmp / "locked"
    locked.mkdir()
    (locked / "x.mp3").write_bytes(b"x")
    locked.chmod(0)

    def walk() -> dict:
        result = _walk(shared_tmp)
        return {"unlisted": result.unlisted_dirs, "problems": [p.error for p in result.problems]}

    try:
        error, found = call_unprivileged(walk)  # root would read the folder anyway
    finally:
        locked.chmod(0o755)
    assert error == ""
    assert str(locked) in found["unlisted"]
    assert any("permission denied" in p for p in found["problems"])


def test_walk_single_file_root(tmp_path):
    f = tmp_path / "x.mp3"
    f.write_bytes(b"abc")
    result = _walk(f)
    assert [(x.path, x.size) for x in result.files] == [(str(f), 3)]


def test_walk_missing_root_is_a_problem_not_a_crash(tmp_path):
    result = _walk(tmp_path / "nope")
    assert result.files == []
    assert result.problems and "no such file" in result.problems[0].error
