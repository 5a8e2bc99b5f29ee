"""Small shared helpers for the benchmark scripts: timing whole commands and printing ratios.

Benchmarks compare calmtune with a peer in the same run, because absolute times on a shared machine
drift while ratios hold. They never fail on a time.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# The benchmarks make their inputs with the tests' helpers, so what they time is made the way the
# tests' files are: the one music generator (tests/music_synth.py, also used by the tempo corpus)
# and the audio files of tests/audiofiles.py.
TESTS_DIR = Path(__file__).resolve().parent.parent / "tests"
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))


def command_env(extra: dict | None = None) -> dict[str, str]:
    """The environment for timed commands: this one, plus ``extra``, and bytecode caching on.

    Some shells and sandboxes set PYTHONDONTWRITEBYTECODE; then every run of calmtune (from a
    source checkout) compiles its modules again, which no installed copy does. The warm-up run
    writes the caches, as a user's first run would.
    """
    env = {**os.environ, **(extra or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_command(argv: Sequence[str], *, repeat: int, env: dict | None = None) -> float:
    """Median wall time of a whole command, after one warm-up run."""
    return time_commands([argv], repeat=repeat, env=env)[0]


def time_commands(
    argvs: Sequence[Sequence[str]], *, repeat: int, env: dict | None = None
) -> list[float]:
    """Median wall time of each command, after one warm-up run each.

    The runs are interleaved (a, b, a, b, ...), so a machine that slows down part-way through
    slows every command alike and the ratios between them stay fair.
    """
    run_env = command_env(env)
    for argv in argvs:
        subprocess.run(argv, check=True, capture_output=True, env=run_env)
    times: list[list[float]] = [[] for _ in argvs]
    for _ in range(repeat):
        for argv, spent in zip(argvs, times, strict=True):
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True, env=run_env)
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


def count_instructions(argv: Sequence[str], *, env: dict | None = None) -> int | None:
    """Instructions a whole command executes, counted by valgrind's callgrind; ``None`` without
    valgrind. Unlike wall time this barely moves between runs on a busy machine, so it settles
    a ratio that the timings leave in doubt. (It does not see waiting for the disk.)"""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    argv = list(argv)
    if len(argv) == 1:  # a console script: valgrind runs the interpreter, not the #! line
        argv = [PYTHON, *argv]
    run_env = {**command_env(env), "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "callgrind.out")
        done = subprocess.run(
            [valgrind, "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
            capture_output=True,
            text=True,
            env=run_env,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if found and done.returncode == 0 else None


def time_call(fn: Callable[[], object], *, repeat: int) -> float:
    """Median wall time of a function call, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(label: str, ours: float, peer: float, peer_label: str, target: str) -> None:
    ratio = ours / peer if peer > 0 else float("inf")
    print(
        f"{label:<34} calmtune {ours * 1000:8.1f} ms | {peer_label} {peer * 1000:8.1f} ms | "
        f"ratio {ratio:5.2f}x (target {target})"
    )


PYTHON = sys.executable


def calmtune_command() -> list[str]:
    """The console script users run (it skips `python -m`'s runpy), else `python -m calmtune`."""
    script = Path(PYTHON).with_name("calmtune")
    return [str(script)] if script.exists() else [PYTHON, "-m", "calmtune"]
