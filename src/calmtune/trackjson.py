"""The track object of the command-line contract (docs/cli.md, "The track object"), shared by
``tracks``, ``show`` and ``playlist build --format json``. Missing values are ``None`` (JSON
null), never guessed."""

from __future__ import annotations

from typing import Any

from calmtune.models import Mood, MoodSource, Track, effective_bpm


def track_to_json(track: Track) -> dict[str, Any]:
    tags, features, scores = track.tags, track.features, track.scores
    bpm, bpm_source = effective_bpm(features, tags.bpm)
    if bpm_source == "analysis":
        bpm = round(bpm, 1)
    loudness = features.loudness_lufs if features else None
    rg_gain = tags.replaygain_track_gain
    if rg_gain is None and features is not None:
        rg_gain = features.replaygain_track_gain
    return {
        "path": track.path,
        "title": tags.title,
        "artist": tags.artist,
        "album": tags.album,
        "genre": tags.genre,
        "duration": None if tags.duration is None else round(tags.duration, 3),
        "format": tags.format,
        "playable": track.playable,
        "bpm": bpm,
        "bpm_source": bpm_source,
        "loudness_lufs": None if loudness is None else round(loudness, 2),
        "replaygain_track_gain": rg_gain,
        "mood": (scores.mood if scores else Mood.UNKNOWN).value,
        "mood_source": (scores.source if scores else MoodSource.INFERRED).value,
        "mood_confidence": round(scores.confidence, 3) if scores else 0.0,
        "scores": {
            "calm": _score(scores.calm if scores else None),
            "upbeat": _score(scores.upbeat if scores else None),
            "focus": _score(scores.focus if scores else None),
        },
    }


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
