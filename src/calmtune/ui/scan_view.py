"""How a scan looks to people."""

from __future__ import annotations

from typing import TYPE_CHECKING

from calmtune.ui.text import printable

if TYPE_CHECKING:
    from rich.console import Console

    from calmtune.library.scanner import ScanReport

_PHASES = {"walking": "Looking for audio files", "reading": "Reading tags", "done": "Done"}


def describe_phase(phase: str) -> str:
    return _PHASES.get(phase, phase)


def print_scan_report(console: Console, report: ScanReport, *, quiet: bool = False) -> None:
    from rich.text import Text

    if not quiet:
        console.print(
            f"Scanned {len(report.roots)} root(s): {report.added} added, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.removed} removed, {len(report.failed)} failed."
        )
    if report.damaged:
        console.print(
            Text(f"{len(report.damaged)} file(s) were indexed but look damaged:", style="yellow")
        )
        for damaged in report.damaged:
            console.print(Text(f"  {printable(damaged.path)}: {printable(damaged.error)}"))
    if report.failed:
        console.print(Text(f"{len(report.failed)} file(s) could not be indexed:", style="yellow"))
        for failure in report.failed:
            console.print(Text(f"  {printable(failure.path)}: {printable(failure.error)}"))
