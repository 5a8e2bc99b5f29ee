"""What calmtune says over MPRIS2, as plain values: properties from a session snapshot, the
methods as session commands, and the introspection XML. No D-Bus library here (see
``desktop.service``), so all of it is tested without a bus.

MPRIS2: https://specifications.freedesktop.org/mpris-spec/latest/ . Values are
``(signature, value)`` pairs, the way D-Bus variants are written for jeepney.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from calmtune.session.controls import Command, Request
from calmtune.session.snapshot import NowPlaying, SessionSnapshot

BUS_NAME = "org.mpris.MediaPlayer2.calmtune"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
ROOT = "org.mpris.MediaPlayer2"
PLAYER = "org.mpris.MediaPlayer2.Player"
PROPERTIES = "org.freedesktop.DBus.Properties"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
PEER = "org.freedesktop.DBus.Peer"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
IDENTITY = "calmtune"

Variant = tuple[str, Any]

# Session states (``SessionSnapshot.state``) in which a track is there to control.
_ACTIVE = ("playing", "paused")
_STATUS = {"playing": "Playing", "paused": "Paused", "stopping": "Playing"}


# Player methods without arguments, as the commands the keys give.
PLAYER_METHODS: dict[str, Command] = {
    "PlayPause": Command.TOGGLE_PAUSE,
    "Play": Command.PLAY,
    "Pause": Command.PAUSE,
    "Next": Command.NEXT,
    "Previous": Command.PREVIOUS,
    "Stop": Command.QUIT,  # a session has no "stopped but still there": it ends, gently
}


def root_properties() -> dict[str, Variant]:
    """``org.mpris.MediaPlayer2``: what the player is; these never change."""
    return {
        "CanQuit": ("b", True),
        "CanRaise": ("b", False),  # a terminal program has no window to raise
        "HasTrackList": ("b", False),
        "Identity": ("s", IDENTITY),
        "SupportedUriSchemes": ("as", []),
        "SupportedMimeTypes": ("as", []),
    }


def player_properties(
    snapshot: SessionSnapshot | None, art_url: Callable[[str], str | None] = lambda _p: None
) -> dict[str, Variant]:
    """``org.mpris.MediaPlayer2.Player`` for one moment of the session. The Can* properties tell
    the truth: nothing can be done once the session ends, the last track has no "next", and
    calmtune cannot seek."""
    state = snapshot.state if snapshot is not None else "finished"
    active = state in _ACTIVE and snapshot is not None and snapshot.ending is None
    now = snapshot.now if snapshot is not None and state in (*_ACTIVE, "stopping") else None
    return {
        "PlaybackStatus": ("s", _STATUS.get(state, "Stopped")),
        "Rate": ("d", 1.0),
        "MinimumRate": ("d", 1.0),
        "MaximumRate": ("d", 1.0),
        "Volume": ("d", (snapshot.volume if snapshot is not None else 0) / 100),
        "Position": ("x", position_us(snapshot)),
        "Metadata": ("a{sv}", metadata(snapshot, now, art_url)),
        "CanGoNext": ("b", active and snapshot.next_up is not None),
        "CanGoPrevious": ("b", active and snapshot.now is not None),
        "CanPlay": ("b", active),
        "CanPause": ("b", active),
        "CanSeek": ("b", False),
        "CanControl": ("b", True),
    }


def position_us(snapshot: SessionSnapshot | None) -> int:
    if snapshot is None or snapshot.now is None:
        return 0
    return max(0, round(snapshot.position * 1_000_000))


def track_id(snapshot: SessionSnapshot | None) -> str:
    """A D-Bus object path naming the playing item: its place in the session's list."""
    if snapshot is None or snapshot.index is None or snapshot.now is None:
        return NO_TRACK
    return f"/org/calmtune/track/{snapshot.index}"


def metadata(
    snapshot: SessionSnapshot | None,
    now: NowPlaying | None,
    art_url: Callable[[str], str | None],
) -> dict[str, Variant]:
    if now is None:
        return {"mpris:trackid": ("o", NO_TRACK)}
    data: dict[str, Variant] = {
        "mpris:trackid": ("o", track_id(snapshot)),
        "xesam:title": ("s", dbus_text(now.title)),
        "xesam:url": ("s", file_uri(now.path)),
    }
    if now.artist:
        data["xesam:artist"] = ("as", [dbus_text(now.artist)])
    if now.album:
        data["xesam:album"] = ("s", dbus_text(now.album))
    if now.duration:
        data["mpris:length"] = ("x", round(now.duration * 1_000_000))
    art = art_url(now.path) if not now.soundscape else None
    if art:
        data["mpris:artUrl"] = ("s", art)
    return data


def changed(before: dict[str, Variant], after: dict[str, Variant]) -> dict[str, Variant]:
    """The properties whose value differs, for PropertiesChanged. Position is left out: it moves
    all the time, and MPRIS announces only jumps (the Seeked signal)."""
    return {
        name: value
        for name, value in after.items()
        if name != "Position" and before.get(name) != value
    }


def volume_request(value: Any) -> Request | None:
    """Setting ``Volume`` (0.0-1.0; MPRIS allows more) as a SET_VOLUME request, or None for a
    value that is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return Request(Command.SET_VOLUME, round(min(1.0, max(0.0, float(value))) * 100))


def dbus_text(text: str | None) -> str:
    """Text D-Bus accepts: valid UTF-8 (an undecodable byte from a file name becomes U+FFFD)
    and no NUL, which a D-Bus string cannot hold."""
    if not text:
        return ""
    if _has_surrogates(text):
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text.replace("\x00", "")


def file_uri(path: str) -> str:
    """``file://`` URI of a path, from its bytes (names need not be UTF-8)."""
    return "file://" + quote(os.fsencode(os.path.abspath(path)), safe="/")


def _has_surrogates(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


INTROSPECTION = """<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
  <interface name="org.freedesktop.DBus.Introspectable">
    <method name="Introspect"><arg name="xml" type="s" direction="out"/></method>
  </interface>
  <interface name="org.freedesktop.DBus.Peer">
    <method name="Ping"/>
  </interface>
  <interface name="org.freedesktop.DBus.Properties">
    <method name="Get">
      <arg name="interface" type="s" direction="in"/>
      <arg name="property" type="s" direction="in"/>
      <arg name="value" type="v" direction="out"/>
    </method>
    <method name="GetAll">
      <arg name="interface" type="s" direction="in"/>
      <arg name="properties" type="a{sv}" direction="out"/>
    </method>
    <method name="Set">
      <arg name="interface" type="s" direction="in"/>
      <arg name="property" type="s" direction="in"/>
      <arg name="value" type="v" direction="in"/>
    </method>
    <signal name="PropertiesChanged">
      <arg name="interface" type="s"/>
      <arg name="changed" type="a{sv}"/>
      <arg name="invalidated" type="as"/>
    </signal>
  </interface>
  <interface name="org.mpris.MediaPlayer2">
    <method name="Raise"/>
    <method name="Quit"/>
    <property name="CanQuit" type="b" access="read"/>
    <property name="CanRaise" type="b" access="read"/>
    <property name="HasTrackList" type="b" access="read"/>
    <property name="Identity" type="s" access="read"/>
    <property name="SupportedUriSchemes" type="as" access="read"/>
    <property name="SupportedMimeTypes" type="as" access="read"/>
  </interface>
  <interface name="org.mpris.MediaPlayer2.Player">
    <method name="Next"/>
    <method name="Previous"/>
    <method name="Pause"/>
    <method name="PlayPause"/>
    <method name="Stop"/>
    <method name="Play"/>
    <method name="Seek"><arg name="Offset" type="x" direction="in"/></method>
    <method name="SetPosition">
      <arg name="TrackId" type="o" direction="in"/>
      <arg name="Position" type="x" direction="in"/>
    </method>
    <method name="OpenUri"><arg name="Uri" type="s" direction="in"/></method>
    <signal name="Seeked"><arg name="Position" type="x"/></signal>
    <property name="PlaybackStatus" type="s" access="read"/>
    <property name="Rate" type="d" access="readwrite"/>
    <property name="Metadata" type="a{sv}" access="read"/>
    <property name="Volume" type="d" access="readwrite"/>
    <property name="Position" type="x" access="read"/>
    <property name="MinimumRate" type="d" access="read"/>
    <property name="MaximumRate" type="d" access="read"/>
    <property name="CanGoNext" type="b" access="read"/>
    <property name="CanGoPrevious" type="b" access="read"/>
    <property name="CanPlay" type="b" access="read"/>
    <property name="CanPause" type="b" access="read"/>
    <property name="CanSeek" type="b" access="read"/>
    <property name="CanControl" type="b" access="read"/>
  </interface>
</node>
"""
