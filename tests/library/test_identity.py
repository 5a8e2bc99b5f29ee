"""A track's analysis (and the mood its user set) follows the file through renames and through
tag edits made by another program: identity is the audio, not the name."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner

from audiofiles import _tag as retag_with_mutagen
from audiofiles import make_tagged_file
from calmtune.cli import cli

FORMATS = ("mp3", "flac", "ogg", "wav", "aiff", "opus")


def _json(*args: str):
    result = CliRunner().invoke(cli, [*args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_rename_ten_and_retag_ten_with_mutagen_keeps_their_analysis(tmp_path):
    root = tmp_path / "music"
    (root / "moved").mkdir(parents=True)
    files = []
    for n in range(24):
        fmt = FORMATS[n % len(FORMATS)]
        files.append(
            (
                make_tagged_file(
                    root / f"t{n:02d}", fmt, seconds=1.0, freq=220 + 20 * n, title=f"T{n}"
                ),
                fmt,
            )
        )
    _json("scan", "--json", str(root))
    first = _json("analyze", "--json", "--jobs", "2")
    assert len(first["analyzed"]) == 24 and first["failed"] == []
    before = {t["path"]: t["loudness_lufs"] for t in _json("tracks", "--json")}

    from calmtune.library import Library
    from calmtune.models import Mood

    renamed = {}
    for path, _fmt in files[:10]:
        target = root / "moved" / f"renamed-{path.name}"
        os.rename(path, target)
        renamed[str(target)] = before[str(path)]
    retagged = {}
    for path, fmt in files[10:20]:
        stat = path.stat()
        retag_with_mutagen(path, fmt, {"title": "Edited elsewhere", "album": "A" * 300}, {})
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a clock that moved on
        assert (path.stat().st_size, path.stat().st_mtime_ns) != (stat.st_size, stat.st_mtime_ns)
        retagged[str(path)] = before[str(path)]
    home_db = os.path.join(os.environ["CALMTUNE_HOME"], "library.db")
    with Library.open(home_db) as library:
        library.set_user_mood(next(iter(renamed)).replace("moved/renamed-", ""), Mood.FOCUS)

    report = _json("scan", "--json")
    assert report["renamed"] == 10 and report["failed"] == []
    after = {t["path"]: t for t in _json("tracks", "--json")}
    assert len(after) == 24
    for path, lufs in {**renamed, **retagged}.items():
        assert after[path]["loudness_lufs"] == lufs, path
    for path in retagged:
        assert after[path]["title"] == "Edited elsewhere"
    moved_with_mood = next(iter(renamed))
    assert after[moved_with_mood]["mood"] == "focus"
    assert after[moved_with_mood]["mood_source"] == "user"
    again = _json("analyze", "--json", "--jobs", "1")
    assert again["analyzed"] == [] and again["skipped"] == 24  # nothing measured twice


def test_changed_audio_under_the_same_name_is_analysed_again(tmp_path):
    root = tmp_path / "music"
    root.mkdir()
    path = make_tagged_file(root / "song", "flac", seconds=1.0, title="Song")
    _json("scan", "--json", str(root))
    _json("analyze", "--json", "--jobs", "1")
    make_tagged_file(root / "song", "flac", seconds=1.5, freq=880, title="Song")  # new audio
    _json("scan", "--json")
    rerun = _json("analyze", "--json", "--jobs", "1")
    assert [a["path"] for a in rerun["analyzed"]] == [str(path)]
