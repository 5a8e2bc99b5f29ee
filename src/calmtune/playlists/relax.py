"""The order in which a recipe's limits give way when the library cannot fill the session.

A recipe's limits are wishes about the music (keep artists apart, move the tempo in small steps,
stay in a band); the length of the session is what the listener asked for. When the limits leave
too little music, the planner relaxes them one at a time, in this order, and keeps each step
while it tries the next, until the music fills the session (docs/music.md, "Filling the
session"):

1. tracks played in the last sessions may come back;
2. artists and albums need not be kept apart;
3. tempo steps may be twice the recipe's;
4. the recipe's tempo band is dropped;
5. the recipe's loudness band and its largest loudness change are dropped;
6. the mood score threshold is dropped (any track of the recipe's moods);
7. tempo steps may be of any size (the tempo still only moves the arc's way);
8. the tracks follow loudness, loudest first, instead of the tempo arc.

The cheapest wish goes first: hearing a track again, or one artist twice, changes the session
least; a track from outside the tempo band changes it more; giving up the tempo arc most.

Never relaxed: the recipe's moods, its genres, its bans, and the loudness rise limit (a calm
session never gets louder by more than 1 LU between tracks, as heard). When even the last step
cannot fill the session, the built-in soundscape closes the rest (a bed, see ``builder``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from calmtune.playlists.recipe import Recipe
from calmtune.playlists.walk import Limits

UNLIMITED = float("inf")


def _allow_recent(limits: Limits) -> Limits | None:
    return limits.replace(avoid_recent=False) if limits.avoid_recent else None


def _drop_spacing(limits: Limits) -> Limits | None:
    if not (limits.artist_gap or limits.album_gap):
        return None
    return limits.replace(artist_gap=0, album_gap=0)


def _wider_tempo_steps(limits: Limits) -> Limits | None:
    return limits.replace(bpm_step=limits.bpm_step * 2)


def _drop_tempo_band(limits: Limits) -> Limits | None:
    if limits.selection.bpm is None:
        return None
    return limits.replace(selection=limits.selection._replace(bpm=None))


def _drop_loudness_limits(limits: Limits) -> Limits | None:
    if limits.selection.loudness is None and limits.lu_step == UNLIMITED:
        return None
    return limits.replace(selection=limits.selection._replace(loudness=None), lu_step=UNLIMITED)


def _drop_score(limits: Limits) -> Limits | None:
    sel = limits.selection
    if not (sel.min_score or sel.min_confidence):
        return None
    return limits.replace(selection=sel._replace(min_score=0.0, min_confidence=0.0))


def _any_tempo_step(limits: Limits) -> Limits | None:
    return limits.replace(bpm_step=UNLIMITED) if limits.bpm_step != UNLIMITED else None


def _follow_loudness(limits: Limits) -> Limits | None:
    return limits.replace(tempo_order=False)


def _loudness_words(limits: Limits) -> str:
    band = limits.selection.loudness
    parts = []
    if band is not None:
        parts.append(f"the loudness band ({band[0]:g} to {band[1]:g} LUFS)")
    if limits.lu_step != UNLIMITED:
        parts.append(f"loudness changes of {limits.lu_step:g} LU")
    return " and ".join(parts)


# Each step: its words for the note, and what it changes (``None``: nothing to relax).
STEPS: tuple[tuple[Callable[[Limits], str], Callable[[Limits], Limits | None]], ...] = (
    (lambda _: "recently played tracks may return", _allow_recent),
    (lambda _: "artists and albums may repeat sooner", _drop_spacing),
    (
        lambda lim: f"tempo steps of {lim.bpm_step:g} BPM grew to {lim.bpm_step * 2:g}",
        _wider_tempo_steps,
    ),
    (
        lambda lim: "tracks outside the tempo band ({:g}-{:g} BPM) may play".format(
            *(lim.selection.bpm or (0, 0))
        ),
        _drop_tempo_band,
    ),
    (lambda lim: f"{_loudness_words(lim)} no longer apply", _drop_loudness_limits),
    (
        lambda lim: f"tracks scoring under {lim.selection.min_score:g} for the mood may play",
        _drop_score,
    ),
    (lambda lim: f"tempo steps may exceed {lim.bpm_step:g} BPM", _any_tempo_step),
    (
        lambda _: "the tracks follow loudness, loudest first, instead of the tempo arc",
        _follow_loudness,
    ),
)


def ladder(recipe: Recipe, *, any_recent: bool = True) -> Iterator[tuple[Limits, list[str]]]:
    """The recipe's limits as written, then relaxed one step further each time, with the words
    for every step taken so far. Steps that would change nothing are skipped, as is letting
    recently played tracks return when none of them is a candidate (``any_recent``)."""
    limits = Limits.as_written(recipe)
    if not any_recent:
        limits = limits.replace(avoid_recent=False)
    taken: list[str] = []
    yield limits, []
    for describe, apply in STEPS:
        relaxed = apply(limits)
        if relaxed is None:
            continue
        taken = [*taken, describe(limits)]
        limits = relaxed
        yield limits, taken
