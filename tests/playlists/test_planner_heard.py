"""What a planned session sounds like, measured on the PCM it renders.

- A session on a library with enough calm music sounds from start to end: unplanned silence (a
  window of the session before its closing silence whose peak stays under -60 dBFS) is at most
  5% of the session, for 3, 10 and 25 minutes.
- A library too small for the session gets the note and the soundscape bed, no louder than the
  last track.
- Over 20 seeds on a mixed library, no calm playlist steps up by more than 1 LU between
  neighbours as heard: by the rule for every seed, and on the PCM for some.

These run ``session.listen`` on the null output with a clock the test owns, so 25 minutes of
session take seconds; the same sessions through SDL's disk driver, in real time, are in
``test_planner_disk.py``.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from heard import (
    RATE,
    Spec,
    calm_specs,
    loudness,
    mixed_specs,
    relax,
    unplanned_silence,
    write_library,
)

from calmtune import levels
from calmtune.cli import cli

MAX_UNPLANNED = 0.05


@pytest.fixture(scope="module")
def soundscape(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from calmtune.playback.soundscape import ensure_soundscape

    return ensure_soundscape(tmp_path_factory.mktemp("soundscape"))


@pytest.fixture(scope="module")
def calm_music(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, float]]:
    """24 calm tracks of 2-4 minutes (about 72 minutes), mastered from -30 to -12 LUFS: enough
    for a 25-minute session as written."""
    folder = tmp_path_factory.mktemp("calm-music")
    return folder, write_library(folder, calm_specs(24, (120.0, 240.0)))


def _home(home: Path, music: Path, soundscape: Path) -> Path:
    result = CliRunner().invoke(cli, ["scan", str(music)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (home / "cache").mkdir(exist_ok=True)
    shutil.copy(soundscape, home / "cache" / soundscape.name)
    return home


@pytest.mark.parametrize("minutes", [3, 10, 25])
def test_relax_sounds_for_the_whole_session(isolated_home, calm_music, soundscape, minutes):
    home = _home(isolated_home, calm_music[0], soundscape)
    heard = relax(home, minutes * 60.0, seed=minutes)
    assert heard.code == 0
    share = unplanned_silence(heard)
    print(f"relax -d {minutes}m: unplanned silence {share:.2%}, notes: {heard.notes}")
    assert share <= MAX_UNPLANNED
    assert heard.notes == []  # the recipe as written filled it: nothing relaxed, no bed
    # The closing silence is silence, and the session ends at its end.
    timing = heard.timing
    assert heard.output.silent_windows(timing.music_end + 0.2, timing.duration) == round(
        (timing.duration - timing.music_end - 0.2) / 0.1
    )
    assert len(heard.output.peaks) == round(timing.duration / 0.1)


def test_relax_on_a_library_too_small_gets_the_note_and_the_bed(
    isolated_home, tmp_path, soundscape
):
    specs = [
        Spec(f"short{i}", 20.0, 80.0 - 5 * i, -24.0 - 2 * i, artist=f"A{i}", album=f"B{i}")
        for i in range(3)
    ]
    files = write_library(tmp_path / "few", specs)
    home = _home(isolated_home, tmp_path / "few", soundscape)
    heard = relax(home, 180.0, seed=1, keep_pcm=True)
    assert heard.code == 0
    (note,) = [n for n in heard.notes if "as written fills" in n]
    assert "soundscape plays the last" in note
    share = unplanned_silence(heard)
    print(f"relax -d 3m on 1 minute of music: unplanned silence {share:.2%}")
    assert share <= MAX_UNPLANNED
    # The bed is announced as the soundscape (the view shows it, not the last track again).
    announced = [Path(path).name for _, path in heard.starts]
    assert announced[: len(heard.planned)] == [Path(p).name for p in heard.planned]
    assert announced[len(heard.planned) :] == [soundscape.name]
    # The bed is no louder than the last track, as heard: a calm session never steps up at it.
    pcm = heard.output.pcm()
    last = heard.planned[-1]
    last_start = next(at for at, path in heard.starts if path == last)
    music_end = last_start + 20.0
    last_heard = loudness(pcm[int((last_start + 4) * RATE) : int((music_end - 4) * RATE)], RATE)
    bed_from, bed_to = music_end + 5, heard.timing.music_end - 25  # before the closing fade
    bed_heard = loudness(pcm[int(bed_from * RATE) : int(bed_to * RATE)], RATE)
    planned = levels.heard_loudness(files[last], levels.target_for("calm"))
    assert abs(last_heard - planned) < 0.5
    assert bed_heard <= last_heard + 0.5  # the planned bed level is the last track's


@pytest.fixture(scope="module")
def mixed_music(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, float]]:
    folder = tmp_path_factory.mktemp("mixed-music")
    return folder, write_library(folder, mixed_specs())


def _steps(values: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(values)]


def test_calm_over_20_seeds_never_steps_up_more_than_1_lu_as_heard(
    isolated_home, mixed_music, soundscape
):
    from calmtune.library import Library
    from calmtune.playlists.indexed import build_from_index
    from calmtune.playlists.recipe import get_recipe

    folder, files = mixed_music
    home = _home(isolated_home, folder, soundscape)
    recipe = get_recipe("calm")
    target = levels.target_for("calm", recipe.target_lufs)
    worst, quieter = -99.0, 0
    with Library.open(home / "library.db") as library:
        for seed in range(20):
            playlist = build_from_index(library, recipe, duration=270.0, seed=seed, cover=True)
            # The rule, applied to the loudness measured on the files (not the index's).
            heard = [levels.heard_loudness(files[t.path], target) for t in playlist.tracks]
            assert len(heard) >= 4
            steps = _steps(heard)
            worst = max(worst, *steps)
            assert max(steps) <= 1.0 + 0.05, (seed, heard)
            assert heard[-1] <= heard[0]  # never louder than the start, so never at the end
            quieter += heard[-1] < heard[0]
    print(f"largest step up over 20 seeds, by the rule: {worst:+.2f} LU; ends quieter: {quieter}")
    assert quieter >= 15  # the library has quieter calm music: most arcs end below the start


@pytest.mark.parametrize("seed", [0, 7, 13])
def test_calm_steps_measured_on_the_pcm_match_the_rule(
    isolated_home, mixed_music, soundscape, seed
):
    folder, files = mixed_music
    home = _home(isolated_home, folder, soundscape)
    heard = relax(home, 300.0, seed=seed, keep_pcm=True)
    assert heard.code == 0
    pcm = heard.output.pcm()
    target = levels.target_for("calm")
    # Each track's first start (the bed may be announced under the last track's name).
    first = {}
    for at, path in heard.starts:
        if path in files:
            first.setdefault(path, at)
    paths, starts = list(first), list(first.values())
    assert paths == heard.planned[: len(paths)], (heard.starts, heard.planned)
    measured, planned = [], []
    # Every track but the last, which the session's closing fade takes out.
    for i, (at, path) in enumerate(zip(starts[:-1], paths[:-1], strict=True)):
        end = starts[i + 1]
        # Skip the crossfades, the session's fade-in and its closing fade: the track alone, at
        # its own gain.
        lo, hi = at + 6.0, min(end, heard.timing.closing_starts) - 1.0
        if hi - lo < 3.0:
            continue
        measured.append(loudness(pcm[int(lo * RATE) : int(hi * RATE)], RATE))
        planned.append(levels.heard_loudness(files[path], target))
    assert len(measured) >= 3
    print(f"seed {seed}: notes {heard.notes}")
    for got, want in zip(measured, planned, strict=True):
        assert abs(got - want) < 0.5, (measured, planned)
    print(f"seed {seed}: heard on the PCM {[round(v, 1) for v in measured]}")
    assert max(_steps(measured)) <= 1.0 + 0.5  # the rule's 1 LU, within the meter's 0.5
