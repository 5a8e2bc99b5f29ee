"""One session at a time: an exclusive ``flock`` on a file in the state folder, holding the PID.

Two players would mix two sessions into one noise, so a second session refuses to start (exit 5)
unless asked to queue (``--wait``) or to take over (``--replace``). ``flock`` is released by the
kernel when the holder dies, however it dies, so a stale file never blocks anyone: the PID written
in it is only there to name the holder in messages and to signal it for ``--replace``.
"""

from __future__ import annotations

import fcntl
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from calmtune.errors import SessionLockedError

# A replaced session receives this signal and records ended_by "replaced" (SIGTERM would read as
# "killed"). Only a process holding the lock receives it, and a holder always has the handler
# installed (see ``calmtune.session.signals``), so the default action (terminate) never runs.
REPLACE_SIGNAL = signal.SIGUSR1
REPLACE_TIMEOUT = 10.0  # the old session fades out within 2 s; allow a slow machine plenty more
_POLL = 0.1


class SessionLock:
    """The single-instance lock. ``acquire`` raises ``SessionLockedError`` (exit 5) when taken."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def holder_pid(self) -> int | None:
        """The PID written by the current holder, or ``None`` when unreadable."""
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return int(text) if text.isdigit() else None

    def acquire(
        self,
        *,
        wait: bool = False,
        replace: bool = False,
        on_wait: Callable[[int | None], None] | None = None,
        replace_timeout: float = REPLACE_TIMEOUT,
    ) -> None:
        """Take the lock, or wait for it (``wait``), or ask the holder to stop (``replace``)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            if not _try_lock(fd):
                pid = self.holder_pid()
                if replace and pid is not None:
                    _ask_to_stop(pid)
                    if on_wait is not None:
                        on_wait(pid)
                    if not _poll_lock(fd, replace_timeout):
                        raise SessionLockedError(
                            f"the calmtune session with PID {pid} did not stop within "
                            f"{replace_timeout:g} s",
                            hint=f"stop it with 'kill {pid}'",
                        )
                elif wait:
                    if on_wait is not None:
                        on_wait(pid)
                    fcntl.flock(fd, fcntl.LOCK_EX)  # Ctrl-C still interrupts (KeyboardInterrupt)
                else:
                    who = f" (PID {pid})" if pid is not None else ""
                    raise SessionLockedError(
                        f"another calmtune session is already playing{who}",
                        hint="let it finish, or use --wait to play after it or --replace to take over",
                    )
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Give the lock up. The file stays: removing it would let a waiter lock a stale inode."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass
        finally:
            os.close(fd)  # closing releases the flock

    def __enter__(self) -> SessionLock:
        if not self.held:
            self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _poll_lock(fd: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _try_lock(fd):
            return True
        time.sleep(_POLL)
    return _try_lock(fd)


def _ask_to_stop(pid: int) -> None:
    try:
        os.kill(pid, REPLACE_SIGNAL)
    except ProcessLookupError:
        pass  # gone already; the lock frees itself
    except PermissionError as err:
        raise SessionLockedError(
            f"cannot stop the calmtune session with PID {pid}: it belongs to another user"
        ) from err
