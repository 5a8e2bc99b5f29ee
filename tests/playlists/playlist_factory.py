"""Tracks and random libraries for the playlist tests (plain models, no index needed)."""

from __future__ import annotations

import random

from hypothesis import strategies as st

from calmtune.models import Features, Mood, MoodScores, MoodSource, TagInfo, Track
from calmtune.playlists.recipe import Arc, Recipe, Selection


def make_track(
    path: str,
    *,
    duration: float | None = 240.0,
    bpm: float | None = None,
    lufs: float | None = None,
    bpm_tag: float | None = None,
    gain_tag: float | None = None,
    artist: str | None = None,
    album: str | None = None,
    title: str | None = None,
    genre: str | None = None,
    mood: Mood | None = Mood.CALM,
    score: float = 0.8,
    source: MoodSource = MoodSource.INFERRED,
    playable: bool = True,
) -> Track:
    features = None
    if bpm is not None or lufs is not None:
        features = Features(bpm=bpm, loudness_lufs=lufs)
    scores = None
    if mood is not None:
        others = (1.0 - score) / 2
        values = {m: (score if m == mood.value else others) for m in ("calm", "upbeat", "focus")}
        scores = MoodScores(
            calm=values["calm"],
            upbeat=values["upbeat"],
            focus=values["focus"],
            arousal=None,
            valence=None,
            mood=mood,
            confidence=score,
            source=source,
        )
    tags = TagInfo(
        format="wav",
        duration=duration,
        title=title,
        artist=artist,
        album=album,
        genre=genre,
        bpm=bpm_tag,
        replaygain_track_gain=gain_tag,
    )
    return Track(
        path=path,
        size=1,
        mtime_ns=1,
        tags=tags,
        features=features,
        scores=scores,
        playable=playable,
    )


def open_recipe(
    shape: str = "steady",
    *,
    max_bpm_step: float = 8.0,
    max_lu_step: float = 3.0,
    artist_gap: int = 1,
    album_gap: int = 1,
    duration: float = 1200.0,
    pinned: tuple[str, ...] = (),
    banned: tuple[str, ...] = (),
    start_bpm: float | None = None,
    end_bpm: float | None = None,
) -> Recipe:
    """A recipe that accepts every playable track, so tests know the candidate set exactly."""
    return Recipe(
        name="test",
        description="test",
        mood="calm",
        duration=duration,
        artist_gap=artist_gap,
        album_gap=album_gap,
        select=Selection(
            moods=("calm", "upbeat", "focus", "unknown"), pinned=pinned, banned=banned
        ),
        arc=Arc(
            shape=shape,
            start_bpm=start_bpm,
            end_bpm=end_bpm,
            max_bpm_step=max_bpm_step,
            max_lu_step=max_lu_step,
        ),
    )


@st.composite
def libraries(draw, min_size: int = 1, max_size: int = 60) -> list[Track]:
    """Random libraries: missing tempo, loudness, artist, album and scores all occur.

    Hypothesis draws the shape (size, how much is missing, how many artists) and a seed; the tracks
    come from that seed. Drawing every field through Hypothesis made each example ~50x slower.
    """
    n = draw(st.integers(min_size, max_size))
    n_artists = draw(st.integers(1, 8))
    p_missing = draw(st.sampled_from([0.0, 0.2, 0.6, 1.0]))
    rng = random.Random(draw(st.integers(0, 2**32)))

    def maybe(value):
        return None if rng.random() < p_missing else value

    moods = [Mood.CALM, Mood.FOCUS, Mood.UPBEAT, None]
    return [
        make_track(
            f"/music/{i:04d}.flac",
            duration=float(rng.randint(30, 600)),
            bpm=maybe(round(rng.uniform(40, 180), 1)),
            lufs=maybe(round(rng.uniform(-40, -5), 1)),
            artist=maybe(f"A{rng.randrange(n_artists)}"),
            album=maybe(f"B{rng.randrange(4)}"),
            mood=rng.choice(moods),
        )
        for i in range(n)
    ]


def dense_library(n: int, *, bpm_range=(60.0, 120.0), artists: int = 30) -> list[Track]:
    """A library with every tempo in the range covered, so a walk can always continue."""
    lo, hi = bpm_range
    return [
        make_track(
            f"/dense/{i:05d}.flac",
            duration=150.0 + (i * 37) % 200,
            bpm=lo + (hi - lo) * ((i * 7919) % n) / n,
            lufs=-20.0 - ((i * 13) % 5) * 0.5,
            artist=f"artist {i % artists}",
            album=f"album {i % (artists * 2)}",
        )
        for i in range(n)
    ]
