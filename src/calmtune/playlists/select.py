"""Turn tracks into light candidate tuples and keep those a recipe accepts.

Selection runs over the whole index (up to 100,000 tracks in the benchmark), so it reads each
track once into a plain tuple and does the rest with plain comparisons; no numpy, whose import
alone costs more than this loop.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable
from typing import NamedTuple

from calmtune.models import Track
from calmtune.playlists.recipe import Selection

# ReplayGain 2.0 reference: gain = -18 - loudness, so loudness = -18 - gain.
RG_REFERENCE_LUFS = -18.0
_GLOB_CHARS = frozenset("*?[")


class Candidate(NamedTuple):
    """What the builder needs of one track; ``index`` points into the caller's track list."""

    index: int
    path: str
    duration: float
    bpm: float | None
    lufs: float | None
    artist: str | None  # case-folded, for spacing
    album: str | None  # case-folded (album artist, album), for spacing
    pinned: bool


def track_tempo(track: Track) -> float | None:
    """Measured tempo first, then the file's BPM tag; ``None`` when neither is known."""
    f = track.features
    if f is not None and f.bpm:
        return f.bpm
    return track.tags.bpm or None


def track_loudness(track: Track) -> float | None:
    """Measured integrated loudness, else the one implied by the ReplayGain tag, else ``None``."""
    f = track.features
    if f is not None and f.loudness_lufs is not None:
        return f.loudness_lufs
    gain = track.tags.replaygain_track_gain
    return None if gain is None else RG_REFERENCE_LUFS - gain


def path_matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """A test for "this path is named by one of the patterns".

    A pattern is an absolute path (``~`` expanded) or a glob (``*``, ``?``, ``[...]``). A relative
    pattern matches the end of a path, so ``"Artist/Album/*.flac"`` works without the library root.
    """
    exact: set[str] = set()
    globs: list[str] = []
    for raw in patterns:
        pattern = os.path.expanduser(raw)
        if not os.path.isabs(pattern):
            pattern = "*" + os.sep + pattern
        if _GLOB_CHARS.intersection(pattern):
            globs.append(pattern)
        else:
            exact.add(os.path.normpath(pattern))
    if not exact and not globs:
        return lambda _path: False

    def matches(path: str) -> bool:
        return path in exact or any(fnmatch.fnmatchcase(path, g) for g in globs)

    return matches


class Selected(NamedTuple):
    candidates: list[Candidate]
    banned: int  # tracks dropped because the recipe bans them
    unplayable: int
    no_duration: int


def select_candidates(tracks: list[Track], mood: str, sel: Selection) -> Selected:
    """The tracks ``sel`` accepts for ``mood``, plus every pinned track that is not banned.

    A mood the user set by hand passes the score threshold (preference beats prescription).
    Unknown tempo or loudness passes a band unless the recipe requires it.
    """
    is_pinned = path_matcher(sel.pinned)
    is_banned = path_matcher(sel.banned)
    moods = frozenset(sel.moods)
    unknown_ok = "unknown" in moods
    bpm_lo, bpm_hi = sel.bpm or (None, None)
    lufs_lo, lufs_hi = sel.loudness or (None, None)
    include, exclude = sel.genres_include, sel.genres_exclude
    min_score, min_conf = sel.min_score, sel.min_confidence
    check_pins, check_bans = bool(sel.pinned), bool(sel.banned)
    out: list[Candidate] = []
    banned = unplayable = no_duration = 0
    for index, track in enumerate(tracks):
        path = track.path
        pinned = check_pins and is_pinned(path)
        if not pinned:
            # Cheapest and most selective test first: most of a library has another mood.
            scores = track.scores
            if scores is None:
                if not unknown_ok:
                    continue
            else:
                if scores.mood not in moods:  # Mood is a StrEnum: compares and hashes as text
                    continue
                if (getattr(scores, mood) < min_score or scores.confidence < min_conf) and not (
                    scores.source == "user" and scores.mood == mood
                ):
                    continue
        if check_bans and is_banned(path):
            banned += 1
            continue
        if not track.playable:
            unplayable += 1
            continue
        tags = track.tags
        duration = tags.duration
        if not duration or duration <= 0:
            no_duration += 1
            continue
        # Inlined track_tempo / track_loudness: this loop runs once per indexed track.
        f = track.features
        bpm = f.bpm if f is not None and f.bpm else (tags.bpm or None)
        lufs = f.loudness_lufs if f is not None else None
        if lufs is None and tags.replaygain_track_gain is not None:
            lufs = RG_REFERENCE_LUFS - tags.replaygain_track_gain
        if not pinned:
            if bpm is None:
                if sel.require_tempo:
                    continue
            elif bpm_lo is not None and not bpm_lo <= bpm <= bpm_hi:
                continue
            if lufs is None:
                if sel.require_loudness:
                    continue
            elif lufs_lo is not None and not lufs_lo <= lufs <= lufs_hi:
                continue
            if include or exclude:
                genre = (tags.genre or "").casefold()
                if include and not any(g in genre for g in include):
                    continue
                if exclude and any(g in genre for g in exclude):
                    continue
        artist = tags.artist or tags.albumartist
        artist_key = artist.casefold().strip() or None if artist else None
        album_key = None
        if tags.album:
            owner = (tags.albumartist or artist or "").casefold()
            album_key = f"{owner}\x00{tags.album.casefold()}"
        out.append(Candidate(index, path, duration, bpm, lufs, artist_key, album_key, pinned))
    return Selected(out, banned, unplayable, no_duration)
