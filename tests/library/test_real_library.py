"""A music folder as real ones are: odd names, special files, links and cut-off files. scan,
analyze, tag, show and play all finish, say what each odd file is, and leave links as links."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiofiles import ALL_FORMATS, make_tagged_file
from calmtune.cli import cli

ODD_NAMES = {
    "latin1": b"caf\xe9 au lait.flac",
    "newline": b"two\nlines.flac",
    "tab": b"tab\there.flac",
    "dash": b"-rf --force.flac",
}


def _make(folder: Path, raw_name: bytes, fmt: str, seconds: float = 0.4) -> str:
    made = make_tagged_file(folder / f"tmp-{len(os.listdir(folder))}", fmt, seconds=seconds)
    target = os.path.join(os.fsencode(folder), raw_name)
    os.rename(made, target)
    return os.fsdecode(target)


def _cut(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 5])


@pytest.fixture
def odd_library(tmp_path):
    root = tmp_path / "music"
    (root / "odd").mkdir(parents=True)
    (root / "cut").mkdir()
    (root / "links").mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    paths = {key: _make(root / "odd", name, "flac") for key, name in ODD_NAMES.items()}
    for fmt in ALL_FORMATS:  # one file cut short per format
        path = make_tagged_file(root / "cut" / f"cut-{fmt}", fmt, seconds=4, title=f"cut {fmt}")
        _cut(path)
        paths[f"cut-{fmt}"] = str(path)
    os.mkfifo(root / "odd" / "p.mp3")
    paths["fifo"] = str(root / "odd" / "p.mp3")
    if os.geteuid() == 0:
        device = root / "odd" / "null.mp3"
        os.mknod(device, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        paths["device"] = str(device)
    real = make_tagged_file(root / "links" / "real", "flac", seconds=0.4, title="Real")
    (root / "links" / "to-real.flac").symlink_to(real)
    away = make_tagged_file(outside / "away", "flac", seconds=0.4, title="Away")
    (root / "links" / "to-away.flac").symlink_to(away)
    hard = make_tagged_file(root / "links" / "hard-a", "flac", seconds=0.4, title="Hard")
    os.link(hard, root / "links" / "hard-b.flac")
    (root / "links" / "dangling.flac").symlink_to(root / "gone.flac")
    (root / "links" / "loop").symlink_to(root / "links")
    paths.update(
        real=str(real),
        symlink=str(root / "links" / "to-real.flac"),
        symlink_out=str(root / "links" / "to-away.flac"),
        away=str(away),
        hard_a=str(hard),
        hard_b=str(root / "links" / "hard-b.flac"),
        dangling=str(root / "links" / "dangling.flac"),
    )
    return root, paths


def _link_state(paths: dict[str, str]) -> dict[str, tuple]:
    """What must not change: which names are links, where they point, and the inodes."""
    return {
        "symlink": (os.path.islink(paths["symlink"]), os.readlink(paths["symlink"])),
        "symlink_out": (os.path.islink(paths["symlink_out"]), os.readlink(paths["symlink_out"])),
        "hard": (
            os.stat(paths["hard_a"]).st_ino,
            os.stat(paths["hard_b"]).st_ino,
            os.stat(paths["hard_a"]).st_nlink,
        ),
        # A symbolic link is by name: it must still lead to its target (whose inode a safe
        # write of the target itself may change).
        "symlink_target": os.path.samefile(paths["symlink"], paths["real"]),
        "away": os.stat(paths["away"]).st_ino,
    }


def test_real_library_scan_analyze_tag_show_play_all_finish(odd_library, isolated_home):
    if os.geteuid() != 0:
        print("device node case skipped: mknod needs root")
    root, paths = odd_library
    runner = CliRunner()
    links_before = _link_state(paths)

    scanned = runner.invoke(cli, ["scan", "--json", str(root)])
    assert scanned.exit_code == 0, scanned.output
    report = json.loads(scanned.stdout)
    failed = {f["path"]: f["error"] for f in report["failed"]}
    assert failed[paths["fifo"]] == "not a regular file: a FIFO (named pipe)"
    if "device" in paths:
        assert failed[paths["device"]] == "not a regular file: a character device"
    assert failed[paths["dangling"]] == "broken symbolic link"
    damaged = {d["path"]: d["problem"] for d in report["damaged"]}
    for fmt in ALL_FORMATS:  # indexed and flagged, or (no header left to read) not indexed
        reason = damaged.get(paths[f"cut-{fmt}"]) or failed.get(paths[f"cut-{fmt}"], "")
        assert "truncated" in reason, (fmt, reason)
    listed = json.loads(runner.invoke(cli, ["tracks", "--json"]).stdout)
    indexed = {t["path"] for t in listed}
    for key in ("latin1", "newline", "tab", "dash", "symlink", "symlink_out", "hard_a", "hard_b"):
        assert paths[key] in indexed, key

    analysed = runner.invoke(cli, ["analyze", "--json", "--jobs", "2"])
    assert analysed.exit_code == 0, analysed.output
    result = json.loads(analysed.stdout)
    done = {a["path"] for a in result["analyzed"]}
    for key in ("latin1", "newline", "tab", "dash", "symlink", "hard_a"):
        assert paths[key] in done, key
    assert "internal error" not in analysed.output

    for key in ("newline", "cut-wav"):
        shown = runner.invoke(cli, ["show", "--json", paths[key]])
        assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["damage"].startswith("truncated")

    tagged = runner.invoke(cli, ["tag", "--mood", "calm", "--json", str(root / "links")])
    assert tagged.exit_code == 0, tagged.output
    outcome = json.loads(tagged.stdout)
    failures = {f["path"]: f["error"] for f in outcome["failed"]}
    for key in ("symlink", "symlink_out", "hard_a", "hard_b"):
        # Written through the link, or refused naming the link: never split into a copy.
        assert paths[key] not in failures or "link" in failures[paths[key]], failures
    assert _link_state(paths) == links_before  # links are still links, to the same inodes
    from calmtune.tags import read_tags

    for key in ("symlink", "symlink_out", "hard_a"):
        if paths[key] not in failures:  # written: the file behind the link holds the mood
            assert read_tags(paths[key]).mood == "Calm", key

    env = {
        **os.environ,
        "CALMTUNE_HOME": str(isolated_home),
        "SDL_AUDIODRIVER": "dummy",
        "PYGAME_HIDE_SUPPORT_PROMPT": "1",
    }
    played = subprocess.run(
        [sys.executable, "-m", "calmtune", "play", "--no-ui", str(root / "odd")],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    assert played.returncode == 0, played.stderr
    err = played.stderr.decode("utf-8")  # valid UTF-8 whatever the names
    assert "p.mp3: not a regular file: a FIFO" in err
    assert "two\\x0alines.flac" in err or "two\\x0alines" in played.stdout.decode()
    journal = json.loads(runner.invoke(cli, ["journal", "--json"]).stdout)
    assert journal[0]["tracks"] == 4  # the four odd names played, the FIFO and device skipped
