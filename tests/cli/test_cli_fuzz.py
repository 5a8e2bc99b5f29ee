"""Fuzzing the command line (hypothesis): random options and values, settings files, recipes and
playlists never give an internal error or a traceback, always an exit code of the contract
(docs/cli.md, "Exit codes"), and never a control character on stderr.

The examples are derandomised, so CI runs the same few hundred each time; a failure prints the
arguments and files that caused it.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiofiles import write_tone
from calmtune.cli.app import cli

DOCUMENTED_CODES = {0, 1, 2, 3, 4, 5}
FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
UNSAFE = {chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]} - {"\n"}

# What a user might type, and what a hostile script might: numbers of every size and kind,
# durations, and text with control characters, markup and undecodable bytes.
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e309", "0", "-0", "0x10", "1_000", "", " "]),
)
durations = st.one_of(
    numbers,
    st.sampled_from(["90s", "20m", "1h15m", "1:30:00", "25h", "0s", "999999999h", "1:99", "-5m"]),
)
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["\x1b]0;pwned\x07", "\x1b[2J", "[bold red]", "[/]", "\u202e", "~a", "--", "-", "\x9b"]
    ),
    st.binary(max_size=20).map(lambda b: os.fsdecode(b.replace(b"\x00", b""))),
)
values = st.one_of(numbers, durations, texts)


def option_words(options: list[str]) -> st.SearchStrategy[list[str]]:
    if not options:
        return st.just([])
    pair = st.tuples(st.sampled_from(options), values).map(list)
    return st.lists(pair, max_size=3).map(lambda pairs: [w for p in pairs for w in p])


# Each command with the options that take values; "PLAYLIST" and "TRACK" are replaced by files.
COMMANDS = {
    ("tracks",): ["--limit", "--sort", "--mood"],
    ("tracks", "--json"): ["--limit", "--sort"],
    ("show",): [],
    ("journal",): ["--limit"],
    ("playlist", "recipes"): [],
    ("playlist", "build", "calm"): ["--duration", "--seed", "--stress", "--format", "--from"],
    ("playlist", "show", "PLAYLIST"): [],
    ("playlist", "list"): [],
    ("play", "--no-ui", "PLAYLIST"): ["--volume", "--fade-in", "--fade-out", "--duration"],
    ("relax", "--no-ui", "--wait", "--replace"): ["--duration", "--wind-down", "--seed"],
    ("focus", "--no-ui"): ["--volume", "--seed", "--duration"],
    ("scan", "TRACK"): ["--jobs"],
    ("analyze", "TRACK"): ["--jobs"],
    ("tag", "--dry-run", "TRACK"): ["--mood"],
    ("schedule",): ["--at", "--days", "--name"],
}


@pytest.fixture
def library(isolated_home: Path, tmp_path: Path) -> dict[str, str]:
    """A small indexed library and a playlist naming nothing that exists (so nothing plays)."""
    track = write_tone(tmp_path / "tone.wav", 1.0)
    done = CliRunner().invoke(cli, ["scan", str(tmp_path)])
    assert done.exit_code == 0, done.output
    playlist = tmp_path / "list.m3u"
    playlist.write_text("/nowhere/a.mp3\n")
    return {"TRACK": str(track), "PLAYLIST": str(playlist), "home": str(isolated_home)}


def check(result, args: list[str]) -> None:
    output = result.stdout + result.stderr
    assert result.exit_code in DOCUMENTED_CODES, (args, result.exit_code, output[-500:])
    assert "internal error" not in output and "Traceback" not in output, (args, output[-500:])
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert not UNSAFE.intersection(result.stderr), (args, result.stderr[-500:])


def invoke(args: list[str]):
    return CliRunner().invoke(cli, args)


@FUZZ
@given(data=st.data())
def test_fuzz_options_and_values(library: dict[str, str], data) -> None:
    command = data.draw(st.sampled_from(sorted(COMMANDS)), label="command")
    words = data.draw(option_words(COMMANDS[command]), label="options")
    extra = data.draw(st.lists(texts, max_size=2), label="arguments")
    if command == ("schedule",):
        extra = ["--", "play", *extra]
    elif command == ("show",):
        extra = extra or [library["TRACK"]]
    args = [library.get(word, word) for word in command] + words + extra
    if command[0] in ("play", "relax", "focus"):
        args += ["--duration", "1s"]  # last wins: a fuzzed session never plays for long
    check(invoke(args), args)


SETTING_KEYS = {
    "library": ["roots", "jobs"],
    "playback": ["driver", "frequency", "volume", "fade_in", "fade_out", "crossfade"],
    "session": ["check_in", "breathe", "wind_down"],
    "mood": ["calm_bpm", "confidence_threshold", "genre_weight", "calm_loudness_lufs"],
    "other": ["x"],
}
toml_values = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda f: (
            "nan" if math.isnan(f) else ("inf" if f > 0 else "-inf") if math.isinf(f) else repr(f)
        )
    ),
    st.sampled_from(
        ['"5m"', '"25h"', '"pipewire"', "true", "[60, 80]", "[1e309, 2]", '["~"]', "{}"]
    ),
    st.text(max_size=10).map(
        lambda t: '"' + t.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    ),
)


@st.composite
def settings_files(draw) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=300))
    lines = []
    for section, keys in SETTING_KEYS.items():
        chosen = draw(st.lists(st.sampled_from(keys), max_size=3, unique=True))
        if chosen:
            lines.append(f"[{section}]")
            lines += [f"{key} = {draw(toml_values)}" for key in chosen]
    return "\n".join(lines).encode()


@FUZZ
@given(text=settings_files(), command=st.sampled_from([0, 1, 2, 3]))
def test_fuzz_settings_files(library: dict[str, str], text: bytes, command: int) -> None:
    (Path(library["home"]) / "settings.toml").write_bytes(text)
    args = [
        ["play", "--no-ui", library["PLAYLIST"]],
        ["scan", library["TRACK"]],
        ["tracks"],
        ["relax", "--no-ui", "--duration", "1s", "--wind-down", "0"],
    ][command]
    check(invoke(args), args)


RECIPE_FIELDS = [
    "description", "mood", "duration", "fade_in", "fade_out", "wind_down", "end_silence",
    "crossfade", "target_lufs", "artist_gap", "select.min_score", "select.bpm",
    "select.loudness", "select.moods", "arc.shape", "arc.start_bpm", "arc.max_bpm_step",
    "query",
]  # fmt: skip


@st.composite
def recipe_files(draw) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=300))
    top = {"description": '"fuzzed"', "mood": '"calm"'}
    tables: dict[str, dict[str, str]] = {"select": {}, "arc": {}}
    for field in draw(st.lists(st.sampled_from(RECIPE_FIELDS), max_size=4, unique=True)):
        table, _, key = field.rpartition(".")
        (tables[table] if table else top)[key] = draw(toml_values)
    lines = [f"{k} = {v}" for k, v in top.items()]
    for name, table in tables.items():
        if table:
            lines += [f"[{name}]", *(f"{k} = {v}" for k, v in table.items())]
    return "\n".join(lines).encode()


@FUZZ
@given(text=recipe_files(), command=st.sampled_from([0, 1, 2]))
def test_fuzz_recipes(library: dict[str, str], text: bytes, command: int) -> None:
    folder = Path(library["home"]) / "recipes"
    folder.mkdir(exist_ok=True)
    (folder / "fuzzed.toml").write_bytes(text)
    args = [
        ["playlist", "recipes"],
        ["playlist", "build", "fuzzed", "--seed", "1"],
        ["play", "--no-ui", "--duration", "1s", "fuzzed"],
    ][command]
    check(invoke(args), args)


playlist_lines = st.one_of(
    st.binary(max_size=60),
    st.sampled_from(
        [
            b"~a\x00b/x.mp3",
            b"http://[x",
            b"file:///a%00b",
            b"#EXTINF:99999999999999999999,x",
            b"#EXTINF:-1,\x1b]0;pwned\x07",
            b"/dev/null",
            b"/",
            b".",
            b"..",
            b"~",
            b"~nobody/x.mp3",
            b'{"tracks": [{"path": NaN}]}',
            b"[1, 2",
            b"\xef\xbb\xbf",
            b"#CALMTUNE:target_lufs=nan",
        ]
    ),
)


@FUZZ
@given(
    lines=st.lists(playlist_lines, max_size=8),
    suffix=st.sampled_from([".m3u", ".m3u8", ".json", ".txt"]),
    command=st.sampled_from([0, 1, 2]),
)
def test_fuzz_playlists(library: dict[str, str], lines, suffix: str, command: int) -> None:
    path = Path(library["home"]) / f"fuzzed{suffix}"
    path.write_bytes(b"\n".join(lines))
    args = [
        ["playlist", "show", str(path)],
        ["playlist", "show", "--json", str(path)],
        ["play", "--no-ui", "--duration", "1s", str(path)],
    ][command]
    check(invoke(args), args)
