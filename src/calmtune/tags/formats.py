"""Which audio formats calmtune knows, by file extension and by mutagen class.

Pure data (no mutagen import). The extensions the scanner picks files by are in
``extensions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from calmtune.tags.fields import Family


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """One mutagen file type as calmtune sees it."""

    name: str  # the short name stored in TagInfo.format
    family: Family | None  # the tag family it carries; None: the format holds no tags
    writable: bool  # calmtune writes it (only formats with a payload check and a test)


# Keyed by mutagen's class name so this module need not import mutagen. ID3 families resolve to
# v2.3 or v2.4 from the file's own tag version at run time; ID3V24 is the default for new tags.
FORMATS: MappingProxyType[str, FormatSpec] = MappingProxyType(
    {
        "MP3": FormatSpec("mp3", Family.ID3V24, True),
        "FLAC": FormatSpec("flac", Family.VORBIS, True),
        "OggVorbis": FormatSpec("ogg", Family.VORBIS, True),
        "OggOpus": FormatSpec("opus", Family.OPUS, True),
        "OggFLAC": FormatSpec("oggflac", Family.VORBIS, False),
        "OggSpeex": FormatSpec("speex", Family.VORBIS, False),
        "MP4": FormatSpec("m4a", Family.MP4, True),
        "WAVE": FormatSpec("wav", Family.ID3V24, True),
        "AIFF": FormatSpec("aiff", Family.ID3V24, True),
        "ASF": FormatSpec("wma", Family.ASF, True),
        "WavPack": FormatSpec("wv", Family.APEV2, True),
        # mutagen's TrueAudio carries ID3 (an APEv2 tag at the end is ignored by it).
        "TrueAudio": FormatSpec("tta", Family.ID3V24, True),
        "MonkeysAudio": FormatSpec("ape", Family.APEV2, False),
        "Musepack": FormatSpec("mpc", Family.APEV2, False),
        "OptimFROG": FormatSpec("ofr", Family.APEV2, False),
        "TAK": FormatSpec("tak", Family.APEV2, False),
        "DSF": FormatSpec("dsf", Family.ID3V24, False),
        "DSDIFF": FormatSpec("dff", Family.ID3V24, False),
        "AAC": FormatSpec("aac", None, False),
        "AC3": FormatSpec("ac3", None, False),
    }
)

WRITABLE_FORMATS: frozenset[str] = frozenset(s.name for s in FORMATS.values() if s.writable)
