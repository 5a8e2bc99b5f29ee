"""Start-up time: `calmtune --help` and `calmtune tracks --limit 1` against `python -c "import click"`.

    python benchmarks/bench_startup.py [--repeat N] [--instructions]

Target (docs/testing.md): within 1.5x of the bare click import. ``--instructions`` also counts
the instructions each command executes (valgrind), which settles a ratio that wall times on a busy
machine leave in doubt.
"""

from __future__ import annotations

import argparse
import os
import tempfile

from _common import (
    PYTHON,
    calmtune_command,
    count_instructions,
    report,
    time_command,
    time_commands,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each command's instructions with valgrind (about 20 s)",
    )
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
        click_import = [PYTHON, "-c", "import click"]
        peer, *ours = time_commands([click_import, *commands.values()], repeat=args.repeat, env=env)
        for label, spent in zip(commands, ours, strict=True):
            report(label, spent, peer, "import click", "<= 1.5x")
        if args.instructions:
            _report_instructions(click_import, commands, env)
    print(f"(median of {args.repeat} interleaved runs each; python {PYTHON}; pid {os.getpid()})")


def _report_instructions(peer: list[str], commands: dict[str, list[str]], env: dict) -> None:
    peer_count = count_instructions(peer, env=env)
    if peer_count is None:
        print("  instructions: valgrind is not installed (or failed)")
        return
    print(f"  instructions: import click {peer_count / 1e6:.1f}M")
    for label, argv in commands.items():
        count = count_instructions(argv, env=env)
        if count is not None:
            print(
                f"  instructions: {label:<26} {count / 1e6:6.1f}M, ratio {count / peer_count:.3f}"
            )


if __name__ == "__main__":
    main()
