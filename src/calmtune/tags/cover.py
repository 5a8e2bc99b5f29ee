"""The front cover embedded in a file, for the desktop's media controls (``calmtune.desktop``).

Each tag family keeps pictures its own way: ID3 ``APIC`` frames, FLAC picture blocks, a base64
``METADATA_BLOCK_PICTURE`` comment in Ogg, the MP4 ``covr`` atom, an APEv2 ``Cover Art (Front)``
item (file name, NUL, image), the ASF ``WM/Picture`` attribute. A front cover (picture type 3) is
preferred; any picture will do otherwise.
"""

from __future__ import annotations

from typing import Any

from calmtune.tags._mutagen import guarded, open_audio

FRONT_COVER = 3  # the ID3/FLAC picture type of a front cover
_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def read_cover(path: str) -> tuple[bytes, str] | None:
    """(image bytes, MIME type) of the file's cover, or None when it has none. Raises TagError
    for a file that cannot be read."""
    audio, spec = open_audio(path)
    with guarded(f"{spec.name.upper()} file"):
        pictures = list(_pictures(audio))
    if not pictures:
        return None
    pictures.sort(key=lambda p: p[0] != FRONT_COVER)
    _kind, data, mime = pictures[0]
    return data, mime or _sniff(data)


def _pictures(audio: Any):
    """(picture type, data, MIME type or "") for every picture the file holds."""
    tags = audio.tags
    for picture in getattr(audio, "pictures", None) or ():  # FLAC picture blocks
        yield picture.type, picture.data, picture.mime
    if tags is None:
        return
    if hasattr(tags, "getall"):  # ID3
        for frame in tags.getall("APIC"):
            yield frame.type, frame.data, frame.mime
        return
    # .keys(): iterating Vorbis comments gives (key, value) pairs, not keys
    keys = {str(k).casefold(): k for k in tags.keys()}  # noqa: SIM118
    if "metadata_block_picture" in keys:  # Vorbis comments (Ogg Vorbis, Opus)
        import base64

        from mutagen.flac import Picture

        for text in tags[keys["metadata_block_picture"]]:
            picture = Picture(base64.b64decode(text))
            yield picture.type, picture.data, picture.mime
    if "covr" in keys:  # MP4
        for cover in tags[keys["covr"]]:
            yield FRONT_COVER, bytes(cover), ""
    if "cover art (front)" in keys:  # APEv2: "name\0image"
        value = bytes(tags[keys["cover art (front)"]].value)
        yield FRONT_COVER, value.split(b"\x00", 1)[-1], ""
    if "wm/picture" in keys:  # ASF
        for attribute in tags[keys["wm/picture"]]:
            yield _asf_picture(bytes(attribute.value))


def _asf_picture(raw: bytes) -> tuple[int, bytes, str]:
    """WM/Picture: type (1 byte), size (4), MIME and description (UTF-16, NUL-ended), data."""
    kind = raw[0]
    rest = raw[5:]
    mime, rest = _utf16_field(rest)
    _description, data = _utf16_field(rest)
    return kind, data, mime


def _utf16_field(raw: bytes) -> tuple[str, bytes]:
    for end in range(0, len(raw) - 1, 2):
        if raw[end : end + 2] == b"\x00\x00":
            return raw[:end].decode("utf-16-le", "replace"), raw[end + 2 :]
    return "", b""


def _sniff(data: bytes) -> str:
    return next((mime for magic, mime in _MAGIC if data.startswith(magic)), "image/jpeg")
