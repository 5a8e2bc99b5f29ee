"""One walk along a recipe's arc, in tempo and in heard loudness (pure).

At each step the walk takes, among the tracks that keep the arc within its steps and keep
artists and albums apart, the one nearest the ideal tempo and the ideal heard loudness for that
point of the session, with a small seeded jitter so a new seed gives a new playlist. The ideal
lines run from the arc's start to its end (the iso principle, docs/music.md). When the arc leaves
no track before the length is reached, the walk backs up and tries the next nearest at the last
step that had one (a bounded depth-first search), rather than stop short.

Loudness is always what the listener hears: ``levels.heard_loudness`` of the track at the
session's target, the same rule the player applies. The rise limit is hard: a step up in heard
loudness larger than it is never taken, and a calm walk never gets louder than its first track,
so it ends no louder than it starts.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from calmtune.playlists.recipe import Recipe, Selection
from calmtune.playlists.select import Candidate

if TYPE_CHECKING:
    import random

# How much a loudness miss costs against a tempo miss (BPM per LU). Ahead of the loudness line
# (quieter than the ideal in a calm arc, louder in a rising one) costs more than behind it: the
# arc may step back by the rise limit only, so a step ahead cannot be undone and leaves fewer
# tracks for the rest of the session.
BPM_PER_LU_AHEAD = 3.0
BPM_PER_LU_BEHIND = 1.0
# The last track of a calm arc should be at least QUIETER_END LU quieter than the first; one that
# is not costs END_PENALTY more (as much as 20 BPM off the ideal tempo).
QUIETER_END = 0.5
END_PENALTY = 20.0
# A playlist for a file is full when it stops because one more track would land farther from the
# target than stopping, or when it comes within this share of the target.
NEAR_SHARE = 0.05
# A session's plan is full when its music reaches the end of the session, to the second.
COVER_SLACK = 1.0
# A walk that reaches a dead end backs up and tries the next cheapest track (of this many at
# each place) at most BACKTRACK_BUDGET times before it settles for the longest it found.
ALTERNATIVES = 3
BACKTRACK_BUDGET = 200
# The listener's preference (``playlists.preference``, 0..1) costs PREFERENCE_WEIGHT BPM per
# unit below 1: a track scored 0.2 (skipped again and again) costs 7.2 BPM more than a neutral
# new one, a liked one (0.75) 6 BPM less. Set on the simulated listener of
# tests/playlists/test_simulated_listener.py (development seed 11; its figures are reported on
# seed 29 in docs/music.md).
PREFERENCE_WEIGHT = 48.0
# Exploration: one pick in EXPLORE_EVERY (the second, then every fifth: 20% of a playlist) goes
# to a track never played in a session, else one played once, when such a track fits there; the
# usual cost still chooses among them. So new tracks get their turn however well the known ones
# do. Only when the listener has a history (else every track is new anyway), and not for a track
# already scored below EXPLORE_FLOOR (a new track of an artist the listener skips every time).
EXPLORE_EVERY = 5
EXPLORE_AT = 1
RARELY = 1  # plays at most, for a track to count as rarely heard
EXPLORE_FLOOR = 0.3
_NOT_EXPLORED = 1 << 30  # the play count given to a track exploration leaves alone


# An ideal value through the session: its values at evenly spaced points from the start
# (progress 0) to the end (progress 1); ``(start, end)`` is a straight line.
Line = tuple[float, ...]


def along(line: Line, progress: float) -> float:
    """The ideal value at ``progress`` (0..1) through the session, between the line's points."""
    place = min(1.0, max(0.0, progress)) * (len(line) - 1)
    i = min(int(place), len(line) - 2)
    return line[i] + (line[i + 1] - line[i]) * (place - i)


# The three records below are plain classes, not NamedTuples: every `playlist build` and session
# start imports this module, and defining a NamedTuple costs about 1M instructions (measured with
# `benchmarks/bench_playlist.py --instructions`, whose target is 1.5x `calmtune --version`).


class Limits:
    """What a walk must respect: the recipe's limits, or a relaxed copy (``relax``)."""

    __slots__ = (
        "album_gap",
        "artist_gap",
        "avoid_recent",
        "bpm_step",
        "lu_step",  # largest change of heard loudness either way (the rise limit is separate)
        "selection",
        "tempo_order",  # False: tracks follow heard loudness instead of the tempo arc
    )

    def __init__(
        self,
        *,
        selection: Selection,
        avoid_recent: bool,
        artist_gap: int,
        album_gap: int,
        bpm_step: float,
        lu_step: float,
        tempo_order: bool,
    ) -> None:
        self.selection = selection
        self.avoid_recent = avoid_recent
        self.artist_gap = artist_gap
        self.album_gap = album_gap
        self.bpm_step = bpm_step
        self.lu_step = lu_step
        self.tempo_order = tempo_order

    @classmethod
    def as_written(cls, recipe: Recipe) -> Limits:
        return cls(
            selection=recipe.select,
            avoid_recent=recipe.avoid_recent,
            artist_gap=recipe.artist_gap,
            album_gap=recipe.album_gap,
            bpm_step=recipe.arc.max_bpm_step,
            lu_step=recipe.arc.max_lu_step,
            tempo_order=True,
        )

    def replace(self, **changes: object) -> Limits:
        """A copy with ``changes``."""
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        return Limits(**values)  # type: ignore[arg-type]


class Walk:
    """A walk's result."""

    __slots__ = ("context", "full", "notes", "sequence", "total")

    def __init__(
        self, sequence: list[Candidate], total: float, full: bool, notes: list[str]
    ) -> None:
        self.sequence = sequence
        self.total = total  # seconds of music, net of the overlaps between neighbours
        self.full = full
        self.notes = notes
        # Per pick, what the arc asked for there: (ideal tempo, ideal heard loudness, whether
        # the pick explored). Empty for a loudness-ordered walk. For ``playlist build --explain``.
        self.context: list[tuple[float, float, bool]] = []


class Rules:
    """What a walk over one pool follows, fixed for the whole plan."""

    __slots__ = ("cover", "never_above_start", "overlap", "rise_limit", "shape", "target")

    def __init__(
        self,
        *,
        shape: str,
        target: float,
        cover: bool,
        overlap: float,
        rise_limit: float,
        never_above_start: bool,
    ) -> None:
        self.shape = shape  # descending, ascending, steady
        self.target = target  # seconds to fill
        self.cover = cover  # reach the target (a session fades the last track out at its end)
        self.overlap = overlap  # seconds neighbours overlap (a session's crossfade)
        self.rise_limit = rise_limit  # largest step up in heard loudness: never relaxed
        self.never_above_start = never_above_start  # calm: none louder than the first, heard


class Walker:
    """Walks over candidates whose heard loudness and tempo lines are known."""

    def __init__(
        self,
        cands: Sequence[Candidate],
        rules: Rules,
        heard: dict[str, float],
        tempo: Line,
        loudness: Line,
        rng: random.Random,
        *,
        scale: float,
        jitter: bool = True,
        preferences: Any = None,
    ) -> None:
        """``scale`` is the recipe's own tempo step (BPM): the jitter and the cost of an unknown
        tempo are fractions of it. ``preferences`` (``playlists.preference.Preferences``, or
        None when the listener has no history) adds the preference cost and exploration."""
        self.rules = rules
        self.heard = heard
        self.tempo, self.loudness = tempo, loudness
        self.shortest = min(c.duration for c in cands)
        spread = scale / 4 if jitter else 0.0
        # A per-track jitter (fixed per seed) lets a new seed choose among near-equal tracks.
        self.jitter = {c.path: rng.random() * spread for c in cands}
        self.unknown_cost = scale / 2
        self.plays: dict[str, int] | None = None  # times each was played: for exploring
        if preferences:
            # The preference joins the jitter: both are fixed per track for the whole plan, so
            # every walk, and the loudness-ordered fallback, weighs them the same way.
            self.plays = {}
            for c in cands:
                score = preferences.score(c.path, c.artist)
                self.jitter[c.path] += PREFERENCE_WEIGHT * (1.0 - score)
                explorable = score >= EXPLORE_FLOOR
                self.plays[c.path] = (
                    preferences.times_played(c.path) if explorable else _NOT_EXPLORED
                )

    def walk(self, pool: Sequence[Candidate], limits: Limits) -> Walk:
        rules, heard = self.rules, self.heard
        target, shape = rules.target, rules.shape
        known = sorted((c for c in pool if c.bpm is not None), key=lambda c: (c.bpm, c.path))
        keys = [c.bpm for c in known]
        unknown = sorted((c for c in pool if c.bpm is None), key=lambda c: self.jitter[c.path])
        pinned = [c for c in pool if c.pinned]
        used: set[str] = set()
        seq: list[Candidate] = []
        total = 0.0
        by_choice = False
        artist_gap, album_gap, lu_step = limits.artist_gap, limits.album_gap, limits.lu_step

        def length(c: Candidate) -> float:
            return c.duration - (rules.overlap if seq else 0.0)

        def pending_pins() -> list[Candidate]:
            return [c for c in pinned if c.path not in used]

        def fits(c: Candidate, reserve: float) -> bool:
            if c.path in used:
                return False
            if not rules.cover and total + length(c) + reserve > target + self.shortest:
                return False
            if seq:
                level, last = heard[c.path], heard[seq[-1].path]
                if level - last > rules.rise_limit or abs(level - last) > lu_step:
                    return False
                if rules.never_above_start and level > heard[seq[0].path]:
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

        # Depth-first: the cheapest track at each place. When the arc leaves nothing before the
        # target (a dead end), back up and try the next cheapest at the last place that has one
        # (of its ALTERNATIVES cheapest), at most BACKTRACK_BUDGET times; the longest sequence
        # seen is kept. A walk that meets no dead end costs no more than a plain greedy one.
        tried: list[set[str]] = []  # the paths tried at each place in ``seq``
        best_seq: list[Candidate] = []
        best_total = 0.0
        budget = BACKTRACK_BUDGET

        def push(choice: Candidate, tried_here: set[str]) -> None:
            nonlocal total
            total += length(choice)
            seq.append(choice)
            used.add(choice.path)
            tried.append(tried_here | {choice.path})

        def pop() -> set[str]:
            nonlocal total
            dropped = seq.pop()
            used.discard(dropped.path)
            total -= length(dropped)  # ``length`` sees the shorter seq: the same overlap
            return tried.pop()

        plays = self.plays

        def options(count: int) -> list[Candidate]:
            pins = pending_pins()
            reserve = sum(c.duration for c in pins)
            if plays is not None and exploring(len(seq)):
                for most in (0, RARELY):  # never played first, then played once
                    found = self._options(
                        pins, reserve, seq, total, limits,
                        lambda c, r, most=most: plays[c.path] <= most and fits(c, r),
                        known, keys, unknown, count,
                    )  # fmt: skip
                    if found:
                        return found
            return self._options(
                pins, reserve, seq, total, limits, fits, known, keys, unknown, count
            )

        while True:
            if total >= target and not pending_pins():
                break
            found = options(1)
            if found and (
                not rules.cover
                and not found[0].pinned
                and target - total < total + length(found[0]) - target
            ):
                # A file's playlist stops when stopping lands nearer the target than this track.
                by_choice = True
                break
            if found:
                push(found[0], set())
                continue
            if total > best_total + 1e-6:
                best_seq, best_total = list(seq), total
            while seq and budget > 0:
                budget -= 1
                tried_here = pop()
                untried = [c for c in options(ALTERNATIVES) if c.path not in tried_here]
                if untried and len(tried_here) < ALTERNATIVES:
                    push(untried[0], tried_here)
                    break
            else:
                seq, total = best_seq, best_total
                used = {c.path for c in seq}
                break
        notes: list[str] = []
        leftover = pending_pins()
        if leftover:
            seq = insert_pins(seq, leftover, shape, heard, rules.rise_limit)
            total += sum(c.duration - rules.overlap for c in leftover)
            notes.append(
                f"{len(leftover)} pinned track(s) are kept although they break the arc's "
                "tempo steps or the length."
            )
        walk = Walk(seq, total, is_full(rules, total, self.shortest, by_choice), notes)
        walk.context = self._context(seq)
        return walk

    def _context(self, seq: list[Candidate]) -> list[tuple[float, float, bool]]:
        """What the arc asked for at each pick, and which picks explored (for explaining)."""
        target, overlap, plays = self.rules.target, self.rules.overlap, self.plays
        out, total = [], 0.0
        for place, c in enumerate(seq):
            progress = min(1.0, total / target) if target else 1.0
            explored = plays is not None and exploring(place) and plays[c.path] <= RARELY
            out.append((along(self.tempo, progress), along(self.loudness, progress), explored))
            total += c.duration - (overlap if place else 0.0)
        return out

    def _cost(self, c: Candidate, ideal_bpm: float, ideal_lu: float) -> float:
        """Distance from the ideal tempo and loudness, plus the seed's jitter."""
        base = self.unknown_cost if c.bpm is None else abs(c.bpm - ideal_bpm)
        # Ahead of the loudness line: quieter than the ideal in a calm or steady arc, louder in
        # a rising one.
        miss = self.heard[c.path] - ideal_lu
        if self.rules.shape != "ascending":
            miss = -miss
        weight = BPM_PER_LU_AHEAD if miss > 0 else BPM_PER_LU_BEHIND
        return base + weight * abs(miss) + self.jitter[c.path]

    def _options(
        self,
        pins: list[Candidate],
        reserve: float,
        seq: list[Candidate],
        total: float,
        limits: Limits,
        fits: Callable[[Candidate, float], bool],
        known: list[Candidate],
        keys: list[float],
        unknown: list[Candidate],
        count: int,
    ) -> list[Candidate]:
        """The next track's options, cheapest first: a pinned track the arc has reached alone,
        else up to ``count`` of the tracks that ``fits``."""
        rules = self.rules
        target = rules.target
        progress = min(1.0, total / target) if target else 1.0
        ideal_bpm, ideal_lu = along(self.tempo, progress), along(self.loudness, progress)
        last_bpm = next((c.bpm for c in reversed(seq) if c.bpm is not None), None)
        lo, hi = _window(rules.shape, limits.bpm_step, last_bpm, pins)
        # A pinned track is taken as soon as the arc reaches it: later it may be out of step.
        for c in pins:
            if (c.bpm is None or lo <= c.bpm <= hi) and fits(c, reserve - c.duration):
                return [c]

        def cost(c: Candidate) -> float:
            price = self._cost(c, ideal_bpm, ideal_lu)
            # A calm arc ends quieter than it starts: the track that completes the session should
            # be heard below the first (a strong preference, not a rule: a library whose music
            # is all at the target cannot, and then the session's fade does it).
            if (
                rules.never_above_start
                and seq
                and total + c.duration - rules.overlap >= target
                and self.heard[c.path] > self.heard[seq[0].path] - QUIETER_END
            ):
                price += END_PENALTY
            return price

        found = _cheapest(known, keys, lo, hi, ideal_bpm, lambda c: fits(c, reserve), cost, count)
        # A track of unknown tempo costs at least ``unknown_cost``: look at them only when the
        # options found so far are fewer or cost more.
        if len(found) < count or cost(found[-1]) > self.unknown_cost:
            more = sorted((c for c in unknown if fits(c, reserve)), key=cost)[:count]
            found = sorted(found + more, key=cost)[:count]
        return found


def exploring(place: int) -> bool:
    """Whether the pick at ``place`` (0 = the first) is one that explores."""
    return place % EXPLORE_EVERY == EXPLORE_AT


def is_full(rules: Rules, total: float, shortest: float, by_choice: bool = False) -> bool:
    """Whether ``total`` seconds fill the target.

    A session's music must reach the target (COVER_SLACK). A file's playlist is full when it
    stopped because one more track would land farther from the target (``by_choice``), or when it
    is so near the target that no track (``shortest``) could bring it nearer, or within
    NEAR_SHARE of it.
    """
    if rules.cover:
        return total >= rules.target - COVER_SLACK
    gap = rules.target - total
    return by_choice or gap <= max(rules.target * NEAR_SHARE, shortest / 2)


def loudness_ordered(
    pool: Sequence[Candidate],
    rules: Rules,
    heard: dict[str, float],
    tempo: Line,
    jitter: dict[str, float],
) -> Walk:
    """The last resort before the bed: fill the length with the tracks nearest the middle of the
    tempo arc, then play them loudest first. Heard loudness never rises, so the rise limit holds
    whatever the tracks; the tempo goes where the loudness takes it."""
    middle = along(tempo, 0.5)
    pins = [c for c in pool if c.pinned]
    rest = sorted(
        (c for c in pool if not c.pinned),
        key=lambda c: (abs(c.bpm - middle) if c.bpm is not None else 0.0) + jitter[c.path],
    )
    shortest = min((c.duration for c in pool), default=0.0)
    chosen = list(pins)
    total = sum(c.duration for c in chosen) - rules.overlap * max(0, len(chosen) - 1)
    by_choice = False
    for c in rest:
        if total >= rules.target:
            break
        step = c.duration - (rules.overlap if chosen else 0.0)
        if not rules.cover:
            if total + step > rules.target + shortest:
                continue  # as in the walk: never over by more than the shortest track
            if rules.target - total < total + step - rules.target:
                by_choice = True
                break
        chosen.append(c)
        total += step
    faster_first = -1 if rules.shape == "descending" else 1
    chosen.sort(key=lambda c: (-heard[c.path], faster_first * (c.bpm or 0.0), c.path))
    return Walk(chosen, total, is_full(rules, total, shortest, by_choice), [])


def _window(
    shape: str, step: float, last_bpm: float | None, pins: list[Candidate]
) -> tuple[float, float]:
    """The tempo range the next track may have: the arc's direction and step, and not past a
    pinned track still to come (so the walk reaches it)."""
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


def _cheapest(
    known: list[Candidate],
    keys: list[float],
    lo: float,
    hi: float,
    ideal: float,
    fits: Callable[[Candidate], bool],
    cost: Callable[[Candidate], float],
    count: int,
) -> list[Candidate]:
    """Up to ``count`` fitting candidates in [lo, hi], cheapest first, scanning outward from
    the ideal tempo and stopping once the tempo distance alone exceeds the dearest kept (every
    other part of the cost is positive)."""
    first = bisect.bisect_left(keys, lo)
    last = bisect.bisect_right(keys, hi)
    if first >= last:
        return []
    mid = min(max(bisect.bisect_left(keys, ideal, first, last), first), last)
    left, right = mid - 1, mid
    kept: list[tuple[float, int, Candidate]] = []  # (cost, order found, candidate)
    limit = float("inf")
    while left >= first or right < last:
        dl = ideal - keys[left] if left >= first else float("inf")
        dr = keys[right] - ideal if right < last else float("inf")
        if dl <= dr:
            c, dist = known[left], dl
            left -= 1
        else:
            c, dist = known[right], dr
            right += 1
        if abs(dist) >= limit:
            break
        if fits(c):
            kept.append((cost(c), len(kept), c))
            if len(kept) >= count:
                kept.sort()
                del kept[count:]
                limit = kept[-1][0]
    kept.sort()
    return [c for _, _, c in kept[:count]]


def insert_pins(
    seq: list[Candidate],
    pins: list[Candidate],
    shape: str,
    heard: dict[str, float],
    rise_limit: float,
) -> list[Candidate]:
    """Put pinned tracks the walk could not reach where their tempo keeps the arc monotonic, or
    as near there as the loudness rise limit allows.

    A place that keeps the rise limit always exists: the first place if the pin is no more than
    ``rise_limit`` quieter than the first track, the end if it is no more than that louder than
    the last, else where the heard loudness crosses the pin's own level.
    """
    out = list(seq)
    for pin in pins:
        preferred = _tempo_place(out, pin, shape)
        places = sorted(range(len(out) + 1), key=lambda i: (abs(i - preferred), i))
        place = next(
            (i for i in places if _keeps_rise(out, i, heard[pin.path], heard, rise_limit)),
            preferred,
        )
        out.insert(place, pin)
    return out


def _keeps_rise(
    seq: list[Candidate], i: int, level: float, heard: dict[str, float], rise_limit: float
) -> bool:
    """Whether a track heard at ``level`` can go at place ``i`` of ``seq`` within the rise limit."""
    before = i == 0 or level - heard[seq[i - 1].path] <= rise_limit
    after = i == len(seq) or heard[seq[i].path] - level <= rise_limit
    return before and after


def _tempo_place(seq: list[Candidate], pin: Candidate, shape: str) -> int:
    if pin.bpm is None or shape == "steady":
        return len(seq)
    for i, c in enumerate(seq):
        if c.bpm is None:
            continue
        if (shape == "descending" and pin.bpm > c.bpm) or (
            shape == "ascending" and pin.bpm < c.bpm
        ):
            return i
    return len(seq)
