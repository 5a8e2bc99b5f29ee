"""The MPRIS2 service on the D-Bus session bus, served by jeepney from a thread of its own.

The session never waits for the bus: it hands over a snapshot each tick (``publish``) and picks
up requests each tick (``take``), the same commands its keys give. Everything that talks to the
bus (answering calls, announcing changes) happens on the bridge's thread.

jeepney, a pure-Python D-Bus library, is imported only here and only when a session plays.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from calmtune.desktop import mpris
from calmtune.desktop.art import CoverArt
from calmtune.desktop.bus import NoSessionBus, session_bus_address
from calmtune.session.controls import Command, Request
from calmtune.session.snapshot import SessionSnapshot

# How often the bridge looks for a new snapshot to announce when no call comes in. Media widgets
# show a change within this; the session itself never waits for it.
POLL_SECONDS = 0.1
CONNECT_TIMEOUT = 2.0
# A position this far from where steady playback would have taken it is a jump (Seeked).
JUMP_SECONDS = 1.0
_NAME_FLAGS_DO_NOT_QUEUE = 4
_NAME_PRIMARY_OWNER, _NAME_ALREADY_OWNER = 1, 4
_ERROR = "org.freedesktop.DBus.Error."


class MprisBridge:
    """One session's MPRIS2 presence. Use ``MprisBridge.start``; ``close`` when the session ends."""

    def __init__(self, address: str, cache_dir: Path) -> None:
        self.bus_name: str | None = None
        self._address = address
        self._art = CoverArt(cache_dir)
        self._requests: deque[Request] = deque()
        self._latest: SessionSnapshot | None = None
        self._announced: dict[str, mpris.Variant] = mpris.player_properties(None)
        self._last_position: tuple[str, float, float, bool] | None = None
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._failure: str | None = None
        self._conn: Any = None
        self._emitter: Any = None
        self._thread = threading.Thread(target=self._serve, name="calmtune-mpris", daemon=True)

    @classmethod
    def start(cls, cache_dir: Path) -> MprisBridge:
        """Connect, take the bus name (with an instance suffix when another calmtune has it) and
        serve. Raises ``NoSessionBus`` when there is no bus to be had within a moment."""
        bridge = cls(session_bus_address(), cache_dir)
        bridge._thread.start()
        if not bridge._ready.wait(CONNECT_TIMEOUT):
            bridge._stopping.set()
            raise NoSessionBus(f"the D-Bus session bus did not answer within {CONNECT_TIMEOUT:g} s")
        if bridge._failure is not None:
            raise NoSessionBus(bridge._failure)
        return bridge

    # -- the session's side (its thread; never blocks) ----------------------------------------

    def take(self) -> list[Request]:
        requests = []
        while self._requests:
            requests.append(self._requests.popleft())
        return requests

    def publish(self, snapshot: SessionSnapshot) -> None:
        self._latest = snapshot

    def close(self) -> None:
        """Announce the last state, leave the bus (its name goes with the connection)."""
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2 * POLL_SECONDS + 1.0)

    # -- the bridge's thread -----------------------------------------------------------------

    def _serve(self) -> None:
        try:
            self._connect()
        except Exception as err:  # jeepney and socket errors alike: there is no bus for us
            self._failure = f"cannot use the D-Bus session bus: {err or type(err).__name__}"
            self._ready.set()
            return
        self._ready.set()
        conn = self._conn
        try:
            while True:
                try:
                    message = conn.receive(timeout=POLL_SECONDS)
                except TimeoutError:
                    message = None
                if message is not None:
                    self._handle(message)
                self._announce()
                if self._stopping.is_set():
                    break
        except Exception:
            pass  # the bus went away or broke: the session plays on without media controls
        finally:
            conn.close()

    def _connect(self) -> None:
        from jeepney.bus import get_connectable_addresses
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import DBusConnection, prep_socket

        socket_path = next(get_connectable_addresses(self._address))
        sock = prep_socket(socket_path, timeout=CONNECT_TIMEOUT)
        sock.settimeout(CONNECT_TIMEOUT)  # also bounds the Hello call in DBusConnection
        conn = DBusConnection(sock)
        try:
            for name in (mpris.BUS_NAME, f"{mpris.BUS_NAME}.instance{os.getpid()}"):
                reply = conn.send_and_get_reply(
                    message_bus.RequestName(name, _NAME_FLAGS_DO_NOT_QUEUE),
                    timeout=CONNECT_TIMEOUT,
                )
                if reply.body[0] in (_NAME_PRIMARY_OWNER, _NAME_ALREADY_OWNER):
                    self.bus_name = name
                    break
            else:
                raise RuntimeError("the MPRIS bus names are taken")
        except BaseException:
            conn.close()
            raise
        sock.settimeout(None)
        self._conn, self._emitter = conn, _Emitter()

    def _handle(self, message: Any) -> None:
        from jeepney import HeaderFields, MessageFlag, MessageType

        header = message.header
        if header.message_type is not MessageType.method_call:
            return
        fields = header.fields
        path = fields.get(HeaderFields.path)
        interface = fields.get(HeaderFields.interface)
        member = fields.get(HeaderFields.member)
        try:
            if path != mpris.OBJECT_PATH:
                raise _Failure("UnknownObject", f"no object at {path}")
            reply = self._call(interface, member, message.body)
        except _Failure as failure:
            reply = ("error", failure.name, failure.text)
        except (IndexError, TypeError, ValueError) as err:  # arguments of the wrong shape
            reply = ("error", "InvalidArgs", f"bad arguments for {member}: {err}")
        if header.flags & MessageFlag.no_reply_expected:
            return
        self._send_reply(message, reply)

    def _send_reply(self, message: Any, reply: tuple) -> None:
        from jeepney import new_error, new_method_return

        if reply[0] == "error":
            self._conn.send(new_error(message, _ERROR + reply[1], "s", (reply[2],)))
        else:
            signature, body = reply
            self._conn.send(new_method_return(message, signature, body))

    def _call(self, interface: str | None, member: str, body: tuple) -> tuple:
        """Answer one method call: ``(signature, body)``, or raise ``_Failure``."""
        if interface in (None, mpris.PLAYER) and member in mpris.PLAYER_METHODS:
            self._requests.append(Request(mpris.PLAYER_METHODS[member]))
            return None, ()
        if interface in (None, mpris.PLAYER) and member in ("Seek", "SetPosition"):
            return None, ()  # CanSeek is false: the specification says to ignore these
        if interface in (None, mpris.PLAYER) and member == "OpenUri":
            raise _Failure("NotSupported", "calmtune plays its own sessions; open files with it")
        if interface in (None, mpris.ROOT) and member == "Quit":
            self._requests.append(Request(Command.QUIT))
            return None, ()
        if interface in (None, mpris.ROOT) and member == "Raise":
            return None, ()
        if interface in (None, mpris.PROPERTIES):
            return self._properties_call(member, body)
        if interface in (None, mpris.INTROSPECTABLE) and member == "Introspect":
            return "s", (mpris.INTROSPECTION,)
        if interface in (None, mpris.PEER) and member == "Ping":
            return None, ()
        raise _Failure("UnknownMethod", f"no method {member} on {interface}")

    def _properties_call(self, member: str, body: tuple) -> tuple:
        table = self._tables()
        if member == "GetAll":
            return "a{sv}", (table.get(body[0], {}),)
        interface, name = body[0], body[1]
        if interface not in table:
            raise _Failure("UnknownInterface", f"no interface {interface}")
        if name not in table[interface]:
            raise _Failure("UnknownProperty", f"no property {name}")
        if member == "Get":
            return "v", (table[interface][name],)
        if member == "Set" and interface == mpris.PLAYER and name == "Volume":
            request = mpris.volume_request(body[2][1])
            if request is None:
                raise _Failure("InvalidArgs", "Volume is a number from 0.0 to 1.0")
            self._requests.append(request)
            return None, ()
        if member == "Set" and interface == mpris.PLAYER and name == "Rate":
            return None, ()  # only 1.0 is possible (MinimumRate = MaximumRate = 1.0)
        if member == "Set":
            raise _Failure("PropertyReadOnly", f"{name} cannot be set")
        raise _Failure("UnknownMethod", f"no method {member} on {mpris.PROPERTIES}")

    def _tables(self) -> dict[str, dict[str, mpris.Variant]]:
        return {
            mpris.ROOT: mpris.root_properties(),
            mpris.PLAYER: mpris.player_properties(self._latest, self._art.url),
        }

    def _announce(self) -> None:
        """Signal what changed since the last announcement: PropertiesChanged, and Seeked when
        the position jumped (``p`` restarting the track)."""
        from jeepney import new_signal

        snapshot = self._latest
        now = mpris.player_properties(snapshot, self._art.url)
        emitter = self._emitter
        difference = mpris.changed(self._announced, now)
        if difference:
            self._conn.send(
                new_signal(
                    emitter.properties,
                    "PropertiesChanged",
                    "sa{sv}as",
                    (mpris.PLAYER, difference, []),
                )
            )
        self._announced = now
        if self._jumped(snapshot):
            self._conn.send(
                new_signal(emitter.player, "Seeked", "x", (mpris.position_us(snapshot),))
            )

    def _jumped(self, snapshot: SessionSnapshot | None) -> bool:
        if snapshot is None or snapshot.now is None:
            self._last_position = None
            return False
        track, clock = mpris.track_id(snapshot), time.monotonic()
        playing = snapshot.state == "playing"
        last, self._last_position = self._last_position, (track, snapshot.position, clock, playing)
        if last is None or last[0] != track:
            return False
        expected = last[1] + (clock - last[2] if last[3] else 0.0)
        return abs(snapshot.position - expected) > JUMP_SECONDS


class _Failure(Exception):
    def __init__(self, name: str, text: str) -> None:
        super().__init__(text)
        self.name, self.text = name, text


class _Emitter:
    """Where calmtune's signals come from (jeepney message generators)."""

    def __init__(self) -> None:
        from jeepney import DBusAddress

        self.properties = DBusAddress(mpris.OBJECT_PATH, interface=mpris.PROPERTIES)
        self.player = DBusAddress(mpris.OBJECT_PATH, interface=mpris.PLAYER)
