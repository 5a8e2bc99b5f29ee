"""Which processes a test left behind: its children, and anything that carries a calmtune home of
this test run (a killed command's workers are adopted by PID 1 and are nobody's children then).

Read from /proc (Linux); elsewhere nothing is found and the check passes vacuously.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")


def proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of ``pid``, or None when it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def living_pids() -> set[int]:
    if not PROC.is_dir():
        return set()
    return {int(p.name) for p in PROC.iterdir() if p.name.isdigit()}


def _descendants(root: int, states: dict[int, tuple[str, int]]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (_state, ppid) in states.items():
        children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _carries_home(pid: int, home_prefix: bytes) -> bool:
    try:
        environ = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return False
    return any(var.startswith(b"CALMTUNE_HOME=" + home_prefix) for var in environ.split(b"\0"))


def leftovers(before: set[int], home_prefix: str) -> dict[int, str]:
    """Processes started since ``before`` that are still running (zombies are already dead):
    descendants of this process, or processes whose CALMTUNE_HOME is under ``home_prefix``."""
    me = os.getpid()
    states = {pid: st for pid in living_pids() if (st := proc_stat(pid)) is not None}
    prefix = os.fsencode(home_prefix)
    suspects = _descendants(me, states)
    suspects |= {pid for pid in states if pid not in before and _carries_home(pid, prefix)}
    found = {}
    for pid in suspects - before - {me}:
        state = states.get(pid)
        if state is None or state[0] in ("Z", "X"):
            continue
        command = cmdline(pid).replace(b"\0", b" ").strip()
        if state[1] == me and b"multiprocessing.resource_tracker" in command:
            continue  # one per process that used a spawn pool; it ends when pytest does
        found[pid] = command.decode("utf-8", "replace")[:200]
    return found


def children(pid: int) -> set[int]:
    """The living child processes of ``pid``."""
    return {child for child in living_pids() if (st := proc_stat(child)) and st[1] == pid}


def cmdline(pid: int) -> bytes:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    st = proc_stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def wait_for_no_leftovers(
    before: set[int], home_prefix: str, grace: float = 10.0
) -> dict[int, str]:
    """Leftovers that are still there after ``grace`` seconds (processes that are just ending
    get that long); each is then killed so it cannot outlive the test run."""
    deadline = time.monotonic() + grace
    found = leftovers(before, home_prefix)
    while found and time.monotonic() < deadline:
        time.sleep(0.1)
        found = leftovers(before, home_prefix)
    for pid in found:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return found
