"""Build a receptive playlist: select by recipe, walk the arc, fill the duration.

The planner walks the recipe's arc in tempo and heard loudness (``walk``). When the recipe as
written leaves too little music for the length asked, it relaxes the recipe's limits in a fixed
order (``relax``) until the music fills it, and says in one note what it relaxed and why. When
even that cannot fill it (a library too small), the plan ends in a *bed*: the built-in
soundscape closes the rest of a session, at a level that keeps the loudness rule.

Loudness is planned as heard: ``levels.heard_loudness`` at the session's target, the rule the
player applies. A calm recipe never steps up by more than ``CALM_MAX_LU_RISE`` between
neighbours and never gets louder than its first track, so it ends no louder than it starts.

Pure: tracks (or light rows) in, ``Playlist`` (or ``Plan``) out.
"""

# No `from __future__ import annotations`: NamedTuple fields compile string annotations (models.py).
import random
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from calmtune import levels
from calmtune.errors import NothingToPlayError
from calmtune.models import Track
from calmtune.playlists.arousal import arousal_to_bpm
from calmtune.playlists.recipe import CALM_MAX_LU_RISE, Recipe, Selection
from calmtune.playlists.select import (
    Candidate,
    TrackRow,
    path_matcher,
    select_rows,
    track_row,
)
from calmtune.playlists.walk import Limits, Line, Rules, Walk, Walker, loudness_ordered

# A bigger pool adds time, not quality: 1,500 candidates leave dozens near every point of the
# arc for a playlist of 10-20 tracks.
POOL_LIMIT = 1500
# Points of the ideal loudness line (one every tenth of the session).
LINE_POINTS = 11


# NamedTuples rather than frozen dataclasses, for start-up time (the figures are in models.py).
class Playlist(NamedTuple):
    """A built playlist. ``notes`` are plain sentences for the user (never printed here)."""

    recipe: str
    seed: int
    duration_target: float
    tracks: list[Track]
    notes: list[str]
    short: bool = False  # the music does not fill the target (see ``walk.is_full``)
    target_lufs: float = levels.DEFAULT_TARGET_LUFS  # the level the session plays at
    bed_seconds: float = 0.0  # the soundscape closes this much of a session after the music
    # How loud a bed after this music is heard: never above the target, nor a bigger step up from
    # the last track than the rise limit (a calm bed no louder than the last track).
    bed_lufs: float | None = None
    why: Sequence[Sequence[str]] = ()  # per track, why it was picked (``explain=True``)

    @property
    def duration_total(self) -> float:
        return sum(t.tags.duration or 0.0 for t in self.tracks)


class Plan(NamedTuple):
    """A playlist as positions in the rows it was planned from (see ``plan_playlist``)."""

    recipe: str
    seed: int
    duration_target: float
    indexes: list[int]
    paths: list[str]
    duration_total: float
    notes: list[str]
    short: bool  # the music does not fill the target
    relaxed: bool  # the recipe's limits were relaxed to reach the length
    target_lufs: float
    heard_lufs: list[float]  # each track's loudness as heard, in plan order
    bed_seconds: float = 0.0
    bed_lufs: float | None = None
    why: Sequence[Sequence[str]] = ()  # per track, why it was picked (``explain=True``)


def build_playlist(
    tracks: Sequence[Track],
    recipe: Recipe,
    *,
    duration: float | None = None,
    seed: int = 0,
    recently_played: Collection[str] = frozenset(),
    start_arousal: float | None = None,
    target_lufs: float | None = None,
    cover: bool = False,
    overlap: float | None = None,
) -> Playlist:
    """Build ``recipe`` from ``tracks`` (see ``plan_playlist`` for the options).

    Raises ``NothingToPlayError`` when no track fits.
    """
    tracks = list(tracks)
    # Most of a library has another mood: drop those before building a row for each track.
    moods = frozenset(recipe.select.moods)
    pinned = path_matcher(recipe.select.pinned)
    keep = [
        i
        for i, t in enumerate(tracks)
        if (t.scores.mood if t.scores is not None else "unknown") in moods or pinned(t.path)
    ]
    plan = plan_playlist(
        [track_row(tracks[i]) for i in keep],
        recipe,
        duration=duration,
        seed=seed,
        recently_played=recently_played,
        start_arousal=start_arousal,
        indexed=len(tracks),
        target_lufs=target_lufs,
        cover=cover,
        overlap=overlap,
    )
    return playlist_from_plan(plan, [tracks[keep[i]] for i in plan.indexes])


def playlist_from_plan(plan: Plan, tracks: list[Track]) -> Playlist:
    """The ``Playlist`` for a plan, given its tracks in plan order (e.g. read from the index)."""
    return Playlist(
        recipe=plan.recipe,
        seed=plan.seed,
        duration_target=plan.duration_target,
        tracks=tracks,
        notes=list(plan.notes),
        short=plan.short,
        target_lufs=plan.target_lufs,
        bed_seconds=plan.bed_seconds,
        bed_lufs=plan.bed_lufs,
        why=plan.why,
    )


def recipe_target_lufs(recipe: Recipe) -> float:
    """The loudness a recipe's session plays at when nothing else sets it."""
    return levels.target_for(recipe.mood, recipe.target_lufs)


def rise_limit(recipe: Recipe) -> float:
    """The largest step up in heard loudness between neighbours: never relaxed."""
    arc = recipe.arc
    limit = arc.max_lu_rise if arc.max_lu_rise is not None else arc.max_lu_step
    return min(limit, CALM_MAX_LU_RISE) if recipe.mood == "calm" else limit


def plan_playlist(
    rows: Sequence[TrackRow],
    recipe: Recipe,
    *,
    duration: float | None = None,
    seed: int = 0,
    recently_played: Collection[str] = frozenset(),
    start_arousal: float | None = None,
    indexed: int | None = None,
    target_lufs: float | None = None,
    cover: bool = False,
    overlap: float | None = None,
    preferences: Any = None,
    explain: bool = False,
) -> Plan:
    """Plan ``recipe`` over flat ``TrackRow`` tuples, so a caller holding a large index need not
    build a ``Track`` for every file: it builds only the few the plan names.

    - ``duration`` (seconds) overrides the recipe's.
    - ``recently_played``: paths from the last sessions, avoided unless the length needs them.
    - ``start_arousal`` (0..1) moves the arc's start to the listener's state, within the
      recipe's tempo band.
    - ``target_lufs``: the level the session plays at (default: the recipe's, else the mood's).
    - ``cover``: a session's plan. The music must reach the end (the session fades the last
      track out there); a file's playlist instead stops as near the target as it can.
    - ``overlap``: seconds neighbours overlap in a session, taken off the length (default: the
      recipe's crossfade).
    - ``indexed`` is how many tracks the library holds when ``rows`` are only some of them (for
      example one mood's), so the nothing-to-play message can tell "empty" from "nothing fits".
    - ``preferences``: what the listener's sessions say (``playlists.preference.Preferences``):
      weighed beside the arc, and one pick in five explores (``walk.PREFERENCE_WEIGHT``,
      ``walk.EXPLORE_EVERY``). Banned tracks are left out of ``rows`` by the caller.
    - ``explain``: also say, for each pick, why it was chosen (``Plan.why``).
    """
    target = float(duration if duration is not None else recipe.duration)
    loud_target = recipe_target_lufs(recipe) if target_lufs is None else float(target_lufs)
    rules = Rules(
        shape=recipe.arc.shape,
        target=target,
        cover=cover,
        overlap=max(0.0, recipe.crossfade if overlap is None else overlap) if cover else 0.0,
        rise_limit=rise_limit(recipe),
        never_above_start=recipe.mood == "calm",
    )
    recent = frozenset(recently_played)
    pools: dict[Selection, list[Candidate]] = {}

    def candidates(selection: Selection) -> list[Candidate]:
        if selection not in pools:
            pools[selection] = _candidates(rows, recipe.mood, selection, seed)
        return pools[selection]

    written = candidates(recipe.select)
    if not written:
        # Moods, bans and genres are never relaxed: a recipe whose selection is empty as written
        # may still fill from relaxed bands, but an empty library or mood has nothing to give.
        relaxed_pool = candidates(_widest(recipe.select))
        if not relaxed_pool:
            size = len(rows) if indexed is None else indexed
            banned = select_rows(rows, recipe.mood, recipe.select).banned
            raise NothingToPlayError(_nothing_message(rows, size, recipe, banned))

    def walk_with(limits: Limits) -> Walk:
        cands = candidates(limits.selection)
        pool = [c for c in cands if c.pinned or not limits.avoid_recent or c.path not in recent]
        return _walk(
            pool, cands, recipe, rules, loud_target, limits, seed, start_arousal, preferences
        )

    as_written = walk_with(Limits.as_written(recipe))
    best: tuple[Walk, list[str]] = (as_written, [])
    if not as_written.full:
        # Relax the recipe's limits one step at a time until the music fills the length.
        from calmtune.playlists.relax import ladder

        any_recent = bool(recent) and recipe.avoid_recent
        if any_recent:
            any_recent = any(c.path in recent for c in candidates(_widest(recipe.select)))
        for limits, taken in ladder(recipe, any_recent=any_recent):
            if not taken:
                continue  # as written: walked above
            walk = walk_with(limits)
            if walk.total > best[0].total + 1e-6:
                best = (walk, taken)
            if walk.full:
                break
    walk, taken = best
    heard = [levels.heard_loudness(c.lufs, loud_target) for c in walk.sequence]
    bed = 0.0 if walk.full else max(0.0, target - walk.total)
    notes: list[str] = []
    if taken or bed:
        notes.append(_fill_note(recipe, target, as_written.total, len(written), taken, walk, bed))
    notes.extend(walk.notes)
    unknown = sum(1 for c in walk.sequence if c.bpm is None)
    if unknown:
        notes.append(
            f"{unknown} track(s) have no known tempo (not analysed yet, or no beat steady enough "
            "to be sure of) and were placed by mood alone; 'calmtune analyze' measures the ones "
            "not analysed yet."
        )
    unmeasured = sum(1 for c in walk.sequence if c.lufs is None)
    if unmeasured:
        notes.append(
            f"{unmeasured} track(s) have no known loudness and were planned as if at the target "
            f"({loud_target:g} LUFS); a quieter one may make the next sound louder than planned. "
            "'calmtune analyze' measures it."
        )
    return Plan(
        recipe=recipe.name,
        seed=seed,
        duration_target=target,
        indexes=[c.index for c in walk.sequence],
        paths=[c.path for c in walk.sequence],
        duration_total=sum(c.duration for c in walk.sequence),
        notes=notes,
        short=not walk.full,
        relaxed=bool(taken),
        target_lufs=loud_target,
        heard_lufs=heard,
        bed_seconds=bed,
        bed_lufs=_bed_level(heard, loud_target, rules),
        why=_explain(walk, heard, recipe, preferences) if explain else (),
    )


def _candidates(
    rows: Sequence[TrackRow], mood: str, selection: Selection, seed: int
) -> list[Candidate]:
    """What ``selection`` accepts, sorted by path (so the plan depends on the index, not on the
    order it was read in), and sampled down to POOL_LIMIT with the seed."""
    cands = select_rows(rows, mood, selection).candidates
    cands.sort(key=lambda c: c.path)
    if len(cands) > POOL_LIMIT:
        pinned = [c for c in cands if c.pinned]
        rest = [c for c in cands if not c.pinned]
        cands = pinned + random.Random(seed).sample(rest, POOL_LIMIT)
    return cands


def _widest(selection: Selection) -> Selection:
    """The selection at the last step of the relaxation ladder."""
    return selection._replace(bpm=None, loudness=None, min_score=0.0, min_confidence=0.0)


def _walk(
    pool: list[Candidate],
    cands: list[Candidate],
    recipe: Recipe,
    rules: Rules,
    loud_target: float,
    limits: Limits,
    seed: int,
    start_arousal: float | None,
    preferences: Any = None,
) -> Walk:
    """The best walk over ``pool`` under ``limits``: along the arc, and when that comes up short
    on a moving arc, also from the far end of the whole tempo range (below)."""
    if not pool:
        return Walk([], 0.0, False, [])
    heard = {c.path: levels.heard_loudness(c.lufs, loud_target) for c in cands}
    tempo: Line = _arc_ends(cands, recipe, start_arousal)
    loudness = _loudness_line(cands, heard, rules.shape)
    rng = random.Random(seed)  # the same jitter whichever step of the ladder this is
    scale = recipe.arc.max_bpm_step
    walker = Walker(cands, rules, heard, tempo, loudness, rng, scale=scale, preferences=preferences)
    if not limits.tempo_order:
        return loudness_ordered(pool, rules, heard, tempo, walker.jitter)
    walk = walker.walk(pool, limits)
    if walk.full or rules.shape == "steady":
        return walk
    # With few candidates a line from the 90th to the 10th percentile of tempo can strand the
    # tracks beyond its start (take 42 BPM first and 44 can never follow in a calm arc). Walk
    # the whole tempo range from its far end, without jitter, and keep whichever is longer.
    lo, hi = _tempo_range(cands)
    ends: Line = (hi, lo) if rules.shape == "descending" else (lo, hi)
    wide = Walker(
        cands, rules, heard, ends, loudness, rng, scale=scale, jitter=False, preferences=preferences
    ).walk(pool, limits)
    return wide if wide.total > walk.total + 1e-6 else walk


def _tempo_range(cands: list[Candidate]) -> tuple[float, float]:
    known = [c.bpm for c in cands if c.bpm is not None]
    return (min(known), max(known)) if known else (0.0, 0.0)


def _arc_ends(cands: list[Candidate], recipe: Recipe, arousal: float | None) -> tuple[float, float]:
    """The ideal first and last tempo, kept inside the tempo range the candidates cover."""
    known = sorted(c.bpm for c in cands if c.bpm is not None)
    if not known:
        return 0.0, 0.0
    lo, hi = known[0], known[-1]
    high = known[int(0.9 * (len(known) - 1))]
    low = known[int(0.1 * (len(known) - 1))]
    mid = known[len(known) // 2]
    arc = recipe.arc
    default_start, default_end = {
        "descending": (high, low),
        "ascending": (low, high),
        "steady": (mid, mid),
    }[arc.shape]
    start = arc.start_bpm if arc.start_bpm is not None else default_start
    end = arc.end_bpm if arc.end_bpm is not None else default_end
    if arousal is not None:
        start = arousal_to_bpm(arousal)
        band = recipe.select.bpm
        if band:
            start = min(band[1], max(band[0], start))
        if arc.shape == "descending":
            start = max(start, end)
        elif arc.shape == "ascending":
            start = min(start, end)
        else:
            end = start
    clamp = lambda v: min(hi, max(lo, v))  # noqa: E731
    return clamp(start), clamp(end)


def _loudness_line(cands: list[Candidate], heard: dict[str, float], shape: str) -> Line:
    """The ideal heard loudness through the session, spent at the pace the candidates offer it.

    For a calm (descending) arc, the ideal at a point of the session is the level that the music
    louder than it would fill up to that point: when most of the music is heard at the target
    (loud masters turned down), the arc stays there for most of the session and steps down at
    its end, rather than going quiet early and leaving nothing to follow. An ascending arc is
    the same the other way up; a steady one stays at the median.
    """
    by_level = sorted(((heard[c.path], c.duration) for c in cands), reverse=True)
    total = sum(d for _, d in by_level)
    levels_at: list[float] = []
    filled, i = 0.0, 0
    for k in range(LINE_POINTS):
        share = total * (0.05 + 0.9 * k / (LINE_POINTS - 1))  # the middle 90% of the music
        while i < len(by_level) - 1 and filled + by_level[i][1] < share:
            filled += by_level[i][1]
            i += 1
        levels_at.append(by_level[i][0])
    if shape == "descending":
        return tuple(levels_at)
    if shape == "ascending":
        return tuple(reversed(levels_at))
    mid = levels_at[LINE_POINTS // 2]
    return (mid, mid)


def _explain(walk: Walk, heard: list[float], recipe: Recipe, preferences: Any) -> list[list[str]]:
    """For each pick, in plain words: where it sits on the arc, what the listener's sessions say
    of it, and whether it explored."""
    from calmtune.playlists.walk import EXPLORE_EVERY

    why = []
    for place, c in enumerate(walk.sequence):
        ideal = walk.context[place] if place < len(walk.context) else None
        words = []
        if c.pinned:
            words.append("pinned by the recipe")
        if c.bpm is None:
            words.append("tempo unknown: placed by mood alone")
        elif ideal is not None:
            words.append(f"tempo {c.bpm:.0f} BPM where the arc asks for {ideal[0]:.0f}")
        else:
            words.append(f"tempo {c.bpm:.0f} BPM")
        level = f"heard at {heard[place]:.1f} LUFS"
        if ideal is not None:
            level += f" where the arc asks for {ideal[1]:.1f}"
        words.append(level)
        if preferences:
            score = preferences.score(c.path, c.artist)
            words.extend(preferences.reasons(c.path, c.artist, recipe.name))
            words.append(f"preference {score:.2f} (0.5 is neutral)")
        else:
            words.append("no listening history yet")
        if ideal is not None and ideal[2]:
            words.append(
                f"exploring: one pick in {EXPLORE_EVERY} goes to a track you have rarely or "
                "never heard"
            )
        why.append(words)
    return why


def _bed_level(heard: list[float], target: float, rules: Rules) -> float:
    """How loud the soundscape bed should be heard: at the target, but never a bigger step up
    from the last track than the rise limit allows (a calm bed no louder than the last track)."""
    if not heard:
        return target
    allowed = heard[-1] if rules.never_above_start else heard[-1] + rules.rise_limit
    return min(target, allowed)


def _minutes(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:.0f}" if minutes >= 1.5 else f"{minutes:.1f}".rstrip("0").rstrip(".")


def _fill_note(
    recipe: Recipe,
    target: float,
    written_total: float,
    written_count: int,
    taken: list[str],
    walk: Walk,
    bed: float,
) -> str:
    """The one note that says what was relaxed to fill the length, and why."""
    why = (
        f"recipe '{recipe.name}' as written fills {_minutes(written_total)} of "
        f"{_minutes(target)} minutes ({written_count} matching track"
        f"{'' if written_count == 1 else 's'})"
    )
    parts = [why[0].upper() + why[1:]]
    if taken:
        parts.append(f"so, in this order, {'; '.join(taken)}")
    text = ", ".join(parts) + "."
    if bed:
        text += (
            f" The music fills {_minutes(walk.total)} minutes; in a session calmtune's soundscape "
            f"plays the last {_minutes(bed)}. Scan or analyse more music, or loosen the recipe."
        )
    return text


def _nothing_message(rows: Sequence[TrackRow], indexed: int, recipe: Recipe, banned: int) -> str:
    if not indexed:
        return "the library is empty; add music with 'calmtune scan PATH'"
    moods = recipe.select.moods
    matching = sum(1 for r in rows if r.mood in moods)
    where = f"recipe file {recipe.path}" if recipe.path else f"recipe '{recipe.name}'"
    return (
        f"no track fits recipe '{recipe.name}' ({indexed} indexed, {matching} {'/'.join(moods)}"
        + (f", {banned} banned" if banned else "")
        + f"); run 'calmtune analyze', set moods with 'calmtune tag --mood', or loosen {where}"
    )
