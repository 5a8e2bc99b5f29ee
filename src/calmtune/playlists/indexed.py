"""Building a recipe's playlist from the library index: shared by ``playlist build`` and the
listening sessions, so both pick tracks the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from calmtune.errors import NothingToPlayError
from calmtune.playlists.builder import Plan, Playlist, plan_playlist, playlist_from_plan
from calmtune.playlists.recipe import Recipe
from calmtune.playlists.select import TrackRow

if TYPE_CHECKING:
    from calmtune.library import Library
    from calmtune.query import Term

# Tracks played in this many recent sessions are avoided when the library allows.
RECENT_SESSIONS = 3
# A session needs a few dozen tracks at most: plan from a seeded sample of a big mood first, and
# read every row only when the sample cannot fill the recipe without compromise. Measured on a
# generated 100,000-track index (every built-in recipe, 12 seeds each): 25 rows per track the
# playlist needs fit the length as well as a full read, while the 45-minute sleep recipe, whose
# loudness band is narrow, came up short from 150 rows for 2 seeds of 12 (and fell back to a full
# read). A full read of a 35,000-track mood costs over a hundred times more than such a sample.
SAMPLE_PER_TRACK = 25
SAMPLE_MIN = 150
TYPICAL_TRACK_SECONDS = 240.0


def sample_size(duration: float) -> int:
    """How many rows to plan a playlist of ``duration`` seconds from."""
    return max(SAMPLE_MIN, round(SAMPLE_PER_TRACK * duration / TYPICAL_TRACK_SECONDS))


def build_from_index(
    library: Library,
    recipe: Recipe,
    *,
    duration: float | None = None,
    seed: int = 0,
    start_arousal: float | None = None,
    query: Sequence[Term] = (),
    target_lufs: float | None = None,
    cover: bool = False,
    overlap: float | None = None,
    explain: bool = False,
) -> Playlist:
    """Plan over light rows from the index, then load full tracks only for the chosen ones.

    The listener's bans keep tracks out, and what their sessions say (likes, tracks heard to the
    end or skipped) is weighed beside the arc (``listener_preferences``); ``explain`` says why
    each track was picked (``Playlist.why``).

    ``query`` terms (``calmtune.query``) narrow the pool further, after the recipe's own ``query``.
    A session passes its loudness target, ``cover=True`` and its crossfade as ``overlap`` (see
    ``builder.plan_playlist``).
    """
    terms = (*recipe.query, *query)
    if terms and library.count(at_most=1) and not library.count(at_most=1, query=terms):
        shown = " ".join(t.source for t in terms)
        raise NothingToPlayError(f"no indexed track matches the query {shown!r}")
    moods = set(recipe.select.moods)
    # Ask the index for one mood when the recipe takes one (and pins nothing): far fewer rows.
    single = next(iter(moods)) if len(moods) == 1 and not recipe.select.pinned else None
    recent = library.journal.recently_played(RECENT_SESSIONS) if recipe.avoid_recent else set()
    preferences, banned = listener_preferences(library, recipe.name)

    def plan_from(raw_rows: list[tuple], indexed: int | None) -> tuple[list[TrackRow], Plan]:
        rows = [TrackRow._make(r) for r in raw_rows if not banned or r[0] not in banned]
        return rows, plan_playlist(
            rows,
            recipe,
            duration=duration,
            seed=seed,
            recently_played=recent,
            start_arousal=start_arousal,
            indexed=indexed,
            target_lufs=target_lufs,
            cover=cover,
            overlap=overlap,
            preferences=preferences,
            explain=explain,
        )

    plan = None
    sample = sample_size(duration if duration is not None else recipe.duration)
    if single is not None and library.count(single, at_most=sample + 1, query=terms) > sample:
        try:
            # The tracks the listener's sessions know join the sample, so a like or a history
            # counts in a big library too.
            known = preferences.known_paths() if preferences else ()
            sampled = library.track_rows(
                single, sample=sample, seed=seed, query=terms, include=known
            )
            rows, plan = plan_from(sampled, None)
        except NothingToPlayError:
            plan = None  # the few tracks that fit may all lie outside the sample
        if plan is not None and (plan.short or plan.relaxed):
            plan = None  # the sample forced a compromise: plan over everything instead
    if plan is None:
        # The whole library's size only matters to the nothing-to-play message.
        rows, plan = plan_from(library.track_rows(mood=single, query=terms), library.count())
    chosen = [library.get_track(rows[i].path) for i in plan.indexes]
    return playlist_from_plan(plan, [t for t in chosen if t is not None])


def listener_preferences(library: Library, recipe: str) -> tuple[Any, frozenset[str]]:
    """What the listener's sessions and verdicts say for ``recipe``'s playlists: a
    ``playlists.preference.Preferences`` (None without any history or like) and the banned
    paths."""
    liked, banned = library.preferences.paths(recipe)
    tallies = library.journal.tallies(recipe)
    if not tallies and not liked:
        return None, frozenset(banned)
    from calmtune.playlists.preference import Preferences

    return Preferences(tallies, liked), frozenset(banned)
