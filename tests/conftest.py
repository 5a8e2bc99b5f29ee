"""Shared fixtures. Every test runs with its own CALMTUNE_HOME and the dummy SDL audio driver."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
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


@pytest.fixture(autouse=True)
def no_process_left(tmp_path_factory):
    """Fail the test that leaves a process running: a child of the test, or any process (a
    killed scan's workers, say) that carries a CALMTUNE_HOME of this test run."""
    from processes import living_pids, wait_for_no_leftovers

    before = living_pids()
    yield
    left = wait_for_no_leftovers(before, str(tmp_path_factory.getbasetemp()))
    if left:
        listing = "; ".join(f"{pid}: {cmd}" for pid, cmd in sorted(left.items()))
        pytest.fail(f"the test left {len(left)} process(es) running (now killed): {listing}")
