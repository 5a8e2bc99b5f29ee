"""What a display needs to know about a session at one moment: plain frozen data, cheap to build.

The session builds a ``SessionSnapshot`` only when a display asks for one (a live view draws 4
times a second); the display never reaches into the engine itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from calmtune.models import Track, effective_bpm
from calmtune.playback import PlayItem


@dataclass(frozen=True, slots=True)
class NowPlaying:
    """One item as people see it. Text is raw tag data: displays must escape it."""

    path: str
    title: str
    artist: str | None = None
    album: str | None = None
    mood: str | None = None
    why: str | None = None  # the strongest reason behind the mood
    bpm: float | None = None
    duration: float | None = None
    soundscape: bool = False


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    label: str  # recipe name, or what ``play`` was given
    state: str  # playing, paused, stopping, finished, silence
    now: NowPlaying | None
    position: float  # seconds into the current item
    elapsed: float  # session seconds (pauses excluded)
    duration: float | None  # session length, None: until the list ends
    volume: int
    next_up: NowPlaying | None
    index: int | None  # 0-based position in the list
    count: int
    finishing: bool  # "finish after this track" is on
    wind_down: float | None  # 0..1 while the closing ramp runs
    ending: str | None  # why the session is ending, in words
    warnings: tuple[str, ...] = ()
    note: str | None = None  # the latest short message (e.g. "finishing after this track")

    @property
    def remaining(self) -> float | None:
        if self.duration is None:
            return None
        return max(0.0, self.duration - self.elapsed)


def describe(item: PlayItem, *, soundscape: bool = False) -> NowPlaying:
    """How to show ``item``: tags and mood from the index when it is indexed, else the file name."""
    track = item.track
    if track is None:
        return NowPlaying(
            path=item.path,
            title=item.title or _file_title(item.path),
            duration=item.duration,
            soundscape=soundscape,
        )
    return NowPlaying(
        path=item.path,
        title=track.tags.title or item.title or _file_title(item.path),
        artist=track.tags.artist or track.tags.albumartist,
        album=track.tags.album,
        mood=_mood(track),
        why=_strongest_reason(track),
        bpm=_bpm(track),
        duration=item.duration or track.tags.duration,
        soundscape=soundscape,
    )


def with_file_tags(now: NowPlaying) -> NowPlaying:
    """Fill in title, artist and length from the file's own tags, for a file not in the index.

    Done when the track starts rather than for the whole list, so a folder of thousands of
    unindexed files still starts at once.
    """
    from calmtune.errors import CalmtuneError
    from calmtune.tags import read_tags

    try:
        tags = read_tags(now.path)
    except (CalmtuneError, OSError):
        return now
    return replace(
        now,
        title=tags.title or now.title,
        artist=tags.artist or tags.albumartist or now.artist,
        album=tags.album or now.album,
        bpm=tags.bpm or now.bpm,
        duration=tags.duration or now.duration,
    )


def _file_title(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _mood(track: Track) -> str | None:
    if track.scores is None:
        return None
    return track.scores.mood.value


def _strongest_reason(track: Track) -> str | None:
    from calmtune.mood.explain import strongest_reason

    if track.scores is None:
        return None
    return strongest_reason(track.scores.mood.value, track.scores.reasons)


def _bpm(track: Track) -> float | None:
    return effective_bpm(track.features, track.tags.bpm)[0]
