"""``playlist build --explain`` names the reasons for each pick; bans keep tracks out, likes and
the listening history reach the planner, on a real index through the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli
from calmtune.library import Library
from calmtune.listening import PlayOutcome


def _library(folder: Path) -> list[Path]:
    folder.mkdir()
    files = []
    for n in range(12):
        files.append(
            make_tagged_file(
                folder / f"{n:02d}",
                "flac",
                seconds=1.0,
                rate=22050,
                title=f"Song {n}",
                artist=f"Artist {n % 4}",
                mood="calm",
                bpm=84 - 2 * n,
                replaygain_track_gain="5.0 dB",
            )
        )
    result = CliRunner().invoke(cli, ["scan", str(folder)])
    assert result.exit_code == 0, result.output
    return files


def _build(*extra: str):
    return CliRunner().invoke(
        cli, ["playlist", "build", "calm", "-d", "8s", "--seed", "3", "--format", "json", *extra]
    )


def test_explain_names_the_reasons_for_each_pick(isolated_home: Path, tmp_path: Path) -> None:
    files = _library(tmp_path / "music")
    plain = _build()
    assert plain.exit_code == 0, plain.output
    assert all("why" not in t for t in json.loads(plain.stdout)["tracks"])  # only with --explain
    picked = [t["path"] for t in json.loads(plain.stdout)["tracks"]]
    liked, banned = picked[0], picked[1]
    assert CliRunner().invoke(cli, ["like", liked]).exit_code == 0
    assert CliRunner().invoke(cli, ["ban", banned, "--recipe", "calm"]).exit_code == 0
    with Library.open(isolated_home / "library.db") as library:
        track = library.get_track(str(files[11]))
        sid = library.journal.start("calm")
        library.journal.track_played(sid, track.path, 1.0, PlayOutcome.FINISHED, track_id=track.id)
    result = _build("--explain")
    assert result.exit_code == 0, result.output
    tracks = json.loads(result.stdout)["tracks"]
    paths = [t["path"] for t in tracks]
    assert banned not in paths  # a ban keeps it out
    for t in tracks:
        words = "; ".join(t["why"])
        assert "BPM" in words and "LUFS" in words and "preference" in words
    why = {t["path"]: "; ".join(t["why"]) for t in tracks}
    assert "you like it" in why[liked]
    assert any("never played in a session yet" in w for w in why.values())
    if str(files[11]) in why:
        assert "heard to the end 1 time in calm sessions" in why[str(files[11])]
    lines = [line for line in result.stderr.splitlines() if line.startswith("calmtune: why ")]
    assert len(lines) == len(tracks) and lines[0].startswith("calmtune: why 1. Song ")


def test_explain_without_any_history_says_so(isolated_home: Path, tmp_path: Path) -> None:
    _library(tmp_path / "music")
    result = _build("--explain")
    assert result.exit_code == 0, result.output
    for t in json.loads(result.stdout)["tracks"]:
        assert "no listening history yet" in t["why"]


def test_a_liked_track_is_favoured_over_its_neighbours(isolated_home: Path, tmp_path: Path):
    """Over many seeds, a liked track is picked more often than before the like."""
    files = _library(tmp_path / "music")
    target = str(files[5])

    def times_picked() -> int:
        count = 0
        for seed in range(12):
            result = CliRunner().invoke(
                cli, ["playlist", "build", "calm", "-d", "8s", "--seed", str(seed), "--format",
                      "paths"],
            )  # fmt: skip
            count += target in result.stdout.splitlines()
        return count

    before = times_picked()
    assert CliRunner().invoke(cli, ["like", target]).exit_code == 0
    assert times_picked() > before
