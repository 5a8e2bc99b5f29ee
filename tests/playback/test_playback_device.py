"""Opening the device, the cron fix, and keeping native noise off the terminal.

Failing drivers run in subprocesses: SDL reads SDL_AUDIODRIVER when the device opens, and what
ALSA prints goes to the process's real fd 2, which only a subprocess lets us inspect whole.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from calmtune.errors import AudioDeviceError
from calmtune.playback import ensure_runtime_dir, probe_audio_device
from calmtune.playback.device import device_error_message, requested_driver


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, "PYGAME_HIDE_SUPPORT_PROMPT": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


OPEN_PLAYER = """
    import sys
    from calmtune.errors import CalmtuneError
    from calmtune.playback import Player
    try:
        Player([]).open()
    except CalmtuneError as err:
        print(err)
        sys.exit(err.exit_code)
"""


def test_device_failure_raises_exit_3_naming_the_driver_and_the_fix() -> None:
    result = _python(OPEN_PLAYER, SDL_AUDIODRIVER="alsa")  # no sound card on a test machine
    assert result.returncode == AudioDeviceError.exit_code == 3
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("could not open audio device with SDL driver 'alsa': ")
    assert "SDL_AUDIODRIVER=" in lines[0]
    # ALSA's own complaints ("ALSA lib confmisc.c ... cannot find card") stay off the screen.
    assert "ALSA lib" not in result.stderr
    assert result.stderr == ""


def test_device_driver_from_settings_is_used_unless_the_environment_says_otherwise() -> None:
    code = """
        import os, sys
        from calmtune.errors import CalmtuneError
        from calmtune.playback import AudioConfig, Player
        config = AudioConfig.from_settings({"driver": "nosuchdriver", "frequency": 48000})
        try:
            with Player([], config=config) as engine:
                import pygame.mixer
                print(engine.driver, pygame.mixer.get_init()[0])
        except CalmtuneError as err:
            print(err)
    """
    env = {k: v for k, v in os.environ.items() if k != "SDL_AUDIODRIVER"}
    from_settings = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True
    )
    assert "SDL driver 'nosuchdriver'" in from_settings.stdout
    from_env = _python(code, SDL_AUDIODRIVER="dummy")
    assert from_env.stdout.split() == ["dummy", "48000"]


def test_device_unknown_driver_is_named_in_the_message() -> None:
    result = _python(OPEN_PLAYER, SDL_AUDIODRIVER="nosuchdriver")
    assert result.returncode == 3
    assert "SDL driver 'nosuchdriver'" in result.stdout


def test_probe_reports_a_working_driver() -> None:
    ok, driver, message = probe_audio_device()
    assert ok is True
    assert driver == "dummy"
    assert "44100 Hz, 16-bit, 2 channels" in message


def test_probe_reports_a_failing_driver_without_raising() -> None:
    result = _python(
        """
        from calmtune.playback import probe_audio_device
        ok, driver, message = probe_audio_device()
        print(ok, driver, message, sep="|")
        """,
        SDL_AUDIODRIVER="alsa",
    )
    ok, driver, message = result.stdout.strip().split("|")
    assert (ok, driver) == ("False", "alsa")
    assert message.startswith("could not open audio device")
    assert "ALSA lib" not in result.stderr


def test_requested_driver_defaults_when_unset() -> None:
    assert requested_driver({}) == "default"
    assert requested_driver({"SDL_AUDIODRIVER": " pipewire "}) == "pipewire"


def test_device_error_message_is_one_line() -> None:
    message = device_error_message("pulseaudio", "Connection\nrefused")
    assert "\n" not in message
    assert "SDL driver 'pulseaudio': Connection refused;" in message
    assert "XDG_RUNTIME_DIR" in message


def test_runtime_dir_is_set_from_run_user_when_missing(tmp_path: Path) -> None:
    (tmp_path / "1234").mkdir()
    env: dict[str, str] = {}
    assert ensure_runtime_dir(env, uid=1234, run_base=tmp_path) == str(tmp_path / "1234")
    assert env["XDG_RUNTIME_DIR"] == str(tmp_path / "1234")


def test_runtime_dir_is_left_alone_when_set_or_absent(tmp_path: Path) -> None:
    (tmp_path / "1234").mkdir()
    env = {"XDG_RUNTIME_DIR": "/elsewhere"}
    assert ensure_runtime_dir(env, uid=1234, run_base=tmp_path) is None
    assert env["XDG_RUNTIME_DIR"] == "/elsewhere"
    empty: dict[str, str] = {}
    assert ensure_runtime_dir(empty, uid=999, run_base=tmp_path) is None
    assert empty == {}


GUARD = """
    import os, sys
    from calmtune.playback import NativeStderrGuard
    with NativeStderrGuard(sys.argv[1]) as outer:
        os.write(2, b"native noise\\n")
        print("python says hello", file=sys.stderr)
        with NativeStderrGuard():  # nested: shares the outer redirection
            os.write(2, b"nested native noise\\n")
            print("nested python line", file=sys.stderr)
        os.write(2, b"more native noise\\n")
    os.write(2, b"after the guard\\n")
    print("python after", file=sys.stderr)
"""


@pytest.mark.parametrize("logged", [True, False])
def test_guard_sends_fd2_to_the_log_and_keeps_python_stderr(tmp_path: Path, logged: bool) -> None:
    log = tmp_path / "native.log"
    code = (
        GUARD if logged else GUARD.replace("NativeStderrGuard(sys.argv[1])", "NativeStderrGuard()")
    )
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), str(log)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "python says hello",
        "nested python line",
        "after the guard",
        "python after",
    ]
    if logged:
        assert log.read_text().splitlines() == [
            "native noise",
            "nested native noise",
            "more native noise",
        ]
    else:
        assert not log.exists()  # /dev/null
