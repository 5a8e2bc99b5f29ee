"""BS.1770-4 loudness against pyloudnorm (a test dependency) on generated signals."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from calmtune.analysis import integrated_loudness, loudness_range_of
from calmtune.analysis.loudness import LoudnessMeter, k_weighting_coefficients

pyln = pytest.importorskip("pyloudnorm")

TOLERANCE_LU = 0.1


def _reference(samples: np.ndarray, rate: int) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(pyln.Meter(rate).integrated_loudness(samples))


def _tone(freq: float, rate: int, seconds: float, amplitude: float) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return amplitude * np.sin(2 * np.pi * freq * t)


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("freq", [25, 40, 100, 440, 1000, 1500, 3000, 6000, 10000])
@pytest.mark.parametrize("stereo", [False, True])
def test_loudness_of_tones_matches_pyloudnorm(rate, freq, stereo):
    tone = _tone(freq, rate, 3.0, 0.3)
    samples = np.stack([tone, 0.5 * tone], axis=1) if stereo else tone
    measured = integrated_loudness(samples, rate)
    assert measured is not None
    assert abs(measured - _reference(samples, rate)) <= TOLERANCE_LU


@pytest.mark.parametrize("rate", [44100, 48000])
def test_loudness_of_noise_matches_pyloudnorm(rate):
    rng = np.random.default_rng(rate)
    noise = 0.1 * rng.standard_normal((rate * 5, 2))
    assert abs(integrated_loudness(noise, rate) - _reference(noise, rate)) <= TOLERANCE_LU


@pytest.mark.parametrize("rate", [44100, 48000])
def test_loudness_absolute_gate_ignores_a_tone_under_minus_70(rate):
    quiet = _tone(1000, rate, 10.0, 10 ** (-75 / 20))  # about -78 LUFS: under the absolute gate
    loud = _tone(1000, rate, 3.0, 0.3)
    samples = np.concatenate([quiet, loud])
    measured = integrated_loudness(samples, rate)
    assert abs(measured - _reference(samples, rate)) <= TOLERANCE_LU
    # Without the gate the 10 quiet seconds would pull it about 6 LU down; only the few blocks
    # straddling the change still count.
    assert abs(measured - integrated_loudness(loud, rate)) <= 0.5


@pytest.mark.parametrize("rate", [44100, 48000])
def test_loudness_relative_gate_drops_the_quiet_part(rate):
    # -20 LU passage: above the absolute gate, below the relative one (loud part - 10 LU).
    quiet = _tone(1000, rate, 6.0, 0.3 * 10 ** (-20 / 20))
    loud = _tone(1000, rate, 4.0, 0.3)
    samples = np.stack([np.concatenate([loud, quiet])] * 2, axis=1)
    measured = integrated_loudness(samples, rate)
    assert abs(measured - _reference(samples, rate)) <= TOLERANCE_LU
    ungated_mean = 10 * np.log10(np.mean(samples**2))  # what no relative gate would drift toward
    assert measured > ungated_mean - 0.691 + 3.0


def test_loudness_matches_pyloudnorm_on_generated_music():
    from music_synth import make_piece

    piece = make_piece(84.0, "drums", seed=11, seconds=20.0, rate=44100)
    assert abs(integrated_loudness(piece.samples, 44100) - _reference(piece.samples, 44100)) <= 0.1


def test_loudness_streaming_in_blocks_equals_one_call():
    rate = 48000
    rng = np.random.default_rng(3)
    samples = (0.05 * rng.standard_normal((rate * 7, 2))).astype(np.float32)
    meter = LoudnessMeter(rate, 2)
    for start in range(0, len(samples), 7919):  # odd block size: steps straddle blocks
        meter.add(samples[start : start + 7919])
    assert meter.integrated() == pytest.approx(integrated_loudness(samples, rate), abs=1e-3)


def test_k_weighting_at_48k_matches_the_bs1770_table():
    b, a = k_weighting_coefficients(48000)
    shelf_b = [1.53512485958697, -2.69169618940638, 1.19839281085285]
    shelf_a = [1.0, -1.69065929318241, 0.73248077421585]
    hp_b, hp_a = [1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621]
    assert np.allclose(b, np.convolve(shelf_b, hp_b), atol=1e-9)
    assert np.allclose(a, np.convolve(shelf_a, hp_a), atol=1e-9)


def test_loudness_of_silence_and_short_input_is_none():
    assert integrated_loudness(np.zeros(48000 * 2), 48000) is None
    assert integrated_loudness(_tone(1000, 48000, 0.3, 0.5), 48000) is None  # under one block


def test_loudness_range_of_two_levels_is_their_difference():
    rate = 44100
    samples = np.concatenate(
        [_tone(500, rate, 20.0, 0.3), _tone(500, rate, 20.0, 0.3 * 10 ** (-8 / 20))]
    )
    assert loudness_range_of(samples, rate) == pytest.approx(8.0, abs=0.5)
    assert loudness_range_of(_tone(500, rate, 20.0, 0.3), rate) == pytest.approx(0.0, abs=0.1)
