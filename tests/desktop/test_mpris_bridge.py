"""The MPRIS bridge on a private session bus, called the way any D-Bus client would (jeepney):
names, properties, requests, bad calls; no audio needed."""

from __future__ import annotations

import dataclasses

import pytest
from bus_helpers import private_session_bus, wait_until
from test_mpris_properties import snapshot

from calmtune.desktop import NoSessionBus, start_media_controls
from calmtune.desktop.mpris import BUS_NAME, OBJECT_PATH, PLAYER
from calmtune.session.controls import Command, Request


@pytest.fixture
def bus(monkeypatch):
    with private_session_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address


@pytest.fixture
def client(bus):
    from jeepney.io.blocking import open_dbus_connection

    conn = open_dbus_connection(bus=bus)
    yield conn
    conn.close()


def call(client, name: str, interface: str, member: str, signature=None, body=()):
    """Call a method; returns the reply body, or ("error", error name) for an error reply."""
    from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call

    target = DBusAddress(OBJECT_PATH, bus_name=name, interface=interface)
    reply = client.send_and_get_reply(new_method_call(target, member, signature, body), timeout=10)
    if reply.header.message_type is MessageType.error:
        return "error", reply.header.fields[HeaderFields.error_name]
    return reply.body


def get_all(client, name: str) -> dict:
    (props,) = call(client, name, "org.freedesktop.DBus.Properties", "GetAll", "s", (PLAYER,))
    return {key: value for key, (_sig, value) in props.items()}


def has_owner(client, name: str) -> bool:
    from jeepney.bus_messages import message_bus

    return bool(client.send_and_get_reply(message_bus.NameHasOwner(name), timeout=10).body[0])


def test_a_second_player_takes_an_instance_name_and_both_leave_on_close(bus, client, tmp_path):
    first = start_media_controls(tmp_path)
    second = start_media_controls(tmp_path)
    try:
        assert first.bus_name == BUS_NAME
        assert second.bus_name.startswith(BUS_NAME + ".instance")
        assert has_owner(client, first.bus_name) and has_owner(client, second.bus_name)
    finally:
        first.close()
        second.close()
    wait_until(lambda: not has_owner(client, BUS_NAME), "the name to be released")


def test_calls_become_session_requests_and_properties_follow_snapshots(bus, client, tmp_path):
    cover = tmp_path / "music" / "cover.jpg"
    cover.parent.mkdir()
    cover.write_bytes(b"\xff\xd8\xff jpeg")
    bridge = start_media_controls(tmp_path / "cache")
    try:
        assert get_all(client, BUS_NAME)["PlaybackStatus"] == "Stopped"  # nothing published yet
        bridge.publish(snapshot(path=str(tmp_path / "music" / "a.flac")))
        props = get_all(client, BUS_NAME)
        assert props["PlaybackStatus"] == "Playing" and props["Volume"] == 0.8
        assert props["Metadata"]["mpris:artUrl"][1] == f"file://{cover}"
        properties = "org.freedesktop.DBus.Properties"
        for member in ("PlayPause", "Next", "Previous", "Pause", "Play", "Stop"):
            assert call(client, BUS_NAME, PLAYER, member) == ()
        assert (
            call(client, BUS_NAME, properties, "Set", "ssv", (PLAYER, "Volume", ("d", 0.25))) == ()
        )
        assert call(client, BUS_NAME, "org.mpris.MediaPlayer2", "Quit") == ()
        wait_until(lambda: len(bridge._requests) == 8, "the requests")
        assert bridge.take() == [
            Request(Command.TOGGLE_PAUSE),
            Request(Command.NEXT),
            Request(Command.PREVIOUS),
            Request(Command.PAUSE),
            Request(Command.PLAY),
            Request(Command.QUIT),
            Request(Command.SET_VOLUME, 25),
            Request(Command.QUIT),
        ]
        assert bridge.take() == []
        bridge.publish(dataclasses.replace(snapshot(), state="paused", volume=25))
        assert get_all(client, BUS_NAME)["PlaybackStatus"] == "Paused"
    finally:
        bridge.close()


@pytest.mark.parametrize(
    ("interface", "member", "signature", "body", "error"),
    [
        ("org.freedesktop.DBus.Properties", "Get", "ss", (PLAYER, "Loudness"), "UnknownProperty"),
        ("org.freedesktop.DBus.Properties", "Get", "ss", ("org.x", "Volume"), "UnknownInterface"),
        ("org.freedesktop.DBus.Properties", "Get", None, (), "InvalidArgs"),
        ("org.freedesktop.DBus.Properties", "Set", "ssv", (PLAYER, "Volume", ("s", "loud")), "InvalidArgs"),
        ("org.freedesktop.DBus.Properties", "Set", "ssv", (PLAYER, "PlaybackStatus", ("s", "x")), "PropertyReadOnly"),
        (PLAYER, "OpenUri", "s", ("file:///etc/passwd",), "NotSupported"),
        (PLAYER, "Dance", None, (), "UnknownMethod"),
        ("org.x.Nothing", "Play", None, (), "UnknownMethod"),
    ],
)  # fmt: skip
def test_a_bad_call_gets_an_error_reply_and_the_bridge_serves_on(
    bus, client, tmp_path, interface, member, signature, body, error
):
    bridge = start_media_controls(tmp_path)
    try:
        got = call(client, BUS_NAME, interface, member, signature, body)
        assert got == ("error", f"org.freedesktop.DBus.Error.{error}")
        assert get_all(client, BUS_NAME)["CanControl"] is True
        assert bridge.take() == []
    finally:
        bridge.close()


def test_seek_is_ignored_as_can_seek_says(bus, client, tmp_path):
    bridge = start_media_controls(tmp_path)
    try:
        assert get_all(client, BUS_NAME)["CanSeek"] is False
        assert call(client, BUS_NAME, PLAYER, "Seek", "x", (5_000_000,)) == ()
        assert bridge.take() == []
    finally:
        bridge.close()


def test_no_bus_at_the_address_is_no_session_bus(tmp_path, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/nothing-here")
    with pytest.raises(NoSessionBus, match="cannot use the D-Bus session bus"):
        start_media_controls(tmp_path)
