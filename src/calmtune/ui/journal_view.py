"""How the journal looks to people: a table of sessions, stress sparklines, change per recipe.

The small computations (sparkline, averages) are plain functions so they are tested without rich.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from calmtune.ui.text import printable

if TYPE_CHECKING:
    from rich.console import Console

    from calmtune.listening import SessionRecord

_BLOCKS = "▁▂▃▄▅▆▇█"
_MISSING = "·"
_ENDINGS = {  # short: the table must fit 80 columns (cron mail, pipes)
    "completed": "completed",
    "finish-after-track": "after track",
    "quit": "quit",
    "sigint": "Ctrl-C",
    "sigterm": "SIGTERM",
    "sighup": "hang-up",
    "replaced": "replaced",
    "error": "error",
    "running": "running/killed",
}


def sparkline(values: Sequence[int | None], top: int = 10) -> str:
    """One block per rating 0..``top``, ``·`` where there is none."""
    steps = len(_BLOCKS) - 1
    return "".join(
        _MISSING if v is None else _BLOCKS[round(max(0, min(v, top)) / top * steps)] for v in values
    )


@dataclass(frozen=True, slots=True)
class RecipeChange:
    recipe: str
    rated: int  # sessions with both a before and an after rating
    average_change: float  # after - before; negative means less stress


def stress_change_by_recipe(sessions: Sequence[SessionRecord]) -> list[RecipeChange]:
    """Average (after - before) per recipe over sessions rated both times, by recipe name."""
    changes: dict[str, list[int]] = {}
    for s in sessions:
        if s.stress_before is not None and s.stress_after is not None:
            changes.setdefault(s.recipe, []).append(s.stress_after - s.stress_before)
    return [
        RecipeChange(recipe, len(values), sum(values) / len(values))
        for recipe, values in sorted(changes.items())
    ]


def local_time(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M")


def _length(s: SessionRecord) -> str:
    if s.minutes is not None:
        return f"{s.minutes:.0f} min" if s.minutes >= 10 else f"{s.minutes:.1f} min"
    # Not closed: at least what was heard, which the journal records track by track.
    return f"{s.listened_seconds / 60:.0f}+ min"


def _stress(s: SessionRecord) -> str:
    before = "-" if s.stress_before is None else str(s.stress_before)
    after = "-" if s.stress_after is None else str(s.stress_after)
    if s.stress_before is None and s.stress_after is None:
        return ""
    return f"{before} → {after}"


def print_journal(console: Console, sessions: Sequence[SessionRecord]) -> None:
    """``sessions`` newest first, as the journal returns them."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    for name, justify in (
        ("Started", "left"), ("Length", "right"), ("Recipe", "left"), ("Tracks", "right"),
        ("Stress", "center"), ("Ended", "left"),
    ):  # fmt: skip
        table.add_column(name, justify=justify, no_wrap=name != "Recipe")
    for s in sessions:
        ending = _ENDINGS.get(s.ended_by.value, s.ended_by.value)
        table.add_row(
            local_time(s.started),
            _length(s),
            Text(printable(s.recipe)),
            str(len(s.tracks)),
            _stress(s),
            Text(ending, style="yellow" if s.ended_by.value in ("error", "running") else ""),
        )
    console.print(table)

    oldest_first = list(reversed(sessions))
    if any(s.stress_before is not None or s.stress_after is not None for s in oldest_first):
        console.print()
        console.print(Text("Stress, oldest to newest (0 calm … 10 very stressed):", style="bold"))
        console.print(Text(f"  before  {sparkline([s.stress_before for s in oldest_first])}"))
        console.print(Text(f"  after   {sparkline([s.stress_after for s in oldest_first])}"))
    changes = stress_change_by_recipe(sessions)
    if changes:
        console.print()
        console.print(Text("Average change in stress per recipe (after − before):", style="bold"))
        for c in changes:
            line = Text(f"  {printable(c.recipe)}: ")
            line.append(f"{c.average_change:+.1f}", style="green" if c.average_change < 0 else "")
            line.append(f" over {c.rated} rated session{'s' if c.rated != 1 else ''}")
            console.print(line)
    else:
        console.print(
            Text("Rate your stress with `--check-in` to see how each recipe works for you.")
        )
