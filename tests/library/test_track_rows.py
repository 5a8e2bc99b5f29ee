"""``Library.track_rows`` (SQL) must agree with ``playlists.select.track_row`` (from a Track)."""

from calmtune.library import Library
from calmtune.models import Features, TagInfo
from calmtune.playlists.select import TrackRow, track_row


def test_track_rows_match_rows_built_from_tracks(tmp_path):
    with Library.open(tmp_path / "i.db") as lib:
        items = [
            (
                "/m/a.flac",
                TagInfo("flac", duration=200, title="A", artist="X", bpm=70, genre="Ambient"),
            ),
            ("/m/b.mp3", TagInfo("mp3", duration=180, artist="Y", replaygain_track_gain=-6.5)),
            ("/m/c.m4a", TagInfo("m4a", duration=None, albumartist="Z", album="Q")),
            ("/m/d.ogg", TagInfo("ogg", duration=90, bpm=0, replaygain_track_gain=2.0)),
            ("/m/e.flac", TagInfo("flac", duration=90, bpm=60)),
        ]
        lib.upsert_scanned([(p, 10, 20, t, None) for p, t in items])
        lib.store_features("/m/a.flac", 10, 20, Features(bpm=66.5, loudness_lufs=-24.0), None)
        lib.store_features("/m/b.mp3", 99, 99, Features(bpm=120, loudness_lufs=-9.0), None)  # stale
        lib.store_features("/m/d.ogg", 10, 20, None, "cannot decode")
        unsure = Features(bpm=121.0, bpm_confidence=0.12, loudness_lufs=-20.0)
        lib.store_features("/m/e.flac", 10, 20, unsure, None)
        lib.set_user_mood("/m/c.m4a", "focus")
        expected = [track_row(t) for t in lib.iter_tracks(sort="path")]
        got = [TrackRow._make(r) for r in lib.track_rows()]
        calm = [r[0] for r in lib.track_rows(mood="calm")]
    assert got == expected
    assert got[0].bpm == 66.5 and got[0].lufs == -24.0  # measured wins
    assert got[1].bpm is None and got[1].lufs == -11.5  # stale analysis ignored; gain used
    assert got[3].bpm is None  # a BPM tag of 0 means unknown
    assert got[4].bpm == 60  # an unsure measurement does not override the tag
    assert calm == [r.path for r in expected if r.mood == "calm"]


def test_count_untagged_counts_confident_inferred_moods_only(tmp_path):
    with Library.open(tmp_path / "i.db") as lib:
        calm = TagInfo("flac", duration=200, title="Sleep Lullaby", genre="Ambient", bpm=64)
        bare = TagInfo("flac", duration=200)
        lib.upsert_scanned([("/m/a.flac", 1, 1, calm, None), ("/m/b.flac", 1, 1, bare, None)])
        assert lib.get_track("/m/a.flac").scores.mood.value == "calm"
        assert lib.get_track("/m/b.flac").scores.mood.value == "unknown"
        assert lib.count_untagged() == 1
        lib.set_user_mood("/m/a.flac", "calm")
        assert lib.count_untagged() == 0


def test_track_rows_sample_is_a_seeded_subset_of_one_mood(tmp_path):
    with Library.open(tmp_path / "i.db") as lib:
        calm = TagInfo("flac", duration=200, title="Sleep Lullaby", genre="Ambient", bpm=64)
        loud = TagInfo("flac", duration=200, title="Party Anthem", genre="Dance", bpm=128)
        items = [(f"/m/c{n:03d}.flac", 1, 1, calm, None) for n in range(300)]
        items += [(f"/m/u{n:03d}.flac", 1, 1, loud, None) for n in range(50)]
        lib.upsert_scanned(items)
        everything = {r[0] for r in lib.track_rows(mood="calm")}
        first = lib.track_rows(mood="calm", sample=40, seed=7)
        again = lib.track_rows(mood="calm", sample=40, seed=7)
        other = lib.track_rows(mood="calm", sample=40, seed=8)
        small = lib.track_rows(mood="upbeat", sample=400, seed=7)
    assert len(everything) == 300
    assert first == again and 20 <= len(first) <= 40  # about 40: five runs of up to eight
    assert {r[0] for r in first} <= everything
    picked, picked_other = {r[0] for r in first}, {r[0] for r in other}
    assert len(picked & picked_other) < len(picked) / 2  # neighbouring seeds: unrelated samples
    assert len(small) == 50  # a sample larger than the mood is the whole mood


def test_every_sort_order_runs_and_puts_unknown_values_last(tmp_path):
    from calmtune.library.index import SORT_COLUMNS

    with Library.open(tmp_path / "i.db") as lib:
        lib.upsert_scanned(
            [
                ("/m/a.flac", 1, 1, TagInfo("flac", duration=10, bpm=120, title="b"), None),
                ("/m/b.flac", 1, 1, TagInfo("flac", duration=20, bpm=60, title="a"), None),
                ("/m/c.flac", 1, 1, TagInfo("flac"), None),
            ]
        )
        unsure = Features(bpm=200.0, bpm_confidence=0.05)
        lib.store_features("/m/a.flac", 1, 1, unsure, None)
        orders = {name: [t.path for t in lib.iter_tracks(sort=name)] for name in SORT_COLUMNS}
    assert all(
        sorted(paths) == ["/m/a.flac", "/m/b.flac", "/m/c.flac"] for paths in orders.values()
    )
    assert orders["bpm"] == ["/m/b.flac", "/m/a.flac", "/m/c.flac"]  # 60, 120 (tag wins), none
    assert orders["duration"] == ["/m/a.flac", "/m/b.flac", "/m/c.flac"]
    assert orders["title"][-1] == "/m/c.flac"


def test_track_rows_sample_spreads_over_many_albums(tmp_path):
    # A scan stores an album under consecutive ids; a sample must not come from a few albums.
    items = []
    for album in range(400):
        for track in range(12):
            tags = TagInfo(
                "flac", duration=200, title="Lullaby", genre="Ambient", bpm=64, album=f"A{album}"
            )
            items.append((f"/m/{album:03d}/{track:02d}.flac", 1, 1, tags, None))
    with Library.open(tmp_path / "i.db") as lib:
        lib.upsert_scanned(items)
        rows = lib.track_rows(mood="calm", sample=400, seed=3)
    albums = {r[6] for r in rows}
    assert 300 <= len(rows) <= 400
    assert len(albums) >= 40  # about 50 runs of 8, each in one or two albums
    assert rows == sorted(rows, key=lambda r: r[0])
