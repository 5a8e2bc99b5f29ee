"""``calmtune goal``: a plain listening goal, and how far along it is."""

from __future__ import annotations

import time

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import emit_json, json_option

# Bounds a person could mean: a session or more a week, a drop the 0-10 scale can show.
SESSIONS_RANGE = (1, 50)
DROP_RANGE = (0.5, 10.0)


@click.command()
@click.argument("kind", required=False, type=click.Choice(["sessions", "drop"]))
@click.argument("target", required=False, type=float)
@click.option("--recipe", metavar="NAME", help="Count only sessions of this recipe.")
@click.option("--clear", is_flag=True, help="Remove the goals (of KIND, when given).")
@json_option
@click.pass_obj
def goal(
    app: AppContext,
    kind: str | None,
    target: float | None,
    recipe: str | None,
    clear: bool,
    as_json: bool,
) -> None:
    """Set a plain listening goal, or show your goals and how far along you are.

    \b
      calmtune goal sessions 4 --recipe calm   four calm sessions a week
      calmtune goal drop 2                     stress 2 points lower after a
                                               session than before, on average
      calmtune goal                            the goals and their progress
      calmtune goal --clear                    remove them

    Sessions count over the last 7 days; a drop is the mean of the sessions rated before and
    after (--check-in) in the last 28 days, shown with its 95% interval and the number of
    sessions behind it, and judged only from 5 rated sessions on. `relax` plays the calm
    recipe. `calmtune journal --insights` shows the goals with the rest of the figures.

    \b
    --json writes a list of {"kind", "target", "recipe", "value", "sessions",
    "low", "high", "met"} (value: sessions in the last 7 days, or the mean drop;
    low/high: the drop's 95% interval, or null).
    """
    from calmtune.insights import GoalKind

    # Setting or clearing a goal writes: the index is proved writable (and created) first.
    goals = app.open_library(write=clear or kind is not None).goals
    if clear:
        removed = goals.clear(GoalKind(kind) if kind else None)
        app.say(f"calmtune: removed {removed} goal{'s' if removed != 1 else ''}")
        return
    if kind is not None:
        if target is None:
            raise click.UsageError(f"say how much: e.g. `calmtune goal {kind} 2`")
        _check(kind, target)
        if recipe is not None and recipe not in app.recipes():
            known = ", ".join(sorted(app.recipes()))
            raise click.BadParameter(
                f"no recipe called {recipe!r} (recipes: {known})", param_hint="--recipe"
            )
        goals.set(GoalKind(kind), round(target) if kind == "sessions" else target, recipe)
    elif target is not None or recipe is not None:
        raise click.UsageError("name the kind of goal first: sessions or drop")
    _show(app, as_json)


def _check(kind: str, target: float) -> None:
    low, high = SESSIONS_RANGE if kind == "sessions" else DROP_RANGE
    if not low <= target <= high:  # also refuses nan
        raise click.BadParameter(
            f"{target:g} is not in the range {low:g} to {high:g}", param_hint="TARGET"
        )


def _show(app: AppContext, as_json: bool) -> None:
    from calmtune.insights import goal_progress

    library = app.open_library()
    sessions = library.journal.sessions()
    now = time.time()
    progress = [goal_progress(g, sessions, now) for g in library.goals.all()]
    if as_json:
        emit_json([progress_json(p) for p in progress])
        return
    if not progress:
        app.say("calmtune: no goals yet: e.g. `calmtune goal sessions 4 --recipe calm`")
        return
    from calmtune.ui.insights_view import goal_text

    for p in progress:
        click.echo(goal_text(p))


def progress_json(p) -> dict:
    return {
        "kind": p.goal.kind.value,
        "target": p.goal.target,
        "recipe": p.goal.recipe,
        "value": None if p.value is None else round(p.value, 2),
        "sessions": p.sessions,
        "low": None if p.low is None else round(p.low, 2),
        "high": None if p.high is None else round(p.high, 2),
        "met": p.met,
    }
