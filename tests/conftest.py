"""Shared fixtures. Every test runs with its own CALMTUNE_HOME and the dummy SDL audio driver."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_process_left(tmp_path_factory):
    """Fail the test that leaves a process running: a child of the test, or any process (a
    killed scan's workers, say) that carries a CALMTUNE_HOME of this test run.

    ``isolated_home`` asks for it first, so it is set up before (and torn down after) the
    test's ``monkeypatch``: a patched ``os.listdir``, say, is undone before it reads /proc."""
    import os

    from processes import living_pids, wait_for_no_leftovers

    before = living_pids()
    yield
    # With the separator: another run's base folder may share this one's name as a prefix.
    left = wait_for_no_leftovers(before, os.path.join(tmp_path_factory.getbasetemp(), ""))
    if left:
        listing = "; ".join(f"{pid}: {cmd}" for pid, cmd in sorted(left.items()))
        pytest.fail(f"the test left {len(left)} process(es) running (now killed): {listing}")


@pytest.fixture(autouse=True)
def isolated_home(no_process_left, tmp_path_factory, monkeypatch):
    """Point calmtune's settings, index, journal and caches at a fresh temp folder.

    Set before anything imports pygame, so no test needs a sound card or touches real data.
    """
    home = tmp_path_factory.mktemp("calmtune-home")
    monkeypatch.setenv("CALMTUNE_HOME", str(home))
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.setenv("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    monkeypatch.delenv("CALMTUNE_DEBUG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home


FFMPEG_TOOLS = ("ffmpeg", "ffprobe")


@pytest.fixture(scope="session")
def path_without_ffmpeg(tmp_path_factory) -> str:
    """PATH as it is, except that ffmpeg cannot be found: each folder holding it is replaced by a
    folder of links to everything else in it (python, sox, ... stay reachable)."""
    import os

    shadow_root = tmp_path_factory.mktemp("path-without-ffmpeg")
    folders = []
    for number, folder in enumerate(os.environ.get("PATH", "").split(os.pathsep)):
        if not folder or not any(os.path.exists(os.path.join(folder, t)) for t in FFMPEG_TOOLS):
            folders.append(folder)
            continue
        shadow = shadow_root / str(number)
        shadow.mkdir()
        for name in os.listdir(folder):
            if name not in FFMPEG_TOOLS:
                (shadow / name).symlink_to(os.path.join(folder, name))
        folders.append(str(shadow))
    return os.pathsep.join(folders)


@pytest.fixture
def no_ffmpeg(monkeypatch, path_without_ffmpeg) -> None:
    """Hide ffmpeg from this test and every process it starts, whatever the machine has."""
    import shutil

    monkeypatch.setenv("PATH", path_without_ffmpeg)
    assert shutil.which("ffmpeg") is None


@pytest.fixture
def ffmpeg() -> str:
    """The path of ffmpeg; the test is skipped, saying so, on a machine without it (.ci/run
    installs it, so CI always runs these tests)."""
    import shutil

    found = shutil.which("ffmpeg")
    if found is None:
        pytest.skip("needs ffmpeg, which is not on PATH (apt-get install ffmpeg)")
    return found


@pytest.fixture
def shared_tmp():
    """A temp folder an unprivileged user can enter (pytest's own tmp_path is private to root),
    for tests that run commands as ``nobody`` (see ``unprivileged.py``)."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    base = Path(tempfile.mkdtemp(prefix="calmtune-shared-"))
    base.chmod(0o777)
    yield base
    for folder, dirs, _files in os.walk(base):
        for name in dirs:
            os.chmod(os.path.join(folder, name), 0o755)
    shutil.rmtree(base, ignore_errors=True)
