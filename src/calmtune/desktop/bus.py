"""Finding the D-Bus session bus, without the D-Bus library: cheap to import and to test."""

from __future__ import annotations

import os

from calmtune.errors import CalmtuneError


class NoSessionBus(CalmtuneError):
    """No D-Bus session bus to offer media controls on (cron, ssh, a container)."""


def session_bus_address() -> str:
    """Where the session bus listens: ``DBUS_SESSION_BUS_ADDRESS``, else the per-user socket
    that systemd and dbus-broker put in ``$XDG_RUNTIME_DIR/bus`` (as libdbus looks too)."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return f"unix:path={os.path.join(runtime, 'bus')}"
    raise NoSessionBus("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
