"""Which file formats calmtune plays: libsndfile decodes most, ffmpeg the rest. No pygame here.

calmtune decodes every file itself (``calmtune.audio.decode``) and hands the mixer PCM, so what
plays is what the decoder reads, not what SDL_mixer happens to support.
"""

from __future__ import annotations

from pathlib import Path

from calmtune.audio.decode import FFMPEG_ONLY, find_ffmpeg

# Formats libsndfile (through soundfile) decodes.
NATIVE_FORMATS = ("mp3", "flac", "ogg", "opus", "wav", "aiff")
# Formats only ffmpeg decodes; played when ffmpeg is on PATH.
FFMPEG_FORMATS = ("m4a", "aac", "alac", "wma", "wv")

_ALIASES = {
    "oga": "ogg",
    "aif": "aiff",
    "aifc": "aiff",
    "wave": "wav",
    "mp4": "m4a",
    "m4b": "m4a",
    "asf": "wma",
}

__all__ = ["FFMPEG_FORMATS", "NATIVE_FORMATS", "find_ffmpeg", "format_of", "needs_ffmpeg"]


def format_of(path: str | Path) -> str:
    """Short lower-case format name from the file extension ("" when there is none)."""
    ext = Path(path).suffix.lower().lstrip(".")
    return _ALIASES.get(ext, ext)


def needs_ffmpeg(path: str | Path) -> bool:
    return Path(path).suffix.lower().lstrip(".") in FFMPEG_ONLY or format_of(path) in FFMPEG_FORMATS


def playable_formats(ffmpeg: str | None = None, *, look_up: bool = True) -> dict[str, bool]:
    """Every known format and whether calmtune can play it here (for ``calmtune doctor``)."""
    if ffmpeg is None and look_up:
        ffmpeg = find_ffmpeg()
    formats = dict.fromkeys(NATIVE_FORMATS, True)
    formats.update(dict.fromkeys(FFMPEG_FORMATS, ffmpeg is not None))
    return formats
