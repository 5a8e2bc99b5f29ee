"""The one declarative table of which tag key holds which field, per tag family.

Reading and writing both go through this table, so a key is fixed in one place. For every field
the keys are those other taggers use, in the order they are read. When calmtune writes a field
it writes one of them (see below) and removes the others, so a file never holds two disagreeing
values for a field calmtune owns. Keys follow MusicBrainz Picard's mapping (docs/music.md, "Tag
keys").

Keys are read in table order; calmtune writes the key marked ``write`` (else the first).

This module is pure data: it imports nothing third-party, so ``calmtune.tags`` stays cheap to import.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Family(StrEnum):
    """A tag container kind. Several formats share one (WAV and AIFF carry ID3, for example)."""

    ID3V24 = "id3v2.4"
    ID3V23 = "id3v2.3"
    VORBIS = "vorbis"
    OPUS = "opus"  # Vorbis comments, but gains live in R128_* keys (RFC 7845)
    MP4 = "mp4"
    APEV2 = "apev2"
    ASF = "asf"


class Storage(StrEnum):
    """How one key stores its value, when that is not plain text."""

    TEXT = "text"
    MP4_INT = "mp4_int"  # MP4 ``tmpo``: a list of ints
    MP4_PAIR = "mp4_pair"  # MP4 ``trkn``: a list of (number, total) tuples
    R128 = "r128"  # Opus R128_*_GAIN: Q7.8 integer text, relative to -23 LUFS


@dataclass(frozen=True, slots=True)
class Key:
    """One raw key. For ID3, ``TXXX:DESC`` names a user text frame (description matched
    case-insensitively); for MP4, ``----:mean:name`` a freeform atom."""

    name: str
    storage: Storage = Storage.TEXT
    write: bool = False  # the key calmtune writes, when that is not the first (read-first) key


# Fields calmtune reads. The ones in WRITABLE_FIELDS are also written.
FIELDS = (
    "title",
    "artist",
    "album",
    "albumartist",
    "genre",
    "tracknumber",
    "bpm",
    "key",
    "mood",
    "replaygain_track_gain",
    "replaygain_track_peak",
    "replaygain_album_gain",
    "replaygain_album_peak",
    "provenance",
    "year",
)
WRITABLE_FIELDS = frozenset(
    {
        "bpm",
        "key",
        "mood",
        "replaygain_track_gain",
        "replaygain_track_peak",
        "replaygain_album_gain",
        "replaygain_album_peak",
        "provenance",
    }
)

FieldTable = MappingProxyType  # field name -> tuple[Key, ...]


def _keys(*names: str, storage: Storage = Storage.TEXT) -> tuple[Key, ...]:
    return tuple(Key(n, storage) for n in names)


_ID3_COMMON = {
    "title": _keys("TIT2"),
    "artist": _keys("TPE1"),
    "album": _keys("TALB"),
    "albumartist": _keys("TPE2"),
    "genre": _keys("TCON"),
    "tracknumber": _keys("TRCK"),
    "bpm": _keys("TBPM"),
    "key": _keys("TKEY"),
    "replaygain_track_gain": _keys("TXXX:REPLAYGAIN_TRACK_GAIN"),
    "replaygain_track_peak": _keys("TXXX:REPLAYGAIN_TRACK_PEAK"),
    "replaygain_album_gain": _keys("TXXX:REPLAYGAIN_ALBUM_GAIN"),
    "replaygain_album_peak": _keys("TXXX:REPLAYGAIN_ALBUM_PEAK"),
    "provenance": _keys("TXXX:CALMTUNE"),
    # mutagen reads an ID3v2.3 TYER (+TDAT) as TDRC; TYER is there for tags it left alone.
    "year": _keys("TDRC", "TYER"),
}

_VORBIS = {
    "title": _keys("TITLE"),
    "artist": _keys("ARTIST"),
    "album": _keys("ALBUM"),
    "albumartist": _keys("ALBUMARTIST", "ALBUM ARTIST"),
    "genre": _keys("GENRE"),
    "tracknumber": _keys("TRACKNUMBER"),
    "bpm": _keys("BPM"),
    "key": _keys("KEY", "INITIALKEY"),
    "mood": _keys("MOOD"),
    "replaygain_track_gain": _keys("REPLAYGAIN_TRACK_GAIN"),
    "replaygain_track_peak": _keys("REPLAYGAIN_TRACK_PEAK"),
    "replaygain_album_gain": _keys("REPLAYGAIN_ALBUM_GAIN"),
    "replaygain_album_peak": _keys("REPLAYGAIN_ALBUM_PEAK"),
    "provenance": _keys("CALMTUNE"),
    "year": _keys("DATE", "YEAR"),
}

_ITUNES = "----:com.apple.iTunes:"

TABLES: MappingProxyType[Family, MappingProxyType[str, tuple[Key, ...]]] = MappingProxyType(
    {
        # v2.4: TMOO is the standard frame; some v2.3-era taggers left TXXX:MOOD, read it too.
        Family.ID3V24: MappingProxyType({**_ID3_COMMON, "mood": _keys("TMOO", "TXXX:MOOD")}),
        # v2.3 has no TMOO (mutagen's update_to_v23 drops it), so Picard writes TXXX:MOOD.
        Family.ID3V23: MappingProxyType({**_ID3_COMMON, "mood": _keys("TXXX:MOOD", "TMOO")}),
        Family.VORBIS: MappingProxyType(_VORBIS),
        Family.OPUS: MappingProxyType(
            {
                **_VORBIS,
                # RFC 7845: Opus gains are R128_* (Q7.8, -23 LUFS reference). A REPLAYGAIN_* gain
                # some tools write states the -18 LUFS figure directly, so it is read first;
                # calmtune writes R128 and removes the REPLAYGAIN_* one.
                "replaygain_track_gain": (
                    Key("REPLAYGAIN_TRACK_GAIN"),
                    Key("R128_TRACK_GAIN", Storage.R128, write=True),
                ),
                "replaygain_album_gain": (
                    Key("REPLAYGAIN_ALBUM_GAIN"),
                    Key("R128_ALBUM_GAIN", Storage.R128, write=True),
                ),
            }
        ),
        Family.MP4: MappingProxyType(
            {
                "title": _keys("\xa9nam"),
                "artist": _keys("\xa9ART"),
                "album": _keys("\xa9alb"),
                "albumartist": _keys("aART"),
                "genre": _keys("\xa9gen"),
                "tracknumber": _keys("trkn", storage=Storage.MP4_PAIR),
                "bpm": _keys("tmpo", storage=Storage.MP4_INT),
                "key": _keys(_ITUNES + "initialkey", _ITUNES + "KEY"),
                "mood": _keys(_ITUNES + "MOOD"),
                "replaygain_track_gain": _keys(_ITUNES + "REPLAYGAIN_TRACK_GAIN"),
                "replaygain_track_peak": _keys(_ITUNES + "REPLAYGAIN_TRACK_PEAK"),
                "replaygain_album_gain": _keys(_ITUNES + "REPLAYGAIN_ALBUM_GAIN"),
                "replaygain_album_peak": _keys(_ITUNES + "REPLAYGAIN_ALBUM_PEAK"),
                "provenance": _keys("----:org.calmtune:CALMTUNE"),
                "year": _keys("\xa9day"),
            }
        ),
        Family.APEV2: MappingProxyType(
            {
                "title": _keys("Title"),
                "artist": _keys("Artist"),
                "album": _keys("Album"),
                "albumartist": _keys("Album Artist", "ALBUMARTIST"),
                "genre": _keys("Genre"),
                "tracknumber": _keys("Track"),
                "bpm": _keys("BPM"),
                "key": _keys("Key"),
                "mood": _keys("Mood"),
                "replaygain_track_gain": _keys("REPLAYGAIN_TRACK_GAIN"),
                "replaygain_track_peak": _keys("REPLAYGAIN_TRACK_PEAK"),
                "replaygain_album_gain": _keys("REPLAYGAIN_ALBUM_GAIN"),
                "replaygain_album_peak": _keys("REPLAYGAIN_ALBUM_PEAK"),
                "provenance": _keys("CALMTUNE"),
                "year": _keys("Year"),
            }
        ),
        Family.ASF: MappingProxyType(
            {
                "title": _keys("Title"),
                "artist": _keys("Author"),
                "album": _keys("WM/AlbumTitle"),
                "albumartist": _keys("WM/AlbumArtist"),
                "genre": _keys("WM/Genre"),
                "tracknumber": _keys("WM/TrackNumber"),
                "bpm": _keys("WM/BeatsPerMinute"),
                "key": _keys("WM/InitialKey"),
                "mood": _keys("WM/Mood"),
                "replaygain_track_gain": _keys("REPLAYGAIN_TRACK_GAIN"),
                "replaygain_track_peak": _keys("REPLAYGAIN_TRACK_PEAK"),
                "replaygain_album_gain": _keys("REPLAYGAIN_ALBUM_GAIN"),
                "replaygain_album_peak": _keys("REPLAYGAIN_ALBUM_PEAK"),
                "provenance": _keys("CALMTUNE"),
                "year": _keys("WM/Year"),
            }
        ),
    }
)


def table_for(family: Family) -> MappingProxyType[str, tuple[Key, ...]]:
    """The field -> keys table of one family. Fields a family cannot hold are absent."""
    return TABLES[family]


def write_key(family: Family, field: str) -> Key | None:
    """The key calmtune writes ``field`` to in this family; None if the family cannot hold it."""
    keys = TABLES[family].get(field, ())
    return next((k for k in keys if k.write), keys[0] if keys else None)


def owned_keys(family: Family, fields: frozenset[str] = WRITABLE_FIELDS) -> tuple[Key, ...]:
    """Every key (write key and aliases) of the given fields: what a calmtune write may touch."""
    table = TABLES[family]
    return tuple(k for f in fields if f in table for k in table[f])
