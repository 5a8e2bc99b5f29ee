"""write_tags per format: exactly the table's keys, everything else kept, audio unchanged."""

from __future__ import annotations

import os
import stat

import mutagen
import numpy as np
import pytest

from audiofiles import ALL_FORMATS, decode, make_tagged_file
from calmtune.errors import TagError
from calmtune.models import Mood, MoodSource
from calmtune.tags import TagUpdate, TagWriter, plan_tag_changes, read_tags, write_tags
from calmtune.tags.payload import payload_digest
from unprivileged import call_unprivileged

# The keys docs/music.md ("Tag keys") says each format must hold, written out here independently
# of fields.py.
MOOD_KEY = {
    "mp3": "TMOO",
    "mp3v23": "TXXX:MOOD",
    "wav": "TMOO",
    "aiff": "TMOO",
    "tta": "TMOO",
    "flac": "MOOD",
    "ogg": "MOOD",
    "opus": "MOOD",
    "m4a": "----:com.apple.iTunes:MOOD",
    "wv": "MOOD",
    "wma": "WM/Mood",
}
PROVENANCE_KEY = {
    "mp3": "TXXX:CALMTUNE",
    "mp3v23": "TXXX:CALMTUNE",
    "wav": "TXXX:CALMTUNE",
    "aiff": "TXXX:CALMTUNE",
    "tta": "TXXX:CALMTUNE",
    "m4a": "----:org.calmtune:CALMTUNE",
}
ID3_FORMATS = {"mp3", "mp3v23", "wav", "aiff", "tta"}
OTHER_TAGS = dict(title="Night Rain", artist="Someone", album="Sleep", genre="Ambient", bpm="66")


def raw_tags(path) -> dict[str, str]:
    """Every raw key -> its value(s) as text, straight from mutagen (upper-cased key names)."""
    audio = mutagen.File(path)
    out: dict[str, str] = {}
    if audio.tags is None:
        return out
    if isinstance(audio.tags, mutagen.id3.ID3):
        for frame in audio.tags.values():
            key = f"TXXX:{frame.desc}" if frame.FrameID == "TXXX" else frame.FrameID
            out[key.upper()] = str(frame)
        return out
    for key in dict.fromkeys(audio.tags.keys()):
        out[key.upper()] = repr(audio.tags[key])
    return out


def mood_text(path, fmt) -> list[str]:
    audio = mutagen.File(path)
    key = MOOD_KEY[fmt]
    if fmt in ID3_FORMATS:
        frames = audio.tags.getall(key)
        return [t for f in frames for t in f.text]
    values = audio.tags[key]
    return [bytes(v).decode() if isinstance(v, bytes) else str(v) for v in values]


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_write_tags_mood_uses_exactly_the_table_keys(tmp_path, fmt):
    path = make_tagged_file(tmp_path / "song", fmt, **OTHER_TAGS)
    audio_before = decode(path)
    tags_before = raw_tags(path)

    changes = write_tags(str(path), TagUpdate(mood=Mood.CALM))

    assert {c.field for c in changes} == {"mood", "provenance"}
    tags_after = raw_tags(path)
    mood_key = MOOD_KEY[fmt].upper()
    prov_key = PROVENANCE_KEY.get(fmt, "CALMTUNE").upper()
    assert set(tags_after) - set(tags_before) == {mood_key, prov_key}
    assert {k: v for k, v in tags_after.items() if k not in (mood_key, prov_key)} == tags_before
    assert mood_text(path, fmt) == ["Calm"]
    assert np.array_equal(decode(path), audio_before)
    info = read_tags(str(path))
    assert (info.mood, info.mood_by_calmtune, info.title, info.bpm) == (
        "Calm",
        True,
        "Night Rain",
        66.0,
    )
    assert not [n for n in os.listdir(tmp_path) if "calmtune-tmp" in n]


def test_write_tags_id3v23_stays_v23_with_txxx_mood(tmp_path):
    path = make_tagged_file(tmp_path / "old", "mp3v23", title="t")
    write_tags(str(path), TagUpdate(mood=Mood.FOCUS))
    tags = mutagen.id3.ID3(path)
    assert tags.version[:2] == (2, 3)
    assert [f.text for f in tags.getall("TXXX:MOOD")] == [["Focus"]]
    assert tags.getall("TMOO") == []


def test_write_tags_replaces_other_spellings_of_the_mood(tmp_path):
    path = make_tagged_file(tmp_path / "m", "mp3", raw={"TXXX:mood": "Relaxed", "TMOO": "Chill"})
    changes = write_tags(str(path), TagUpdate(mood=Mood.UPBEAT))
    assert [(c.old, c.new) for c in changes if c.field == "mood"] == [("Chill", "Upbeat")]
    raw = raw_tags(path)
    assert raw["TMOO"] == "Upbeat"
    assert "TXXX:MOOD" not in raw


def test_write_tags_user_mood_reads_back_as_not_calmtune(tmp_path):
    path = make_tagged_file(tmp_path / "u", "flac", mood="Happy")
    write_tags(str(path), TagUpdate(mood=Mood.CALM, mood_source=MoodSource.USER))
    info = read_tags(str(path))
    assert info.mood == "Calm"
    assert info.mood_by_calmtune is False
    assert mutagen.File(path).tags["CALMTUNE"] == ["mood=user:Calm"]


def test_write_tags_same_value_again_changes_nothing(tmp_path):
    path = make_tagged_file(tmp_path / "s", "ogg")
    assert write_tags(str(path), TagUpdate(mood=Mood.CALM, bpm=70))
    stamp = os.stat(path)
    assert write_tags(str(path), TagUpdate(mood=Mood.CALM, bpm=70.2)) == []
    assert os.stat(path).st_ino == stamp.st_ino


def test_write_tags_opus_gain_written_as_r128(tmp_path):
    path = make_tagged_file(tmp_path / "o", "opus", replaygain_track_gain="-1.00 dB")
    write_tags(str(path), TagUpdate(replaygain_track_gain=-7.5))
    tags = mutagen.File(path).tags
    assert tags["R128_TRACK_GAIN"] == [str(round((-7.5 - 5) * 256))]
    assert "REPLAYGAIN_TRACK_GAIN" not in tags
    assert read_tags(str(path)).replaygain_track_gain == -7.5


def test_write_tags_bpm_key_and_replaygain_per_family(tmp_path):
    for fmt in ("mp3", "m4a", "wma", "wv"):
        path = make_tagged_file(tmp_path / f"f_{fmt}", fmt)
        update = TagUpdate(
            bpm=71.6,
            key="Dbm",
            replaygain_track_gain=-4.25,
            replaygain_track_peak=0.5,
            replaygain_album_gain=3,
        )
        write_tags(str(path), update)
        info = read_tags(str(path))
        assert (info.bpm, info.key, info.replaygain_track_gain) == (72.0, "Dbm", -4.25), fmt
        assert (info.replaygain_track_peak, info.replaygain_album_gain) == (0.5, 3.0), fmt


def test_plan_tag_changes_writes_nothing(tmp_path):
    path = make_tagged_file(tmp_path / "p", "m4a", mood="Chill")
    before = path.read_bytes()
    changes = plan_tag_changes(str(path), TagUpdate(mood=Mood.CALM))
    assert next((c.field, c.old, c.new) for c in changes) == ("mood", "Chill", "Calm")
    assert path.read_bytes() == before


def strip_padding(path) -> None:
    """Save the tags again with no room to spare, so the next write must rewrite the file."""
    audio = mutagen.File(path)
    if isinstance(audio.tags, mutagen.id3.ID3):
        audio.save(padding=lambda info: 0, v2_version=audio.tags.version[1])
    else:
        audio.save(padding=lambda info: 0)


def differing_span(a: bytes, b: bytes) -> tuple[int, int]:
    first = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
    last = len(a) - next(i for i, (x, y) in enumerate(zip(a[::-1], b[::-1], strict=True)) if x != y)
    return first, last


@pytest.mark.parametrize("fmt", [f for f in ALL_FORMATS if f != "wv"])
def test_write_tags_that_fit_patch_the_file_in_place(tmp_path, fmt):
    """The tags fit the padding: same inode, same length, a few hundred bytes changed."""
    path = make_tagged_file(tmp_path / "song", fmt, title="t", artist="a")
    os.chmod(path, 0o640)
    before_stat, before = os.stat(path), path.read_bytes()
    write_tags(str(path), TagUpdate(mood=Mood.CALM, bpm=66))
    after_stat, after = os.stat(path), path.read_bytes()
    assert (after_stat.st_ino, after_stat.st_size) == (before_stat.st_ino, before_stat.st_size)
    assert stat.S_IMODE(after_stat.st_mode) == 0o640
    first, last = differing_span(before, after)
    assert last - first < 1024, (first, last)
    assert read_tags(str(path)).mood == "Calm"


@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg", "m4a", "wav", "wma"])
def test_write_tags_that_do_not_fit_rewrite_a_copy_with_room_for_next_time(tmp_path, fmt):
    path = make_tagged_file(tmp_path / "song", fmt, title="t")
    strip_padding(path)
    os.chmod(path, 0o640)
    inode = os.stat(path).st_ino
    write_tags(str(path), TagUpdate(mood=Mood.CALM))
    after = os.stat(path)
    assert after.st_ino != inode  # a verified copy was renamed into place
    assert stat.S_IMODE(after.st_mode) == 0o640
    write_tags(str(path), TagUpdate(mood=Mood.UPBEAT, bpm=128, key="Dbm"))
    assert os.stat(path).st_ino == after.st_ino  # the copy's padding took the next write
    assert read_tags(str(path)).mood == "Upbeat"
    assert sorted(os.listdir(tmp_path)) == [path.name]


@pytest.mark.parametrize("path_kind", ["patch", "copy"])
def test_write_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path, path_kind):
    music, elsewhere = tmp_path / "music", tmp_path / "store"
    music.mkdir()
    elsewhere.mkdir()
    target = make_tagged_file(elsewhere / "real", "flac", title="t")
    if path_kind == "copy":
        strip_padding(target)
    link = music / "link.flac"
    link.symlink_to(os.path.relpath(target, music))  # relative, as users often make them
    inode = os.stat(target).st_ino
    write_tags(str(link), TagUpdate(mood=Mood.FOCUS))
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(target, music)
    assert (os.stat(target).st_ino == inode) == (path_kind == "patch")
    assert read_tags(str(link)).mood == read_tags(str(target)).mood == "Focus"
    assert sorted(os.listdir(music)) == ["link.flac"]
    assert sorted(os.listdir(elsewhere)) == ["real.flac"]


def test_write_to_a_hard_linked_file_keeps_one_inode_for_every_name(tmp_path):
    path = make_tagged_file(tmp_path / "a", "mp3", title="t")
    other = tmp_path / "b.mp3"
    os.link(path, other)
    inode = os.stat(path).st_ino
    write_tags(str(other), TagUpdate(mood=Mood.CALM))
    assert os.stat(path).st_ino == os.stat(other).st_ino == inode
    assert os.stat(path).st_nlink == 2
    assert read_tags(str(path)).mood == read_tags(str(other)).mood == "Calm"


def test_hard_linked_file_whose_tags_do_not_fit_is_refused_not_split(tmp_path):
    path = make_tagged_file(tmp_path / "a", "flac", title="t")
    strip_padding(path)
    other = tmp_path / "b.flac"
    os.link(path, other)
    before = path.read_bytes()
    with pytest.raises(TagError, match="2 hard links, which a rewritten copy would split"):
        write_tags(str(path), TagUpdate(mood=Mood.CALM))
    assert path.read_bytes() == before
    assert os.stat(path).st_ino == os.stat(other).st_ino
    assert sorted(os.listdir(tmp_path)) == ["a.flac", "b.flac"]


def test_write_many_commits_in_groups_and_reports_each_file_in_order(tmp_path, monkeypatch):
    from calmtune.tags import write as write_module

    monkeypatch.setattr(write_module, "GROUP_SIZE", 3)
    paths = [make_tagged_file(tmp_path / f"s{i}", "ogg", title="t") for i in range(7)]
    broken = tmp_path / "broken.ogg"
    broken.write_bytes(b"not audio")
    link = tmp_path / "again.ogg"
    link.symlink_to(paths[1])  # the same file twice in one run
    jobs = [(str(p), TagUpdate(mood=Mood.CALM)) for p in [*paths[:3], broken, link, *paths[3:]]]
    with TagWriter() as writer:
        outcomes = list(writer.write_many(jobs))
    assert [path for path, _ in outcomes] == [path for path, _ in jobs]
    by_path = dict(outcomes)
    assert isinstance(by_path[str(broken)], TagError)
    assert by_path[str(link)] == []  # written already, through its other name
    assert all(by_path[str(p)] and not isinstance(by_path[str(p)], TagError) for p in paths)
    assert all(read_tags(str(p)).mood == "Calm" for p in paths)


def test_write_tags_read_only_file_is_refused_and_untouched(tmp_path):
    path = make_tagged_file(tmp_path / "ro", "mp3")
    os.chmod(path, 0o444)
    before = path.read_bytes()
    with pytest.raises(TagError, match="read-only"):
        write_tags(str(path), TagUpdate(mood=Mood.CALM))
    assert path.read_bytes() == before


def test_write_tags_read_only_folder_gives_permission_error(shared_tmp):
    warm = make_tagged_file(shared_tmp / "warm", "ogg")
    write_tags(str(warm), TagUpdate(mood=Mood.CALM))  # imports, while still root
    folder = shared_tmp / "locked"
    folder.mkdir()
    path = make_tagged_file(folder / "a", "ogg")
    path.chmod(0o666)  # the file itself is writable: only the folder stops the safe write
    folder.chmod(0o555)
    before = path.read_bytes()
    try:
        error, _ = call_unprivileged(write_tags, str(path), TagUpdate(mood=Mood.CALM))
    finally:
        folder.chmod(0o755)
    assert error.startswith("TagError") and "permission denied" in error
    assert path.read_bytes() == before


def test_write_tags_missing_file_says_not_found(tmp_path):
    with pytest.raises(TagError, match="not found"):
        write_tags(str(tmp_path / "gone.flac"), TagUpdate(mood=Mood.CALM))


def test_tag_update_refuses_unknown_mood():
    with pytest.raises(ValueError):
        TagUpdate(mood=Mood.UNKNOWN)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_payload_digest_ignores_tags_but_sees_audio_bytes(tmp_path, fmt):
    path = make_tagged_file(tmp_path / "d", fmt, title="a")
    name = "mp3" if fmt == "mp3v23" else fmt
    digest = payload_digest(str(path), name)
    flipped = tmp_path / ("copy" + path.suffix)
    flipped.write_bytes(path.read_bytes())
    audio = mutagen.File(path)
    if isinstance(audio.tags, mutagen.id3.ID3):
        audio.tags.add(mutagen.id3.TIT2(encoding=3, text=["a much longer title " * 50]))
        audio.save(v2_version=3 if fmt == "mp3v23" else 4)
    else:
        audio.tags["ALBUM" if fmt != "m4a" else "\xa9alb"] = ["x" * 5000]
        audio.save()
    assert payload_digest(str(path), name) == digest

    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0xFF  # with a one-letter tag, the middle byte is audio data
    flipped.write_bytes(bytes(data))
    assert payload_digest(str(flipped), name) != digest


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_payload_check_after_a_patch_sees_every_audio_byte_it_touched(tmp_path, fmt):
    """An in-place patch is checked by comparing only the audio bytes it touched; a change to
    any of them, at either end or in the middle of the first and last audio ranges, is seen."""
    from calmtune.tags.overlay import EditedView
    from calmtune.tags.payload import _pieces, same_payload

    path = make_tagged_file(tmp_path / "d", fmt, title="a", seconds=1.0)
    name = "mp3" if fmt == "mp3v23" else fmt
    data = path.read_bytes()
    with open(path, "rb") as fobj:
        ranges = [p for p in _pieces(fobj, name) if isinstance(p, tuple) and p[1] > p[0]]
    for start, end in {ranges[0], ranges[-1]}:
        for offset in (start, (start + end) // 2, end - 1):
            flipped = bytes([data[offset] ^ 0xFF])
            with open(path, "rb") as old, open(path, "rb") as base:
                new = EditedView(base, ((offset, flipped),))
                assert not same_payload(old, new, name, [(offset, offset + 1)]), offset
            with open(path, "rb") as old, open(path, "rb") as base:
                same = EditedView(base, ((offset, data[offset : offset + 1]),))
                assert same_payload(old, same, name, [(offset, offset + 1)]), offset
