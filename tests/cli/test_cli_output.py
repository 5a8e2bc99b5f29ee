"""What calmtune writes goes through one sanitiser: errors, usage errors, warnings and JSON never
carry a control character to the terminal, and output into a pipe is laid out for programs."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from calmtune.cli.app import cli
from calmtune.cli.options import to_json_text

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\r\x08\x9b31m\u202eevil"
CONTROLS = {chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]} - {"\n"}


def _controls(text: str) -> set[str]:
    return {ch for ch in text if ch in CONTROLS}


def test_error_naming_a_hostile_path_is_one_line_with_visible_escapes():
    result = CliRunner().invoke(cli, ["show", f"/music/{HOSTILE}.mp3"])
    assert result.exit_code == 1
    assert _controls(result.stderr) == set()
    assert "\\x1b]0;pwned\\x07" in result.stderr and "\\u202e" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["journal", HOSTILE],  # click: "Got unexpected extra argument (...)", unquoted
        [f"--{HOSTILE}"],  # click: "No such option"
        ["tracks", "--sort", HOSTILE],
        ["playlist", "build", HOSTILE],
        ["tracks", f"bpm:{HOSTILE}"],
    ],
)
def test_usage_errors_quoting_what_was_typed_carry_no_control_characters(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (1, 2)
    assert _controls(result.output) == set(), result.output
    assert "internal error" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        [os.fsdecode(b"--x\xff")],  # click: "No such option"
        [os.fsdecode(b"\xffcmd")],  # click: "No such command"
        ["tracks", "--limit", os.fsdecode(b"\xff")],  # click: "... is not a valid integer range"
    ],
)
def test_usage_errors_show_a_byte_that_is_not_utf8_as_calmtune_does_elsewhere(args):
    # A name typed in a non-UTF-8 locale reaches Python as a lone surrogate; click quotes it with
    # repr() ("\udcff"), calmtune's messages write the byte as "\xff".
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "\\xff" in result.output and "udcff" not in result.output, result.output


def test_json_escapes_c1_controls_and_bidi_overrides_and_reads_back_the_same():
    value = {"title": "a\x7f\x9b[2J\u202eb\x1b", "path": os.fsdecode(b"/m/caf\xe9.mp3")}
    text = to_json_text(value)
    assert _controls(text) == set() and "\u202e" not in text
    back = json.loads(text)
    assert back["title"] == value["title"]
    assert os.fsencode(back["path"]) == b"/m/caf\xe9.mp3"


def test_piped_tables_neither_wrap_at_80_columns_nor_end_lines_with_spaces(isolated_home):
    long_description = "A recipe whose description runs on " + "and on " * 30 + "to the end."
    folder = isolated_home / "recipes"
    folder.mkdir()
    (folder / "long.toml").write_text(f'description = "{long_description}"\nmood = "calm"\n')
    result = CliRunner().invoke(cli, ["playlist", "recipes"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(long_description in line for line in lines)  # one line, not wrapped
    assert [line for line in lines if line != line.rstrip()] == []


LONG_TITLE = "A title that runs on " + "and on " * 40 + "to the end"


@pytest.mark.parametrize(
    ("args", "shows_title"),
    [
        (["tracks"], True),
        (["tracks", "--sort", "-title"], True),
        (["show", "TRACK"], True),
        (["playlist", "build", "calm", "--seed", "1"], True),
        (["playlist", "show", "PLAYLIST"], True),
        (["tag", "--dry-run", "--mood", "focus", "TRACK"], False),
        (["play", "--no-ui", "--duration", "1s", "--fade-in", "0", "TRACK"], True),
        (["playlist", "recipes"], False),
        (["journal"], False),
        (["journal", "--insights"], False),
        (["roots"], False),
        (["scan", "FOLDER"], False),
        (["doctor"], False),
        (["schedule", "--at", "07:00", "--", "play", "TRACK"], False),
        (["--help"], False),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_every_command_into_a_pipe_neither_wraps_nor_pads_its_lines(tmp_path, args, shows_title):
    """rich lays a console that is not a terminal out at 80 columns and pads table cells."""
    from audiofiles import make_tagged_file

    folder = tmp_path / ("a folder with a long name " * 6).strip()
    folder.mkdir()
    track = make_tagged_file(
        folder / ("a file with a long name " * 6 + ".flac"), "flac", seconds=1.0,
        title=LONG_TITLE, artist="Someone " * 12, genre="Ambient", mood="calm",
    )  # fmt: skip
    assert CliRunner().invoke(cli, ["scan", str(folder)]).exit_code == 0
    playlist = tmp_path / "list.m3u8"
    built = CliRunner().invoke(cli, ["playlist", "build", "calm", "-o", str(playlist)])
    assert built.exit_code == 0, built.output
    named = {"TRACK": str(track), "PLAYLIST": str(playlist), "FOLDER": str(folder)}
    result = CliRunner().invoke(cli, [named.get(word, word) for word in args])
    assert result.exit_code in (0, 1), result.output  # doctor: 1 for the untagged track
    for stream in (result.stdout, result.stderr):
        assert [line for line in stream.splitlines() if line != line.rstrip()] == []
    if shows_title:
        assert any(LONG_TITLE in line for line in result.output.splitlines()), result.output
