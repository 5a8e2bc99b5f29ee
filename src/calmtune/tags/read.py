"""Read a file's tags and stream info into a ``TagInfo`` through the field table."""

from __future__ import annotations

import os
from typing import Any

from calmtune.models import TagInfo
from calmtune.tags import values
from calmtune.tags._mutagen import family_of, get_raw, guarded, open_audio
from calmtune.tags.fields import Family, Key, Storage, table_for
from calmtune.tags.provenance import parse_provenance, set_by_user_here, written_by_calmtune

_TEXT_FIELDS = ("title", "artist", "album", "albumartist", "genre", "key", "mood")
_PARSERS = {
    "tracknumber": values.parse_tracknumber,
    "bpm": values.parse_bpm,
    "replaygain_track_gain": values.parse_gain,
    "replaygain_album_gain": values.parse_gain,
    "replaygain_track_peak": values.parse_peak,
    "replaygain_album_peak": values.parse_peak,
    "year": values.parse_year,
}


def read_field(tags: Any, family: Family, field: str) -> Any:
    """The typed value of ``field``: the first key (in table order) holding a usable value."""
    parse = _PARSERS.get(field, values.clean_text)
    for key in table_for(family).get(field, ()):
        for raw in get_raw(tags, family, key):
            value = _parse_key(key, raw, parse)
            if value is not None:
                return value
    return None


def read_raw_text(tags: Any, family: Family, field: str) -> str | None:
    """The field's first raw value as text, exactly as stored (for showing old -> new)."""
    for key in table_for(family).get(field, ()):
        for raw in get_raw(tags, family, key):
            text = values.clean_text(raw[0] if isinstance(raw, tuple) else raw)
            if text is not None:
                return text
    return None


def _parse_key(key: Key, raw: Any, parse: Any) -> Any:
    if key.storage is Storage.R128:
        return values.parse_r128(raw)
    return parse(raw)


def read_tags(path: str) -> TagInfo:
    """What the file at ``path`` says about itself. Raises TagError for anything unreadable."""
    audio, spec = open_audio(path)
    with guarded(f"{spec.name.upper()} file"):
        return _tag_info(path, audio, spec.name, family_of(audio, spec))


def mood_set_by_user_here(path: str) -> bool:
    """True when the file's mood is one the user set through calmtune (its provenance record
    says so, for the value the file holds now). Raises TagError for anything unreadable."""
    audio, spec = open_audio(path)
    family = family_of(audio, spec)
    if family is None or audio.tags is None:
        return False
    with guarded(f"{spec.name.upper()} file"):
        provenance = parse_provenance(read_raw_text(audio.tags, family, "provenance"))
        return set_by_user_here(provenance, "mood", read_field(audio.tags, family, "mood"))


def tag_info_from(path: str, audio: Any, fmt: str, family: Family | None) -> TagInfo:
    """Build a TagInfo from an already loaded mutagen object (the writer's verify step)."""
    with guarded(f"{fmt.upper()} file"):
        return _tag_info(path, audio, fmt, family)


def _tag_info(path: str, audio: Any, fmt: str, family: Family | None) -> TagInfo:
    values: dict[str, Any] = {"format": fmt, **_stream_info(path, audio, fmt)}
    tags = audio.tags
    if family is None or tags is None:
        return TagInfo(**values)
    for field in (*_TEXT_FIELDS, *_PARSERS):
        values[field] = read_field(tags, family, field)
    provenance = parse_provenance(read_raw_text(tags, family, "provenance"))
    values["mood_by_calmtune"] = written_by_calmtune(provenance, "mood", values["mood"])
    return TagInfo(**values)


def _stream_info(path: str, audio: Any, fmt: str) -> dict[str, Any]:
    stream = audio.info
    length = getattr(stream, "length", None)
    duration = float(length) if length and length > 0 else None
    rate = getattr(stream, "sample_rate", None)
    if not rate and fmt == "opus":
        rate = 48000  # Opus always decodes at 48 kHz; the header's input rate is informational
    channels = getattr(stream, "channels", None)
    bitrate = getattr(stream, "bitrate", None)
    if not bitrate and duration:
        # mutagen gives no bitrate for some containers (Opus, ...): the average over the file,
        # as ffprobe reports it, is the honest figure.
        bitrate = os.path.getsize(path) * 8 / duration
    return {
        "duration": duration,
        "sample_rate": int(rate) if rate else None,
        "channels": int(channels) if channels else None,
        "bitrate": int(bitrate) if bitrate else None,
    }
