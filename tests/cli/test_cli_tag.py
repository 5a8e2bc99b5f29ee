"""``calmtune tag`` end to end through click's CliRunner, on real files and a real index."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import mutagen
import pytest
from click.testing import CliRunner

from audiofiles import make_tagged_file
from calmtune.cli import cli
from calmtune.config import Paths
from calmtune.library import Library
from calmtune.models import Features

CALM = dict(title="Rain lullaby", genre="Ambient", bpm="64")


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def run_json(*args: str) -> dict | list:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def tracks_by_name() -> dict[str, dict]:
    return {os.path.basename(t["path"]): t for t in run_json("tracks")}


def temp_files(folder) -> list[str]:
    return [n for n in os.listdir(folder) if "calmtune-tmp" in n]


def test_tag_writes_inferred_mood_and_keeps_index_in_step(tmp_path):
    a = make_tagged_file(tmp_path / "a", "flac", **CALM)
    b = make_tagged_file(tmp_path / "b", "mp3", **CALM)
    run_json("scan", tmp_path)
    report = run_json("tag", tmp_path)
    assert (report["written"], report["unchanged"], report["failed"]) == (2, 0, [])
    assert {(c["field"], c["new"]) for c in report["changes"]} >= {("mood", "Calm")}
    assert mutagen.File(a)["MOOD"] == ["Calm"]
    assert str(mutagen.File(b).tags["TMOO"]) == "Calm"
    tracks = tracks_by_name()
    assert tracks["a.flac"]["mood"] == "calm"
    assert tracks["a.flac"]["mood_source"] == "calmtune"
    rescan = run_json("scan", tmp_path)
    assert (rescan["updated"], rescan["unchanged"]) == (0, 2)  # the index saw calmtune's own write
    again = run_json("tag", tmp_path)
    assert (again["written"], again["unchanged"]) == (0, 2)


@pytest.mark.parametrize(
    ("fmt", "raw"),
    [
        ("mp3", {"TMOO": "Chill"}),
        ("mp3v23", {"TXXX:mood": "Relaxed"}),
        ("flac", {"MOOD": "Peaceful"}),
        ("m4a", {"----:com.apple.iTunes:MOOD": "Chill"}),
        ("ogg", {"MOOD": "Melancholic"}),  # a word calmtune does not map: kept all the same
    ],
)
def test_tag_automatic_run_leaves_other_taggers_moods_alone(tmp_path, fmt, raw):
    path = make_tagged_file(tmp_path / "other", fmt, title="Party anthem", genre="Dance", raw=raw)
    before = path.read_bytes()
    run_json("scan", tmp_path)
    track = tracks_by_name()[path.name]
    if fmt != "ogg":
        assert (track["mood"], track["mood_source"]) == ("calm", "user")
    report = run_json("tag", tmp_path)
    assert (report["written"], report["skipped"]) == (0, 1)
    assert path.read_bytes() == before


def test_tag_force_replaces_a_user_mood_with_the_inferred_one(tmp_path):
    path = make_tagged_file(tmp_path / "f", "ogg", raw={"MOOD": "Party"}, **CALM)
    run_json("scan", tmp_path)
    assert tracks_by_name()["f.ogg"]["mood"] == "upbeat"
    report = run_json("tag", tmp_path, "--force")
    assert report["written"] == 1
    assert mutagen.File(path)["MOOD"] == ["Calm"]
    assert tracks_by_name()["f.ogg"]["mood_source"] == "calmtune"


def test_tag_manual_mood_is_the_users_and_survives_automatic_runs(tmp_path):
    path = make_tagged_file(tmp_path / "m", "m4a", **CALM)
    run_json("scan", tmp_path)
    report = run_json("tag", path, "--mood", "focus")
    assert report["written"] == 1
    tags = mutagen.File(path).tags
    assert bytes(tags["----:com.apple.iTunes:MOOD"][0]) == b"Focus"
    assert bytes(tags["----:org.calmtune:CALMTUNE"][0]) == b"mood=user:Focus"
    track = tracks_by_name()["m.m4a"]
    assert (track["mood"], track["mood_source"]) == ("focus", "user")
    before = path.read_bytes()
    assert run_json("tag", tmp_path)["skipped"] == 1
    assert path.read_bytes() == before


def test_tag_dry_run_shows_changes_and_writes_nothing(tmp_path):
    path = make_tagged_file(tmp_path / "d", "wav", **CALM)
    run_json("scan", tmp_path)
    before = path.read_bytes()
    report = run_json("tag", tmp_path, "--dry-run")
    assert report["dry_run"] is True
    assert next((c["field"], c["old"], c["new"]) for c in report["changes"]) == (
        "mood",
        None,
        "Calm",
    )
    result = run("tag", tmp_path, "--dry-run")
    assert result.exit_code == 0
    assert "dry run" in result.stdout and "Calm" in result.stdout
    assert path.read_bytes() == before


def test_tag_bpm_and_replaygain_refused_before_analysis(tmp_path):
    make_tagged_file(tmp_path / "n", "flac", title="x")
    run_json("scan", tmp_path)
    result = run("tag", tmp_path, "--bpm")
    assert result.exit_code == 1
    assert "analyze" in result.stderr


def test_tag_bpm_and_replaygain_written_from_analysis_where_missing(tmp_path):
    bare = make_tagged_file(tmp_path / "bare", "mp3", title="t")
    tagged = make_tagged_file(tmp_path / "has", "flac", title="t", bpm="90")
    run_json("scan", tmp_path)
    with Library.open(Paths.discover().default_db) as lib:
        for p in (bare, tagged):
            st = os.stat(p)
            lib.store_features(
                str(p),
                st.st_size,
                st.st_mtime_ns,
                Features(bpm=66.4, loudness_lufs=-20.0, peak_dbfs=-1.0),
                None,
            )
    report = run_json("tag", tmp_path, "--bpm", "--replaygain")
    assert report["failed"] == []
    id3 = mutagen.File(bare).tags
    assert str(id3["TBPM"]) == "66"
    assert str(id3["TXXX:REPLAYGAIN_TRACK_GAIN"]) == "2.00 dB"
    assert str(id3["TXXX:REPLAYGAIN_TRACK_PEAK"]) == "0.891251"
    assert mutagen.File(tagged)["BPM"] == ["90"]  # the file's own BPM is kept without --force
    run_json("tag", tagged, "--bpm", "--force")
    assert mutagen.File(tagged)["BPM"] == ["66"]


def test_tag_read_only_file_fails_alone_and_run_goes_on(tmp_path):
    locked = make_tagged_file(tmp_path / "locked", "flac", **CALM)
    free = make_tagged_file(tmp_path / "free", "flac", **CALM)
    run_json("scan", tmp_path)
    os.chmod(locked, 0o444)
    report = run_json("tag", tmp_path)
    assert report["written"] == 1
    assert report["failed"] == [
        {"path": str(locked), "error": "permission denied: the file is read-only"}
    ]
    assert mutagen.File(free)["MOOD"] == ["Calm"]
    assert "MOOD" not in mutagen.File(locked)


def test_tag_unindexed_file_is_indexed_then_tagged(tmp_path):
    path = make_tagged_file(tmp_path / "new", "opus", **CALM)
    report = run_json("tag", path, "--mood", "calm")
    assert report["written"] == 1
    assert tracks_by_name()["new.opus"]["mood"] == "calm"


def test_tag_nothing_indexed_is_an_error(tmp_path):
    result = run("tag", tmp_path)
    assert result.exit_code == 1
    assert "calmtune scan" in result.stderr


def test_tag_cleans_leftover_temp_files_of_killed_runs(tmp_path):
    make_tagged_file(tmp_path / "s", "flac", **CALM)
    run_json("scan", tmp_path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    leftover = tmp_path / f".s.flac.calmtune-tmp-{dead.stdout.strip()}-deadbeef"
    leftover.write_bytes(b"half")
    run_json("tag", tmp_path)
    assert temp_files(tmp_path) == []


def test_tag_keeps_symlinked_and_hard_linked_tracks_links(tmp_path):
    """Links stay links: the symlink keeps its target, hard links their one inode, and every
    name shows the new tags. Nothing else appears in either folder."""
    music, store = tmp_path / "music", tmp_path / "store"
    music.mkdir()
    store.mkdir()
    target = make_tagged_file(store / "target", "flac", **CALM)
    symlink = music / "via-link.flac"
    symlink.symlink_to(target)
    first = make_tagged_file(music / "first", "mp3", **CALM)
    second = music / "second-name.mp3"
    os.link(first, second)
    inodes = {p: os.stat(p).st_ino for p in (target, first)}
    before = {folder: sorted(os.listdir(folder)) for folder in (music, store)}
    run_json("scan", music)

    report = run_json("tag", music, "--mood", "focus")

    assert report["failed"] == []
    assert symlink.is_symlink() and os.readlink(symlink) == str(target)
    assert os.stat(target).st_ino == inodes[target]
    assert os.stat(first).st_ino == os.stat(second).st_ino == inodes[first]
    assert os.stat(first).st_nlink == 2
    for name in (symlink, target, first, second):
        tags = mutagen.File(name).tags
        mood = tags["MOOD"] if name.suffix == ".flac" else [str(tags["TMOO"])]
        assert mood == ["Focus"], name
    assert {folder: sorted(os.listdir(folder)) for folder in (music, store)} == before


def _written_by_a_killed_run(path, mood: str) -> None:
    """What a `tag --mood` run killed after writing ``path`` but before updating the index
    leaves: the file holds the user's new mood (and calmtune's record of it), the index not."""
    from calmtune.models import Mood, MoodSource
    from calmtune.tags import TagUpdate, write_tags

    write_tags(str(path), TagUpdate(mood=Mood(mood), mood_source=MoodSource.USER))


@pytest.mark.parametrize("fmt", ["flac", "mp3", "m4a"])
def test_tag_mood_changes_the_users_mood_when_a_kill_kept_it_from_the_index(tmp_path, fmt):
    # The index recorded the user's new mood but still holds the file's old tags: the state a
    # kill between the two index updates of a written file used to leave (issue 16's campaign).
    path = make_tagged_file(tmp_path / "mine", fmt, title="t")
    run_json("scan", tmp_path)
    assert run_json("tag", path, "--mood", "upbeat")["written"] == 1
    _written_by_a_killed_run(path, "calm")
    with Library.open(Paths.discover().default_db) as lib:
        lib.set_user_mood(str(path), "calm")
    assert run_json("show", path)["tag_mood"] == "Upbeat"  # the index is behind the file
    report = run_json("tag", path, "--mood", "focus")
    assert (report["written"], report["skipped"]) == (1, 0)
    shown = run_json("show", path)
    assert (shown["tag_mood"], shown["user_mood"], shown["mood"]) == ("Focus", "focus", "focus")


def test_tag_mood_changes_the_users_mood_when_the_index_missed_it_and_a_scan_came_since(tmp_path):
    path = make_tagged_file(tmp_path / "mine", "ogg", title="t")
    run_json("scan", tmp_path)
    assert run_json("tag", path, "--mood", "upbeat")["written"] == 1
    _written_by_a_killed_run(path, "calm")
    run_json("scan", tmp_path)  # the index now reads the file's user mood, and remembers upbeat
    assert run_json("tag", path, "--mood", "focus")["written"] == 1
    assert mutagen.File(path)["MOOD"] == ["Focus"]


def test_tag_mood_keeps_another_taggers_edit_of_a_mood_calmtune_wrote_for_the_user(tmp_path):
    # calmtune's record names the mood the user set through it; another tagger changed the mood
    # since: it is that tagger's mood now, replaced only with --force.
    path = make_tagged_file(
        tmp_path / "edited", "flac", title="t", raw={"MOOD": "Calm", "CALMTUNE": "mood=user:Focus"}
    )
    run_json("scan", tmp_path)
    before = path.read_bytes()
    report = run_json("tag", path, "--mood", "upbeat")
    assert (report["written"], report["skipped"]) == (0, 1)
    assert path.read_bytes() == before


def test_tag_starts_by_rolling_back_a_killed_runs_write_and_says_so(tmp_path):
    from calmtune.tags.journal import FilePatch, Journal, PatchRecord
    from calmtune.tags.overlay import EditedView

    path = make_tagged_file(tmp_path / "song", "flac", **CALM)
    run_json("scan", tmp_path)
    original = path.read_bytes()
    audio = mutagen.File(path)  # a write a kill interrupted: record synced, bytes half written
    audio["MOOD"] = ["Upbeat"]
    with open(path, "rb") as base, EditedView(base) as view:
        audio.save(view, padding=lambda info: info.padding)
        [region] = view.changes()
    st = os.stat(path)
    journal = Journal(Paths.discover().state_dir / "tag-journal")
    journal.begin_patch(
        PatchRecord((FilePatch(os.fsencode(path), st.st_dev, st.st_ino, st.st_size, (region,)),))
    )
    with open(path, "r+b") as fobj:
        fobj.seek(region.offset)
        fobj.write(region.new[: len(region.new) // 2])
    journal.abandon()

    result = run("tag", tmp_path, "--dry-run")  # a dry run writes nothing, restores nothing
    assert path.read_bytes() != original
    result = run("tag", tmp_path, "--mood", "calm", "--json")

    assert result.exit_code == 0, result.output
    line = (
        f"calmtune: warning: {path}: rolled back an interrupted tag write (the old tags are back)"
    )
    assert result.stderr.splitlines() == [line]
    report = json.loads(result.stdout)
    assert report["recovered"] == [{"path": str(path), "action": line.split(": ", 3)[3]}]
    assert mutagen.File(path)["MOOD"] == ["Calm"]  # rolled back, then written whole


def test_sigkill_during_calmtune_tag_leaves_old_or_new_files_whole(tmp_path):
    """Real SIGKILLs of a real `calmtune tag` run, at random moments once it writes (the full
    campaign is benchmarks/kill_tag_campaign.py): after each recovery every file holds exactly
    its old or its new bytes and decodes to the same audio; nothing is left behind."""
    from tagkill import make_library, run_campaign

    music = tmp_path / "music"
    files = make_library(music, copies=2, seconds=0.5)
    run_json("scan", music)
    campaign = run_campaign(music, files, kills=4, seed=7, log=lambda line: None)
    assert campaign.problems == []
    assert campaign.kills >= 4


# --- what `tag` decides to write, and what the index keeps (issue 12) ---------------------------


def _music_file(path, fmt: str, style: str = "pads", bpm: float = 66.0):
    """A music-like file (the shared generator), so the analysis measures real features."""
    import soundfile

    from music_synth import make_piece

    piece = make_piece(bpm, style, seed=11, seconds=12.0, rate=22050)
    target = path.with_suffix(f".{fmt}")
    soundfile.write(str(target), piece.samples, piece.rate, format=fmt.upper())
    return target


def _show(path) -> dict:
    data = run_json("show", path)
    return {
        "features": data["features"],
        "scores": data["scores"],
        "mood": data["mood"],
        "confidence": data["mood_confidence"],
        "reasons": [r for r in data["reasons"] if "written earlier by calmtune" not in r],
    }


@pytest.mark.parametrize("fmt", ["flac", "ogg"])
def test_tag_then_show_keeps_the_measured_features_and_the_same_scores(tmp_path, fmt):
    path = _music_file(tmp_path / "calm", fmt)
    run_json("scan", tmp_path)
    run_json("analyze")
    before = _show(path)
    assert before["features"] is not None and before["features"]["percussive_share"] is not None
    assert before["mood"] != "unknown", before
    report = run_json("tag", tmp_path)
    assert report["written"] == 1
    after = _show(path)
    assert after == before
    assert run_json("show", path)["mood_source"] == "calmtune"
    rescan = run_json("scan", tmp_path)
    assert (rescan["updated"], rescan["unchanged"]) == (0, 1)
    assert _show(path) == before
    assert run_json("analyze")["analyzed"] == []  # nothing to measure again


def test_another_taggers_edit_keeps_the_analysis_when_only_tags_changed(tmp_path):
    path = _music_file(tmp_path / "edited", "flac")
    run_json("scan", tmp_path)
    run_json("analyze")
    before = run_json("show", path)["features"]
    audio = mutagen.File(path)
    audio["TITLE"] = ["Renamed in another tagger"]
    audio.save()
    rescan = run_json("scan", tmp_path)
    assert rescan["updated"] == 1
    shown = run_json("show", path)
    assert shown["title"] == "Renamed in another tagger"
    assert shown["features"] == before
    assert run_json("analyze")["analyzed"] == []
    # A changed payload (new audio under the same name) is measured again.
    _music_file(tmp_path / "edited", "flac", style="drums", bpm=128.0)
    run_json("scan", tmp_path)
    assert run_json("show", path)["features"] is None
    assert [a["path"] for a in run_json("analyze")["analyzed"]] == [str(path)]


def test_tag_bpm_writes_only_a_confident_tempo_and_notes_the_unsure_one(tmp_path):
    sure = make_tagged_file(tmp_path / "sure", "flac", title="t")
    unsure = make_tagged_file(tmp_path / "unsure", "flac", title="t")
    run_json("scan", tmp_path)
    with Library.open(Paths.discover().default_db) as lib:
        for p, confidence in ((sure, 0.9), (unsure, 0.37)):
            st = os.stat(p)
            features = Features(bpm=180.0, bpm_confidence=confidence, loudness_lufs=-20.0)
            lib.store_features(str(p), st.st_size, st.st_mtime_ns, features, None)
    report = run_json("tag", tmp_path, "--bpm")
    assert mutagen.File(sure)["BPM"] == ["180"]
    assert "BPM" not in mutagen.File(unsure)
    assert [n["path"] for n in report["notes"]] == [str(unsure)]
    assert "0.37" in report["notes"][0]["note"]
    people = run("tag", unsure, "--bpm")
    assert people.exit_code == 0
    assert "too unsure" in people.stdout


@pytest.mark.parametrize("word", ["Aggressive", "Relaxed", "Melancholic"])
def test_tag_mood_never_replaces_another_taggers_mood_without_force(tmp_path, word):
    path = make_tagged_file(tmp_path / "picard", "flac", title="t", raw={"MOOD": word})
    run_json("scan", tmp_path)
    before = path.read_bytes()
    report = run_json("tag", path, "--mood", "calm")
    assert (report["written"], report["skipped"]) == (0, 1)
    assert path.read_bytes() == before
    forced = run_json("tag", path, "--mood", "calm", "--force")
    assert forced["written"] == 1
    assert mutagen.File(path)["MOOD"] == ["Calm"]
    assert tracks_by_name()["picard.flac"]["mood_source"] == "user"


def test_a_mood_word_set_in_picard_counts_against_the_opposite_mood(tmp_path):
    make_tagged_file(tmp_path / "lullaby", "flac", title="Lullaby", genre="Ambient", bpm="64")
    make_tagged_file(
        tmp_path / "aggressive", "flac", title="Lullaby", genre="Ambient", bpm="64",
        raw={"MOOD": "Aggressive"},
    )  # fmt: skip
    run_json("scan", tmp_path)
    tracks = tracks_by_name()
    assert tracks["lullaby.flac"]["mood"] == "calm"
    assert tracks["aggressive.flac"]["mood"] != "calm"
    assert any(
        "counts against calm" in r
        for r in run_json("show", tmp_path / "aggressive.flac")["reasons"]
    )


def test_tag_mood_changes_a_mood_the_user_set_through_calmtune(tmp_path):
    path = make_tagged_file(tmp_path / "mine", "flac", title="t")
    run_json("scan", tmp_path)
    assert run_json("tag", path, "--mood", "calm")["written"] == 1
    assert run_json("tag", path, "--mood", "focus")["written"] == 1  # the user's own change
    assert mutagen.File(path)["MOOD"] == ["Focus"]


def test_tag_mood_keeps_a_mood_another_tagger_set_since_the_last_scan(tmp_path):
    # The index still says the user set "Calm" through calmtune; the file, edited in another
    # tagger since (no scan), says "Aggressive". The file decides: it is kept without --force.
    path = make_tagged_file(tmp_path / "mine", "flac", title="t")
    run_json("scan", tmp_path)
    assert run_json("tag", path, "--mood", "calm")["written"] == 1
    audio = mutagen.File(path)
    audio["MOOD"] = "Aggressive"
    audio.save()
    before = path.read_bytes()
    report = run_json("tag", path, "--mood", "focus")
    assert (report["written"], report["skipped"]) == (0, 1)
    assert path.read_bytes() == before


def test_tag_automatic_run_keeps_a_mood_another_tagger_set_since_the_last_scan(tmp_path):
    path = make_tagged_file(tmp_path / "lullaby", "flac", **CALM)
    run_json("scan", tmp_path)
    audio = mutagen.File(path)
    audio["MOOD"] = "Melancholic"
    audio.save()
    before = path.read_bytes()
    report = run_json("tag", path)
    assert (report["written"], report["skipped"]) == (0, 1)
    assert path.read_bytes() == before
