"""Tempo on generated music the estimator's weights were not fitted on.

The level weights were fitted on ``music_synth.corpus_plan`` seeds 0-299 (and Hydrogen songs, see
benchmarks/corpus/fit_levels.py); these tests use seeds 5000-5059: six pieces of each style.
"""

from __future__ import annotations

import numpy as np
import pytest

from calmtune.analysis import estimate_tempo
from calmtune.analysis.metre import FEATURES
from calmtune.analysis.tempo import LEVEL_WEIGHTS
from calmtune.models import TRUSTED_TEMPO_CONFIDENCE as TRUSTED
from music_synth import ALL_STYLES, corpus_plan, make_piece

HELD_OUT_SEEDS = range(5000, 5060)


@pytest.fixture(scope="module")
def held_out_results():
    results = []
    for seed, style, bpm, _metre in corpus_plan(HELD_OUT_SEEDS):
        piece = make_piece(bpm, style, seed, seconds=20.0)
        estimate, confidence = estimate_tempo(piece.samples, piece.rate)
        results.append((style, bpm, estimate, confidence))
    return results


def _within(estimate: float | None, truth: float, tolerance: float = 0.04) -> bool:
    return estimate is not None and abs(estimate / truth - 1.0) <= tolerance


def _octave_or_triple(estimate: float | None, truth: float) -> bool:
    return any(_within(estimate, truth * k) for k in (1.0, 2.0, 3.0, 0.5, 1.0 / 3.0))


def test_tempo_finds_the_pulse_family_of_nearly_every_piece(held_out_results):
    assert {style for style, *_ in held_out_results} == set(ALL_STYLES)
    family = [_octave_or_triple(est, bpm) for _, bpm, est, _ in held_out_results]
    assert sum(family) / len(family) >= 0.95


def test_tempo_accuracy1_on_held_out_pieces(held_out_results):
    hits = [_within(est, bpm) for _, bpm, est, _ in held_out_results]
    misses = [
        (s, round(b, 1), e)
        for (s, b, e, _), hit in zip(held_out_results, hits, strict=True)
        if not hit
    ]
    assert sum(hits) / len(hits) >= 0.7, misses


def test_tempo_trusted_readings_are_at_the_right_level(held_out_results):
    # The confidence means something: readings at or above the trusted threshold (where moods and
    # playlists start leaning on the tempo) are right far more often than the unsure ones.
    trusted = [_within(est, bpm) for _, bpm, est, conf in held_out_results if conf >= TRUSTED]
    unsure = [_within(est, bpm) for _, bpm, est, conf in held_out_results if conf < TRUSTED]
    assert len(trusted) >= 15 and unsure
    assert sum(trusted) / len(trusted) >= 0.9
    assert sum(trusted) / len(trusted) > sum(unsure) / len(unsure)


def test_tempo_confidence_is_in_unit_range(held_out_results):
    assert all(0.0 <= conf <= 1.0 for *_, conf in held_out_results)


def test_tempo_level_weights_match_the_features():
    assert LEVEL_WEIGHTS.shape == (len(FEATURES),)


@pytest.mark.parametrize("bpm", [61.3, 88.8, 117.3, 143.7, 171.1])
def test_tempo_is_precise_between_lag_bins(bpm):
    # 117.3 BPM falls between two lag bins 4.6 % apart; interpolation must land within 1 %.
    piece = make_piece(bpm, "clicks", seed=7, seconds=30.0)
    estimate, _ = estimate_tempo(piece.samples, piece.rate)
    assert _within(estimate, bpm, 0.01)


def test_tempo_of_44k_stereo_drums_matches_22k_mono():
    piece = make_piece(72.0, "drums", seed=3, seconds=20.0, rate=44100)
    stereo = piece.samples if piece.samples.ndim == 2 else np.stack([piece.samples] * 2, axis=1)
    mono = make_piece(72.0, "drums", seed=3, seconds=20.0, rate=22050).samples
    mono = mono.mean(axis=1) if mono.ndim == 2 else mono
    estimate, confidence = estimate_tempo(stereo, 44100)
    estimate_22k, _ = estimate_tempo(mono, 22050)
    assert _within(estimate, 72.0)
    assert _within(estimate_22k, 72.0)
    assert confidence > 0.0


def test_tempo_of_silence_noise_and_short_clips_is_none():
    rate = 22050
    rng = np.random.default_rng(0)
    assert estimate_tempo(np.zeros(rate * 10, dtype=np.float32), rate)[0] is None
    assert estimate_tempo(0.1 * rng.standard_normal(rate * 20).astype(np.float32), rate)[0] is None
    assert estimate_tempo(make_piece(100.0, "clicks", 1, seconds=3.0).samples, rate)[0] is None


def test_strong_band_envelopes_tell_a_kick_from_a_faint_hat():
    """A rise in dB from silence is as large for a hi-hat's faint low end as for the kick: the
    plain low band envelope rises at both, the strong one (each band's rise weighed by how near
    the band comes to its loudest level) almost only at the kick, at any playback gain."""
    from calmtune.analysis.spectral import SpectralAnalyzer

    rate = 22050
    samples = np.zeros(10 * rate, dtype=np.float32)
    t = np.arange(int(0.15 * rate)) / rate
    kick = (0.8 * np.sin(2 * np.pi * 60 * t) * np.exp(-t / 0.04)).astype(np.float32)
    hat = (0.01 * np.random.default_rng(1).standard_normal(len(t)) * np.exp(-t / 0.02)).astype(
        np.float32
    )
    for second in range(10):
        samples[second * rate : second * rate + len(t)] += kick
        start = second * rate + rate // 2
        samples[start : start + len(t)] += hat

    def low_peaks(gain: float, strong: bool) -> tuple[float, float]:
        analyzer = SpectralAnalyzer(rate)
        analyzer.add(samples * np.float32(gain))
        bands = (
            analyzer.strong_band_onset_envelopes() if strong else analyzer.band_onset_envelopes()
        )
        low, fps = bands[:, 0], analyzer.frame_rate

        def peak(offset: float) -> float:  # the largest rise within 0.1 s after each hit
            return max(float(low[int((s + offset) * fps) : int((s + offset + 0.1) * fps)].max())
                       for s in range(1, 9))  # fmt: skip

        return peak(0.0), peak(0.5)

    kick_plain, hat_plain = low_peaks(1.0, strong=False)
    assert hat_plain > 0.2 * kick_plain  # the faint hat still rises from silence down low
    loud, soft = low_peaks(1.0, strong=True), low_peaks(0.25, strong=True)
    assert loud[1] < 0.05 * loud[0], loud
    assert soft == pytest.approx(loud, rel=1e-3, abs=1e-3)  # relative to the band's own level
