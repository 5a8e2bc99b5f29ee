"""How ``doctor`` results look to people."""

from __future__ import annotations

from typing import TYPE_CHECKING

from calmtune.ui.text import printable

if TYPE_CHECKING:
    from rich.console import Console


def print_checks(console: Console, checks) -> None:
    from rich.text import Text

    for check in checks:
        if not check.ok:
            mark, style = "FAIL", "bold red"
        elif check.warning:
            mark, style = "warn", "yellow"
        else:
            mark, style = " ok ", "green"
        line = Text()
        line.append(f"[{mark}] ", style=style)
        line.append(f"{check.name}: ", style="bold")
        line.append(printable(check.detail))
        console.print(line)
        if check.fix and (not check.ok or check.warning):
            console.print(Text(f"       fix: {printable(check.fix)}"))
    failed = sum(not c.ok for c in checks)
    console.print("All is well." if not failed else f"{failed} problem(s) found.")
