"""Every command that prints, over a library of hostile tags and file names: no byte written to
stdout or stderr may act on a terminal (docs/design.md, "Text from files is data").

The library's titles, artists, albums, genres and file names hold what a hostile or broken file
can hold: escape sequences that retitle (``\\x1b]0;...\\x07``) or clear (``\\x1b[2J``) a terminal,
BEL, CR, backspace, C1 controls (U+009B is CSI, U+0085 NEL), DEL, a bidirectional override
(U+202E), rich markup (``[/]``, ``[bold red]``) and bytes that are not UTF-8. Each command runs
as a real process, into pipes and, where a person would look at it, in a pseudo-terminal; every
byte of its stdout and stderr is checked. Only data meant for a file keeps its bytes: the M3U
written into a pipe or a file, whose path lines must name the files exactly.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest

from audiofiles import make_tagged_file

TITLE = "Rain\x1b]0;pwned\x07\n\x1b[2J"  # a line break too: it must not end a line of output
ARTIST = "Band\r\x08\x07 [bold red]"
ALBUM = "Album\x9b31m \u202eevil [/]"
GENRE = "Ambient\x1b[31m\x85\x7f"
# File names: an escape sequence, a bidi override with markup, BEL and a byte that is not
# UTF-8, CR and backspace, a line break.
NAMES = [
    b"01 \x1b]0;pwned\x07 song.flac",
    "02 \u202eevil [bold red].flac".encode(),
    b"03 caf\xe9 \x07bell.flac",
    b"04 cr\rback\x08.flac",
    b"05 two\nlines.flac",
]
HOSTILE_RECIPE = """\
description = "Hostile \\u001b]0;pwned\\u0007 [bold red] \\u202e recipe"
mood = "calm"
duration = "2m"
[select]
moods = ["calm", "unknown"]
"""
UNSAFE = {
    *map(chr, range(0x00, 0x20)),
    *map(chr, range(0x7F, 0xA0)),
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}


def unsafe_characters(data: bytes, *, tabs: bool = False) -> list[str]:
    """What in ``data`` would act on a terminal: C0 and C1 controls (but newlines, and tabs where
    they separate data), DEL, bidi overrides, and bytes that are not UTF-8."""
    text = data.decode("utf-8", "surrogateescape").replace("\r\n", "\n")  # a pty's own \r\n
    allowed = {"\n", "\t"} if tabs else {"\n"}
    return [ch for ch in text if ch not in allowed and (ch in UNSAFE or "\udc80" <= ch <= "\udcff")]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A scanned, analysed library of hostile files, a hostile recipe and a hostile playlist."""
    root = tmp_path_factory.mktemp("hostile")
    home, music = root / "home", root / "music"
    (home / "recipes").mkdir(parents=True)
    music.mkdir()
    (home / "recipes" / "hostile.toml").write_text(HOSTILE_RECIPE)
    for number, name in enumerate(NAMES):
        plain = make_tagged_file(  # written under a plain name: libsndfile takes only UTF-8
            music / f"plain{number}.flac",
            "flac",
            seconds=2.0,
            freq=220.0 + 110 * number,
            title=f"{TITLE} {number}",
            artist=ARTIST,
            album=ALBUM,
            genre=GENRE,
            mood="calm",
        )
        os.rename(bytes(plain), bytes(music) + b"/" + name)
    playlist = root / "hostile.m3u8"
    playlist.write_bytes(
        b"#EXTM3U\n#EXTINF:2,\x1b]0;pwned\x07 title\n"
        + os.fsencode(next(music.glob("01*")))
        + b"\n/missing/\x1b]0;pwned\x07\x1b[2J.mp3\n"
        + "/missing/\u202eevil\x9b.mp3\n".encode()
        + b"/missing/caf\xe9 \x9b not utf-8.mp3\n"
        + b"http://example.invalid/\x1b[2J\n~a\x00b/x.mp3\n"
    )
    paths = {"home": home, "music": music, "playlist": playlist, "root": root}
    for args in (["scan", str(music)], ["analyze"]):
        done = _run(paths, *args)
        assert done.returncode == 0, done.stderr
    return paths


def _env(paths: dict[str, Path], **extra: str) -> dict[str, str]:
    env = {**os.environ, "CALMTUNE_HOME": str(paths["home"]), "SDL_AUDIODRIVER": "dummy"}
    env.pop("CALMTUNE_DEBUG", None)
    env.update(PYGAME_HIDE_SUPPORT_PROMPT="1", **extra)
    return env


def _run(paths: dict[str, Path], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "calmtune", *args],
        env=_env(paths),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )


def _run_in_terminal(paths: dict[str, Path], *args: str) -> tuple[int, bytes]:
    """``args`` in a pseudo-terminal that understands no escape codes (TERM=dumb, NO_COLOR), so
    calmtune's own display draws without any: every escape byte read back came from the data."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "calmtune", *args],
        env=_env(paths, TERM="dumb", NO_COLOR="1", COLUMNS="200"),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    output = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the process closed the terminal: all is read
                    break
                if not chunk:
                    break
                output += chunk
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return code, output


def _files(paths: dict[str, Path]) -> list[str]:
    return sorted(os.fsdecode(bytes(paths["music"]) + b"/" + name) for name in NAMES)


def _commands(paths: dict[str, Path]) -> list[tuple[str, ...]]:
    music, playlist, home = str(paths["music"]), str(paths["playlist"]), paths["home"]
    first = _files(paths)[0]
    return [
        ("scan", music),
        ("scan", "--json", music),
        ("scan",),
        ("analyze", "--force"),
        ("analyze", "--json", "--force"),
        ("-v", "analyze", "--force"),
        ("tracks",),
        ("tracks", "--json"),
        ("tracks", "--nl"),
        ("tracks", "--sort", "-title"),
        *[("show", path) for path in _files(paths)],
        ("show", "--json", first),
        ("show", f"{music}/\x1b]0;pwned\x07 not indexed.flac"),
        ("tag", "--dry-run"),
        ("tag", "--dry-run", "--json"),
        ("tag", "--dry-run", "--mood", "focus", first),
        ("playlist", "recipes"),
        ("playlist", "recipes", "--json"),
        ("playlist", "build", "hostile", "--seed", "1", "--format", "json"),
        (
            "playlist",
            "build",
            "hostile",
            "--seed",
            "1",
            "--save",
            "mine",
            "-o",
            str(home / "x.m3u8"),
        ),
        ("playlist", "list"),
        ("playlist", "list", "--json"),
        ("playlist", "show", "mine"),
        ("playlist", "show", playlist),
        ("playlist", "show", "--json", playlist),
        ("playlist", "show", "\x1b]0;pwned\x07"),
        ("play", "--no-ui", "--duration", "3s", "--fade-in", "0", playlist),
        ("play", "--no-ui", "--duration", "3s", "--fade-in", "0", first),
        ("relax", "--no-ui", "--duration", "3s"),
        ("journal",),
        ("journal", "--json"),
        ("doctor",),
        ("doctor", "--json"),
        ("schedule", "--at", "07:00", "--", "play", first, "\x1b[2J\u202e"),
        ("schedule", "--systemd", "--at", "07:00", "--", "play", first),
        # last: a ban changes what a playlist holds
        ("like", first),
        ("like",),
        ("like", "--json"),
        ("ban", "--recipe", "calm", *_files(paths)[1:3]),  # (the tests below build "hostile")
        ("ban",),
        ("ban", "--json"),
        ("goal", "sessions", "3", "--recipe", "hostile"),
        ("goal",),
        ("journal", "--insights"),
        ("roots", "add", music),
    ]


# tracks, roots and the like and ban lists in a pipe: tab-separated fields, the tabs are data
def _tab_separated(args: tuple[str, ...]) -> bool:
    return args[0] in ("tracks", "roots", "like", "ban") and not {"--json", "--nl"} & set(args)


# doctor exits 1 when it finds a problem; errors exit 1; a bad FILE|NAME is a usage error
ALLOWED_CODES = {0, 1, 2}


def test_every_printing_command_writes_no_control_character_into_pipes(hostile) -> None:
    commands = _commands(hostile)
    if "roots" in _run(hostile, "--help").stdout.decode():
        commands += [("roots",), ("roots", "--json")]
    failures = []
    for args in commands:
        done = _run(hostile, *args)
        for stream, data in (("stdout", done.stdout), ("stderr", done.stderr)):
            bad = unsafe_characters(data, tabs=stream == "stdout" and _tab_separated(args))
            if bad:
                failures.append(f"{' '.join(map(repr, args))} {stream}: {sorted(set(bad))!r}")
        text = (done.stdout + done.stderr).decode("utf-8", "replace")
        if done.returncode not in ALLOWED_CODES or "internal error" in text or "Traceback" in text:
            failures.append(f"{' '.join(map(repr, args))}: exit {done.returncode}: {text[-300:]}")
    assert failures == []


def test_json_output_gives_back_every_hostile_value_exactly(hostile) -> None:
    done = _run(hostile, "tracks", "--json")
    tracks = json.loads(done.stdout)
    assert sorted(t["path"] for t in tracks) == _files(hostile)
    assert {t["artist"] for t in tracks} == {ARTIST}
    assert {t["album"] for t in tracks} == {ALBUM}
    assert {t["title"] for t in tracks} == {f"{TITLE} {n}" for n in range(len(NAMES))}


@pytest.mark.parametrize(
    "args",
    [
        ("tracks",),
        ("show", "FIRST"),
        ("playlist", "build", "hostile", "--seed", "1"),
        ("playlist", "build", "hostile", "--seed", "1", "--format", "paths"),
        ("playlist", "show", "PLAYLIST"),
        ("playlist", "recipes"),
        ("play", "--duration", "3s", "--fade-in", "0", "FIRST"),
        ("journal",),
        ("doctor",),
    ],
)
def test_commands_on_a_terminal_show_hostile_text_only_as_visible_escapes(hostile, args) -> None:
    named = {"FIRST": _files(hostile)[0], "PLAYLIST": str(hostile["playlist"])}
    code, output = _run_in_terminal(hostile, *[named.get(a, a) for a in args])
    text = output.decode("utf-8", "replace")
    assert code in ALLOWED_CODES, text[-500:]
    assert "internal error" not in text and "Traceback" not in text
    assert unsafe_characters(output) == []
    if args[0] not in ("play", "journal", "doctor"):  # (play's last frame is the silence)
        assert "\\x1b" in text  # the hostile text is there, escaped


def test_m3u_into_a_pipe_or_a_file_keeps_every_byte_and_names_the_files(hostile) -> None:
    target = hostile["root"] / "out.m3u8"
    piped = _run(hostile, "playlist", "build", "hostile", "--seed", "3")
    written = _run(hostile, "playlist", "build", "hostile", "--seed", "3", "-o", str(target))
    assert piped.returncode == written.returncode == 0, piped.stderr
    assert unsafe_characters(piped.stderr) == unsafe_characters(written.stderr) == []
    assert piped.stdout == target.read_bytes()
    lines = piped.stdout.split(b"\n")
    assert lines[0] == b"#EXTM3U" and lines[-1] == b""
    entries = [line for line in lines[1:-1] if not line.startswith(b"#")]
    comments = [line for line in lines[1:-1] if line.startswith(b"#")]
    # A name that cannot be one line (a CR or LF in it) is a file:// URL of its bytes.
    named = [unquote_to_bytes(e[7:]) if e.startswith(b"file://") else e for e in entries]
    assert sorted(named) == sorted(os.fsencode(p) for p in _files(hostile))
    assert all(os.path.isfile(path) for path in named)
    assert all(b"\r" not in entry for entry in entries)  # (the split above took the LFs)
    # The display titles are text for people: escaped, so a player showing them is safe too.
    assert unsafe_characters(b"\n".join(comments)) == []
