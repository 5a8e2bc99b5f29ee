"""A built playlist as the JSON document of ``playlist build --format json`` (docs/cli.md,
"Playlists"), and that document read back (``playlist show``, ``play``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from calmtune.errors import PlaylistError
from calmtune.playlists.m3u import PlaylistFile, add_entry, cap_warnings, line_path, seconds_or_none

if TYPE_CHECKING:
    from calmtune.playlists.builder import Playlist


def playlist_to_json(playlist: Playlist) -> dict[str, Any]:
    """``{"recipe", "seed", "duration_target", "duration_total", "tracks": [... + "position"]}``.

    ``short``, ``notes``, ``target_lufs``, ``bed_seconds`` and each track's ``heard_lufs`` follow
    the documented fields (docs/cli.md allows additions): a script can tell a short playlist from
    a full one, and see the loudness arc as the session will play it.
    """
    from calmtune.levels import heard_loudness
    from calmtune.playlists.select import track_loudness
    from calmtune.trackjson import track_to_json

    tracks = []
    for position, track in enumerate(playlist.tracks, start=1):
        obj = track_to_json(track)
        obj["position"] = position
        obj["heard_lufs"] = round(heard_loudness(track_loudness(track), playlist.target_lufs), 2)
        if position <= len(playlist.why):  # playlist build --explain
            obj["why"] = list(playlist.why[position - 1])
        tracks.append(obj)
    return {
        "recipe": playlist.recipe,
        "seed": playlist.seed,
        "duration_target": round(playlist.duration_target, 3),
        "duration_total": round(playlist.duration_total, 3),
        "tracks": tracks,
        "short": playlist.short,
        "notes": list(playlist.notes),
        "target_lufs": playlist.target_lufs,
        "bed_seconds": round(playlist.bed_seconds, 3),
    }


def read_json_playlist(path: str | Path, text: str) -> PlaylistFile:
    """The tracks of a JSON playlist (``text``, read from ``path``): calmtune's own document, or
    any object with a ``tracks`` list of ``{"path": ...}`` (or a plain list of them).

    Paths written from undecodable file-name bytes (``\\udcXX``) open again as the same bytes.
    A relative path is taken from the playlist's folder, as in M3U.
    """
    import json

    path = Path(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise PlaylistError(
            f"{path}: not a valid JSON playlist: {err.msg} (line {err.lineno}, column {err.colno})"
        ) from None
    items = doc.get("tracks") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise PlaylistError(
            f'{path}: not a calmtune playlist: expected a "tracks" list',
            hint="write one with 'calmtune playlist build RECIPE --format json'",
        )
    base = path.resolve().parent
    target = doc.get("target_lufs") if isinstance(doc, dict) else None
    if isinstance(target, bool) or not isinstance(target, int | float) or not -70 <= target <= 0:
        target = None  # not a loudness (json.loads reads NaN and Infinity too)
    result = PlaylistFile(entries=[], warnings=[], target_lufs=target)
    for number, item in enumerate(items, start=1):
        where = f"{path.name}, track {number}"
        raw = item.get("path") if isinstance(item, dict) else item
        if not isinstance(raw, str) or not raw.strip():
            result.warnings.append(f"{where}: skipped: it names no path")
            continue
        title = _display_title(item) if isinstance(item, dict) else None
        duration = item.get("duration") if isinstance(item, dict) else None
        if isinstance(duration, bool) or not isinstance(duration, int | float):
            duration = None
        else:
            duration = seconds_or_none(duration)
        add_entry(result, where, raw, line_path(raw, base), duration, title)
    cap_warnings(result, path)
    return result


def _display_title(item: dict[str, Any]) -> str | None:
    title, artist = item.get("title"), item.get("artist")
    if not isinstance(title, str) or not title:
        return None
    return f"{artist} - {title}" if isinstance(artist, str) and artist else title


def read_playlist(path: str | Path) -> PlaylistFile:
    """Read any playlist calmtune writes or plays: JSON (a document starting with ``{`` or
    ``[``), else extended or plain M3U, whatever the file is called."""
    from calmtune.playlists.m3u import read_m3u
    from calmtune.userfiles import PLAYLIST_LIMIT, open_regular, read_bounded

    path = Path(path)
    try:
        with open_regular(path) as handle:  # a FIFO or /dev/zero is refused, never read
            head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as err:
        raise PlaylistError(f"cannot read playlist {path}: {err.strerror or err}") from err
    if not head.startswith((b"{", b"[")):
        return read_m3u(path)
    try:
        text = read_bounded(path, PLAYLIST_LIMIT).decode("utf-8", "surrogateescape")
        text = text.lstrip("\ufeff")
    except OSError as err:
        raise PlaylistError(f"cannot read playlist {path}: {err.strerror or err}") from err
    return read_json_playlist(path, text)
