"""M3U8 out and in: calmtune's own files read back whole; other players' files load with warnings."""

from __future__ import annotations

import json
import os
import wave

import pytest
from playlist_factory import make_track

from calmtune.playlists.builder import build_playlist
from calmtune.playlists.jsonio import playlist_to_json
from calmtune.playlists.m3u import m3u8_text, read_m3u, write_text_file
from calmtune.playlists.pathlist import paths_text
from calmtune.playlists.recipe import get_recipe


def wav(path, seconds=0.2):
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * int(8000 * seconds))
    return path


def test_m3u8_written_by_calmtune_reads_back_the_same_tracks(tmp_path):
    names = ["Ölfarben, Nacht.wav", "a b [1].wav", "日本語.wav", "plain.wav"]
    tracks = [
        make_track(
            str(wav(tmp_path / "music" / name)),
            duration=181.4 + i,
            bpm=70.0 - i,
            lufs=-24.0,
            artist=f"Artist {i}" if i != 3 else None,
            title="Line\nbreak, comma" if i == 0 else None,
        )
        for i, name in enumerate(names)
    ]
    out = tmp_path / "out" / "calm.m3u8"
    out.parent.mkdir()
    write_text_file(out, m3u8_text(tracks))
    raw = out.read_bytes()
    assert raw.startswith(b"#EXTM3U\n#EXTINF:181,Artist 0 - Line break, comma\n/")
    back = read_m3u(out)
    assert back.warnings == []
    assert [e.path for e in back.entries] == [t.path for t in tracks]
    assert [e.duration for e in back.entries] == [181, 182, 183, 184]
    assert back.entries[3].title == "plain"
    assert back.entries[1].title == "Artist 1 - a b [1]"


def test_read_m3u_hand_written_with_relative_paths_comments_url_and_missing(tmp_path):
    root = tmp_path / "lib"
    one = wav(root / "one.wav")
    two = wav(root / "sub" / "two.wav")
    three = wav(tmp_path / "three.wav")
    (root / "folder.wav").mkdir()
    lines = [
        "\ufeff#EXTM3U",
        "# my evening list",
        "",
        "#EXTINF:123,Someone - One",
        "one.wav",
        "   ",
        "#EXTGRP:evening",
        "sub/two.wav",
        "../three.wav",
        "http://radio.example/stream.mp3",
        "#EXTINF:200,Gone - Missing",
        "missing.wav",
        "folder.wav",
        f"file://{two.as_posix().replace(' ', '%20')}",
        "",
    ]
    playlist = root / "evening.m3u"
    playlist.write_bytes("\r\n".join(lines).encode("utf-8"))
    got = read_m3u(playlist)
    assert [e.path for e in got.entries] == [str(one), str(two), str(three), str(two)]
    assert got.entries[0].duration == 123
    assert got.entries[0].title == "Someone - One"
    assert got.entries[1].duration is None  # #EXTINF belongs only to the line after it
    assert len(got.warnings) == 3
    url, missing, folder = got.warnings
    assert "line 10" in url and "http://radio.example/stream.mp3" in url and "URL" in url
    assert "line 12" in missing and "missing.wav" in missing and "not found" in missing
    assert "line 13" in folder and "folder" in folder
    assert all(w.startswith("evening.m3u, line") for w in got.warnings)


def test_m3u8_names_a_file_whose_name_cannot_be_one_line_by_a_url_that_reads_back(tmp_path):
    """A newline in a name was written as it is: the file's entry ended early and the rest of
    its name became an entry of its own (a file not found)."""
    names = [b"two\nlines.wav", b"cr\rname.wav", b"ends in a blank.wav ", b"caf\xe9\n%41.wav"]
    folder = tmp_path / "music"
    folder.mkdir()
    paths = [os.fsdecode(bytes(wav(folder / "plain.wav")))]
    for name in names:
        path = os.fsencode(folder) + b"/" + name
        with open(path, "wb") as out:
            out.write((folder / "plain.wav").read_bytes())
        paths.append(os.fsdecode(path))
    tracks = [make_track(path, duration=1.0, title="T") for path in paths]
    out = tmp_path / "list.m3u8"
    write_text_file(out, m3u8_text(tracks))
    entries = [line for line in out.read_bytes().split(b"\n")[1:] if line and line[:1] != b"#"]
    assert len(entries) == len(paths)
    assert entries[0] == os.fsencode(paths[0])  # a plain name is written as it is
    assert all(entry.startswith(b"file:///") for entry in entries[1:])
    back = read_m3u(out)
    assert back.warnings == []
    assert [e.path for e in back.entries] == paths
    # One path a line cannot hold them at all: --format paths leaves them out.
    assert paths_text(tracks) == paths[0] + "\n"


def test_read_m3u_latin1_fallback_for_plain_m3u(tmp_path):
    song = wav(tmp_path / "café.wav")
    playlist = tmp_path / "old.m3u"
    playlist.write_bytes(b"#EXTINF:5,Caf\xe9\ncaf\xe9.wav\n")
    got = read_m3u(playlist)
    assert [e.path for e in got.entries] == [str(song)]
    assert got.entries[0].title == "Café"


def test_read_m3u_unreadable_file_raises_playlist_error(tmp_path):
    from calmtune.errors import PlaylistError

    try:
        read_m3u(tmp_path / "none.m3u8")
    except PlaylistError as err:
        assert "none.m3u8" in str(err)
    else:
        raise AssertionError("expected PlaylistError")


def test_playlist_json_has_the_cli_fields(tmp_path):
    lib = [
        make_track(f"/j/{i}.flac", bpm=80.0 - i, lufs=-25.0, artist=f"a{i}", title=f"t{i}")
        for i in range(10)
    ]
    pl = build_playlist(lib, get_recipe("calm"), duration=900, seed=5)
    doc = json.loads(json.dumps(playlist_to_json(pl)))
    assert doc["recipe"] == "calm" and doc["seed"] == 5
    assert doc["duration_target"] == 900
    assert doc["duration_total"] == sum(t["duration"] for t in doc["tracks"])
    assert [t["position"] for t in doc["tracks"]] == list(range(1, len(pl.tracks) + 1))
    first = doc["tracks"][0]
    for key in ("path", "title", "artist", "bpm", "bpm_source", "loudness_lufs", "mood", "scores"):
        assert key in first
    assert first["bpm_source"] == "analysis"


def test_paths_text_is_one_absolute_path_per_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = paths_text([make_track("rel/a.flac"), make_track("/abs/b.flac")])
    assert text.splitlines() == [str(tmp_path / "rel" / "a.flac"), "/abs/b.flac"]


def test_json_playlist_reads_back_whole_with_undecodable_names_and_warnings(tmp_path):
    import os

    from calmtune.cli.options import to_json_text
    from calmtune.playlists.jsonio import read_playlist

    folder = tmp_path / "music"
    folder.mkdir()
    odd = os.fsdecode(bytes(folder) + b"/caf\xe9 [1].wav")  # Latin-1 bytes, not UTF-8
    with open(os.fsencode(odd), "wb") as handle:
        handle.write(wav(tmp_path / "tmp.wav").read_bytes())
    plain = wav(folder / "plain.wav")
    tracks = [
        make_track(odd, duration=61.0, bpm=70.0, lufs=-25.0, artist="A", title="Odd"),
        make_track(str(plain), duration=62.0, bpm=65.0, lufs=-26.0, artist="B", title="Plain"),
        make_track(str(folder / "gone.wav"), duration=63.0, bpm=60.0, lufs=-27.0),
    ]
    pl = build_playlist(tracks, get_recipe("calm"), duration=180, seed=1)
    out = tmp_path / "list.json"
    out.write_bytes(to_json_text(playlist_to_json(pl)).encode("utf-8"))
    back = read_playlist(out)
    assert [e.path for e in back.entries] == [odd, str(plain)]
    assert back.entries[0].title == "A - Odd" and back.entries[0].duration == 61.0
    (warning,) = back.warnings
    assert "list.json, track 3" in warning and "gone.wav" in warning and "not found" in warning
    # The same reader takes M3U whatever the file is called.
    m3u = tmp_path / "list.txt"
    write_text_file(m3u, m3u8_text(tracks[:2]))
    assert [e.path for e in read_playlist(m3u).entries] == [odd, str(plain)]


def test_read_m3u_lines_no_file_can_be_named_are_skipped_one_warning_each(tmp_path):
    good = wav(tmp_path / "good.wav")
    playlist = tmp_path / "odd.m3u8"
    playlist.write_bytes(
        b"~a\x00b/x.mp3\n"  # expanduser raised "ValueError: embedded null byte"
        b"/music/a\x00b.mp3\n"
        b"file:///music/a%00b.mp3\n"
        b"http://[broken\n" + str(good).encode() + b"\n"  # urlparse raised "Invalid IPv6 URL"
    )
    parsed = read_m3u(playlist)
    assert [e.path for e in parsed.entries] == [str(good)]
    assert len(parsed.warnings) == 4
    assert all("line" in w and "skipped" in w for w in parsed.warnings)


def test_read_m3u_of_random_bytes_gives_a_capped_list_of_warnings(tmp_path):
    import random

    from calmtune.playlists.m3u import MAX_LINE_WARNINGS

    junk = tmp_path / "junk.m3u"
    junk.write_bytes(random.Random(15).randbytes(200_000))
    parsed = read_m3u(junk)
    assert parsed.entries == []
    assert len(parsed.warnings) == MAX_LINE_WARNINGS + 1
    assert (
        parsed.warnings[-1].startswith("junk.m3u: ")
        and "more entries skipped" in parsed.warnings[-1]
    )
    assert max(len(w) for w in parsed.warnings) < 400  # a kilobyte "line" is cut short


@pytest.mark.parametrize(
    ("suffix", "breaks"),
    [
        # form feed, U+001C-U+001E and NEL (byte 85 in a Latin-1 .m3u): splitlines() broke there
        (".m3u", [b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x85", b"\x0b"]),
        # the same in UTF-8, with U+2028 and U+2029
        (".m3u8", [b"\x0c", b"\x1c", "\x85".encode(), "\u2028".encode(), "\u2029".encode()]),
    ],
)
def test_read_m3u_warnings_name_the_line_an_editor_shows(tmp_path, suffix, breaks):
    good = wav(tmp_path / "good.wav")
    lines = [b"#EXTM3U"]
    for number, mark in enumerate(breaks):
        lines.append(b"/missing/a" + mark + b"b" + str(number).encode() + b".mp3")
    lines.append(bytes(good))
    playlist = tmp_path / f"odd{suffix}"
    playlist.write_bytes(b"\n".join(lines) + b"\n")
    parsed = read_m3u(playlist)
    assert [e.path for e in parsed.entries] == [str(good)]
    assert len(parsed.warnings) == len(breaks)  # one per line, not one per fragment
    for number, warning in enumerate(parsed.warnings):
        assert warning.startswith(f"odd{suffix}, line {number + 2}: skipped /missing/a")
        assert f"b{number}.mp3: file not found" in warning


def test_read_m3u_random_bytes_between_good_lines_skip_each_junk_line_and_keep_the_rest(
    tmp_path,
):
    import random

    generator = random.Random(15)
    goods = [str(wav(tmp_path / f"good{n}.wav")) for n in range(5)]
    lines, junk_lines = [], []
    for good in goods:
        junk = generator.randbytes(300).replace(b"\n", b"").replace(b"\r", b"") + b"x"
        lines += [junk, os.fsencode(good)]
        junk_lines.append(len(lines) - 1)  # the junk's line number: lines are 1-based
    playlist = tmp_path / "mixed.m3u"
    playlist.write_bytes(b"\n".join(lines))
    parsed = read_m3u(playlist)
    assert [e.path for e in parsed.entries] == goods
    assert [w.split(":")[0] for w in parsed.warnings] == [
        f"mixed.m3u, line {n}" for n in junk_lines
    ]
    assert all(w.count("\n") == 0 for w in parsed.warnings)


def test_json_playlist_impossible_numbers_are_taken_as_unknown(tmp_path):
    from calmtune.playlists.jsonio import read_playlist

    track = wav(tmp_path / "a.wav")
    doc = tmp_path / "p.json"
    item = f'"path": "{track}"'
    doc.write_text(
        '{"target_lufs": NaN, "tracks": ['
        f'{{{item}, "duration": Infinity}}, {{{item}, "duration": NaN}}, '
        f'{{{item}, "duration": 1e300}}]}}'
    )
    parsed = read_playlist(doc)
    assert parsed.target_lufs is None
    assert [e.duration for e in parsed.entries] == [None, None, None]
