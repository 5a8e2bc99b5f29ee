"""The command line: the only package that imports click.

``main`` is the console-script entry point; the error-to-exit-code rule lives in
``calmtune.cli.app.CalmtuneGroup.invoke``.
"""

from __future__ import annotations

from calmtune.cli.app import cli


def main() -> None:
    """Run calmtune as a program."""
    cli.main(prog_name="calmtune")


__all__ = ["cli", "main"]
