"""Pure parts of a session: timing rules and their precedence, keys, the lock, the drawing."""

from __future__ import annotations

import os

import pytest
from rich.console import Console

from calmtune.errors import ConfigError, SessionLockedError
from calmtune.playlists.recipe import get_recipe
from calmtune.session import Command, SessionLock, command_for, fit_timing, session_timing
from calmtune.session.snapshot import NowPlaying, SessionSnapshot
from calmtune.ui.keys import keys_from_bytes
from calmtune.ui.live_view import BREATH_SECONDS, breathing_bar, render


def test_fit_timing_shortens_what_does_not_fit_a_short_session() -> None:
    timing = fit_timing(6.0, fade_in=5.0, fade_out=20.0, wind_down=10.0, end_silence=30.0)
    assert timing.silence == pytest.approx(0.6)  # at most a tenth of the session
    assert timing.music_end == pytest.approx(5.4)
    assert timing.fade_in == pytest.approx(2.7) and timing.fade_out == pytest.approx(2.7)
    assert timing.wind_down == pytest.approx(6.0)
    assert timing.closing_starts == pytest.approx(0.0)


def test_wind_down_takes_the_last_minutes_of_the_session_silence_included() -> None:
    # relax -d 4m --wind-down 2m with the calm recipe's closing silence: the ramp starts at 2:00
    # and reaches silence where the closing silence begins; the session ends at 4:00.
    timing = fit_timing(240.0, fade_in=5.0, fade_out=20.0, wind_down=120.0, end_silence=30.0)
    assert timing.closing_starts == pytest.approx(120.0)
    assert timing.music_end == pytest.approx(240.0 - 24.0)
    assert timing.duration == 240.0


def test_fit_timing_keeps_a_long_session_as_asked() -> None:
    timing = fit_timing(1500.0, fade_in=5.0, fade_out=20.0, wind_down=0.0, end_silence=30.0)
    assert (timing.fade_in, timing.fade_out, timing.silence) == (5.0, 20.0, 30.0)
    assert timing.closing == 20.0  # no wind-down: the closing ramp is the fade-out
    assert timing.closing_starts == pytest.approx(1500 - 30 - 20)


def test_session_timing_option_beats_settings_beats_recipe() -> None:
    sleep = get_recipe("sleep")  # wind_down 10m, fade_in 10
    from_recipe = session_timing(recipe=sleep, playback={}, session={})
    assert from_recipe.wind_down == 600.0 and from_recipe.fade_in == 10.0
    from_settings = session_timing(
        recipe=sleep, playback={"fade_in": 2}, session={"wind_down": "3m"}
    )
    assert from_settings.wind_down == 180.0 and from_settings.fade_in == 2.0
    from_option = session_timing(
        recipe=sleep, playback={"fade_in": 2}, session={"wind_down": "3m"}, wind_down=0.0
    )
    assert from_option.wind_down == 0.0


def test_session_timing_bad_wind_down_setting_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"session\.wind_down"):
        session_timing(recipe=None, playback={}, session={"wind_down": "soon"})


def test_keys_map_to_commands_and_escape_sequences_are_dropped() -> None:
    assert keys_from_bytes(b" n\x1b[Ap+-fq") == [" ", "n", "p", "+", "-", "f", "q"]
    assert [command_for(k) for k in " npQ"] == [
        Command.TOGGLE_PAUSE,
        Command.NEXT,
        Command.PREVIOUS,
        Command.QUIT,
    ]
    assert command_for("x") is None


def test_session_lock_second_holder_gets_exit_5_naming_the_pid(tmp_path) -> None:
    path = tmp_path / "state" / "session.lock"
    first = SessionLock(path)
    first.acquire()
    try:
        with pytest.raises(SessionLockedError) as caught:
            SessionLock(path).acquire()
        assert caught.value.exit_code == 5
        assert f"PID {os.getpid()}" in str(caught.value)
    finally:
        first.release()
    second = SessionLock(path)
    second.acquire()  # free again once released
    assert second.holder_pid() == os.getpid()
    second.release()


def _snapshot(**fields) -> SessionSnapshot:
    now = NowPlaying(
        path="/m/a.wav",
        title="Calm [bold]Rain[/bold] \x1b[31m",
        artist="[red]Someone",
        mood="calm",
        why="tempo 68 BPM is in the calm band (60-80)",
        bpm=68.0,
        duration=240.0,
    )
    values = dict(
        label="calm",
        state="playing",
        now=now,
        position=83.0,
        elapsed=300.0,
        duration=1500.0,
        volume=80,
        next_up=NowPlaying(path="/m/b.wav", title="Next [/] one"),
        index=0,
        count=5,
        finishing=False,
        wind_down=None,
        ending=None,
    )
    values.update(fields)
    return SessionSnapshot(**values)


def _draw(renderable) -> str:
    console = Console(width=140, record=True, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.export_text()


def test_live_view_render_shows_markup_literally_and_every_part() -> None:
    text = _draw(render(_snapshot(), breath=2.0))
    assert "Calm [bold]Rain[/bold] \\x1b[31m" in text  # literal, escape code made visible
    assert "[red]Someone" in text and "Next [/] one" in text
    assert "tempo 68 BPM is in the calm band" in text and "68 BPM" in text
    assert "1:23 / 4:00  -2:37" in text  # track progress
    assert "5:00 / 25:00  20:00 left" in text  # session progress
    assert "80%" in text and "in" in text
    assert "q quit" in text


def test_live_view_render_says_paused_winding_down_and_warnings() -> None:
    snap = _snapshot(state="paused", wind_down=0.4, ending="ending gently")
    text = _draw(render(snap, warnings=["skipped /m/x.m4a: m4a needs ffmpeg"]))
    assert "(paused)" in text and "winding down 40%" in text
    assert "ending gently" in text and "m4a needs ffmpeg" in text


def test_breathing_bar_grows_on_in_and_shrinks_on_out() -> None:
    def cells(t: float) -> int:
        return breathing_bar(t).plain.count("█")

    quarter = BREATH_SECONDS / 4
    assert cells(0.5) < cells(quarter) < cells(2 * quarter - 0.1)
    assert cells(2 * quarter + 0.1) > cells(3 * quarter) > cells(4 * quarter - 0.5)
    assert breathing_bar(quarter).plain.endswith("in ")
    assert breathing_bar(3 * quarter).plain.endswith("out")
