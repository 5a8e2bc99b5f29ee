"""Fuzzing the command line (hypothesis): random options and values, settings files, recipes,
playlists, and a library of random file names and tag text, never give an internal error or a
traceback, always an exit code of the contract (docs/cli.md, "Exit codes"), and never a control
character on stderr or stdout (where an M3U into a pipe keeps each path's bytes, the rest of it is
checked).

The examples are derandomised, so CI runs the same ones each time (about 700, some 30 s); a
failure prints the arguments and files that caused it.
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


def check(result, args: list[str], *, stdout: bool = True) -> None:
    output = result.stdout + result.stderr
    assert result.exit_code in DOCUMENTED_CODES, (args, result.exit_code, output[-500:])
    assert "internal error" not in output and "Traceback" not in output, (args, output[-500:])
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert not UNSAFE.intersection(result.stderr), (args, result.stderr[-500:])
    # stdout too (tabs separate the fields of ``tracks`` in a pipe), unless the caller checks it
    assert not stdout or not (UNSAFE - {"\t"}).intersection(result.stdout), (
        args,
        result.stdout[-500:],
    )


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


# -- A hostile library: file names and tag text of any kind, then every command that shows them.

# What acts on a terminal: C0 controls but the newline, DEL, C1 controls, bidi overrides, and
# bytes that are not UTF-8 (decoded with surrogateescape, so they show as lone surrogates).
SHOWN_UNSAFE = UNSAFE | {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
HOSTILE_PIECES = [
    "\x1b]0;pwned\x07", "\x1b[2J", "\x9b31m", "\r", "\n", "\x08", "\x00", "\x7f", "\x85",
    "\u202e", "\u2066", "[bold red]", "[/]", "\t", "'", '"', "\\", "é", "日本", " ", "-",
]  # fmt: skip
tag_texts = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(HOSTILE_PIECES), max_size=6).map("".join),
    st.text(alphabet=st.sampled_from([p for p in HOSTILE_PIECES if len(p) == 1]), max_size=12),
)
# A file name is any bytes but "/" and NUL; ".flac" makes scan take it as audio.
file_names = st.binary(min_size=1, max_size=40).map(
    lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_") + b".flac"
)
LIBRARY_COMMANDS = [
    ("tracks",),
    ("tracks", "--json"),
    ("tracks", "--nl"),
    ("show", "PATH"),
    ("show", "--json", "PATH"),
    ("playlist", "build", "fuzz", "--seed", "1"),
    ("playlist", "build", "fuzz", "--seed", "1", "--format", "paths"),
    ("playlist", "build", "fuzz", "--seed", "1", "--format", "json"),
    ("playlist", "show", "M3U"),
    ("playlist", "show", "--json", "M3U"),
    ("tag", "--dry-run", "PATH"),
    ("tag", "--dry-run", "--json", "PATH"),
    ("like", "PATH"),
    ("ban", "PATH"),
    ("roots",),
    ("schedule", "--at", "07:00", "--", "play", "PATH"),
]
# Into a pipe, the M3U and path lists keep each path's bytes (a file must open by its name);
# everything else in them is for people. ``tracks`` in a pipe separates fields with tabs.
KEEPS_PATH_BYTES = {c for c in LIBRARY_COMMANDS if c[:2] == ("playlist", "build")} - {
    ("playlist", "build", "fuzz", "--seed", "1", "--format", "json")
}
TAB_SEPARATED = {("tracks",), ("roots",)}


@pytest.fixture
def hostile_library(isolated_home: Path, tmp_path: Path) -> dict[str, Path]:
    """A FLAC to copy under each drawn name, and a recipe that takes every calm or unknown track."""
    from audiofiles import make_tagged_file

    (isolated_home / "recipes").mkdir()
    (isolated_home / "recipes" / "fuzz.toml").write_text(
        'description = "fuzz"\nmood = "calm"\nduration = "1m"\n'
        '[select]\nmoods = ["calm", "unknown"]\n'
    )
    base = make_tagged_file(tmp_path / "base.flac", "flac", seconds=1.0)
    return {"base": base, "root": tmp_path / "library"}


def unsafe_shown(data: bytes, *, tabs: bool) -> list[str]:
    text = data.decode("utf-8", "surrogateescape")
    allowed = {"\n", "\t"} if tabs else {"\n"}
    return [
        c for c in text if c not in allowed and (c in SHOWN_UNSAFE or "\udc80" <= c <= "\udcff")
    ]


def _scan_and_run(library: dict[str, Path], name: bytes, tags: dict[str, str], command: tuple):
    """Copy the FLAC under ``name`` into a folder of its own with ``tags``, scan it, run
    ``command`` on it, and check every byte it wrote."""
    import shutil

    from mutagen.flac import FLAC

    root = library["root"]
    folder = root / str(len(list(root.iterdir())) if root.exists() else 0)
    folder.mkdir(parents=True)
    path = os.fsencode(folder) + b"/" + name
    shutil.copyfile(library["base"], path)
    audio = FLAC(path)
    audio.update({**tags, "mood": "calm"})
    audio.save()
    m3u = folder / "list.m3u8"  # the title as another player would write it, line breaks and all
    m3u.write_bytes(f"#EXTM3U\n#EXTINF:1,{tags['title']}\n".encode() + path + b"\n")
    check(invoke(["scan", str(folder)]), ["scan", os.fsdecode(path)])
    args = [{"PATH": os.fsdecode(path), "M3U": str(m3u)}.get(word, word) for word in command]
    result = invoke(args)
    check(result, args, stdout=False)  # checked below: paths in an M3U keep their bytes
    assert not unsafe_shown(result.stderr_bytes, tabs=False), (args, result.stderr[-500:])
    out = result.stdout_bytes
    if command in KEEPS_PATH_BYTES:
        lines = out.split(b"\n")
        paths = [line for line in lines if line and not line.startswith(b"#")]
        assert paths and all(os.path.isfile(p) for p in paths), (args, out[-500:])  # exact bytes
        out = b"\n".join(line for line in lines if line.startswith(b"#"))
    bad = unsafe_shown(out, tabs=command in TAB_SEPARATED)
    assert not bad, (args, sorted(set(bad)), out[-500:])
    return result


library_tags = st.fixed_dictionaries(
    {"title": tag_texts, "artist": tag_texts, "album": tag_texts, "genre": tag_texts}
)


@pytest.mark.parametrize("command", LIBRARY_COMMANDS, ids=" ".join)
@settings(FUZZ, max_examples=20)
@given(name=file_names, tags=library_tags)
def test_fuzz_hostile_file_names_and_tags_through_every_printing_command(
    hostile_library: dict[str, Path], command: tuple, name: bytes, tags: dict[str, str]
) -> None:
    _scan_and_run(hostile_library, name, tags, command)


@settings(FUZZ, max_examples=8)  # each plays for a second
@given(name=file_names, tags=library_tags, source=st.sampled_from(["PATH", "M3U"]))
def test_fuzz_hostile_file_names_and_tags_played(
    hostile_library: dict[str, Path], name: bytes, tags: dict[str, str], source: str
) -> None:
    command = ("play", "--no-ui", "--duration", "1s", "--fade-in", "0", "--fade-out", "0", source)
    result = _scan_and_run(hostile_library, name, tags, command)
    assert result.exit_code == 0, result.stderr[-500:]
    assert "1 track heard" in result.stderr
