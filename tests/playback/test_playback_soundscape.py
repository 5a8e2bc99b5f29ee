"""The built-in soundscape: soft, long enough, swelling about six times a minute, seamless."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from calmtune.analysis.loudness import integrated_loudness
from calmtune.playback.soundscape import LOUDNESS_LUFS, SAMPLE_RATE, ensure_soundscape

SECONDS = 20


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    cache = tmp_path_factory.mktemp("cache")
    path = ensure_soundscape(cache, SECONDS)
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 44100)
        frames = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").reshape(-1, 2)
    return path, frames.astype(np.float64) / 32768.0


def test_soundscape_is_soft_and_as_long_as_asked(rendered) -> None:
    _, audio = rendered
    assert len(audio) == SECONDS * SAMPLE_RATE
    rms = 20 * np.log10(np.sqrt(np.mean(audio**2)))
    assert -35.0 < rms < -15.0  # soft, yet clearly audible
    assert np.abs(audio).max() < 0.5  # no loud peaks
    assert not np.allclose(audio[:, 0], audio[:, 1])  # some stereo width


def test_soundscape_drone_swells_six_times_a_minute(rendered) -> None:
    _, audio = rendered
    mono = audio.mean(axis=1)
    # The 55 Hz drone's amplitude in each 1 s window (a 1 s DFT has 1 Hz bins: 55 Hz is exact).
    windows = mono.reshape(SECONDS, SAMPLE_RATE)
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    envelope = np.abs(windows @ np.exp(-2j * np.pi * 55.0 * t))
    assert envelope.max() > 2.5 * envelope.min()
    spectrum = np.abs(np.fft.rfft(envelope - envelope.mean()))
    cycles_per_20s = int(np.argmax(spectrum))
    assert cycles_per_20s == 2  # a 10 s period: 6 swells a minute


def test_soundscape_loops_without_a_click(rendered) -> None:
    _, audio = rendered
    steps = np.abs(np.diff(audio, axis=0))
    seam = np.abs(audio[0] - audio[-1])
    assert (seam <= np.percentile(steps, 99, axis=0)).all()


def test_soundscape_is_rendered_once_and_reused(rendered) -> None:
    path, _ = rendered
    before = path.stat().st_mtime_ns
    assert ensure_soundscape(path.parent, SECONDS) == path
    assert path.stat().st_mtime_ns == before


def test_soundscape_rerenders_an_incomplete_file(tmp_path: Path) -> None:
    first = ensure_soundscape(tmp_path, 10)
    size = first.stat().st_size
    with first.open("r+b") as handle:
        handle.truncate(size // 2)  # as if a previous run was killed mid-write
    again = ensure_soundscape(tmp_path, 10)
    assert again == first
    assert again.stat().st_size == size
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no partial files left


def test_soundscape_length_must_fit_the_swell() -> None:
    with pytest.raises(ValueError, match="multiple of 10"):
        ensure_soundscape("/nonexistent", 25)


def test_soundscape_loudness_constant_is_what_it_measures(rendered) -> None:
    # The player normalises the bed from this number, so it must stay true; it sits above the
    # calm and sleep targets, so the bed is brought down to the session's level, never short.
    _, audio = rendered
    assert integrated_loudness(audio, SAMPLE_RATE) == pytest.approx(LOUDNESS_LUFS, abs=0.3)
    assert LOUDNESS_LUFS > -23.0
