from audiofiles import make_tagged_file
from calmtune.library import Library
from calmtune.library.scanner import scan
from calmtune.mood import MoodSettings


def test_changed_mood_settings_rescore_on_the_next_scan(tmp_path):
    make_tagged_file(tmp_path / "a", "flac", title="Sleep Lullaby", genre="Ambient", bpm=64)
    db = tmp_path / "i.db"
    with Library.open(db) as lib:
        scan(lib, [str(tmp_path)])
        before = lib.get_track(str(tmp_path / "a.flac")).scores
    strict = MoodSettings.from_mapping({"confidence_threshold": 0.99}, "test")
    with Library.open(db, mood_settings=strict) as lib:
        report = scan(lib, [str(tmp_path)])
        after = lib.get_track(str(tmp_path / "a.flac")).scores
        assert lib.rescore_if_rules_changed() == 0  # nothing changed since
    assert report.unchanged == 1  # the file was not read again
    assert before.mood.value != "unknown"
    assert after.mood.value == "unknown"
