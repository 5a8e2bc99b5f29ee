"""Start-up time: `calmtune --help` and `calmtune tracks --limit 1` against `python -c "import click"`.

    python benchmarks/bench_startup.py [--repeat N]

Target (QUALITY.md): within 1.5x of the bare click import.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from _common import PYTHON, report, time_command


def _calmtune_command() -> list[str]:
    """The console script users run (it skips `python -m`'s runpy), else `python -m calmtune`."""
    script = Path(PYTHON).with_name("calmtune")
    return [str(script)] if script.exists() else [PYTHON, "-m", "calmtune"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {"CALMTUNE_HOME": home}
        peer = time_command([PYTHON, "-c", "import click"], repeat=args.repeat)
        calmtune = _calmtune_command()
        # Create the index once so `tracks` measures a normal start, not a first-run migration.
        time_command([*calmtune, "tracks", "--limit", "1"], repeat=1, env=env)
        for label, argv in (
            ("calmtune --help", [*calmtune, "--help"]),
            ("calmtune --version", [*calmtune, "--version"]),
            ("calmtune tracks --limit 1", [*calmtune, "tracks", "--limit", "1"]),
        ):
            ours = time_command(argv, repeat=args.repeat, env=env)
            report(label, ours, peer, "import click", "<= 1.5x")
    print(f"(median of {args.repeat} runs each; python {PYTHON}; pid {os.getpid()})")


if __name__ == "__main__":
    main()
