"""The live view's screen for one moment of a session, drawn by rich at a given width: every
line fits, times are never cut, the mood line gives its reason, and the closing silence shows
rest, not the last track."""

from __future__ import annotations

import re

import pytest
from rich.console import Console

from calmtune.session.snapshot import NowPlaying, SessionSnapshot
from calmtune.ui.live_view import KEY_HINT, render

NOW = NowPlaying(
    path="/m/rain.flac",
    title="Rain on a [bold]Tin Roof with a title long enough to need cutting somewhere",
    artist="Somebody With A Long Name",
    mood="calm",
    why="tempo 66 BPM is in the calm band (60-80)",
    bpm=66.0,
    duration=245.0,
)
NEXT = NowPlaying(path="/m/next.flac", title="Evening", artist="Another")


def snapshot(**changes) -> SessionSnapshot:
    values = {
        "label": "calm",
        "state": "playing",
        "now": NOW,
        "position": 83.0,
        "elapsed": 754.0,
        "duration": 1500.0,
        "volume": 70,
        "next_up": NEXT,
        "index": 3,
        "count": 7,
        "finishing": False,
        "wind_down": 0.42,
        "ending": None,
    }
    values.update(changes)
    return SessionSnapshot(**values)


def draw(snap: SessionSnapshot, width: int, **options) -> list[str]:
    console = Console(width=width, record=True, color_system=None, markup=False)
    console.print(render(snap, width=width, **options))
    return console.export_text().splitlines()


@pytest.mark.parametrize("width", [40, 48, 60, 80, 100, 120, 200])
def test_render_fits_the_width_and_never_cuts_a_time(width):
    lines = draw(snapshot(), width, breath=2.5, warnings=["skipped /m/x.flac: not found"])
    assert all(len(line) <= width for line in lines)
    text = "\n".join(lines)
    for clock in ("1:23 / 4:05", "-2:42", "12:34 / 25:00", "12:26 left"):
        assert clock in text, (width, text)
    assert "winding down 42%" in text and "track 4 of 7" in text
    # The key hint is whole too: wrapped between words when it does not fit on one line.
    assert " ".join(text.split()).count(" ".join(KEY_HINT.split())) == 1
    assert "Rain on a [bold]Tin Roof" in text  # tag text shown literally


def test_render_draws_the_bars_when_there_is_room_and_drops_them_when_not():
    wide = "\n".join(draw(snapshot(), 120))
    narrow = "\n".join(draw(snapshot(), 40))
    assert "━" in wide
    assert wide.count("\n") < narrow.count("\n")  # what does not fit moves to a line of its own


def test_render_mood_line_gives_the_reason_it_was_handed():
    text = "\n".join(draw(snapshot(), 120))
    assert re.search(r"mood\s+calm\s+tempo 66 BPM is in the calm band", text)


def test_render_closing_silence_shows_rest_and_nothing_of_the_last_track():
    lines = draw(snapshot(state="silence", now=None, next_up=None, elapsed=1480.0), 80)
    text = "\n".join(lines)
    assert "silence: rest a moment" in text
    for gone in ("Somebody", "Rain on a", "Evening", "track 4 of 7", "66 BPM"):
        assert gone not in text
    assert "24:40 / 25:00" in text and "0:20 left" in text


def test_render_closing_silence_even_when_the_session_still_names_the_track():
    text = "\n".join(draw(snapshot(state="silence", elapsed=1480.0), 80))
    assert "silence: rest a moment" in text and "Somebody" not in text


def test_render_without_a_ramp_says_nothing_of_winding_down():
    text = "\n".join(draw(snapshot(wind_down=0.0), 120))
    assert "winding down" not in text
