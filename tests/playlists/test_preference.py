"""The preference score: a Beta posterior shrunk toward the artist's record and toward neutral."""

from __future__ import annotations

import pytest

from calmtune.library import Library
from calmtune.listening import PlayOutcome
from calmtune.playlists.preference import Preferences


def tally(path, artist=None, here=(0, 0), other=(0, 0), plays=None):
    if plays is None:
        plays = sum(here) + sum(other)
    return (path, artist, *here, *other, plays)


def test_no_evidence_is_neutral_and_one_skip_does_not_bury_a_track() -> None:
    prefs = Preferences([tally("/a", here=(0, 1))])
    assert prefs.score("/new", None) == 0.5
    assert prefs.score("/a", None) == pytest.approx(2 / 5)  # one skip: 0.4, not 0


def test_repeated_skips_sink_slowly_and_finishes_rise() -> None:
    skips = [Preferences([tally("/a", here=(0, n))]).score("/a", None) for n in range(1, 11)]
    assert skips == sorted(skips, reverse=True) and skips[-1] > 0.1
    heard = [Preferences([tally("/a", here=(n, 0))]).score("/a", None) for n in range(1, 11)]
    assert heard == sorted(heard) and heard[-1] < 0.95


def test_other_recipes_count_half() -> None:
    here = Preferences([tally("/a", here=(0, 2))]).score("/a", None)
    other = Preferences([tally("/a", other=(0, 2))]).score("/a", None)
    once = Preferences([tally("/a", here=(0, 1))]).score("/a", None)
    assert here < other == pytest.approx(once)


def test_a_like_weighs_as_four_plays_heard_to_the_end() -> None:
    liked = Preferences([], liked=["/a"]).score("/a", None)
    heard = Preferences([tally("/a", here=(4, 0))]).score("/a", None)
    assert liked == pytest.approx(heard) == pytest.approx(6 / 8)


def test_an_artist_skipped_every_time_starts_its_new_tracks_low() -> None:
    prefs = Preferences(
        [tally(f"/s{i}", "skipped one", here=(0, 2)) for i in range(4)]
        + [tally(f"/k{i}", "kept", here=(2, 0)) for i in range(4)]
    )
    assert prefs.score("/s-new", "skipped one") < 0.25
    assert prefs.score("/k-new", "kept") > 0.75
    assert prefs.score("/x-new", "unknown artist") == 0.5
    assert "its artist is often skipped" in prefs.reasons("/s-new", "skipped one", "calm")


def test_reasons_in_plain_words() -> None:
    prefs = Preferences([tally("/a", here=(3, 1)), tally("/b", other=(1, 0))], liked=["/a"])
    assert prefs.reasons("/a", None, "calm") == [
        "you like it",
        "heard to the end 3 times and skipped 1 time in calm sessions",
    ]
    assert prefs.reasons("/b", None, "calm") == ["heard to the end 1 time in other sessions"]
    cut = Preferences([tally("/d", plays=2)])
    assert cut.reasons("/d", None, "calm") == ["played 2 times, always cut short (no verdict)"]
    assert prefs.reasons("/c", None, "calm") == ["never played in a session yet"]


def test_the_journal_tallies_plays_per_track_and_recipe(tmp_path) -> None:
    with Library.open(tmp_path / "i.db") as library:
        from calmtune.models import TagInfo

        library.upsert_scanned(
            [("/m/a.flac", 1, 1, TagInfo("flac", duration=60, artist=" Aa "), None)]
        )
        track = library.get_track("/m/a.flac")
        journal = library.journal
        calm, focus = journal.start("calm"), journal.start("focus")
        for sid, outcome, replay in [
            (calm, PlayOutcome.FINISHED, False),
            (calm, PlayOutcome.SKIPPED, False),
            (calm, PlayOutcome.CUT, True),  # a replay cut short still counts for it
            (focus, PlayOutcome.SKIPPED, False),
            (focus, PlayOutcome.BACK, False),
        ]:
            journal.track_played(sid, track.path, 5.0, outcome, track_id=track.id, replay=replay)
        open_play = journal.track_started(calm, track.path, track_id=track.id)  # no outcome yet
        assert open_play == 4
        tallies = journal.tallies("calm")
    assert tallies == [("/m/a.flac", "aa", 2, 1, 0, 1, 6)]
