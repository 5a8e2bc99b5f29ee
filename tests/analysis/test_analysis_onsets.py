"""Onset density counts attacks, not the frame-to-frame flicker of a steady sound."""

import numpy as np
import pytest

from calmtune.analysis.onsets import onset_density
from calmtune.analysis.spectral import SpectralAnalyzer
from music_synth import make_piece

RATE = 22050


def _density(samples: np.ndarray, rate: int = RATE) -> float:
    analyzer = SpectralAnalyzer(rate)
    block = samples if samples.ndim == 2 else samples[:, None]
    for start in range(0, len(block), 65536):
        analyzer.add(block[start : start + 65536])
    return onset_density(analyzer.onset_envelope(), analyzer.frame_rate)


def test_onsets_steady_tone_and_noise_have_almost_none():
    rng = np.random.default_rng(31)
    t = np.arange(RATE * 15) / RATE
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    noise = (0.1 * rng.standard_normal(len(t))).astype(np.float32)
    assert _density(tone) == 0.0
    assert _density(tone + noise * 0.01) < 0.3
    assert _density(noise) < 0.5


@pytest.mark.parametrize(
    ("style", "bpm", "low", "high"),
    [
        ("clicks", 60, 0.8, 1.4),  # one click a beat
        ("waltz", 80, 1.0, 1.8),  # one attack a beat
        ("drums", 120, 3.0, 5.0),  # eighth notes
        ("pads", 66, 0.0, 1.5),  # slow legato chords: few clear attacks
    ],
)
def test_onsets_follow_the_attacks_of_the_music(style, bpm, low, high):
    densities = [_density(make_piece(bpm, style, seed).samples) for seed in (101, 102, 103)]
    assert all(low <= d <= high for d in densities), densities
