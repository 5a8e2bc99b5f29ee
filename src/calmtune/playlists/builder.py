"""Build a receptive playlist: select by recipe, walk the arc, fit the duration.

The walk is greedy along an ideal tempo line from the arc's start to its end (the iso principle):
at each step it takes, among the tracks that keep the arc monotonic within the allowed BPM and LU
steps and keep artists and albums apart, the one nearest the ideal tempo for that point in time,
with a small seeded jitter so a new seed gives a new playlist. Pure: tracks in, ``Playlist`` out.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Collection, Sequence
from typing import NamedTuple

from calmtune.errors import NothingToPlayError
from calmtune.models import Track
from calmtune.playlists.arousal import arousal_to_bpm
from calmtune.playlists.recipe import Recipe
from calmtune.playlists.select import (
    Candidate,
    TrackRow,
    path_matcher,
    select_rows,
    track_row,
)

# A bigger pool adds time, not quality: 1,500 candidates leave dozens near every point of the
# arc for a playlist of 10-20 tracks.
POOL_LIMIT = 1500


# NamedTuples rather than frozen dataclasses, for start-up time (the figures are in models.py).
class Playlist(NamedTuple):
    """A built playlist. ``notes`` are plain sentences for the user (never printed here)."""

    recipe: str
    seed: int
    duration_target: float
    tracks: list[Track]
    notes: list[str]
    short: bool = False  # it ends more than one track short of the target

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
    short: bool  # it ends more than one track short of the target
    relaxed: bool  # a rule (spacing, recently played) gave way to reach the length


def build_playlist(
    tracks: Sequence[Track],
    recipe: Recipe,
    *,
    duration: float | None = None,
    seed: int = 0,
    recently_played: Collection[str] = frozenset(),
    start_arousal: float | None = None,
) -> Playlist:
    """Build ``recipe`` from ``tracks``.

    ``duration`` (seconds) overrides the recipe's. ``recently_played`` holds paths played in the
    last sessions (from the journal); they are used only when the playlist would be short without.
    ``start_arousal`` (arousal 0..1) moves the arc's start to the listener's state, within the
    recipe's tempo band. Raises ``NothingToPlayError`` when no track fits.
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
    )


def plan_playlist(
    rows: Sequence[TrackRow],
    recipe: Recipe,
    *,
    duration: float | None = None,
    seed: int = 0,
    recently_played: Collection[str] = frozenset(),
    start_arousal: float | None = None,
    indexed: int | None = None,
) -> Plan:
    """``build_playlist`` over flat ``TrackRow`` tuples, so a caller holding a large index need
    not build a ``Track`` for every file: it builds only the few the plan names.

    ``indexed`` is how many tracks the library holds when ``rows`` are only some of them (for
    example one mood's), so the nothing-to-play message can tell "empty" from "nothing fits".
    """
    target = float(duration if duration is not None else recipe.duration)
    selected = select_rows(rows, recipe.mood, recipe.select)
    cands = selected.candidates
    if not cands:
        size = len(rows) if indexed is None else indexed
        raise NothingToPlayError(_nothing_message(rows, size, recipe, selected.banned))

    rng = random.Random(seed)
    # Sort by path first so the result depends on the index, not on the order it was read in.
    cands.sort(key=lambda c: c.path)
    notes: list[str] = []
    if len(cands) > POOL_LIMIT:
        pinned = [c for c in cands if c.pinned]
        cands = pinned + rng.sample([c for c in cands if not c.pinned], POOL_LIMIT)
    start, end = _arc_ends(cands, recipe, start_arousal)
    walker = _Walker(cands, recipe, target, start, end, rng)

    recent = frozenset(recently_played) if recipe.avoid_recent else frozenset()
    fresh = [c for c in cands if c.pinned or c.path not in recent]
    attempts = [(fresh, recipe.artist_gap, recipe.album_gap, None)]
    if len(fresh) < len(cands):
        attempts.append(
            (cands, recipe.artist_gap, recipe.album_gap, "it includes recently played tracks")
        )
    if recipe.artist_gap or recipe.album_gap:
        attempts.append((cands, 0, 0, "artists and albums could not all be kept apart"))
    best, best_note = _longest_walk(walker, attempts)
    if target - best.total >= walker.shortest and recipe.arc.shape != "steady":
        # Another track would have fitted by length, but the arc left none. With few
        # candidates a line from the 90th to the 10th percentile of tempo can strand the tracks
        # beyond its start (take 42 BPM first and 44 can never follow in a calm arc). Walk the
        # whole tempo range from its far end, without jitter, and keep whichever is longer.
        lo, hi = _tempo_range(cands)
        ends = (hi, lo) if recipe.arc.shape == "descending" else (lo, hi)
        wide = _Walker(cands, recipe, target, *ends, rng, jitter=False)
        walk, note = _longest_walk(wide, attempts)
        if walk.total > best.total + 1e-6:
            best, best_note = walk, note
    if best_note:
        notes.append(f"To reach the length, {best_note}.")
    notes.extend(best.notes)
    if best.short:
        notes.append(
            f"Only {best.total / 60:.0f} of {target / 60:.0f} minutes fit recipe '{recipe.name}' "
            f"({len(selected.candidates)} matching tracks); scan or analyse more music, "
            "or loosen the recipe."
        )
    unknown = sum(1 for c in best.sequence if c.bpm is None)
    if unknown:
        notes.append(
            f"{unknown} track(s) have no known tempo and were placed by mood alone; "
            "'calmtune analyze' measures it."
        )
    return Plan(
        recipe=recipe.name,
        seed=seed,
        duration_target=target,
        indexes=[c.index for c in best.sequence],
        paths=[c.path for c in best.sequence],
        duration_total=best.total,
        notes=notes,
        short=best.short,
        relaxed=best_note is not None,
    )


def _longest_walk(walker: _Walker, attempts: list) -> tuple[_Walk, str | None]:
    """The first walk over ``attempts`` (pool, artist gap, album gap, note) that is not short,
    else the longest, with the note that explains its compromise."""
    best: _Walk | None = None
    best_note = None
    for pool, artist_gap, album_gap, note in attempts:
        walk = walker.walk(pool, artist_gap, album_gap)
        if best is None or walk.total > best.total + 1e-6:
            best, best_note = walk, note
        if not walk.short:
            break
    assert best is not None
    return best, best_note


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


class _Walk(NamedTuple):
    sequence: list[Candidate]
    total: float
    short: bool
    notes: list[str]


class _Walker:
    """One greedy walk along the arc over a pool, with given spacing rules."""

    def __init__(
        self,
        cands: list[Candidate],
        recipe: Recipe,
        target: float,
        start: float,
        end: float,
        rng: random.Random,
        *,
        jitter: bool = True,
    ) -> None:
        self.arc = recipe.arc
        self.target = target
        self.start, self.end = start, end
        # "Never over by more than the shortest candidate", "within one track of the target".
        self.shortest = min(c.duration for c in cands)
        self.longest = max(c.duration for c in cands)
        # A per-track jitter (fixed per seed) lets a new seed choose among near-equal tracks.
        spread = self.arc.max_bpm_step / 4 if jitter else 0.0
        self.jitter = {c.path: rng.random() * spread for c in cands}
        self.unknown_cost = self.arc.max_bpm_step / 2

    def walk(self, pool: list[Candidate], artist_gap: int, album_gap: int) -> _Walk:
        arc, target, shape = self.arc, self.target, self.arc.shape
        known = sorted((c for c in pool if c.bpm is not None), key=lambda c: (c.bpm, c.path))
        keys = [c.bpm for c in known]
        unknown = sorted((c for c in pool if c.bpm is None), key=lambda c: self.jitter[c.path])
        pinned = [c for c in pool if c.pinned]
        used: set[str] = set()
        seq: list[Candidate] = []
        total = 0.0
        last_bpm: float | None = None
        last_lufs: float | None = None
        notes: list[str] = []

        def pending_pins() -> list[Candidate]:
            return [c for c in pinned if c.path not in used]

        def fits(c: Candidate, reserve: float) -> bool:
            if c.path in used:
                return False
            if total + c.duration + reserve > target + self.shortest:
                return False
            if (
                last_lufs is not None
                and c.lufs is not None
                and abs(c.lufs - last_lufs) > arc.max_lu_step
            ):
                return False
            if (
                artist_gap
                and c.artist is not None
                and any(p.artist == c.artist for p in seq[-artist_gap:])
            ):
                return False
            return not (
                album_gap
                and c.album is not None
                and any(p.album == c.album for p in seq[-album_gap:])
            )

        def cost(c: Candidate, ideal: float) -> float:
            base = self.unknown_cost if c.bpm is None else abs(c.bpm - ideal)
            extra = 0.0
            if last_lufs is not None and c.lufs is not None:
                rise = c.lufs - last_lufs
                # A calm arc should not get louder, an energising one not quieter.
                if shape == "descending" and rise > 0:
                    extra = rise
                elif shape == "ascending" and rise < 0:
                    extra = -rise
            return base + extra + self.jitter[c.path]

        while True:
            pins = pending_pins()
            reserve = sum(c.duration for c in pins)
            if total + reserve >= target and not pins:
                break
            progress = min(1.0, total / target) if target else 1.0
            ideal = self.start + (self.end - self.start) * progress
            lo, hi = self._window(last_bpm, pins)
            choice: Candidate | None = None
            # A pinned track is taken as soon as the arc reaches it: later it may be out of step.
            for c in pins:
                if (c.bpm is None or lo <= c.bpm <= hi) and fits(c, reserve - c.duration):
                    choice = c
                    break
            if choice is None:
                choice = self._nearest(known, keys, lo, hi, ideal, fits, reserve, cost)
                # Unknown tempo costs the same everywhere, so the first fitting one (in jitter
                # order) is the cheapest of them.
                for c in unknown:
                    if fits(c, reserve):
                        if choice is None or cost(c, ideal) < cost(choice, ideal):
                            choice = c
                        break
            if choice is None:
                break
            # Stop when stopping lands nearer the target than adding this track would.
            if (
                not choice.pinned
                and total >= target - self.longest
                and target - total < total + choice.duration - target
            ):
                break
            seq.append(choice)
            used.add(choice.path)
            total += choice.duration
            if choice.bpm is not None:
                last_bpm = choice.bpm
            if choice.lufs is not None:
                last_lufs = choice.lufs
            if total >= target and not pending_pins():
                break
        leftover = pending_pins()
        if leftover:
            seq = _insert_pins(seq, leftover, shape)
            total += sum(c.duration for c in leftover)
            notes.append(
                f"{len(leftover)} pinned track(s) are kept although they break the arc's "
                "steps or the length."
            )
        short = total < target - self.longest
        return _Walk(seq, total, short, notes)

    def _window(self, last_bpm: float | None, pins: list[Candidate]) -> tuple[float, float]:
        """The tempo range the next track may have: the arc's direction and step, and not past a
        pinned track still to come (so the walk reaches it)."""
        step, shape = self.arc.max_bpm_step, self.arc.shape
        lo, hi = float("-inf"), float("inf")
        if last_bpm is not None:
            if shape == "descending":
                lo, hi = last_bpm - step, last_bpm
            elif shape == "ascending":
                lo, hi = last_bpm, last_bpm + step
            else:
                lo, hi = last_bpm - step, last_bpm + step
        pin_bpms = [c.bpm for c in pins if c.bpm is not None]
        if pin_bpms and shape == "descending":
            lo = max(lo, max(pin_bpms))
        elif pin_bpms and shape == "ascending":
            hi = min(hi, min(pin_bpms))
        return lo, hi

    @staticmethod
    def _nearest(known, keys, lo, hi, ideal, fits, reserve, cost) -> Candidate | None:
        """The cheapest fitting candidate in [lo, hi], scanning outward from the ideal tempo and
        stopping once the distance alone exceeds the best cost found."""
        first = bisect.bisect_left(keys, lo)
        last = bisect.bisect_right(keys, hi)
        if first >= last:
            return None
        mid = min(max(bisect.bisect_left(keys, ideal, first, last), first), last)
        left, right = mid - 1, mid
        best, best_cost = None, float("inf")
        while left >= first or right < last:
            dl = ideal - keys[left] if left >= first else float("inf")
            dr = keys[right] - ideal if right < last else float("inf")
            if dl <= dr:
                c, dist = known[left], dl
                left -= 1
            else:
                c, dist = known[right], dr
                right += 1
            if abs(dist) >= best_cost:
                break
            if fits(c, reserve):
                k = cost(c, ideal)
                if k < best_cost:
                    best, best_cost = c, k
        return best


def _insert_pins(seq: list[Candidate], pins: list[Candidate], shape: str) -> list[Candidate]:
    """Put pinned tracks the walk could not reach where their tempo keeps the arc monotonic."""
    out = list(seq)
    for pin in pins:
        if pin.bpm is None or shape == "steady":
            out.append(pin)
            continue
        pos = len(out)
        for i, c in enumerate(out):
            if c.bpm is None:
                continue
            if (shape == "descending" and pin.bpm > c.bpm) or (
                shape == "ascending" and pin.bpm < c.bpm
            ):
                pos = i
                break
        out.insert(pos, pin)
    return out


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
