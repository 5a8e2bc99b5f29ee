"""The file extensions calmtune reads as audio: what the scanner picks files by.

Its own module, importing nothing, because a scan that finds nothing changed needs this list and
nothing else of ``calmtune.tags`` (see that package's docstring).
"""

# Extensions the scanner considers: everything mutagen reads as audio. Video containers (.mp4,
# .ogv) and MIDI are left out on purpose: calmtune plays recorded music.
AUDIO_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".mp3",
        ".mp2",
        ".flac",
        ".ogg",
        ".oga",
        ".opus",
        ".spx",
        ".m4a",
        ".m4b",
        ".aac",
        ".wav",
        ".wave",
        ".aif",
        ".aiff",
        ".aifc",
        ".wma",
        ".asf",
        ".wv",
        ".ape",
        ".mpc",
        ".mp+",
        ".tta",
        ".ofr",
        ".ofs",
        ".tak",
        ".dsf",
        ".dff",
        ".ac3",
        ".eac3",
    }
)
