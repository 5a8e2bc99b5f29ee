"""``calmtune like`` and ``calmtune ban`` through the command line, on a real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiofiles import write_tone
from calmtune.cli import cli
from calmtune.library import Library
from calmtune.listening import Verdict


@pytest.fixture
def music(tmp_path: Path) -> Path:
    folder = tmp_path / "music"
    (folder / "album").mkdir(parents=True)
    write_tone(folder / "a.wav", 0.5, freq=300)
    write_tone(folder / "album" / "b.wav", 0.5, freq=400)
    write_tone(folder / "album" / "c.wav", 0.5, freq=500)
    write_tone(folder / "albumette.wav", 0.5, freq=600)  # shares the folder's name as a prefix
    result = CliRunner().invoke(cli, ["scan", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def verdicts(home: Path, recipe: str | None = None) -> dict[str, Verdict | None]:
    with Library.open(home / "library.db") as library:
        return {
            Path(t.path).name: library.preferences.verdict(t.id, recipe)
            for t in library.iter_tracks(sort="path")
        }


def test_like_a_file_and_undo_it(isolated_home: Path, music: Path) -> None:
    result = run("like", str(music / "a.wav"))
    assert result.exit_code == 0, result.output
    assert "liked 1 track (every recipe)" in result.stderr
    assert verdicts(isolated_home)["a.wav"] is Verdict.LIKE
    again = run("like", str(music / "a.wav"))
    assert "1 was already so" in again.stderr
    listed = run("like")
    assert listed.stdout == f"{music / 'a.wav'}\tevery recipe\n"
    undone = run("like", "--undo", str(music / "a.wav"))
    assert undone.exit_code == 0 and "no longer liked: 1 track" in undone.stderr
    assert verdicts(isolated_home)["a.wav"] is None


def test_ban_a_folder_for_one_recipe_only(isolated_home: Path, music: Path) -> None:
    result = run("ban", str(music / "album"), "--recipe", "calm", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == "ban" and data["recipe"] == "calm" and data["changed"] == 2
    assert [Path(p).name for p in data["tracks"]] == ["b.wav", "c.wav"]  # not albumette.wav
    in_calm, in_focus = verdicts(isolated_home, "calm"), verdicts(isolated_home, "focus")
    assert in_calm["b.wav"] is Verdict.BAN and in_calm["c.wav"] is Verdict.BAN
    assert in_calm["albumette.wav"] is None
    assert in_focus["b.wav"] is None  # a ban from calm keeps it in focus playlists
    listed = json.loads(run("ban", "--json").stdout)
    assert {(Path(p["path"]).name, p["recipe"]) for p in listed} == {
        ("b.wav", "calm"),
        ("c.wav", "calm"),
    }
    lifted = run("ban", "--undo", "--recipe", "calm", str(music / "album" / "b.wav"))
    assert "lifted the ban on 1 track from calm" in lifted.stderr
    assert verdicts(isolated_home, "calm")["b.wav"] is None


def test_a_ban_wins_over_a_like(isolated_home: Path, music: Path) -> None:
    assert run("like", str(music / "a.wav")).exit_code == 0
    assert run("ban", str(music / "a.wav"), "--recipe", "calm").exit_code == 0
    assert verdicts(isolated_home, "calm")["a.wav"] is Verdict.BAN
    assert verdicts(isolated_home, "upbeat")["a.wav"] is Verdict.LIKE


def test_a_path_not_in_the_index_is_one_line_and_the_rest_goes_on(
    isolated_home: Path, music: Path, tmp_path: Path
) -> None:
    result = run("ban", str(tmp_path / "nowhere.flac"), str(music / "a.wav"))
    assert result.exit_code == 1
    assert "nowhere.flac is not in the index" in result.stderr
    assert "1 of 2 paths not in the index" in result.stderr
    assert "Traceback" not in result.output
    assert verdicts(isolated_home)["a.wav"] is Verdict.BAN  # the other path was banned


def test_an_unknown_recipe_and_an_undo_without_path_are_usage_errors(music: Path) -> None:
    unknown = run("ban", str(music / "a.wav"), "--recipe", "nosuch")
    assert unknown.exit_code == 2 and "no recipe called 'nosuch'" in unknown.stderr
    assert "calm" in unknown.stderr  # names the recipes there are
    bare = run("like", "--undo")
    assert bare.exit_code == 2 and "--undo needs the PATH" in bare.stderr


def test_nothing_liked_yet_says_so(music: Path) -> None:
    result = run("like")
    assert result.exit_code == 0 and result.stdout == ""
    assert "nothing liked yet" in result.stderr
