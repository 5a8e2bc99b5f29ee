from pathlib import Path

import pytest

from calmtune.config import Paths, load_settings
from calmtune.errors import ConfigError


def test_paths_calmtune_home_holds_everything(isolated_home):
    paths = Paths.discover()
    assert paths.config_dir == isolated_home
    assert paths.default_db == isolated_home / "library.db"
    assert paths.state_dir.is_relative_to(isolated_home)
    assert paths.cache_dir.is_relative_to(isolated_home)


def test_settings_missing_file_gives_defaults(tmp_path):
    settings = load_settings(tmp_path / "nope.toml")
    assert settings.source is None
    assert settings.get("playback", "volume", 70) == 70


def test_settings_missing_file_is_an_error_when_named(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", required=True)


def test_settings_valid_file_is_read(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('[playback]\nvolume = 55\ndriver = "alsa"\n[library]\njobs = 3\n')
    settings = load_settings(f)
    assert settings.get("playback", "volume") == 55
    assert settings.get("library", "jobs") == 3


def test_settings_syntax_error_names_file_and_line(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('[playback]\nvolume = 55\ndriver = "alsa\n')
    with pytest.raises(ConfigError) as err:
        load_settings(f)
    assert str(f) in str(err.value)
    assert "line 3" in str(err.value)


def test_settings_bad_value_names_key_line_and_allowed(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('[library]\njobs = 2\n\n[playback]\nvolume = "loud"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(f)
    message = str(err.value)
    assert "playback.volume" in message
    assert "line 5" in message
    assert "0 to 100" in message


def test_settings_unknown_key_lists_known_ones(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("[playback]\nvolumme = 3\n")
    with pytest.raises(ConfigError) as err:
        load_settings(f)
    assert "volumme" in str(err.value)
    assert "volume" in str(err.value)


def test_settings_unknown_section_is_reported(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text("[plaback]\nvolume = 3\n")
    with pytest.raises(ConfigError, match=r"unknown section \[plaback\]"):
        load_settings(f)


def test_settings_not_utf8_is_reported(tmp_path):
    f = tmp_path / "s.toml"
    f.write_bytes(b"[playback]\ndriver = '\xff'\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(Path(f))


@pytest.mark.parametrize(
    ("line", "key", "allowed"),
    [
        ("[playback]\nfrequency = 2147483648", "playback.frequency", "from 8000 to 192000"),
        ("[playback]\nfrequency = 1", "playback.frequency", "from 8000 to 192000"),
        ("[playback]\nfrequency = nan", "playback.frequency", "from 8000 to 192000"),
        ("[playback]\nfrequency = 44100.5", "playback.frequency", "from 8000 to 192000"),
        ("[playback]\nfade_in = inf", "playback.fade_in", "from 0 to 600"),
        ("[playback]\nfade_out = nan", "playback.fade_out", "from 0 to 1800"),
        ("[playback]\nvolume = nan", "playback.volume", "0 to 100"),
        ("[library]\njobs = 99999999999", "library.jobs", "from 1 to 256"),
        ('[session]\nwind_down = "25h"', "session.wind_down", "up to 24h"),
    ],
)
def test_settings_numbers_out_of_range_name_file_key_value_and_range(tmp_path, line, key, allowed):
    f = tmp_path / "s.toml"
    f.write_text(line + "\n")
    with pytest.raises(ConfigError) as err:
        load_settings(f)
    message = str(err.value)
    value = line.split("= ", 1)[1]
    assert str(f) in message and key in message and allowed in message
    assert value.strip('"') in message


def test_settings_frequency_of_1_hz_is_refused_before_playing(tmp_path, isolated_home):
    """At 1 Hz SDL opened the device, played, then hung for ever in Mix_CloseAudio."""
    from click.testing import CliRunner

    from audiofiles import write_tone
    from calmtune.cli.app import cli

    (isolated_home / "settings.toml").write_text("[playback]\nfrequency = 1\n")
    track = write_tone(tmp_path / "tone.wav", 1.0)
    result = CliRunner().invoke(cli, ["play", str(track), "--no-ui"])
    assert result.exit_code == 1
    assert "'playback.frequency' = 1 is not valid" in result.stderr
    assert "8000 to 192000" in result.stderr


@pytest.mark.parametrize(
    "value", ['"a\\u0000b"', '"\\u001b[2J"', '"pulse audio"', '"alsa\\n"', "3"]
)
def test_settings_driver_must_be_an_sdl_driver_name(tmp_path, value):
    f = tmp_path / "s.toml"
    f.write_text(f"[playback]\ndriver = {value}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(f)
    message = str(err.value)
    assert "playback.driver" in message and "letters, digits, _ and -" in message


@pytest.mark.parametrize("value", ["pulseaudio", "pipewire,alsa", "dummy", ""])
def test_settings_driver_names_and_lists_of_names_are_taken(tmp_path, value):
    f = tmp_path / "s.toml"
    f.write_text(f'[playback]\ndriver = "{value}"\n')
    assert load_settings(f).get("playback", "driver") == value


def test_settings_driver_with_a_nul_byte_is_one_line_not_an_internal_error(
    tmp_path, isolated_home, monkeypatch
):
    """With SDL_AUDIODRIVER unset the setting reached os.environ: 'ValueError: embedded null
    byte', an internal error."""
    from click.testing import CliRunner

    from audiofiles import write_tone
    from calmtune.cli.app import cli

    monkeypatch.delenv("SDL_AUDIODRIVER", raising=False)
    (isolated_home / "settings.toml").write_text('[playback]\ndriver = "a\\u0000b"\n')
    track = write_tone(tmp_path / "tone.wav", 1.0)
    result = CliRunner().invoke(cli, ["play", str(track), "--no-ui"])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    (line,) = result.stderr.splitlines()
    assert "'playback.driver' = 'a\\x00b' is not valid" in line
