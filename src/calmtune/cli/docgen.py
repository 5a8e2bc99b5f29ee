"""Keep docs/cli.md equal to ``--help``: every command's help text sits there in a marked block.

A block looks like this (the help text of ``calmtune playlist build`` between the markers)::

    <!-- help: calmtune playlist build -->
    ```text
    Usage: calmtune playlist build [OPTIONS] RECIPE
    ...
    ```
    <!-- end help -->

``python -m calmtune.cli.docgen`` rewrites every block from the commands themselves, appends a
section for a command the file does not mention yet, and drops blocks of commands that are gone.
``--check`` writes nothing and exits 1 when the file differs; ``tests/cli/test_cli_docs.py`` runs
the same comparison, so a changed option fails the tests until the docs are regenerated.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from calmtune.cli.app import cli

# The width the help is rendered at, whatever the terminal: the docs must not depend on it.
WIDTH = 80
DEFAULT_DOC = Path(__file__).resolve().parents[3] / "docs" / "cli.md"

_BLOCK = re.compile(
    r"<!-- help: (?P<name>[^>]*?) -->\n```text\n.*?```\n<!-- end help -->", re.DOTALL
)


def command_names(group: click.Group = cli, prefix: str = "calmtune") -> list[str]:
    """``calmtune``, then every command and subcommand, as typed (``calmtune playlist build``)."""
    names = [prefix]
    ctx = click.Context(group, info_name=prefix)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            names.extend(command_names(command, f"{prefix} {name}"))
        elif command is not None:
            names.append(f"{prefix} {name}")
    return names


def help_text(name: str) -> str:
    """What ``<name> --help`` prints, at a fixed width, run through click like a user's call."""
    from click.testing import CliRunner

    args = [*name.split()[1:], "--help"]
    result = CliRunner().invoke(cli, args, prog_name="calmtune", terminal_width=WIDTH)
    if result.exit_code != 0:
        raise RuntimeError(f"{name} --help failed: {result.output}")
    return result.stdout


def block(name: str) -> str:
    return f"<!-- help: {name} -->\n```text\n{help_text(name)}```\n<!-- end help -->"


def regenerate(doc: str) -> str:
    """``doc`` with every help block rewritten, a section added for each undocumented command,
    and the blocks of removed commands dropped."""
    names = command_names()
    known = set(names)

    def replace(match: re.Match[str]) -> str:
        name = match.group("name").strip()
        return block(name) if name in known else ""

    updated = _BLOCK.sub(replace, doc)
    present = {m.group("name").strip() for m in _BLOCK.finditer(updated)}
    missing = [name for name in names if name not in present]
    if missing:
        updated = updated.rstrip("\n") + "\n"
        for name in missing:
            updated += f"\n### `{name}`\n\n(Describe the command and its JSON here.)\n\n"
            updated += block(name) + "\n"
    return updated


def main(argv: list[str] | None = None) -> int:
    """``python -m calmtune.cli.docgen [--check] [FILE]`` (FILE: docs/cli.md of this checkout)."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    path = Path(paths[0]) if paths else DEFAULT_DOC
    doc = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = regenerate(doc)
    if updated == doc:
        print(f"{path}: up to date")
        return 0
    if check:
        print(f"{path}: differs from --help; run: python -m calmtune.cli.docgen")
        return 1
    path.write_text(updated, encoding="utf-8")
    print(f"{path}: help blocks rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
