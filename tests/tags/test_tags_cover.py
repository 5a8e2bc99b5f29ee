"""read_cover: the embedded front cover of every tag family, written here with mutagen directly."""

from __future__ import annotations

import base64
import struct

import pytest

from audiofiles import make_tagged_file
from calmtune.errors import TagError
from calmtune.tags import read_cover

PNG = b"\x89PNG\r\n\x1a\n" + b"front cover pixels" * 10
JPEG = b"\xff\xd8\xff\xe0" + b"back cover pixels" * 10


def _flac_picture(data: bytes, mime: str, kind: int):
    from mutagen.flac import Picture

    picture = Picture()
    picture.data, picture.mime, picture.type = data, mime, kind
    return picture


def embed(path, fmt: str) -> None:
    """A back cover (JPEG) first, then the front cover (PNG), in the family's own way."""
    import mutagen
    from mutagen import id3

    audio = mutagen.File(path)
    if audio.tags is None:
        audio.add_tags()
    tags = audio.tags
    if fmt in ("mp3", "wav", "aiff"):
        tags.add(id3.APIC(encoding=3, mime="image/jpeg", type=4, desc="back", data=JPEG))
        tags.add(id3.APIC(encoding=3, mime="image/png", type=3, desc="front", data=PNG))
    elif fmt == "flac":
        audio.add_picture(_flac_picture(JPEG, "image/jpeg", 4))
        audio.add_picture(_flac_picture(PNG, "image/png", 3))
    elif fmt in ("ogg", "opus"):
        tags["METADATA_BLOCK_PICTURE"] = [
            base64.b64encode(_flac_picture(d, m, k).write()).decode("ascii")
            for d, m, k in ((JPEG, "image/jpeg", 4), (PNG, "image/png", 3))
        ]
    elif fmt == "m4a":
        from mutagen.mp4 import MP4Cover

        tags["covr"] = [MP4Cover(PNG, imageformat=MP4Cover.FORMAT_PNG)]
    elif fmt == "wv":
        tags["Cover Art (Front)"] = mutagen.apev2.APEValue(
            b"cover.png\x00" + PNG, mutagen.apev2.BINARY
        )
    elif fmt == "wma":
        from mutagen.asf import ASFByteArrayAttribute

        def picture(data: bytes, mime: str, kind: int) -> ASFByteArrayAttribute:
            text = (mime.encode("utf-16-le") + b"\x00\x00") + b"\x00\x00"  # mime, no description
            return ASFByteArrayAttribute(struct.pack("<BI", kind, len(data)) + text + data)

        tags["WM/Picture"] = [picture(JPEG, "image/jpeg", 4), picture(PNG, "image/png", 3)]
    audio.save()


@pytest.mark.parametrize("fmt", ["mp3", "wav", "aiff", "flac", "ogg", "opus", "m4a", "wv", "wma"])
def test_read_cover_finds_the_front_cover_of_every_family(tmp_path, fmt):
    path = make_tagged_file(tmp_path / "song", fmt, title="With cover")
    embed(path, fmt)
    assert read_cover(str(path)) == (PNG, "image/png")


def test_a_file_without_pictures_has_no_cover(tmp_path):
    path = make_tagged_file(tmp_path / "bare", "flac", title="No cover")
    assert read_cover(str(path)) is None


def test_a_broken_file_is_a_tag_error(tmp_path):
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"ID3\x04\x00\x00\x00\x00\x10\x00" + b"\xff" * 40)
    with pytest.raises(TagError):
        read_cover(str(broken))
