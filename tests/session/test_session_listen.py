"""A whole session through ``session.listen`` (lock, journal, player, ending) on the null output,
with a clock the test owns: ``relax -d 4m --wind-down 2m`` runs in moments and the PCM it
rendered shows, to the sample, where the ramp starts and where silence begins and ends.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pytest
from session_helpers import RATE

from audiofiles import rms_db, write_level, write_tone
from calmtune.errors import NothingToPlayError
from calmtune.library import Library
from calmtune.listening import EndedBy
from calmtune.playback import NullOutput, PlayItem
from calmtune.playlists.recipe import get_recipe
from calmtune.session.listen import SessionRequest, listen
from calmtune.session.rules import session_timing
from calmtune.session.sources import Playable
from testclock import Clock


class Quiet:
    def track_started(self, snapshot) -> None:
        pass

    def track_skipped(self, path: str, reason: str) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def refresh(self, snapshot) -> None:
        pass


class Person:
    """The listener: records what the session said."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def say(self, text: str) -> None:
        self.lines.append(text)

    def warn(self, text: str) -> None:
        self.lines.append("warning: " + text)

    def ask_rating(self, question: str) -> int | None:
        return None

    @contextlib.contextmanager
    def display(self, *, live: bool, breathe: bool):
        yield Quiet(), None


def _session(home: Path, items: list[PlayItem], *, duration: float, wind_down: float):
    calm = get_recipe("calm")
    clock = Clock()
    output = NullOutput(now=clock, record=True)
    library = Library.open(home / "library.db")
    request = SessionRequest(
        build=lambda _stress: Playable(items, "calm", recipe=calm),
        timing=lambda _p: session_timing(
            recipe=calm, playback={}, session={}, duration=duration, wind_down=wind_down
        ),
        open_journal=lambda: library.journal,
        state_dir=home / "state",
        cache_dir=home / "cache",
        playback={},
        output=output,
        sleep=clock.sleep,
    )
    person = Person()
    try:
        code = listen(request, person)
        entry = library.journal.sessions()[0]
    finally:
        library.close()
    return code, np.abs(output.pcm()[:, 0]), person, entry


def _window_db(pcm: np.ndarray, at: float, width: float = 0.5) -> float:
    return rms_db(pcm[int(at * RATE) : int((at + width) * RATE)])


@pytest.mark.parametrize("lengths", [(37.0, 71.5, 52.0, 95.0), (200.0, 130.0)])
def test_relax_4m_wind_down_2m_ramps_from_2_00_and_ends_in_silence_at_4_00(
    isolated_home: Path, tmp_path: Path, lengths: tuple[float, ...]
) -> None:
    items = [
        PlayItem(str(write_level(tmp_path / f"{i}.wav", s)), duration=s, loudness_lufs=-30.0)
        for i, s in enumerate(lengths)
    ]
    code, pcm, _person, entry = _session(isolated_home, items, duration=240.0, wind_down=120.0)
    assert code == 0 and entry.ended_by is EndedBy.COMPLETED
    assert len(pcm) == 240 * RATE  # the session ends at 4:00 exactly, whatever the tracks did
    full = _window_db(pcm, 100.0)
    assert abs(_window_db(pcm, 119.4) - full) < 1.0  # full level just before 2:00 ...
    assert _window_db(pcm, 121.0) < full - 0.3  # ... and going down just after it
    ramp = pcm[120 * RATE : 216 * RATE]
    assert np.all(np.diff(ramp) <= 1e-6)  # only ever down, across every track change
    # The calm recipe's closing silence (a tenth of the session here): nothing after 3:36.
    assert pcm[216 * RATE :].max() == 0.0
    assert pcm[215 * RATE : 216 * RATE].max() < 1e-3  # the ramp reached silence there


def test_relax_whose_music_runs_out_early_is_covered_by_the_bed(
    isolated_home: Path, tmp_path: Path
) -> None:
    from calmtune.playback.soundscape import ensure_soundscape

    ensure_soundscape(isolated_home / "cache")
    items = [PlayItem(str(write_tone(tmp_path / "only.wav", 20.0)), duration=20.0)]
    code, pcm, _person, entry = _session(isolated_home, items, duration=60.0, wind_down=0.0)
    assert code == 0 and entry.ended_by is EndedBy.COMPLETED
    assert len(pcm) == 60 * RATE
    # No unplanned silence: from the fade-in to the closing fade, every half-second sounds.
    quiet = [t for t in np.arange(6.0, 30.0, 0.5) if _window_db(pcm, t) < -60]
    assert quiet == []
    assert pcm[54 * RATE :].max() == 0.0  # the closing silence, a tenth of the session


def test_a_session_whose_every_pick_fails_says_why_and_exits_4(
    isolated_home: Path, tmp_path: Path
) -> None:
    items = [PlayItem(str(tmp_path / "gone.wav"))]
    calm_free = get_recipe("focus")  # no bed for focus: nothing plays at all
    clock = Clock()
    library = Library.open(isolated_home / "library.db")
    request = SessionRequest(
        build=lambda _s: Playable(items, "focus", recipe=calm_free),
        timing=lambda _p: session_timing(recipe=calm_free, playback={}, session={}, duration=30.0),
        open_journal=lambda: library.journal,
        state_dir=isolated_home / "state",
        cache_dir=isolated_home / "cache",
        playback={},
        output=NullOutput(now=clock),
        sleep=clock.sleep,
    )
    try:
        with pytest.raises(NothingToPlayError, match=r"gone\.wav: file not found"):
            listen(request, Person())
    finally:
        library.close()
