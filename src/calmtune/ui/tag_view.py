"""How ``calmtune tag`` looks to people: the changes as a table, then a one-line summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from calmtune.ui.text import printable

if TYPE_CHECKING:
    from rich.console import Console

    from calmtune.library.tagging import TagReport


def print_tag_report(console: Console, report: TagReport, *, verbose: bool = False) -> None:
    from rich.table import Table
    from rich.text import Text

    if report.changes:
        title = "Changes calmtune would write (dry run)" if report.dry_run else "Changes written"
        table = Table(title=title, title_justify="left")
        for column in ("file", "field", "old", "new"):
            table.add_column(column, overflow="fold")
        for change in report.changes:
            table.add_row(
                Text(printable(change.path)),
                Text(change.field),
                Text(printable(change.old) if change.old is not None else "-", style="dim"),
                Text(printable(change.new)),
            )
        console.print(table)
    verb = "to write" if report.dry_run else "written"
    console.print(
        f"{report.written} file(s) {verb}, {report.unchanged} unchanged, "
        f"{len(report.skipped)} skipped, {len(report.failed)} failed."
    )
    for path, note in report.notes:
        console.print(Text(f"  note {printable(path)}: {printable(note)}", style="dim"))
    if verbose:
        for path, why in report.skipped:
            console.print(Text(f"  skipped {printable(path)}: {printable(why)}", style="dim"))
    if report.failed:
        console.print(Text(f"{len(report.failed)} file(s) could not be tagged:", style="yellow"))
        for path, error in report.failed:
            console.print(Text(f"  {printable(path)}: {printable(error)}"))
