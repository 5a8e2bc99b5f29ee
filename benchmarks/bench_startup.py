"""Start-up time: `calmtune --help` and `calmtune tracks --limit 1` against `python -c "import click"`.

    python benchmarks/bench_startup.py [--repeat N]

Target (docs/testing.md): within 1.5x of the bare click import.
"""

from __future__ import annotations

import argparse
import os
import tempfile

from _common import PYTHON, calmtune_command, report, time_command, time_commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {"CALMTUNE_HOME": home}
        calmtune = calmtune_command()
        # Create the index once so `tracks` measures a normal start, not a first-run migration.
        time_command([*calmtune, "tracks", "--limit", "1"], repeat=1, env=env)
        commands = {
            "calmtune --help": [*calmtune, "--help"],
            "calmtune --version": [*calmtune, "--version"],
            "calmtune tracks --limit 1": [*calmtune, "tracks", "--limit", "1"],
        }
        peer, *ours = time_commands(
            [[PYTHON, "-c", "import click"], *commands.values()], repeat=args.repeat, env=env
        )
        for label, spent in zip(commands, ours, strict=True):
            report(label, spent, peer, "import click", "<= 1.5x")
    print(f"(median of {args.repeat} interleaved runs each; python {PYTHON}; pid {os.getpid()})")


if __name__ == "__main__":
    main()
