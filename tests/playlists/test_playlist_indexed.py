"""``build_from_index``: a big mood is planned from a sample, with a full read when the sample
cannot give a playlist without compromise."""

from __future__ import annotations

import pytest

from calmtune.errors import NothingToPlayError
from calmtune.library import Library
from calmtune.models import TagInfo
from calmtune.playlists.indexed import build_from_index, sample_size
from calmtune.playlists.recipe import Arc, Recipe, Selection

MINUTES = 12
SAMPLE_ROWS = sample_size(MINUTES * 60)  # what the builder samples for these recipes


def calm_tags(bpm: float, n: int) -> TagInfo:
    return TagInfo(
        "flac", duration=240, title="Lullaby", genre="Ambient", bpm=bpm, artist=f"Artist {n}"
    )


@pytest.fixture
def big_calm_index(tmp_path):
    """More calm tracks than one sample, of which only three sit at 40-44 BPM."""
    items = [
        (f"/m/{n:05d}.flac", 1, 1, calm_tags(60 + n % 30, n), None) for n in range(SAMPLE_ROWS * 3)
    ]
    items += [(f"/m/rare{n}.flac", 1, 1, calm_tags(40 + 2 * n, 10_000 + n), None) for n in range(3)]
    with Library.open(tmp_path / "i.db") as lib:
        lib.upsert_scanned(items)
        assert lib.count("calm") == len(items)
        yield lib


def recipe(bpm: tuple[float, float] | None, minutes: float = MINUTES) -> Recipe:
    return Recipe(
        name="test",
        description="",
        mood="calm",
        duration=minutes * 60,
        avoid_recent=False,
        select=Selection(moods=("calm",), bpm=bpm),
        arc=Arc(shape="descending", max_bpm_step=30),
    )


def test_build_from_index_samples_a_big_mood_deterministically(big_calm_index):
    first = build_from_index(big_calm_index, recipe(None), seed=5)
    again = build_from_index(big_calm_index, recipe(None), seed=5)
    assert [t.path for t in first.tracks] == [t.path for t in again.tracks]
    assert len(first.tracks) == 3 and not first.short
    (note,) = first.notes  # nothing relaxed; only that these tags carry no loudness
    assert "no known loudness" in note
    bpms = [t.tags.bpm for t in first.tracks]
    assert bpms == sorted(bpms, reverse=True)


def test_build_from_index_reads_everything_when_the_fit_lies_outside_the_sample(big_calm_index):
    # Only the three rare tracks fit: a sample seldom holds them all, so the builder must fall
    # back to the whole mood rather than fail or come up short.
    for seed in range(8):
        result = build_from_index(big_calm_index, recipe((39, 45)), seed=seed)
        paths = [t.path for t in result.tracks]
        assert set(paths) <= {f"/m/rare{n}.flac" for n in range(3)}
        assert len(paths) >= 2 and not result.short  # within one track of the 12 minutes


def test_build_from_index_nothing_fits_counts_the_whole_index(big_calm_index):
    # Moods are never relaxed: a recipe for a mood the index lacks has nothing to play.
    focus = recipe((10, 20))._replace(mood="focus", select=Selection(moods=("focus",)))
    with pytest.raises(NothingToPlayError, match=rf"\({SAMPLE_ROWS * 3 + 3} indexed, 0 focus"):
        build_from_index(big_calm_index, focus, seed=1)


def test_build_from_index_a_band_nothing_sits_in_gives_way_with_a_note(big_calm_index):
    result = build_from_index(big_calm_index, recipe((10, 20)), seed=1)
    assert not result.short and result.tracks
    note = result.notes[0]
    assert "as written fills 0 of 12 minutes (0 matching tracks)" in note
    assert "tempo band (10-20 BPM)" in note


def test_build_from_index_keeps_a_sample_plan_whose_only_note_is_unknown_tempo(tmp_path):
    # Tempo unknown everywhere: the note says so, but a full read could not do better, so the
    # plan must come from the sample (reading every row would make each build slow).
    items = [
        (f"/m/{n:05d}.flac", 1, 1, TagInfo("flac", duration=240, title="Sleep Lullaby"), None)
        for n in range(SAMPLE_ROWS * 4)
    ]
    with Library.open(tmp_path / "i.db") as lib:
        lib.upsert_scanned(items)
        assert lib.count("calm") == len(items)
        sample = {r[0] for r in lib.track_rows("calm", sample=SAMPLE_ROWS, seed=9)}
        result = build_from_index(lib, recipe(None), seed=9)
    assert any("no known tempo" in note for note in result.notes)
    assert len(result.tracks) == 3 and {t.path for t in result.tracks} <= sample


def test_sample_size_grows_with_the_playlist_length():
    assert sample_size(60) == 150 <= sample_size(25 * 60)  # a short session: the floor
    assert sample_size(3 * 3600) > 4 * sample_size(25 * 60)  # three hours: more candidates
