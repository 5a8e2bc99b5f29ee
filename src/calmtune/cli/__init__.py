"""The command line: the only package that imports click.

``main`` is the console-script entry point. It is the one place where a ``CalmtuneError`` becomes a
one-line message and an exit code; a traceback is shown only with ``--debug`` or
``CALMTUNE_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys

from calmtune.cli.app import cli


def main(argv: list[str] | None = None) -> None:
    """Run calmtune and exit with the code of ``CLI.md``."""
    from calmtune.cli.errors import run_guarded

    sys.exit(run_guarded(cli, argv, debug_env=os.environ.get("CALMTUNE_DEBUG", "")))


__all__ = ["cli", "main"]
