"""`calmtune playlist ...` end to end: real tagged files, a real scan into SQLite, CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli
from loaded_modules import run_watching


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def calm_library(tmp_path):
    """Six calm FLAC files (mood and BPM tags) and two upbeat ones, scanned into the index."""
    root = tmp_path / "music"
    root.mkdir()
    for i in range(6):
        make_tagged_file(
            root / f"calm{i}",
            "flac",
            seconds=1.0 + i * 0.1,
            title=f"Calm {i}",
            artist=f"Artist {i}",
            album=f"Album {i}",
            genre="Ambient",
            bpm=60 + i * 4,
            mood="Relaxed",
        )
    for i in range(2):
        make_tagged_file(
            root / f"loud{i}", "flac", title=f"Loud {i}", genre="Dance", bpm=128, mood="Energetic"
        )
    result = run("scan", "--json", str(root))
    assert result.exit_code == 0, result.output
    return root


def test_playlist_recipes_json_lists_builtins_and_user_override(isolated_home):
    (isolated_home / "recipes").mkdir()
    (isolated_home / "recipes" / "calm.toml").write_text(
        'description = "Mine"\nmood = "calm"\n', encoding="utf-8"
    )
    result = run("playlist", "recipes", "--json")
    assert result.exit_code == 0, result.output
    by_name = {r["name"]: r for r in json.loads(result.stdout)}
    assert {"calm", "upbeat", "focus", "sleep", "wind-down"} <= set(by_name)
    assert by_name["calm"] == {
        "name": "calm",
        "description": "Mine",
        "mood": "calm",
        "source": "user",
    }
    assert by_name["sleep"]["source"] == "builtin"


def test_playlist_build_json_follows_the_recipe_and_the_seed(calm_library):
    args = ("playlist", "build", "calm", "--duration", "5s", "--seed", "11", "--format", "json")
    first = run(*args)
    assert first.exit_code == 0, first.output
    doc = json.loads(first.stdout)
    assert doc["recipe"] == "calm" and doc["seed"] == 11 and doc["duration_target"] == 5
    titles = [t["title"] for t in doc["tracks"]]
    assert titles and all(t.startswith("Calm") for t in titles)
    bpms = [t["bpm"] for t in doc["tracks"]]
    assert bpms == sorted(bpms, reverse=True)  # the calm arc descends
    assert [t["position"] for t in doc["tracks"]] == list(range(1, len(titles) + 1))
    assert run(*args).stdout == first.stdout


def test_playlist_build_short_library_notes_on_stderr(calm_library):
    result = run("playlist", "build", "calm", "--duration", "20m", "--format", "paths")
    assert result.exit_code == 0, result.output
    paths = result.stdout.splitlines()
    assert len(paths) == 6 and all("calm" in p for p in paths)
    assert "note:" in result.stderr and "of 20 minutes" in result.stderr


def test_playlist_build_output_file_and_save_then_show(calm_library, isolated_home, tmp_path):
    out = tmp_path / "evening.m3u8"
    result = run(
        "playlist", "build", "calm", "-d", "4s", "--seed", "3", "-o", str(out), "--save", "evening"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith(
        "#EXTM3U\n#PLAYLIST:calmtune calm (seed 3)\n#CALMTUNE:target_lufs=-23\n#EXTINF:"
    )
    saved = isolated_home / "playlists" / "evening.m3u8"
    assert saved.read_text(encoding="utf-8") == text
    shown = run("playlist", "show", str(out), "--json")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    listed = [line for line in text.splitlines() if not line.startswith("#")]
    assert [t["path"] for t in doc["tracks"]] == listed
    assert all(t["indexed"] and t["mood"] == "calm" for t in doc["tracks"])
    table = run("playlist", "show", str(out))
    assert table.exit_code == 0
    assert "Artist" in table.stdout and "tempo" in table.stdout


def test_playlist_show_warns_about_urls_and_missing_files(calm_library, tmp_path):
    playlist = tmp_path / "mixed.m3u"
    playlist.write_text(
        f"#EXTM3U\r\n{calm_library}/calm0.flac\r\nhttps://example.com/live\r\nnope.flac\r\n",
        encoding="utf-8",
    )
    result = run("playlist", "show", str(playlist), "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["tracks"]) == 1
    assert "line 3" in result.stderr and "line 4" in result.stderr


def test_playlist_build_empty_library_exits_4_and_says_scan():
    result = run("playlist", "build", "calm")
    assert result.exit_code == 4
    assert "calmtune scan" in result.stderr


def test_playlist_build_broken_user_recipe_names_file_and_field(isolated_home):
    (isolated_home / "recipes").mkdir()
    bad = isolated_home / "recipes" / "mine.toml"
    bad.write_text('description = "x"\nmood = "calm"\n[arc]\nshape = "zigzag"\n', encoding="utf-8")
    result = run("playlist", "build", "mine")
    assert result.exit_code == 1
    assert str(bad) in result.stderr and "arc.shape" in result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
@pytest.mark.parametrize("command", [("playlist", "build", "mine"), ("play", "--no-ui", "mine")])
def test_a_recipe_min_score_that_is_not_finite_is_one_line_naming_file_and_key(
    isolated_home, value, command
):
    """min_score = nan was accepted: every comparison with nan is false, so nothing was left out."""
    (isolated_home / "recipes").mkdir()
    bad = isolated_home / "recipes" / "mine.toml"
    bad.write_text(f'description = "x"\nmood = "calm"\n[select]\nmin_score = {value}\n')
    result = run(*command)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("calmtune: error: ") and str(bad) in line
    assert f"'select.min_score' is {value}" in line and "from 0 to 1" in line


@pytest.mark.parametrize("value", ["soon", "0", "-5m"])
def test_playlist_build_bad_duration_is_a_usage_error(value):
    result = run("playlist", "build", "calm", "--duration", value)
    assert result.exit_code == 2
    assert "--duration" in result.stderr


def test_playlist_build_no_match_in_a_full_library_says_what_to_do(tmp_path):
    root = tmp_path / "loud"
    root.mkdir()
    make_tagged_file(root / "a", "flac", title="A", genre="Dance", bpm=130, mood="Energetic")
    assert run("scan", str(root)).exit_code == 0
    result = run("playlist", "build", "sleep")
    assert result.exit_code == 4
    assert "1 indexed, 0 calm" in result.stderr and "loosen" in result.stderr


def test_playlist_build_loads_only_what_it_needs(calm_library):
    # Building a playlist neither plays, analyses, tags nor draws: the heavy libraries behind
    # those stay unloaded (docs/design.md, "Start-up: heavy imports stay lazy").
    args = ["playlist", "build", "calm", "--seed", "3", "--format", "paths"]
    done, loaded = run_watching(args, ["numpy", "rich", "mutagen", "pygame", "logging"])
    assert ".flac" in done.stdout
    assert loaded == []


@pytest.mark.parametrize("fmt", ["json", "m3u8", "paths"])
def test_playlist_show_reads_every_format_build_writes(calm_library, tmp_path, fmt):
    out = tmp_path / f"evening.{fmt}"
    built = run(
        "playlist", "build", "calm", "-d", "4s", "--seed", "5", "--format", fmt, "-o", str(out)
    )
    assert built.exit_code == 0, built.output
    expected = (
        [t["path"] for t in json.loads(out.read_text())["tracks"]]
        if fmt == "json"
        else [line for line in out.read_text().splitlines() if not line.startswith("#")]
    )
    assert expected
    shown = run("playlist", "show", str(out), "--json")
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.stdout)
    assert doc["warnings"] == [] and "warning" not in shown.stderr
    assert [t["path"] for t in doc["tracks"]] == expected
    assert all(t["indexed"] for t in doc["tracks"])


def test_playlist_show_json_that_is_not_a_playlist_says_so_in_one_line(tmp_path):
    other = tmp_path / "settings.json"
    other.write_text('{"volume": 3}', encoding="utf-8")
    result = run("playlist", "show", str(other))
    assert result.exit_code == 1
    assert "not a calmtune playlist" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    broken = tmp_path / "broken.json"
    broken.write_text('{"tracks": [', encoding="utf-8")
    result = run("playlist", "show", str(broken))
    assert result.exit_code == 1 and "line 1" in result.stderr


def test_playlist_saved_is_listed_shown_by_name_and_played_by_name(calm_library, isolated_home):
    import os
    import subprocess
    import sys

    saved = run("playlist", "build", "calm", "-d", "3s", "--seed", "2", "--save", "my evening")
    assert saved.exit_code == 0, saved.output
    assert "calmtune play 'my evening'" in saved.stderr
    paths = [line for line in saved.stdout.splitlines() if not line.startswith("#")]
    listed = run("playlist", "list", "--json")
    assert listed.exit_code == 0, listed.output
    (entry,) = json.loads(listed.stdout)
    assert entry["name"] == "my evening" and entry["tracks"] == len(paths)
    assert entry["missing"] == 0 and entry["duration"] > 0
    table = run("playlist", "list")
    assert "my evening" in table.stdout
    shown = run("playlist", "show", "my evening", "--json")
    assert [t["path"] for t in json.loads(shown.stdout)["tracks"]] == paths

    env = {**os.environ, "SDL_AUDIODRIVER": "dummy", "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
    played = subprocess.run(
        [sys.executable, "-m", "calmtune", "play", "my evening", "--no-ui", "--fade-in", "0"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert played.returncode == 0, played.stderr
    from calmtune.library import Library

    with Library.open(isolated_home / "library.db") as lib:
        (session,) = lib.journal.sessions()
    assert list(session.tracks) == paths


def test_playlist_list_without_saved_playlists_says_how_to_save():
    result = run("playlist", "list")
    assert result.exit_code == 0
    assert "--save NAME" in result.stderr


@pytest.mark.parametrize(
    ("name", "problem"), [("calm", "recipe"), ("../up", "letters"), (".x", "letters")]
)
def test_playlist_build_save_refuses_recipe_names_and_paths(calm_library, name, problem):
    result = run("playlist", "build", "calm", "-d", "3s", "--save", name)
    assert result.exit_code == 2
    assert problem in result.stderr


def test_play_a_missing_name_says_what_it_looked_for(calm_library):
    import os
    import subprocess
    import sys

    env = {**os.environ, "SDL_AUDIODRIVER": "dummy", "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "calmtune", "play", "nope", "--no-ui"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 4
    assert "saved playlist" in done.stderr


def test_playlist_show_draws_loudness_as_heard_at_the_planned_target(tmp_path):
    # Masters louder than the calm target are all turned down to it: what is heard never rises,
    # although the files' own loudness does (-16 then -12 LUFS).
    root = tmp_path / "music"
    root.mkdir()
    for i, gain in enumerate((-2.0, -6.0)):  # ReplayGain: -16 and -12 LUFS as mastered
        make_tagged_file(
            root / f"calm{i}", "flac", seconds=1.0, title=f"Calm {i}", artist=f"A{i}",
            genre="Ambient", bpm=70 - i, mood="Relaxed", replaygain_track_gain=f"{gain} dB",
        )  # fmt: skip
    assert run("scan", str(root)).exit_code == 0
    out = tmp_path / "p.m3u8"
    built = run("playlist", "build", "calm", "-d", "2s", "--seed", "1", "-o", str(out))
    assert built.exit_code == 0, built.output
    shown = run("playlist", "show", str(out), "--json")
    doc = json.loads(shown.stdout)
    assert doc["target_lufs"] == -23
    assert [t["heard_lufs"] for t in doc["tracks"]] == [-23.0, -23.0]
    table = run("playlist", "show", str(out))
    assert "Heard" in table.stdout and "as heard at -23 LUFS" in table.stdout


def test_playlist_build_plans_for_the_level_the_settings_set(calm_library, isolated_home):
    args = ("playlist", "build", "calm", "-d", "3s", "--seed", "1", "--format", "json")
    assert json.loads(run(*args).stdout)["target_lufs"] == -23  # the calm recipe's
    (isolated_home / "settings.toml").write_text("[playback]\ntarget_lufs = -30\n")
    doc = json.loads(run(*args).stdout)
    assert doc["target_lufs"] == -30
    assert all(t["heard_lufs"] is None or t["heard_lufs"] <= -30 for t in doc["tracks"])


def test_recipes_one_broken_user_recipe_lists_the_others_names_it_and_exits_1(isolated_home):
    folder = isolated_home / "recipes"
    folder.mkdir()
    (folder / "broken.toml").write_text('description = "x"\nmood = "calm"\nfade_in = "slow"\n')
    (folder / "mine.toml").write_text('description = "Mine"\nmood = "focus"\n')
    result = run("playlist", "recipes")
    assert result.exit_code == 1
    listed = result.stdout
    assert "mine" in listed and "calm" in listed and "focus" in listed
    assert "broken" not in listed
    assert "recipe 'broken' is not listed" in result.stderr and "fade_in" in result.stderr
    as_json = run("playlist", "recipes", "--json")
    assert as_json.exit_code == 1
    assert {"mine", "calm"} <= {r["name"] for r in json.loads(as_json.stdout)}


def test_a_broken_user_recipe_replacing_a_builtin_hides_it_and_play_says_why(
    isolated_home, tmp_path
):
    folder = isolated_home / "recipes"
    folder.mkdir()
    (folder / "calm.toml").write_text('description = "x"\nmood = "calm"\n[select\n')
    listed = run("playlist", "recipes", "--json")
    assert "calm" not in {r["name"] for r in json.loads(listed.stdout)}
    played = CliRunner().invoke(cli, ["play", "calm", "--no-ui"])
    assert played.exit_code == 1
    assert "calm.toml: not valid TOML" in played.stderr


def test_build_note_speaks_of_the_length_asked_for(calm_library):
    result = run("playlist", "build", "calm", "--duration", "10s", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "of 0.2 minutes" in result.stderr  # 10 s, not the recipe's 25 minutes
    assert "25 minutes" not in result.stderr


def test_a_name_with_a_line_break_is_a_url_in_m3u8_and_left_out_of_paths_saying_so(
    calm_library, tmp_path
):
    make_tagged_file(
        calm_library / "two\nlines", "flac", title="Broken name", genre="Ambient", bpm=64,
        mood="Relaxed",
    )  # fmt: skip
    assert run("scan", str(calm_library)).exit_code == 0
    m3u = run("playlist", "build", "calm", "title:broken", "--seed", "1")
    assert m3u.exit_code == 0, m3u.output
    assert f"file://{calm_library}/two%0Alines.flac\n" in m3u.stdout
    paths = run("playlist", "build", "calm", "title:broken", "--seed", "1", "--format", "paths")
    assert paths.exit_code == 0, paths.output
    assert "lines.flac" not in paths.stdout
    (warning,) = [line for line in paths.stderr.splitlines() if "left out" in line]
    assert f"left out {calm_library}/two\\x0alines.flac: its name holds a line break" in warning
    assert "--format m3u8 or json" in warning
