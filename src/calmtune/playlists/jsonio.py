"""A built playlist as the JSON document of ``playlist build --format json`` (docs/cli.md,
"Playlists")."""

from __future__ import annotations

from typing import Any

from calmtune.playlists.builder import Playlist
from calmtune.trackjson import track_to_json


def playlist_to_json(playlist: Playlist) -> dict[str, Any]:
    """``{"recipe", "seed", "duration_target", "duration_total", "tracks": [... + "position"]}``.

    ``notes`` and ``short`` are added after the documented fields (docs/cli.md allows additions) so a
    script can tell a short playlist from a full one.
    """
    tracks = []
    for position, track in enumerate(playlist.tracks, start=1):
        obj = track_to_json(track)
        obj["position"] = position
        tracks.append(obj)
    return {
        "recipe": playlist.recipe,
        "seed": playlist.seed,
        "duration_target": round(playlist.duration_target, 3),
        "duration_total": round(playlist.duration_total, 3),
        "tracks": tracks,
        "short": playlist.short,
        "notes": list(playlist.notes),
    }
