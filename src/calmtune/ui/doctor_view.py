"""How ``doctor`` results look to people."""

from __future__ import annotations

from typing import TYPE_CHECKING

from calmtune.ui.text import printable

if TYPE_CHECKING:
    from rich.console import Console


def print_checks(console: Console, checks) -> None:
    """One row per check; long details and fixes wrap under the text, not under the mark."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for check in checks:
        if not check.ok:
            mark, style = "FAIL", "bold red"
        elif check.warning:
            mark, style = "warn", "yellow"
        else:
            mark, style = " ok ", "green"
        text = Text()
        text.append(f"{check.name}: ", style="bold")
        text.append(printable(check.detail))
        if check.fix and (not check.ok or check.warning):
            text.append("\nfix: ", style="bold")
            text.append(printable(check.fix))
        grid.add_row(Text(f"[{mark}]", style=style), text)
    console.print(grid)
    failed = sum(not c.ok for c in checks)
    console.print("All is well." if not failed else f"{failed} problem(s) found.")
