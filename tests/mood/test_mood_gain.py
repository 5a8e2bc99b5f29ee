"""A track's mood does not change when it is played louder or softer (issue 12, must-show 2).

Every piece of a generated corpus (the shared music generator: every style, slow to fast) is
measured at its own level, 12 dB softer and 6 dB louder. Louder pushes the peaks of most pieces
past full scale, so a look-ahead limiter holds them at -1 dBFS, as a mastering engineer or a
streaming service would. The real analysis measures each version and the real engine classifies
it from the audio alone; the mood must be the same at all three levels. It may turn `unknown`
only where its confidence sits on the threshold (within 0.03), never into another mood: of the 18
pieces, one (clicks at 96 BPM, 12 dB softer near -48 LUFS) moves from 0.496 to 0.513.
"""

from __future__ import annotations

import numpy as np
import pytest

from calmtune.analysis import analyze_samples
from calmtune.models import Mood, MoodEvidence
from calmtune.mood import classify
from calmtune.mood.tables import CONFIDENCE_THRESHOLD as THRESHOLD
from music_synth import STYLES, make_piece

GAINS_DB = (-12.0, 0.0, 6.0)
CEILING = 10 ** (-1.0 / 20)
CORPUS = [(style, bpm) for style in STYLES for bpm in (58.0, 96.0, 150.0)]


def limit_peaks(samples: np.ndarray, rate: int, ceiling: float = CEILING) -> np.ndarray:
    """Gain that falls 5 ms before a peak and recovers over about 50 ms, so no sample exceeds
    ``ceiling``."""
    frames = samples if samples.ndim == 2 else samples[:, None]
    block = max(1, int(0.005 * rate))
    count = -(-len(frames) // block)
    padded = np.zeros((count * block, frames.shape[1]), dtype=np.float64)
    padded[: len(frames)] = frames
    peaks = np.abs(padded).reshape(count, block, -1).max(axis=(1, 2))
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    need = np.minimum(need, np.minimum(np.roll(need, 1), np.roll(need, -1)))
    gain = need.copy()
    release = np.exp(-1.0 / 10.0)
    for i in range(1, count):
        gain[i] = min(need[i], 1.0 - (1.0 - gain[i - 1]) * release)
    per_sample = np.interp(np.arange(len(frames)), np.arange(count) * block + block / 2, gain)
    out = np.clip(frames * per_sample[:, None], -ceiling, ceiling)
    return out if samples.ndim == 2 else out[:, 0]


def at_gain(samples: np.ndarray, rate: int, gain_db: float) -> np.ndarray:
    louder = samples.astype(np.float64) * 10 ** (gain_db / 20)
    if np.abs(louder).max() > CEILING:
        louder = limit_peaks(louder, rate)
    return louder.astype(np.float32)


@pytest.mark.parametrize(("style", "bpm"), CORPUS, ids=[f"{s}-{b:g}" for s, b in CORPUS])
def test_mood_keeps_its_verdict_at_every_playback_gain(style: str, bpm: float) -> None:
    piece = make_piece(bpm, style, seed=int(bpm) * 7 + len(style), seconds=20.0)
    verdicts = {}
    for gain in GAINS_DB:
        samples = at_gain(piece.samples, piece.rate, gain)
        if gain > 0:
            assert np.abs(samples).max() <= CEILING + 1e-6
        features = analyze_samples(samples, piece.rate)
        scores = classify(MoodEvidence(features=features))
        verdicts[gain] = (scores.mood, scores.confidence, scores.calm, features.loudness_lufs)
    moods = {mood for mood, *_ in verdicts.values()}
    decided = moods - {Mood.UNKNOWN}
    assert len(decided) <= 1, verdicts  # never one mood at one level and another at the next
    if len(moods) > 1:
        # Between a mood and `unknown` only where the confidence sits on the threshold: the
        # analyser's absolute floor nudges a piece 12 dB softer (here near -48 LUFS) a little.
        confidences = [confidence for _mood, confidence, *_ in verdicts.values()]
        assert all(abs(c - THRESHOLD) <= 0.03 for c in confidences), verdicts
    # The loudness did change (this is not a test of a no-op), the calm score barely did.
    lufs = [lufs for *_, lufs in verdicts.values()]
    assert max(lufs) - min(lufs) > 10.0, verdicts
    calm = [c for _mood, _conf, c, _lufs in verdicts.values()]
    assert max(calm) - min(calm) <= 0.05, verdicts
