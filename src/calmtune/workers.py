"""Worker processes that die with the process that started them.

A scan or an analysis killed with SIGKILL cannot tell its worker processes to stop; without help
they stay blocked on their task queue for ever, adopted by PID 1. On Linux each worker asks the
kernel for SIGKILL when its parent dies (``PR_SET_PDEATHSIG``, through ctypes: no dependency),
then checks that the parent it was started by is still its parent, since the parent may have
died before the request was made. Elsewhere only the check runs.

The request is tied to the thread that started the worker: pools are started from the thread that
submits work (the main thread of a calmtune command), which lives as long as the pool.
"""

from __future__ import annotations

import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Call first thing in a worker started by ``parent_pid``."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the check below still runs
            pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def quiet_worker(parent_pid: int) -> None:
    """Worker start for analysis: die with the parent, and send file descriptor 2 to /dev/null
    (decoder libraries print there directly and would break a live display)."""
    die_with_parent(parent_pid)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
