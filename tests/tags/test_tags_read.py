"""read_tags against real generated files of every format, and against broken ones."""

from __future__ import annotations

import random
import subprocess
import sys

import mutagen
import pytest

from audiofiles import ALL_FORMATS, make_tagged_file
from calmtune.errors import TagError
from calmtune.tags import AUDIO_EXTENSIONS, read_tags
from unprivileged import call_unprivileged

FULL_TAGS = dict(
    title="Tïtle [/] ☾",
    artist="Artist",
    album="Album",
    albumartist="Various",
    genre="Ambient",
    tracknumber="3/12",
    bpm="68",
    key="Am",
    mood="Relaxed",
    replaygain_track_gain="-6.50 dB",
    replaygain_track_peak="0.988553",
    replaygain_album_gain="-7.25 dB",
    replaygain_album_peak="0.999",
    year="1997-09-22",
)
EXPECTED_FORMAT = {"mp3v23": "mp3"}


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_read_tags_every_field_per_format(tmp_path, fmt):
    path = make_tagged_file(tmp_path / f"song_{fmt}", fmt, **FULL_TAGS)
    info = read_tags(str(path))
    assert info.format == EXPECTED_FORMAT.get(fmt, fmt)
    assert (info.title, info.artist, info.album, info.albumartist, info.genre) == (
        "Tïtle [/] ☾",
        "Artist",
        "Album",
        "Various",
        "Ambient",
    )
    assert info.tracknumber == 3
    assert info.bpm == 68.0
    assert info.key == "Am"
    assert info.mood == "Relaxed"
    assert info.mood_by_calmtune is False
    assert info.replaygain_track_gain == -6.5
    assert info.replaygain_track_peak == pytest.approx(0.988553)
    assert info.replaygain_album_gain == -7.25
    assert info.replaygain_album_peak == pytest.approx(0.999)
    assert info.year == 1997
    reference = mutagen.File(path)
    assert info.duration == pytest.approx(reference.info.length)
    assert info.sample_rate == (48000 if fmt == "opus" else 44100)
    assert info.bitrate and info.bitrate > 0
    if fmt != "tta":  # mutagen's TrueAudio reports no channel count
        assert info.channels == 2


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_read_tags_untagged_file_gives_none_fields(tmp_path, fmt):
    info = read_tags(str(make_tagged_file(tmp_path / "bare", fmt)))
    assert info.format == EXPECTED_FORMAT.get(fmt, fmt)
    assert info.title is None and info.mood is None and info.bpm is None and info.year is None
    assert info.duration == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize(
    ("fmt", "raw", "mood"),
    [
        ("mp3", {"TMOO": "Chill"}, "Chill"),
        ("mp3v23", {"TXXX:mood": "Relaxed"}, "Relaxed"),
        ("mp3v23", {"TXXX:Mood": "Mellow"}, "Mellow"),
        ("mp3", {"TXXX:MOOD": "Peaceful"}, "Peaceful"),  # a v2.3-era frame left in a v2.4 tag
        ("wav", {"TMOO": "Happy"}, "Happy"),
        ("flac", {"mood": "Peaceful"}, "Peaceful"),
        ("opus", {"Mood": "Sleep"}, "Sleep"),
        ("m4a", {"----:com.apple.iTunes:MOOD": "Party"}, "Party"),
        ("m4a", {"----:com.apple.iTunes:mood": "Study"}, "Study"),
        ("wma", {"WM/Mood": "Chill"}, "Chill"),
        ("wv", {"MOOD": "Chill"}, "Chill"),
    ],
)
def test_read_tags_mood_from_other_taggers_any_spelling(tmp_path, fmt, raw, mood):
    info = read_tags(str(make_tagged_file(tmp_path / "m", fmt, raw=raw)))
    assert info.mood == mood
    assert info.mood_by_calmtune is False


def test_read_tags_id3v24_prefers_tmoo_over_txxx(tmp_path):
    path = make_tagged_file(tmp_path / "m", "mp3", raw={"TMOO": "Chill", "TXXX:MOOD": "Happy"})
    assert read_tags(str(path)).mood == "Chill"


def test_read_tags_opus_r128_gain_converted_to_replaygain_reference(tmp_path):
    # -2560 / 256 = -10 dB at -23 LUFS -> -5 dB at ReplayGain's -18 LUFS.
    path = make_tagged_file(tmp_path / "r", "opus", raw={"R128_TRACK_GAIN": "-2560"})
    info = read_tags(str(path))
    assert info.replaygain_track_gain == -5.0
    assert info.replaygain_album_gain is None


def test_read_tags_opus_replaygain_tag_wins_over_r128(tmp_path):
    path = make_tagged_file(
        tmp_path / "r",
        "opus",
        replaygain_track_gain="-3.00 dB",
        raw={"R128_TRACK_GAIN": "-2560"},
    )
    assert read_tags(str(path)).replaygain_track_gain == -3.0


@pytest.mark.parametrize("fmt", ["mp3", "flac", "m4a", "wma", "wv"])
def test_read_tags_garbage_values_become_none(tmp_path, fmt):
    garbage = dict(replaygain_track_gain="loud", replaygain_track_peak="-1")
    if fmt != "m4a":  # MP4 stores BPM and track number as integer atoms: no garbage possible
        garbage.update(bpm="fast", tracknumber="x/12")
    path = make_tagged_file(tmp_path / "g", fmt, title="ok", **garbage)
    info = read_tags(str(path))
    assert info.title == "ok"
    assert info.bpm is None
    assert info.replaygain_track_gain is None
    assert info.replaygain_track_peak is None
    assert info.tracknumber is None


def test_read_tags_provenance_marks_calmtune_mood(tmp_path):
    path = make_tagged_file(
        tmp_path / "p", "flac", mood="Calm", raw={"CALMTUNE": "mood=calmtune:Calm"}
    )
    assert read_tags(str(path)).mood_by_calmtune is True


def test_read_tags_provenance_ignored_when_another_tagger_changed_the_mood(tmp_path):
    path = make_tagged_file(
        tmp_path / "p", "mp3", mood="Happy", raw={"TXXX:CALMTUNE": "mood=calmtune:Calm"}
    )
    info = read_tags(str(path))
    assert info.mood == "Happy"
    assert info.mood_by_calmtune is False


def test_read_tags_provenance_user_mood_is_not_calmtune(tmp_path):
    path = make_tagged_file(tmp_path / "p", "ogg", mood="Calm", raw={"CALMTUNE": "mood=user:Calm"})
    assert read_tags(str(path)).mood_by_calmtune is False


def test_read_tags_content_decides_format_not_extension(tmp_path):
    flac = make_tagged_file(tmp_path / "real.flac", "flac", title="t")
    disguised = tmp_path / "disguised.mp3"
    flac.rename(disguised)
    info = read_tags(str(disguised))
    assert info.format == "flac"
    assert info.title == "t"
    ogg = make_tagged_file(tmp_path / "real.ogg", "ogg", title="o")
    ogg.rename(tmp_path / "disguised.m4a")
    assert read_tags(str(tmp_path / "disguised.m4a")).format == "ogg"


def test_read_tags_huge_tag_frames(tmp_path):
    big_text = "x" * 2_000_000
    path = make_tagged_file(
        tmp_path / "big",
        "mp3",
        title="big",
        raw={"TXXX:NOTES": big_text, "APIC": b"\x89PNG" * 500_000},
    )
    info = read_tags(str(path))
    assert info.title == "big"
    assert info.duration == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize(
    "ext", [".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav", ".aiff", ".wma", ".wv"]
)
def test_read_tags_zero_byte_file_raises_tag_error(tmp_path, ext):
    path = tmp_path / f"empty{ext}"
    path.write_bytes(b"")
    with pytest.raises(TagError):
        read_tags(str(path))


def noise(seed: str, size: int = 64 * 1024) -> bytearray:
    """Seeded random bytes without a single 0xFF, so no MPEG or ADTS frame sync (eleven set
    bits) can appear in them: whatever the seed, nothing in them is audio."""
    return bytearray(b % 0xFF for b in random.Random(seed).randbytes(size))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(
    "ext", [".mp3", ".flac", ".ogg", ".m4a", ".wav", ".aiff", ".wma", ".wv", ".tta"]
)
def test_read_tags_random_bytes_raise_tag_error(tmp_path, ext, seed):
    path = tmp_path / f"noise{ext}"
    path.write_bytes(noise(f"{ext}-{seed}"))
    with pytest.raises(TagError) as err:
        read_tags(str(path))
    assert "\n" not in str(err.value)


MPEG_HEADER = b"\xff\xfb\x90\x64"  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames


def test_read_tags_random_bytes_with_stray_mpeg_headers_raise_tag_error(tmp_path):
    """Lone frame headers in noise (what made unseeded noise pass as MP3 now and then is a
    chain of them, below) are not enough: mutagen needs a frame to follow each frame."""
    path = tmp_path / "noise.mp3"
    for seed in range(4):
        data = noise(f"stray-{seed}")
        for offset in random.Random(seed).sample(range(len(data) - 4), 40):
            data[offset : offset + 4] = MPEG_HEADER
        path.write_bytes(bytes(data))
        with pytest.raises(TagError, match="can't sync to MPEG frame"):
            read_tags(str(path))


def test_read_tags_random_bytes_with_a_chain_of_mpeg_frames_read_as_mp3(tmp_path):
    """Noise in which frame headers follow each other at the frame length is, to a tag
    reader, an MP3 stream: it reads as one, deterministically."""
    path = tmp_path / "noise.mp3"
    data = noise("chain")
    for k in range(8):
        data[1000 + k * 417 : 1004 + k * 417] = MPEG_HEADER
    path.write_bytes(bytes(data))
    info = read_tags(str(path))
    assert (info.format, info.bitrate, info.sample_rate) == ("mp3", 128000, 44100)


def test_read_tags_text_file_named_audio_says_not_recognised(tmp_path):
    path = tmp_path / "notes.ogg"
    path.write_text("shopping list\n" * 100)
    with pytest.raises(TagError, match="not an audio file mutagen recognises"):
        read_tags(str(path))


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_read_tags_truncated_files_give_taginfo_or_tag_error(tmp_path, fmt):
    """Cut a real file at many lengths: each read returns a TagInfo or raises TagError, nothing else."""
    whole = make_tagged_file(tmp_path / "whole", fmt, title="t", mood="Calm").read_bytes()
    cut = tmp_path / ("cut" + ".bin")
    outcomes = set()
    for length in sorted(
        {1, 4, 10, 11, 40, 100, 200, 500, 1000, 4000, len(whole) // 2, len(whole) - 1}
    ):
        cut.write_bytes(whole[:length])
        try:
            read_tags(str(cut))
            outcomes.add("info")
        except TagError as err:
            assert str(err)
            outcomes.add("error")
    assert "error" in outcomes  # at least the tiny cuts must be refused


def test_read_tags_missing_file_and_folder(tmp_path):
    with pytest.raises(TagError, match="not found"):
        read_tags(str(tmp_path / "gone.mp3"))
    with pytest.raises(TagError, match="folder"):
        read_tags(str(tmp_path))


def test_read_tags_unreadable_file_says_permission_denied(shared_tmp):
    read_tags(str(make_tagged_file(shared_tmp / "warm", "flac")))  # imports, while still root
    path = make_tagged_file(shared_tmp / "locked", "flac")
    path.chmod(0)
    try:
        error, _ = call_unprivileged(read_tags, str(path))  # root reads any file
    finally:
        path.chmod(0o644)
    assert error.startswith("TagError") and "permission denied" in error


def test_audio_extensions_cover_the_common_formats():
    assert {
        ".mp3",
        ".flac",
        ".ogg",
        ".opus",
        ".m4a",
        ".wav",
        ".aiff",
        ".wma",
        ".wv",
        ".ape",
    } <= AUDIO_EXTENSIONS
    assert all(e.startswith(".") and e == e.lower() for e in AUDIO_EXTENSIONS)
    assert ".txt" not in AUDIO_EXTENSIONS and ".jpg" not in AUDIO_EXTENSIONS


def test_import_calmtune_tags_does_not_import_mutagen():
    code = "import sys, calmtune.tags; print('mutagen' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
