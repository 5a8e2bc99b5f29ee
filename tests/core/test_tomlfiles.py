"""``tomlfiles.read_toml``: values and text of a settings file or recipe, and tomllib's errors."""

from __future__ import annotations

import datetime

import pytest

from calmtune.tomlfiles import InvalidToml, read_toml

TEXT = 'name = "calm"\nduration = 25\nratio = 0.5\nflags = [true, false]\n[arc]\nshape = "descending"\n'


def test_read_toml_gives_the_values_and_the_text(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(TEXT, encoding="utf-8")
    data, text = read_toml(path)
    assert data == {
        "name": "calm",
        "duration": 25,
        "ratio": 0.5,
        "flags": [True, False],
        "arc": {"shape": "descending"},
    }
    assert text == TEXT


def test_read_toml_error_names_the_line(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('name = "calm"\nduration = = 3\n', encoding="utf-8")
    with pytest.raises(InvalidToml, match=r"line 2"):
        read_toml(path)


def test_read_toml_keeps_toml_dates(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("when = 2026-11-25\n", encoding="utf-8")
    assert read_toml(path)[0] == {"when": datetime.date(2026, 11, 25)}


def test_read_toml_passes_on_missing_files_and_bad_encodings(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_toml(tmp_path / "missing.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(UnicodeDecodeError):
        read_toml(latin)
