"""``tomlfiles.read_toml``: the parsed-file cache is used only for identical text, survives a
damaged cache, and never hides a TOML error."""

from __future__ import annotations

import datetime
import marshal
import subprocess
import sys

import pytest

from calmtune.tomlfiles import CACHE_FILE_NAME, InvalidToml, read_toml

TEXT = 'name = "calm"\nduration = 25\nratio = 0.5\nflags = [true, false]\n[arc]\nshape = "descending"\n'


def test_read_toml_gives_the_same_values_from_the_cache(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(TEXT, encoding="utf-8")
    fresh, text = read_toml(path, tmp_path / "cache")
    cached, _ = read_toml(path, tmp_path / "cache")
    assert fresh == cached == read_toml(path)[0]
    assert text == TEXT
    assert type(cached["duration"]) is int and type(cached["ratio"]) is float


def test_read_toml_from_the_cache_imports_neither_tomllib_nor_json(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(TEXT, encoding="utf-8")
    read_toml(path, tmp_path / "cache")
    code = (
        "import sys, pathlib\n"
        "from calmtune.tomlfiles import read_toml\n"
        f"data, _ = read_toml(pathlib.Path({str(path)!r}), pathlib.Path({str(tmp_path / 'cache')!r}))\n"
        "print(data['arc']['shape'], 'tomllib' in sys.modules, 'json' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["descending", "False", "False"]


def test_read_toml_sees_an_edit_of_the_same_size_at_once(tmp_path):
    path = tmp_path / "r.toml"
    cache = tmp_path / "cache"
    path.write_text("duration = 25\n", encoding="utf-8")
    assert read_toml(path, cache)[0] == {"duration": 25}
    path.write_text("duration = 40\n", encoding="utf-8")  # same size, likely the same mtime
    assert read_toml(path, cache)[0] == {"duration": 40}


def test_read_toml_ignores_a_damaged_cache_and_rewrites_it(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(TEXT, encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    junk = [b"\x00\xff garbage", marshal.dumps({"format": 1, "files": []}), marshal.dumps([1])]
    for damaged in [*junk, marshal.dumps({"format": 1, "files": {str(path): 5}}), b""]:
        (cache / CACHE_FILE_NAME).write_bytes(damaged)
        assert read_toml(path, cache)[0]["arc"] == {"shape": "descending"}
        stored = marshal.loads((cache / CACHE_FILE_NAME).read_bytes())
        assert stored["files"][str(path)][0] == TEXT


def test_read_toml_error_is_tomllibs_and_is_not_cached(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('name = "calm"\nduration = = 3\n', encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InvalidToml, match=r"line 2"):
            read_toml(path, tmp_path / "cache")
    assert not (tmp_path / "cache" / CACHE_FILE_NAME).exists()


def test_read_toml_with_a_date_is_parsed_each_time(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("when = 2026-11-25\n", encoding="utf-8")
    for _ in range(2):
        assert read_toml(path, tmp_path / "cache")[0] == {"when": datetime.date(2026, 11, 25)}


def test_read_toml_works_when_the_cache_cannot_be_written(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(TEXT, encoding="utf-8")
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x", encoding="utf-8")
    assert read_toml(path, blocked / "cache")[0]["name"] == "calm"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file-not-folder", "r.toml"]


def test_read_toml_drops_entries_of_deleted_files(tmp_path):
    cache = tmp_path / "cache"
    old, new = tmp_path / "old.toml", tmp_path / "new.toml"
    old.write_text("a = 1\n", encoding="utf-8")
    new.write_text("b = 2\n", encoding="utf-8")
    read_toml(old, cache)
    old.unlink()
    read_toml(new, cache)
    stored = marshal.loads((cache / CACHE_FILE_NAME).read_bytes())
    assert list(stored["files"]) == [str(new)]
