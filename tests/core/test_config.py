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
