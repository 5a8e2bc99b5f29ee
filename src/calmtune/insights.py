"""What the journal says about the listener's sessions, honestly (``calmtune journal --insights``).

Pure: standard library only. A session's **drop** is its stress rating before minus after (0-10
scale; positive means calmer), counted for sessions rated both times. Figures are means with a
95% Student's t interval (mean ± t(0.975, n-1) · s/√n), always with the number of sessions behind
them; a group of one session has no interval. Below ``MIN_SESSIONS`` rated sessions calmtune says
there is not enough data yet instead of drawing conclusions. The figures describe what went with
larger drops in these sessions, not what causes them (docs/music.md, "Goals and insight").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from calmtune.listening import EndedBy, SessionRecord

MIN_SESSIONS = 5  # rated sessions before any insight is drawn
WEEK = 7 * 24 * 3600.0
DROP_WINDOW_DAYS = 28  # a drop goal is judged on the rated sessions of the last four weeks

# Two-sided 95% quantiles of Student's t, t(0.975, df), for df = 1..30 (standard tables).
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
_Z975 = 1.959964


def t_quantile_975(df: int) -> float:
    """t(0.975, df): the table up to 30 degrees of freedom, then the Cornish-Fisher expansion
    around the normal quantile (within 0.001 of the exact value from df 31 on)."""
    if df < 1:
        raise ValueError("a t interval needs at least two values")
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


class GoalKind(StrEnum):
    SESSIONS = "sessions"  # this many sessions a week
    DROP = "drop"  # an average stress drop (before - after) of this many points


class Goal(NamedTuple):
    """A plain listening goal the listener set (``calmtune goal``)."""

    kind: GoalKind
    target: float
    recipe: str | None = None  # None: sessions of any recipe
    set_at: float = 0.0


class Figure(NamedTuple):
    """The mean drop of a group of sessions, with its 95% t interval (None for one session)."""

    label: str
    sessions: int
    mean: float
    low: float | None
    high: float | None


def figure(label: str, drops: Sequence[float]) -> Figure:
    n = len(drops)
    mean = sum(drops) / n
    if n < 2:
        return Figure(label, n, mean, None, None)
    variance = sum((d - mean) ** 2 for d in drops) / (n - 1)
    half = t_quantile_975(n - 1) * math.sqrt(variance / n)
    return Figure(label, n, mean, mean - half, mean + half)


class GoalProgress(NamedTuple):
    goal: Goal
    value: float | None  # sessions in the last 7 days, or the mean drop over the window
    sessions: int  # the sessions behind ``value``
    low: float | None = None  # a drop goal's 95% interval
    high: float | None = None

    @property
    def met(self) -> bool:
        return self.value is not None and self.value >= self.goal.target


class Insights(NamedTuple):
    rated: int  # sessions rated before and after
    overall: Figure | None  # None: fewer than MIN_SESSIONS rated sessions
    by_recipe: list[Figure]
    by_length: list[Figure]
    by_time_of_day: list[Figure]
    goals: list[GoalProgress]

    @property
    def enough_data(self) -> bool:
        return self.overall is not None


def drop(session: SessionRecord) -> float | None:
    if session.stress_before is None or session.stress_after is None:
        return None
    return float(session.stress_before - session.stress_after)


def session_minutes(session: SessionRecord) -> float:
    """The session's length: start to end, or what was heard when it never closed."""
    if session.minutes is not None:
        return session.minutes
    return session.listened_seconds / 60


LENGTH_BANDS = ((15, "under 15 min"), (30, "15-30 min"), (45, "30-45 min"))
LONGEST_BAND = "45 min or more"


def length_band(session: SessionRecord) -> str:
    minutes = session_minutes(session)
    for limit, label in LENGTH_BANDS:
        if minutes < limit:
            return label
    return LONGEST_BAND


TIMES_OF_DAY = ((6, "night (0-6 h)"), (12, "morning (6-12 h)"), (18, "afternoon (12-18 h)"))
LATEST_TIME = "evening (18-24 h)"


def time_of_day(session: SessionRecord) -> str:
    """When the session started, in local time."""
    hour = datetime.fromtimestamp(session.started).hour
    for limit, label in TIMES_OF_DAY:
        if hour < limit:
            return label
    return LATEST_TIME


def _grouped(
    sessions: Iterable[SessionRecord], key: Callable[[SessionRecord], str]
) -> list[Figure]:
    """A figure per group, largest mean drop first (ties: more sessions first, then by name)."""
    groups: dict[str, list[float]] = {}
    for s in sessions:
        value = drop(s)
        if value is not None:
            groups.setdefault(key(s), []).append(value)
    figures = [figure(label, drops) for label, drops in groups.items()]
    return sorted(figures, key=lambda f: (-f.mean, -f.sessions, f.label))


def counts_as_session(session: SessionRecord) -> bool:
    """A session that really played: not one that failed before any music."""
    return session.ended_by is not EndedBy.ERROR or bool(session.tracks)


def goal_progress(goal: Goal, sessions: Sequence[SessionRecord], now: float) -> GoalProgress:
    def wanted(s: SessionRecord) -> bool:
        return goal.recipe is None or s.recipe == goal.recipe

    if goal.kind is GoalKind.SESSIONS:
        recent = [
            s for s in sessions if wanted(s) and counts_as_session(s) and now - WEEK < s.started
        ]
        return GoalProgress(goal, float(len(recent)), len(recent))
    since = now - DROP_WINDOW_DAYS * 24 * 3600.0
    drops = [d for s in sessions if wanted(s) and s.started > since and (d := drop(s)) is not None]
    if not drops:
        return GoalProgress(goal, None, 0)
    fig = figure("", drops)
    return GoalProgress(goal, fig.mean, fig.sessions, fig.low, fig.high)


def insights(sessions: Sequence[SessionRecord], goals: Sequence[Goal], now: float) -> Insights:
    """Everything ``journal --insights`` shows, from the journal's sessions and the goals."""
    rated = [s for s in sessions if drop(s) is not None]
    progress = [goal_progress(g, sessions, now) for g in goals]
    if len(rated) < MIN_SESSIONS:
        return Insights(len(rated), None, [], [], [], progress)
    return Insights(
        rated=len(rated),
        overall=figure("all rated sessions", [drop(s) for s in rated]),  # type: ignore[misc]
        by_recipe=_grouped(rated, lambda s: s.recipe),
        by_length=_grouped(rated, length_band),
        by_time_of_day=_grouped(rated, time_of_day),
        goals=progress,
    )


def overlap(a: Figure, b: Figure) -> bool:
    """Whether two figures' intervals overlap (a figure without an interval overlaps all): then
    the data does not tell the two apart."""
    if a.low is None or b.low is None or a.high is None or b.high is None:
        return True
    return a.low <= b.high and b.low <= a.high
