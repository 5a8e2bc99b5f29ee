"""``journal --insights`` and ``goal`` in words. Plain functions that return lines, so they are
tested without a terminal; figures keep the number of sessions and the interval beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from calmtune.ui.text import printable

if TYPE_CHECKING:
    from calmtune.insights import Figure, GoalProgress, Insights

CAVEAT = (
    "These are your own ratings: they show what went with larger drops in your sessions, not "
    "what causes them, and they are not medical advice."
)


def _sessions(n: int) -> str:
    return f"{n} session{'s' if n != 1 else ''}"


def figure_text(f: Figure) -> str:
    """ "calm: 2.6 points (95% interval 1.7 to 3.5), 8 sessions"."""
    interval = (
        "no interval from one session"
        if f.low is None or f.high is None
        else f"95% interval {f.low:.1f} to {f.high:.1f}"
    )
    return f"{printable(f.label)}: {f.mean:+.1f} points ({interval}), {_sessions(f.sessions)}"


def comparison_text(figures: list[Figure]) -> str | None:
    """What the data says about the two largest drops of a breakdown: never more than it shows."""
    from calmtune.insights import overlap

    if len(figures) < 2:
        return None
    first, second = figures[0], figures[1]
    a, b = printable(first.label), printable(second.label)
    if overlap(first, second):
        return f"{a} and {b}: the intervals overlap, so these sessions do not tell them apart."
    return f"{a} went with a larger drop than {b} in these sessions."


def goal_text(p: GoalProgress) -> str:
    from calmtune.insights import DROP_WINDOW_DAYS, MIN_SESSIONS, GoalKind

    goal = p.goal
    recipe = f" of {printable(goal.recipe)}" if goal.recipe else ""
    if goal.kind is GoalKind.SESSIONS:
        target = round(goal.target)
        done = round(p.value or 0)
        state = "reached" if p.met else f"{target - done} to go"
        return f"{target} sessions a week{recipe}: {done} in the last 7 days ({state})"
    wanted = f"an average stress drop of {goal.target:g} points{recipe}"
    if p.value is None:
        return f"{wanted}: no rated sessions in the last {DROP_WINDOW_DAYS} days"
    interval = "" if p.low is None else f", 95% interval {p.low:.1f} to {p.high:.1f}"
    figure = (
        f"{p.value:+.1f} over {_sessions(p.sessions)} in the last {DROP_WINDOW_DAYS} days{interval}"
    )
    if p.sessions < MIN_SESSIONS:
        return f"{wanted}: {figure} (too few rated sessions to judge yet)"
    return f"{wanted}: {figure} ({'on target' if p.met else 'not yet'})"


def insight_lines(ins: Insights) -> list[str]:
    from calmtune.insights import MIN_SESSIONS

    lines: list[str] = []
    if ins.goals:
        lines.append("Goals:")
        lines.extend(f"  {goal_text(p)}" for p in ins.goals)
        lines.append("")
    if not ins.enough_data:
        lines.append(
            f"Not enough data yet: {_sessions(ins.rated)} rated before and after; insights need "
            f"at least {MIN_SESSIONS} (use --check-in when you start a session)."
        )
        return lines
    lines.append(
        "Stress drop (rating before minus after, 0-10; positive is calmer), with 95% Student's t "
        "intervals:"
    )
    lines.append(f"  {figure_text(ins.overall)}")  # type: ignore[arg-type]
    for title, figures in (
        ("By recipe", ins.by_recipe),
        ("By length", ins.by_length),
        ("By time of day", ins.by_time_of_day),
    ):
        lines.append(f"{title}, largest drop first:")
        lines.extend(f"  {figure_text(f)}" for f in figures)
        comparison = comparison_text(figures)
        if comparison:
            lines.append(f"  {comparison}")
    lines.append(CAVEAT)
    return lines
