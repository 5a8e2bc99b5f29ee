"""``calmtune scan`` / ``tracks`` / ``show`` end to end, through click's CliRunner, on real files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap

import mutagen
import pytest
from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli
from loaded_modules import run_watching

FORMATS = ["mp3", "mp3v23", "flac", "ogg", "opus", "m4a", "wav", "aiff"]


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def scan_json(*paths) -> dict:
    result = run("scan", "--json", *map(str, paths))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def tracks_json(*extra: str) -> list[dict]:
    result = run("tracks", "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def tagged_library(tmp_path):
    root = tmp_path / "music"
    root.mkdir()
    expected = {}
    for n, fmt in enumerate(FORMATS, 1):
        path = make_tagged_file(
            root / f"{n:02d} {fmt}",
            fmt,
            seconds=0.6 + n / 10,
            title=f"Title {fmt} é",
            artist=f"Artist {n}",
            album="Album ø",
            genre="Ambient",
            tracknumber=f"{n}/12",
        )
        expected[str(path)] = (fmt, n)
    return root, expected


def test_scan_then_tracks_gives_exact_tag_values_for_every_format(tagged_library):
    root, expected = tagged_library
    report = scan_json(root)
    assert report["added"] == len(FORMATS)
    assert report["failed"] == []
    assert report["roots"] == [str(root)]
    rows = {t["path"]: t for t in tracks_json()}
    assert set(rows) == set(expected)
    for path, (fmt, n) in expected.items():
        row = rows[path]
        assert row["title"] == f"Title {fmt} é"
        assert row["artist"] == f"Artist {n}"
        assert row["album"] == "Album ø"
        assert row["genre"] == "Ambient"
        assert row["format"] == {"mp3v23": "mp3"}.get(fmt, fmt)
        assert row["duration"] == pytest.approx(mutagen.File(path).info.length, abs=1e-3)
        assert row["playable"] is (fmt != "m4a" or bool(shutil_which("ffmpeg")))
        assert row["mood"] in {"calm", "upbeat", "focus", "unknown"}
        assert row["mood_source"] == "inferred"
        assert set(row["scores"]) == {"calm", "upbeat", "focus"}
        # Nothing was measured, so measured fields are null, never guessed.
        assert row["loudness_lufs"] is None
        assert row["bpm"] is None and row["bpm_source"] is None


def shutil_which(name):
    import shutil

    return shutil.which(name)


def test_rescan_unchanged_reads_nothing_and_picks_up_edits(tagged_library):
    root, expected = tagged_library
    scan_json(root)
    again = scan_json(root)
    assert (again["added"], again["updated"], again["removed"]) == (0, 0, 0)
    assert again["unchanged"] == len(expected)

    paths = sorted(expected)
    edited, deleted = paths[0], paths[1]
    audio = mutagen.File(edited)
    audio.tags["TIT2"] = mutagen.id3.TIT2(encoding=3, text=["Edited"])
    audio.save()
    os.remove(deleted)
    (root / "sub").mkdir()
    added = make_tagged_file(root / "sub" / "new", "flac", title="New one")
    report = scan_json()  # no PATH: rescans the remembered roots
    assert (report["added"], report["updated"], report["removed"]) == (1, 1, 1)
    rows = {t["path"]: t for t in tracks_json()}
    assert rows[edited]["title"] == "Edited"
    assert deleted not in rows
    assert rows[str(added)]["title"] == "New one"


def test_rescan_unchanged_opens_no_audio_file(tagged_library, isolated_home):
    """Run a rescan under an audit hook that records every file opened inside the library."""
    root, _ = tagged_library
    scan_json(root)
    script = textwrap.dedent(
        f"""
        import sys
        root = {str(root)!r}
        opened = []
        def hook(event, args):
            if event == "open" and isinstance(args[0], str) and args[0].startswith(root):
                opened.append(args[0])
        sys.addaudithook(hook)
        from click.testing import CliRunner
        from calmtune.cli import cli
        result = CliRunner().invoke(cli, ["scan", "--json"])
        assert result.exit_code == 0, result.output
        print(len(opened), result.stdout.count('"unchanged": {len(FORMATS)}'))
        """
    )
    probe = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert probe.stdout.split() == ["0", "1"], probe.stderr
    # The same hook does see opens when a file did change: the probe is not blind.
    os.utime(sorted(_)[0], ns=(1, 1))
    probe = subprocess.run(
        [sys.executable, "-c", script.replace(f'"unchanged": {len(FORMATS)}', '"updated": 1')],
        capture_output=True,
        text=True,
        check=True,
    )
    opened, matched = probe.stdout.split()
    assert int(opened) >= 1 and matched == "1"


def test_scan_lists_bad_files_and_goes_on(tmp_path):
    root = tmp_path / "bad"
    root.mkdir()
    good = make_tagged_file(root / "good", "flac", title="Good")
    (root / "zero.mp3").write_bytes(b"")
    data = make_tagged_file(tmp_path / "whole", "flac", title="T").read_bytes()
    (root / "truncated.flac").write_bytes(data[:30])  # cut inside the FLAC header
    # Cut inside the audio frames: the header and tags are whole, so it is indexed (the damage
    # shows when it is analysed or played, not when its tags are read).
    cut_audio = root / "cut-audio.flac"
    cut_audio.write_bytes(data[: len(data) * 2 // 3])
    (root / "random.ogg").write_bytes(os.urandom(4096))
    wrong = root / "really-flac.mp3"
    wrong.write_bytes(data)
    long_name = root / ("x" * 246 + ".mp3")  # 250 characters
    make_tagged_file(long_name, "mp3", title="Long")
    raw_name = os.path.join(os.fsencode(root), b"caf\xe9 \xff.flac")
    with open(raw_name, "wb") as f:
        f.write(data)
    os.symlink(root, root / "loop")
    report = scan_json(root)
    failed = {os.path.basename(f["path"]): f["error"] for f in report["failed"]}
    assert set(failed) == {"zero.mp3", "truncated.flac", "random.ogg"}
    assert all(reason.strip() for reason in failed.values())
    rows = {t["path"]: t for t in tracks_json()}
    assert rows[str(good)]["title"] == "Good"
    assert rows[str(wrong)]["format"] == "flac"
    assert rows[str(long_name)]["title"] == "Long"
    assert rows[os.fsdecode(raw_name)]["title"] == "T"
    assert rows[str(cut_audio)]["title"] == "T"
    assert report["added"] == 5

    # The human listing survives the undecodable name too.
    listing = run("tracks")
    assert listing.exit_code == 0
    assert "Long" in listing.stdout

    # An unchanged broken file is not re-read, but still reported.
    again = scan_json(root)
    assert {os.path.basename(f["path"]) for f in again["failed"]} == set(failed)
    assert again["unchanged"] == 5


def test_tracks_prints_markup_and_escape_codes_literally(tmp_path):
    make_tagged_file(tmp_path / "a", "flac", title="[bold]x[/] [/]", artist="\x1b[31mEvil\x07")
    scan_json(tmp_path)
    result = CliRunner().invoke(cli, ["tracks"], color=True)
    assert result.exit_code == 0, result.output
    assert "[bold]x[/] [/]" in result.stdout
    assert "\x1b[31m" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[31mEvil\\x07" in result.stdout


def test_tracks_filters_sorts_and_limits(tmp_path):
    for n in range(5):
        make_tagged_file(tmp_path / f"t{n}", "wav", title=f"Song {4 - n}", artist="A")
    scan_json(tmp_path)
    titles = [t["title"] for t in tracks_json("--sort", "title", "--limit", "3")]
    assert titles == ["Song 0", "Song 1", "Song 2"]
    moods = {t["mood"] for t in tracks_json()}
    for mood in moods:
        assert {t["mood"] for t in tracks_json("--mood", mood)} == {mood}
    lines = run("tracks", "--nl").stdout.splitlines()
    assert len(lines) == 5 and all(json.loads(line)["artist"] == "A" for line in lines)


def test_show_gives_reasons_and_fields(tmp_path):
    path = make_tagged_file(tmp_path / "a", "flac", title="Rain Lullaby", genre="Ambient")
    scan_json(tmp_path)
    result = run("show", "--json", str(path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["title"] == "Rain Lullaby"
    assert isinstance(data["reasons"], list) and data["reasons"]
    human = run("show", str(path))
    assert "Rain Lullaby" in human.stdout and "Why:" in human.stdout


def test_show_unknown_path_is_one_line_error(tmp_path):
    result = run("show", str(tmp_path / "nope.mp3"))
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "not in the index" in result.stderr


def test_scan_missing_root_keeps_its_tracks(tmp_path):
    root = tmp_path / "usb"
    root.mkdir()
    make_tagged_file(root / "a", "flac", title="A")
    scan_json(root)
    moved = tmp_path / "usb-unmounted"
    root.rename(moved)
    report = scan_json()
    assert report["removed"] == 0
    assert any("does not exist" in f["error"] for f in report["failed"])
    assert len(tracks_json()) == 1


def test_scan_index_is_consistent_sqlite(tagged_library, isolated_home):
    root, expected = tagged_library
    scan_json(root)
    conn = sqlite3.connect(isolated_home / "library.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == len(expected)


def test_a_no_change_rescan_leaves_out_what_it_does_not_need(tagged_library, isolated_home):
    """An unattended rescan that finds nothing changed is mostly start-up: it must not import
    logging, the tag field table, the update records, dataclasses or signal (library/walk.py,
    tags/__init__.py and logs.py give the figures)."""
    root, _expected = tagged_library
    assert scan_json(root)["added"] == len(FORMATS)
    heavy = ["logging", "calmtune.tags.fields", "calmtune.tags.update", "dataclasses"]
    done, loaded = run_watching(["scan", "--json", str(root)], [*heavy, "signal"])
    assert json.loads(done.stdout)["unchanged"] == len(FORMATS)
    assert loaded == []
    log = (isolated_home / "state" / "calmtune.log").read_text()
    assert "end scan: exit 0" in log  # piped: the unattended log was written
