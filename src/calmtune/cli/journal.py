"""``calmtune journal``: past listening sessions, with stress before and after."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from calmtune.cli.context import AppContext
from calmtune.cli.options import MAX_COUNT, emit_json, json_option

if TYPE_CHECKING:
    from calmtune.models import SessionRecord


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
@json_option
@click.pass_obj
def journal(app: AppContext, limit: int | None, as_json: bool) -> None:
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
      ended_by        completed, finish-after-track, quit, sigint, sigterm,
                      replaced, error, or running
    """
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
