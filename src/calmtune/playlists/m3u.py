"""Extended M3U out and in.

Out: ``#EXTM3U``, then ``#EXTINF:<seconds>,<artist> - <title>`` before each absolute path, in
UTF-8, which mpv, VLC and MPD read. In: ``.m3u``/``.m3u8`` from any player. Problems in a playlist
someone else wrote (URLs, missing files, odd lines) become warnings returned to the caller, which
decides how to show them; the rest of the playlist still plays.
"""

# No `from __future__ import annotations`: NamedTuple fields compile string annotations (models.py).
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from calmtune.errors import PlaylistError
from calmtune.models import Track
from calmtune.playlists.pathlist import one_line_path
from calmtune.safetext import printable
from calmtune.userfiles import regular_file_problem

# Patterns as text: only reading a playlist needs them, and ``re`` compiles them on first use.
_URL = r"^[A-Za-z][A-Za-z0-9+.-]+://"
_EXTINF = r"(?i)^#EXTINF:\s*(-?\d+(?:\.\d+)?)[^,]*(?:,(.*))?$"
TARGET_DIRECTIVE = "#CALMTUNE:target_lufs="


# NamedTuples rather than frozen dataclasses, for start-up time (the figures are in models.py).
class Entry(NamedTuple):
    """One playable line of a playlist: an absolute path and what ``#EXTINF`` said about it."""

    path: str
    duration: float | None = None  # seconds, None when absent or -1
    title: str | None = None  # the ``#EXTINF`` display text, usually "Artist - Title"


# What ``line_path`` returns for a line that cannot name a file.
NOT_A_PATH = "\0"
# A longer length in an #EXTINF line (or a JSON playlist) is taken as unknown.
MAX_TRACK_SECONDS = 24 * 3600.0
# A playlist of junk (random bytes saved as .m3u) has thousands of bad lines: the first ones are
# each named, the rest are counted in one last warning.
MAX_LINE_WARNINGS = 20
# A path shown in a warning is cut at this printed width: one junk "line" can be kilobytes long.
_SHOWN_CHARS = 200
# Stripped from both ends of a line: ASCII blanks only. ``str.strip`` would also take Unicode
# spaces (a no-break space, byte A0 in a Latin-1 file), which a file name may end with.
_BLANKS = " \t\f\v"


class PlaylistFile(NamedTuple):
    """What a playlist file held: its playable entries, and a warning per line that is not."""

    entries: list[Entry]
    warnings: list[str]
    target_lufs: float | None = None  # the level calmtune planned it for, when it says so


def _one_line(text: str) -> str:
    """Display text for an ``#EXTINF`` or ``#PLAYLIST`` line: one line (a newline inside a tag
    would end the line early and corrupt the file), and safe for whatever player shows it on a
    terminal (escape codes in a title are written as visible ``\\x1b``). Paths are never
    changed: they are the files' own bytes."""
    return printable(" ".join(text.split()))


def extinf_title(track: Track) -> str:
    """``Artist - Title``, or what exists of it, or the file name."""
    tags = track.tags
    title = tags.title or Path(track.path).stem
    artist = tags.artist or tags.albumartist
    return _one_line(f"{artist} - {title}" if artist else title)


def m3u8_text(
    tracks: Iterable[Track], *, title: str | None = None, target_lufs: float | None = None
) -> str:
    """The extended M3U text for ``tracks`` (paths made absolute); ``title`` adds ``#PLAYLIST:``,
    ``target_lufs`` the level the playlist was planned for (``#CALMTUNE:target_lufs=``, a comment
    to other players), so ``playlist show`` can draw the loudness as it will be heard."""
    lines = ["#EXTM3U"]
    if title:
        lines.append(f"#PLAYLIST:{_one_line(title)}")
    if target_lufs is not None:
        lines.append(f"{TARGET_DIRECTIVE}{target_lufs:g}")
    for track in tracks:
        seconds = round(track.tags.duration) if track.tags.duration else -1
        lines.append(f"#EXTINF:{seconds},{extinf_title(track)}")
        lines.append(m3u_location(os.path.abspath(track.path)))
    return "\n".join(lines) + "\n"


def m3u_location(path: str) -> str:
    """How an M3U line names ``path``: the path itself, its bytes kept; or, when it cannot be
    one line (``one_line_path``), a ``file://`` URL with its bytes percent-encoded, which
    calmtune, mpv and VLC read back as the same file. A newline written as it is would end the
    line and turn the rest of the name into an entry of its own."""
    if one_line_path(path):
        return path
    from urllib.parse import quote

    return "file://" + quote(os.fsencode(path))


def write_text_file(path: str | Path, text: str) -> None:
    """Write a playlist in UTF-8; undecodable file-name bytes go back out as the same bytes."""
    try:
        Path(path).write_bytes(text.encode("utf-8", "surrogateescape"))
    except OSError as err:
        raise PlaylistError(f"cannot write playlist {path}: {err.strerror or err}") from err


def read_m3u(path: str | Path) -> PlaylistFile:
    """Read an ``.m3u``/``.m3u8`` file into entries and warnings.

    Relative paths are resolved against the playlist's folder and ``file://`` URLs are turned into
    paths. Other URLs, missing files and folders are skipped with a warning naming the line.
    ``.m3u`` is UTF-8 when it decodes, else Latin-1 (the old default); any other name is UTF-8.
    """
    from calmtune.userfiles import PLAYLIST_LIMIT, read_bounded

    path = Path(path)
    try:
        raw = read_bounded(path, PLAYLIST_LIMIT)
    except OSError as err:
        raise PlaylistError(f"cannot read playlist {path}: {err.strerror or err}") from err
    text = _decode(raw, path)
    base = path.resolve().parent
    result = PlaylistFile(entries=[], warnings=[])
    target: float | None = None
    pending: tuple[float | None, str | None] | None = None
    for lineno, line in enumerate(_lines(text), start=1):
        line = line.strip(_BLANKS)
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith(TARGET_DIRECTIVE):
                target = _number(line[len(TARGET_DIRECTIVE) :])
                continue
            match = re.match(_EXTINF, line)
            if match:
                seconds = seconds_or_none(float(match.group(1)))
                title = (match.group(2) or "").strip() or None
                pending = (seconds, title)
            continue  # #EXTM3U and other directives or comments
        where = f"{path.name}, line {lineno}"
        info, pending = pending, None
        duration, title = info if info else (None, None)
        add_entry(result, where, line, line_path(line, base), duration, title)
    cap_warnings(result, path)
    return result._replace(target_lufs=target)


def _lines(text: str) -> list[str]:
    """The lines of a playlist as an editor numbers them: only LF, CRLF and CR end a line.
    (``str.splitlines`` also breaks at form feeds, U+001C-U+001E, NEL and U+2028, which junk and
    Latin-1 files hold, so the line numbers in warnings would point at the wrong lines.)"""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def seconds_or_none(value: float) -> float | None:
    """A track length a playlist states, or ``None`` when it is unknown (-1) or impossible."""
    return value if 0 <= value <= MAX_TRACK_SECONDS else None


def cap_warnings(result: PlaylistFile, path: Path) -> None:
    """Keep the first ``MAX_LINE_WARNINGS`` warnings and count the rest in a last one."""
    extra = len(result.warnings) - MAX_LINE_WARNINGS
    if extra > 0:
        del result.warnings[MAX_LINE_WARNINGS:]
        result.warnings.append(f"{path.name}: {extra} more entries skipped (not listed)")


def _shown(text: str) -> str:
    """``text`` cut where it would print wider than ``_SHOWN_CHARS``: a junk line's control
    characters each print as a four-character escape."""
    if len(printable(text)) <= _SHOWN_CHARS:
        return text
    width = 0
    for end, char in enumerate(text):
        width += len(printable(char))
        if width > _SHOWN_CHARS:
            return text[:end] + "…"
    return text


def add_entry(
    result: PlaylistFile,
    where: str,
    raw: str,
    target: str | None,
    duration: float | None,
    title: str | None,
) -> None:
    """Add ``target`` (the absolute path an entry names, ``None`` for a URL) to ``result``, or
    a warning naming ``where`` when it cannot be played."""
    if target is None:
        result.warnings.append(f"{where}: skipped {_shown(raw)!r}: streams and URLs are not played")
    elif target == NOT_A_PATH:
        result.warnings.append(f"{where}: skipped {_shown(raw)!r}: not a file name")
    elif not os.path.exists(target):
        result.warnings.append(f"{where}: skipped {_shown(target)}: file not found")
    elif os.path.isdir(target):
        result.warnings.append(f"{where}: skipped {_shown(target)}: a folder, not an audio file")
    elif problem := regular_file_problem(target):  # a FIFO or a device would hang the player
        result.warnings.append(f"{where}: skipped {_shown(target)}: {problem}")
    else:
        result.entries.append(Entry(target, duration, title))


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if path.suffix.lower() == ".m3u":
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    # .m3u8, and lists of paths under any name (``--format paths``): UTF-8, where
    # surrogateescape keeps non-UTF-8 file-name bytes, so the path still opens.
    return raw.decode("utf-8", "surrogateescape")


def line_path(line: str, base: Path) -> str | None:
    """The absolute path a playlist line names, ``None`` for a URL we cannot play, or
    ``NOT_A_PATH`` for a line no file can be called (a NUL byte, which no file name holds, or a
    URL that does not parse)."""
    try:
        if re.match(_URL, line):
            from urllib.parse import unquote, urlparse  # only readers need it

            url = urlparse(line)
            if url.scheme.lower() != "file":
                return None
            line = unquote(url.path, errors="surrogateescape")  # %E9: the byte E9, kept
        if "\0" in line:
            return NOT_A_PATH
        line = os.path.expanduser(line)
    except ValueError:  # urlparse on "http://[x", expanduser on "~a<NUL>b"
        return NOT_A_PATH
    if not os.path.isabs(line):
        line = os.path.join(base, line)
    return os.path.normpath(line)
