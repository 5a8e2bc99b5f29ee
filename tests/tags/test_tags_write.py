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
from calmtune.tags import TagUpdate, plan_tag_changes, read_tags, write_tags
from calmtune.tags.payload import payload_digest

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


def test_write_tags_keeps_permissions_and_replaces_atomically(tmp_path):
    path = make_tagged_file(tmp_path / "perm", "flac")
    os.chmod(path, 0o640)
    inode = os.stat(path).st_ino
    write_tags(str(path), TagUpdate(mood=Mood.CALM))
    after = os.stat(path)
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert after.st_ino != inode  # a new file was renamed into place, not edited in place


def test_write_tags_read_only_file_is_refused_and_untouched(tmp_path):
    path = make_tagged_file(tmp_path / "ro", "mp3")
    os.chmod(path, 0o444)
    before = path.read_bytes()
    with pytest.raises(TagError, match="read-only"):
        write_tags(str(path), TagUpdate(mood=Mood.CALM))
    assert path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_write_tags_read_only_folder_gives_permission_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    path = make_tagged_file(folder / "a", "ogg")
    folder.chmod(0o555)
    try:
        with pytest.raises(TagError, match="permission denied"):
            write_tags(str(path), TagUpdate(mood=Mood.CALM))
    finally:
        folder.chmod(0o755)


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
