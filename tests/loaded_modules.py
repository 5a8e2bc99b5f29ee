"""Run a calmtune command in a fresh interpreter and report which of some modules it loaded.

Start-up tests use it to keep heavy or needless imports off a command's path
(docs/design.md, "Start-up: heavy imports stay lazy").
"""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import runpy, sys
watched = sys.argv[1].split(",")
sys.argv = ["calmtune", *sys.argv[2:]]
try:
    runpy.run_module("calmtune", run_name="__main__")
except SystemExit:
    pass
print("LOADED:" + ",".join(m for m in watched if m in sys.modules), file=sys.stderr)
"""


def run_watching(
    args: list[str], watched: list[str]
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run ``calmtune ARGS`` (the environment is this test's: its calmtune home) and return the
    finished process and which of ``watched`` it imported (in the order given)."""
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, ",".join(watched), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = done.stderr.splitlines()
    report = next(line for line in reversed(lines) if line.startswith("LOADED:"))
    loaded = [m for m in report.removeprefix("LOADED:").split(",") if m]
    return done, loaded
