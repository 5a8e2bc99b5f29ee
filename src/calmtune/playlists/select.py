"""Turn tracks into light tuples and keep those a recipe accepts.

Selection runs over the whole index (100,000 tracks in the benchmark). It works on ``TrackRow``
tuples, which the index can hand over straight from SQL without building a ``Track`` per file;
plain comparisons over tuples beat numpy here, whose import alone costs more than the loop.
"""

# No `from __future__ import annotations`: NamedTuple fields compile string annotations (models.py).
import fnmatch
import os
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from calmtune.models import Track, effective_bpm
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
    """The tempo calmtune plans with (``models.effective_bpm``); ``None`` when unknown."""
    return effective_bpm(track.features, track.tags.bpm)[0]


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


class TrackRow(NamedTuple):
    """What selection needs of one indexed track, flat. ``None`` means not known.

    ``bpm`` is the measured tempo, else the BPM tag; ``lufs`` the measured loudness, else the one
    implied by the ReplayGain tag (see ``track_tempo`` / ``track_loudness``).
    """

    path: str
    duration: float | None
    bpm: float | None
    lufs: float | None
    artist: str | None
    albumartist: str | None
    album: str | None
    genre: str | None
    mood: str  # calm / upbeat / focus / unknown
    mood_source: str | None  # user / calmtune / inferred
    score_calm: float
    score_upbeat: float
    score_focus: float
    confidence: float
    playable: bool


def track_row(track: Track) -> TrackRow:
    """``track`` as a ``TrackRow``: what the index's ``track_rows`` gives for it."""
    tags, scores, f = track.tags, track.scores, track.features
    scored = scores is not None
    lufs = f.loudness_lufs if f is not None else None
    if lufs is None and tags.replaygain_track_gain is not None:
        lufs = RG_REFERENCE_LUFS - tags.replaygain_track_gain
    return TrackRow(
        path=track.path,
        duration=tags.duration,
        bpm=effective_bpm(f, tags.bpm)[0],
        lufs=lufs,
        artist=tags.artist,
        albumartist=tags.albumartist,
        album=tags.album,
        genre=tags.genre,
        mood=str(scores.mood) if scored else "unknown",
        mood_source=str(scores.source) if scored else None,
        score_calm=scores.calm if scored else 0.0,
        score_upbeat=scores.upbeat if scored else 0.0,
        score_focus=scores.focus if scored else 0.0,
        confidence=scores.confidence if scored else 0.0,
        playable=track.playable,
    )


class Selected(NamedTuple):
    candidates: list[Candidate]  # ``index`` points into the rows given
    banned: int  # tracks dropped because the recipe bans them
    unplayable: int
    no_duration: int


_SCORE_FIELD = {"calm": 10, "upbeat": 11, "focus": 12}  # TrackRow positions


def select_rows(rows: Sequence[TrackRow], mood: str, sel: Selection) -> Selected:
    """The rows ``sel`` accepts for ``mood``, plus every pinned track that is not banned.

    A mood the user set by hand passes the score threshold (preference beats prescription).
    Unknown tempo or loudness passes a band unless the recipe requires it.
    """
    is_pinned = path_matcher(sel.pinned)
    is_banned = path_matcher(sel.banned)
    moods = frozenset(sel.moods)
    score_at = _SCORE_FIELD[mood]
    bpm_lo, bpm_hi = sel.bpm or (None, None)
    lufs_lo, lufs_hi = sel.loudness or (None, None)
    include, exclude = sel.genres_include, sel.genres_exclude
    min_score, min_conf = sel.min_score, sel.min_confidence
    require_tempo, require_loudness = sel.require_tempo, sel.require_loudness
    check_pins, check_bans = bool(sel.pinned), bool(sel.banned)
    out: list[Candidate] = []
    banned = unplayable = no_duration = 0
    for index, row in enumerate(rows):
        path = row[0]
        pinned = check_pins and is_pinned(path)
        if not pinned:
            # Cheapest and most selective test first: most of a library has another mood.
            row_mood = row[8]
            if row_mood not in moods:
                continue
            if (
                row_mood != "unknown"
                and (row[score_at] < min_score or row[13] < min_conf)
                and not (row[9] == "user" and row_mood == mood)
            ):
                continue
        if check_bans and is_banned(path):
            banned += 1
            continue
        if not row[14]:
            unplayable += 1
            continue
        duration = row[1]
        if not duration or duration <= 0:
            no_duration += 1
            continue
        bpm, lufs = row[2], row[3]
        if not pinned:
            if bpm is None:
                if require_tempo:
                    continue
            elif bpm_lo is not None and not bpm_lo <= bpm <= bpm_hi:
                continue
            if lufs is None:
                if require_loudness:
                    continue
            elif lufs_lo is not None and not lufs_lo <= lufs <= lufs_hi:
                continue
            if include or exclude:
                genre = (row[7] or "").casefold()
                if include and not any(g in genre for g in include):
                    continue
                if exclude and any(g in genre for g in exclude):
                    continue
        artist = row[4] or row[5]
        artist_key = artist.casefold().strip() or None if artist else None
        album_key = None
        if row[6]:
            owner = (row[5] or artist or "").casefold()
            album_key = f"{owner}\x00{row[6].casefold()}"
        out.append(Candidate(index, path, duration, bpm, lufs, artist_key, album_key, pinned))
    return Selected(out, banned, unplayable, no_duration)
