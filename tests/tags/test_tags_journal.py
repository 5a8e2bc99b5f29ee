"""The undo journal of in-place tag writes, its recovery, and the in-memory edit it starts from.

Interrupted writes are set up the way a killed run leaves them: a record synced in a journal
file whose writer is gone (its lock released), and the file holding the old bytes, the new
bytes, or part of each.
"""

from __future__ import annotations

import errno
import io
import json
import os

import mutagen
import pytest
from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.config import Paths
from calmtune.health import check_tag_journals
from calmtune.models import Mood
from calmtune.tags import TagUpdate, recover_interrupted_writes, write_tags
from calmtune.tags.journal import (
    ROLLED_BACK,
    CopyRecord,
    FilePatch,
    Journal,
    PatchRecord,
    decode,
    encode,
)
from calmtune.tags.overlay import EditedView, NotInPlace, Region
from calmtune.tags.safefile import temp_path_for


def journal_dir():
    return Paths.discover().state_dir / "tag-journal"


def journal_files() -> list[str]:
    return sorted(os.listdir(journal_dir())) if journal_dir().exists() else []


# -- the in-memory edit ----------------------------------------------------------------------------


def test_edited_view_reads_through_and_keeps_writes_in_memory(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(bytes(range(100)))
    with open(path, "rb") as base, EditedView(base) as view:
        view.seek(10)
        view.write(b"\xff\xff")
        view.seek(11)
        view.write(b"\xee\xee")  # overlaps the first write: the later one wins
        view.seek(8)
        assert view.read(6) == bytes([8, 9, 0xFF, 0xEE, 0xEE, 13])
        assert view.seek(0, 2) == 100
        assert view.changes() == [Region(10, bytes([10, 11, 12]), b"\xff\xee\xee")]
    assert path.read_bytes() == bytes(range(100))  # the real file was never written


def test_edited_view_trims_unchanged_bytes_and_keeps_separate_regions(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"a" * 1000)
    with open(path, "rb") as base, EditedView(base) as view:
        view.write(b"aaaXYaaa")  # rewritten, but only X and Y differ
        view.seek(990)
        view.write(b"aZa")
        view.seek(500)
        view.write(b"aaaa")  # the same bytes again: no change at all
        assert view.changes() == [Region(3, b"aa", b"XY"), Region(991, b"a", b"Z")]


def test_edited_view_refuses_to_change_the_length(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 10)
    with open(path, "rb") as base, EditedView(base) as view:
        view.seek(8)
        with pytest.raises(NotInPlace):
            view.write(b"abc")  # would grow the file
        with pytest.raises(NotInPlace):
            view.truncate(5)
        with pytest.raises(io.UnsupportedOperation):
            view.fileno()  # mutagen must not reach the real file behind the view


# -- records ----------------------------------------------------------------------------------


def a_record(path: bytes = b"/music/\xff odd name.flac") -> PatchRecord:
    return PatchRecord(
        (
            FilePatch(
                path, 2049, 77, 5000, (Region(40, b"old!", b"new!"), Region(4000, b"o", b"n"))
            ),
            FilePatch(b"/music/b.mp3", 2049, 78, 900, (Region(10, b"x" * 300, b"y" * 300),)),
        )
    )


def test_record_round_trip_keeps_any_file_name():
    record = a_record()
    assert decode(encode(record)) == record
    assert decode(encode(CopyRecord(b"/music/.a.calmtune-tmp-1-0a1b2c3d"))) == CopyRecord(
        b"/music/.a.calmtune-tmp-1-0a1b2c3d"
    )


def test_record_followed_by_an_older_longer_one_still_decodes():
    record = a_record()
    older = encode(a_record(b"/a/much/longer/path/than/the/other/one.flac" * 3))
    assert decode(encode(record) + older[len(encode(record)) :]) == record


def test_every_cut_short_record_decodes_to_nothing():
    """A kill while the record is written leaves a prefix of it over zeros (or an older one)."""
    data = encode(a_record())
    for length in range(len(data)):
        assert decode(data[:length] + bytes(len(data) - length)) is None, length


def test_a_damaged_record_decodes_to_nothing():
    data = bytearray(encode(a_record()))
    data[-5] ^= 0x01  # a bit flipped in the saved bytes
    assert decode(bytes(data)) is None


# -- recovery ----------------------------------------------------------------------------------


def interrupted_patch(path, regions: list[Region], *, applied: str) -> None:
    """Leave what a killed patch leaves: the record synced, ``applied`` ("none", "half",
    "all") of the new bytes in the file, and the writer gone."""
    st = os.stat(path)
    journal = Journal(journal_dir())
    journal.begin_patch(
        PatchRecord(
            (FilePatch(os.fsencode(path), st.st_dev, st.st_ino, st.st_size, tuple(regions)),)
        )
    )
    with open(path, "r+b") as fobj:
        for region in regions:
            new = region.new if applied == "all" else region.new[: len(region.new) // 2]
            if applied != "none":
                fobj.seek(region.offset)
                fobj.write(new)
    journal.abandon()  # the lock goes with the process: what a kill does


def edit_regions(path) -> list[Region]:
    """The regions a real mood write changes in ``path``, computed in memory."""
    audio = mutagen.File(path)
    audio["MOOD"] = ["Calm"]
    with open(path, "rb") as base, EditedView(base) as view:
        audio.save(view, padding=lambda info: info.padding)
        return view.changes()


@pytest.mark.parametrize("applied", ["all", "half"])
def test_recovery_rolls_back_an_interrupted_patch(tmp_path, applied):
    path = make_tagged_file(tmp_path / "song", "flac", title="t", mood="Chill")
    original = path.read_bytes()
    regions = edit_regions(path)
    interrupted_patch(path, regions, applied=applied)
    assert path.read_bytes() != original

    notes = recover_interrupted_writes()

    assert [(n.path, n.action, n.retry) for n in notes] == [(str(path), ROLLED_BACK, False)]
    assert path.read_bytes() == original
    assert journal_files() == []
    assert recover_interrupted_writes() == []  # done once, and said once


def test_recovery_of_a_patch_that_never_started_is_silent(tmp_path):
    path = make_tagged_file(tmp_path / "song", "ogg", title="t")
    original = path.read_bytes()
    interrupted_patch(path, edit_regions(path), applied="none")
    assert recover_interrupted_writes() == []
    assert path.read_bytes() == original and journal_files() == []


def test_recovery_leaves_alone_a_file_another_program_changed_since(tmp_path):
    path = make_tagged_file(tmp_path / "song", "flac", title="t")
    interrupted_patch(path, edit_regions(path), applied="all")
    audio = mutagen.File(path)
    audio["MOOD"] = ["Sleepy Tuesday"]  # the user retags it in another program first
    audio.save()
    changed = path.read_bytes()

    [note] = recover_interrupted_writes()

    assert "left an interrupted tag write alone" in note.action and "changed" in note.action
    assert path.read_bytes() == changed
    assert journal_files() == []


def test_recovery_leaves_alone_a_removed_or_replaced_file(tmp_path):
    gone = make_tagged_file(tmp_path / "gone", "flac", title="t")
    interrupted_patch(gone, edit_regions(gone), applied="all")
    gone.unlink()
    replaced = make_tagged_file(tmp_path / "replaced", "flac", title="t")
    interrupted_patch(replaced, edit_regions(replaced), applied="all")
    other = tmp_path / "other"
    other.write_bytes(b"another file, another inode")
    os.replace(other, replaced)  # as a tagger that writes copies does

    notes = {n.path: n.action for n in recover_interrupted_writes()}

    assert "removed since" in notes[str(gone)]
    assert "another file stands at this path" in notes[str(replaced)]
    assert replaced.read_bytes() == b"another file, another inode"
    assert journal_files() == []


def test_recovery_skips_the_journal_of_a_running_writer(tmp_path):
    path = make_tagged_file(tmp_path / "song", "flac", title="t")
    regions = edit_regions(path)
    st = os.stat(path)
    live = Journal(journal_dir())  # this process holds its lock, as a running calmtune does
    live.begin_patch(
        PatchRecord(
            (FilePatch(os.fsencode(path), st.st_dev, st.st_ino, st.st_size, tuple(regions)),)
        )
    )
    with open(path, "r+b") as fobj:
        fobj.seek(regions[0].offset)
        fobj.write(regions[0].new)
    patched = path.read_bytes()

    assert recover_interrupted_writes() == []
    assert path.read_bytes() == patched and len(journal_files()) == 1
    live.clear()
    live.close()
    assert journal_files() == []


def test_recovery_waits_for_a_file_a_running_calmtune_is_patching(tmp_path):
    import fcntl

    path = make_tagged_file(tmp_path / "song", "flac", title="t")
    original = path.read_bytes()
    interrupted_patch(path, edit_regions(path), applied="all")
    with open(path, "rb") as other_run:
        fcntl.flock(other_run, fcntl.LOCK_EX)
        [note] = recover_interrupted_writes()
    assert note.retry and "a calmtune run is writing this file now" in note.action
    assert len(journal_files()) == 1
    assert [n.action for n in recover_interrupted_writes()] == [ROLLED_BACK]
    assert path.read_bytes() == original


def test_recovery_that_cannot_write_now_keeps_the_journal_for_next_time(tmp_path, monkeypatch):
    from calmtune.tags import journal as journal_module

    path = make_tagged_file(tmp_path / "song", "flac", title="t")
    original = path.read_bytes()
    interrupted_patch(path, edit_regions(path), applied="all")
    real_open = os.open

    def read_only_mount(file, flags, *args, **kwargs):
        if os.fsencode(file) == os.fsencode(path) and flags & os.O_RDWR:
            raise OSError(errno.EROFS, "Read-only file system")
        return real_open(file, flags, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(journal_module.os, "open", read_only_mount)
        [note] = recover_interrupted_writes()
    assert note.retry and "read-only file system" in note.action
    assert len(journal_files()) == 1

    [note] = recover_interrupted_writes()  # the drive is writable again
    assert note.action == ROLLED_BACK
    assert path.read_bytes() == original and journal_files() == []


def test_recovery_that_cannot_read_the_journal_says_so_in_one_line(tmp_path, monkeypatch):
    from calmtune.tags import journal as journal_module

    journal_dir().mkdir(parents=True)

    def unreadable(folder):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(journal_module.os, "listdir", unreadable)
    [note] = recover_interrupted_writes()
    assert note.retry and note.path == str(journal_dir())
    assert (
        note.action
        == "could not read calmtune's tag journal: permission denied (tried again next run)"
    )


def test_recovery_removes_the_temp_copy_of_an_interrupted_copy(tmp_path):
    song = make_tagged_file(tmp_path / "song", "wv", title="t")
    tmp = temp_path_for(str(song))
    journal = Journal(journal_dir())
    journal.begin_copy(tmp)
    with open(tmp, "wb") as fobj:
        fobj.write(b"half a copy")
    journal.abandon()

    [note] = recover_interrupted_writes()

    assert note.path == tmp and "temporary copy" in note.action
    assert sorted(os.listdir(tmp_path)) == ["song.wv"]


def test_recovery_never_removes_a_file_calmtune_did_not_name(tmp_path):
    precious = tmp_path / "precious.flac"
    precious.write_bytes(b"the user's file")
    journal = Journal(journal_dir())
    journal.begin_copy(str(precious))  # a damaged or forged record
    journal.abandon()
    assert recover_interrupted_writes() == []
    assert precious.read_bytes() == b"the user's file"


def test_writes_leave_no_journal_and_nothing_new_in_the_music_folder(tmp_path):
    music = tmp_path / "music"
    music.mkdir()
    paths = [
        make_tagged_file(music / f"s{i}", fmt, title="t") for i, fmt in enumerate(["mp3", "wv"])
    ]
    before = sorted(os.listdir(music))
    for path in paths:
        write_tags(str(path), TagUpdate(mood=Mood.CALM))
    assert sorted(os.listdir(music)) == before
    assert journal_files() == []
    assert journal_dir().is_relative_to(Paths.discover().state_dir)


# -- doctor -----------------------------------------------------------------------------------


def test_doctor_rolls_back_an_interrupted_write_and_says_so(tmp_path):
    path = make_tagged_file(tmp_path / "song", "flac", title="t")
    original = path.read_bytes()
    interrupted_patch(path, edit_regions(path), applied="all")

    check = check_tag_journals()

    assert check.ok and check.warning
    assert check.detail == f"{path}: {ROLLED_BACK}"
    assert path.read_bytes() == original
    assert check_tag_journals().detail == "no interrupted tag writes"


def test_doctor_command_lists_the_tag_write_check(tmp_path):
    from calmtune.cli.app import cli

    path = make_tagged_file(tmp_path / "song", "flac", title="t")
    interrupted_patch(path, edit_regions(path), applied="half")
    result = CliRunner().invoke(cli, ["doctor", "--json"])
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert ROLLED_BACK in checks["tag writes"]["detail"]
    assert checks["tag writes"]["ok"]


def test_a_file_name_that_is_not_utf8_is_patched_and_recovered(tmp_path):
    made = make_tagged_file(tmp_path / "made", "flac", title="t")
    name = tmp_path / os.fsdecode(b"caf\xe9 \x1b[31m.flac")  # Latin-1 bytes and an escape code
    os.rename(made, name)
    original = name.read_bytes()
    interrupted_patch(name, edit_regions(name), applied="half")
    [note] = recover_interrupted_writes()
    assert os.fsencode(note.path) == os.fsencode(name) and note.action == ROLLED_BACK
    assert name.read_bytes() == original
    write_tags(str(name), TagUpdate(mood=Mood.FOCUS))
    assert mutagen.File(name)["MOOD"] == ["Focus"]
