"""What calmtune says over MPRIS2, from session snapshots (no bus needed), and where cover art
and the bus are found."""

from __future__ import annotations

import dataclasses
import os

import pytest

from calmtune.desktop import mpris
from calmtune.desktop.art import CoverArt, folder_cover
from calmtune.desktop.bus import NoSessionBus, session_bus_address
from calmtune.session.controls import Command, Request
from calmtune.session.snapshot import NowPlaying, SessionSnapshot


def snapshot(state="playing", *, index=0, next_up=True, ending=None, **now) -> SessionSnapshot:
    track = NowPlaying(
        path=now.pop("path", "/music/a.flac"),
        title=now.pop("title", "Dawn"),
        artist=now.pop("artist", "Ada"),
        album=now.pop("album", "Morning"),
        duration=now.pop("duration", 200.5),
    )
    return SessionSnapshot(
        label="calm",
        state=state,
        now=track,
        position=12.25,
        elapsed=12.25,
        duration=None,
        volume=80,
        next_up=NowPlaying(path="/music/b.flac", title="Dusk") if next_up else None,
        index=index,
        count=2,
        finishing=False,
        wind_down=None,
        ending=ending,
    )


def values(props: dict) -> dict:
    return {name: value for name, (_sig, value) in props.items()}


def test_a_playing_track_gives_status_metadata_volume_and_position():
    props = mpris.player_properties(snapshot(), lambda path: "file:///covers/x.png")
    got = values(props)
    assert got["PlaybackStatus"] == "Playing" and got["Volume"] == 0.8
    assert got["Position"] == 12_250_000
    assert values(got["Metadata"]) == {
        "mpris:trackid": "/org/calmtune/track/0",
        "xesam:title": "Dawn",
        "xesam:artist": ["Ada"],
        "xesam:album": "Morning",
        "xesam:url": "file:///music/a.flac",
        "mpris:length": 200_500_000,
        "mpris:artUrl": "file:///covers/x.png",
    }
    assert props["Metadata"][0] == "a{sv}" and props["Position"][0] == "x"
    assert all(got[name] for name in ("CanGoNext", "CanGoPrevious", "CanPlay", "CanPause"))
    assert got["CanSeek"] is False and got["CanControl"] is True


@pytest.mark.parametrize(
    ("state", "ending", "status", "can_act"),
    [
        ("paused", None, "Paused", True),
        ("stopping", "stopping", "Playing", False),  # fading out: still heard, no controls
        ("playing", "ending gently", "Playing", False),
        ("silence", "ending gently", "Stopped", False),
        ("finished", None, "Stopped", False),
    ],
)
def test_status_and_the_can_properties_tell_the_truth(state, ending, status, can_act):
    got = values(mpris.player_properties(snapshot(state, ending=ending)))
    assert got["PlaybackStatus"] == status
    assert got["CanPause"] is can_act and got["CanPlay"] is can_act and got["CanGoNext"] is can_act


def test_the_last_track_cannot_go_next_and_no_session_has_no_track():
    assert values(mpris.player_properties(snapshot(next_up=False)))["CanGoNext"] is False
    nothing = values(mpris.player_properties(None))
    assert values(nothing["Metadata"]) == {"mpris:trackid": mpris.NO_TRACK}
    assert nothing["PlaybackStatus"] == "Stopped" and nothing["CanPlay"] is False


def test_changed_lists_what_differs_but_never_the_position():
    before = mpris.player_properties(snapshot())
    later = dataclasses.replace(snapshot(), position=13.0)
    assert mpris.changed(before, mpris.player_properties(later)) == {}
    paused = mpris.player_properties(dataclasses.replace(snapshot(), state="paused"))
    assert mpris.changed(before, paused) == {"PlaybackStatus": ("s", "Paused")}
    louder = mpris.player_properties(dataclasses.replace(snapshot(), volume=90))
    assert mpris.changed(before, louder) == {"Volume": ("d", 0.9)}


@pytest.mark.parametrize(
    ("value", "percent"),
    [(0.5, 50), (0.0, 0), (1.0, 100), (1.7, 100), (-3, 0), (0.333, 33), (1, 100)],
)
def test_volume_requests_are_clamped_percent(value, percent):
    assert mpris.volume_request(value) == Request(Command.SET_VOLUME, percent)


@pytest.mark.parametrize("value", ["loud", None, float("nan"), True])
def test_a_volume_that_is_not_a_number_is_refused(value):
    assert mpris.volume_request(value) is None


def test_text_and_paths_from_tags_and_file_names_are_valid_for_d_bus():
    assert mpris.dbus_text("a\x00b") == "ab"  # a D-Bus string cannot hold NUL
    assert mpris.dbus_text("caf\udce9") == "caf\ufffd"  # an undecodable byte of a name
    assert mpris.dbus_text(None) == ""
    assert mpris.file_uri("/m/caf\udce9 #1.flac") == "file:///m/caf%E9%20%231.flac"
    got = values(mpris.player_properties(snapshot(title="\udcff\x00x", artist="[/] \x1b")))
    metadata = values(got["Metadata"])
    assert metadata["xesam:title"] == "\ufffdx" and metadata["xesam:artist"] == ["[/] \x1b"]


def test_every_player_method_is_a_session_command():
    assert mpris.PLAYER_METHODS["PlayPause"] is Command.TOGGLE_PAUSE
    assert mpris.PLAYER_METHODS["Stop"] is Command.QUIT
    assert set(mpris.PLAYER_METHODS) == {"PlayPause", "Play", "Pause", "Next", "Previous", "Stop"}
    for method in mpris.PLAYER_METHODS:
        assert f'<method name="{method}"/>' in mpris.INTROSPECTION


def test_folder_cover_prefers_cover_then_folder_and_ignores_other_images(tmp_path):
    track = tmp_path / "a.flac"
    track.write_bytes(b"")
    assert folder_cover(str(track)) is None
    (tmp_path / "scan.png").write_bytes(b"x")
    (tmp_path / "Folder.JPG").write_bytes(b"x")
    assert folder_cover(str(track)) == f"file://{tmp_path}/Folder.JPG"
    (tmp_path / "cover.png").write_bytes(b"x")
    assert folder_cover(str(track)) == f"file://{tmp_path}/cover.png"


def test_embedded_cover_is_written_once_to_the_cache_and_nothing_to_the_music(tmp_path):
    from audiofiles import make_tagged_file

    music = tmp_path / "music"
    music.mkdir()
    png = b"\x89PNG\r\n\x1a\n" + b"pixels" * 50
    paths = [make_tagged_file(music / f"t{i}", "mp3", raw={"APIC": png}) for i in range(2)]
    before = sorted(os.listdir(music))
    art = CoverArt(tmp_path / "cache")
    first, second = (art.url(str(p)) for p in paths)
    assert first == second and first.startswith(f"file://{tmp_path}/cache/covers/")
    assert first.endswith(".png")
    (cached,) = (tmp_path / "cache" / "covers").iterdir()
    assert cached.read_bytes() == png
    assert sorted(os.listdir(music)) == before


def test_the_session_bus_comes_from_the_environment_or_the_runtime_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/x/bus")
    assert session_bus_address() == "unix:path=/x/bus"
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    with pytest.raises(NoSessionBus, match="no D-Bus session bus"):
        session_bus_address()
    (tmp_path / "bus").write_bytes(b"")
    assert session_bus_address() == f"unix:path={tmp_path}/bus"
