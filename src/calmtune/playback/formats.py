"""Which file formats SDL_mixer plays itself and which need ffmpeg. No pygame import needed."""

from __future__ import annotations

import shutil
from pathlib import Path

# Formats the SDL_mixer inside pygame-ce wheels decodes (checked by loading generated files).
SDL_FORMATS = ("mp3", "flac", "ogg", "opus", "wav", "aiff", "wv")
# Formats SDL cannot decode; played through an ffmpeg subprocess when ffmpeg is on PATH.
FFMPEG_FORMATS = ("m4a", "aac", "alac", "wma")

_ALIASES = {
    "oga": "ogg",
    "aif": "aiff",
    "aifc": "aiff",
    "wave": "wav",
    "mp4": "m4a",
    "m4b": "m4a",
    "asf": "wma",
}


def format_of(path: str | Path) -> str:
    """Short lower-case format name from the file extension ("" when there is none)."""
    ext = Path(path).suffix.lower().lstrip(".")
    return _ALIASES.get(ext, ext)


def needs_ffmpeg(path: str | Path) -> bool:
    return format_of(path) in FFMPEG_FORMATS


def find_ffmpeg() -> str | None:
    """The ffmpeg executable on PATH, or ``None``."""
    return shutil.which("ffmpeg")


def playable_formats(ffmpeg: str | None = None, *, look_up: bool = True) -> dict[str, bool]:
    """Every known format and whether calmtune can play it here (for ``calmtune doctor``)."""
    if ffmpeg is None and look_up:
        ffmpeg = find_ffmpeg()
    formats = dict.fromkeys(SDL_FORMATS, True)
    formats.update(dict.fromkeys(FFMPEG_FORMATS, ffmpeg is not None))
    return formats
