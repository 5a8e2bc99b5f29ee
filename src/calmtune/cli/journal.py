"""``calmtune journal``: past listening sessions, with stress before and after."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import MAX_COUNT, emit_json, json_option

if TYPE_CHECKING:
    from calmtune.listening import SessionRecord


def iso_local(timestamp: float | None) -> str | None:
    """ISO-8601 local time with its UTC offset, to the second: ``2026-11-25T22:30:00+01:00``."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def session_to_json(s: SessionRecord) -> dict:
    """The journal object of ``calmtune journal --json`` (docs/cli.md)."""
    return {
        "started": iso_local(s.started),
        "ended": iso_local(s.ended),
        "recipe": s.recipe,
        "minutes": s.minutes,
        "tracks": len(s.tracks),
        "stress_before": s.stress_before,
        "stress_after": s.stress_after,
        "ended_by": s.ended_by.value,
    }


@click.command()
@click.option("--limit", type=click.IntRange(1, MAX_COUNT), help="Only the N most recent sessions.")
@click.option(
    "--insights",
    "show_insights",
    is_flag=True,
    help="Progress toward your goals, and which recipes, lengths and times of day went with the "
    "largest stress drops.",
)
@json_option
@click.pass_obj
def journal(app: AppContext, limit: int | None, show_insights: bool, as_json: bool) -> None:
    """Past sessions: start, length, recipe, tracks played, stress before/after, how each ended.

    A table, a chart of the stress ratings over time and the average change per recipe
    (ratings come from `--check-in`).

    \b
    --json writes a list, newest first, of objects with:
      started, ended  local ISO-8601 time with UTC offset; ended is null while a
                      session runs, or when it was killed without a chance to say so
      recipe          the recipe name
      minutes         wall-clock length rounded to 0.1, null when ended is null
      tracks          how many tracks were played (a count)
      stress_before, stress_after
                      0-10, or null when not rated
      ended_by        completed, finish-after-track, quit, sigint, sigterm, sighup,
                      replaced, error, or running

    --insights uses the sessions rated before and after (the last N with --limit): the mean
    stress drop per recipe, length and time of day, largest first, each with its 95% Student's t
    interval and the number of sessions behind it. Below 5 rated sessions it says there is not
    enough data yet. With --json: {"rated_sessions", "enough_data", "minimum_sessions",
    "interval", "overall", "by_recipe", "by_length", "by_time_of_day", "goals"}; a figure is
    {"label", "sessions", "mean_drop", "low", "high"}, a goal as in `calmtune goal --json`.
    """
    if show_insights:
        _insights(app, limit, as_json)
        return
    sessions = app.open_library().journal.sessions(limit=limit)
    if as_json:
        emit_json([session_to_json(s) for s in sessions])
        return
    if not sessions:
        app.say(
            "No sessions yet: run `calmtune relax` (add --check-in to rate your stress before "
            "and after)."
        )
        return
    from calmtune.ui.journal_view import print_journal

    print_journal(app.console, sessions)


def _insights(app: AppContext, limit: int | None, as_json: bool) -> None:
    import time

    from calmtune.insights import MIN_SESSIONS, insights

    library = app.open_library()
    found = insights(library.journal.sessions(limit=limit), library.goals.all(), time.time())
    if as_json:
        from calmtune.cli.goal import progress_json

        emit_json(
            {
                "rated_sessions": found.rated,
                "enough_data": found.enough_data,
                "minimum_sessions": MIN_SESSIONS,
                "interval": "95% Student's t",
                "overall": _figure_json(found.overall),
                "by_recipe": [_figure_json(f) for f in found.by_recipe],
                "by_length": [_figure_json(f) for f in found.by_length],
                "by_time_of_day": [_figure_json(f) for f in found.by_time_of_day],
                "goals": [progress_json(p) for p in found.goals],
            }
        )
        return
    from calmtune.ui.insights_view import insight_lines

    for line in insight_lines(found):
        click.echo(line)


def _figure_json(f) -> dict | None:
    if f is None:
        return None
    return {
        "label": f.label,
        "sessions": f.sessions,
        "mean_drop": round(f.mean, 3),
        "low": None if f.low is None else round(f.low, 3),
        "high": None if f.high is None else round(f.high, 3),
    }
