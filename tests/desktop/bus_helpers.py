"""A private D-Bus session bus for a test, a watcher of the signals on it, and playerctl.

Not a test module; the tests here import it. Every process started here is ended by the context
managers, also when a test fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

MPRIS_PATH = "/org/mpris/MediaPlayer2"


def require(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian: dbus, playerctl; .ci/run installs them)")


@contextmanager
def private_session_bus() -> Iterator[str]:
    """A ``dbus-daemon --session`` of the test's own; yields its address."""
    require("dbus-daemon")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a warning about the fd limit when not root
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        address = daemon.stdout.readline().strip()
        assert address.startswith("unix:"), f"dbus-daemon said {address!r}"
        yield address
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        daemon.stdout.close()


class SignalWatcher:
    """Collects PropertiesChanged and Seeked from the MPRIS object, through a match rule."""

    def __init__(self, address: str) -> None:
        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.signals: list[tuple[str, tuple]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._conn = open_dbus_connection(bus=address)
        for member in ("PropertiesChanged", "Seeked"):
            rule = MatchRule(type="signal", path=MPRIS_PATH, member=member)
            self._conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=10)
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self) -> None:
        from jeepney import HeaderFields

        while not self._stop.is_set():
            try:
                message = self._conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            except OSError:
                return
            member = message.header.fields.get(HeaderFields.member)
            if member in ("PropertiesChanged", "Seeked"):
                with self._lock:
                    self.signals.append((member, message.body))

    def changes(self) -> list[dict]:
        """The changed-properties dicts, values unwrapped from their variants, in order."""
        with self._lock:
            found = [body[1] for member, body in self.signals if member == "PropertiesChanged"]
        return [{name: value[1] for name, value in change.items()} for change in found]

    def wait_for_change(
        self, test: Callable[[dict], bool], since: int, timeout: float = 20
    ) -> dict:
        """The first change after the ``since``-th one that passes ``test``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for change in self.changes()[since:]:
                if test(change):
                    return change
            time.sleep(0.05)
        raise AssertionError(f"no such PropertiesChanged; got {self.changes()[since:]}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._conn.close()


def playerctl(address: str, *args: str) -> str:
    """``playerctl -p calmtune ARGS`` on the private bus; its stdout, stripped."""
    require("playerctl")
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
    done = subprocess.run(
        ["playerctl", "-p", "calmtune", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, f"playerctl {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
