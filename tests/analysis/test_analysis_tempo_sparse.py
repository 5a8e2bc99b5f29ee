"""The metrical level on bare envelopes: sparse sounds between the beats of a slow piece never give
a trusted doubled tempo, while a pulse as strong as the beat on every half-beat is a faster beat."""

import numpy as np
import pytest

from calmtune.analysis.tempo import tempo_from_envelope
from calmtune.models import TRUSTED_TEMPO_CONFIDENCE as TRUSTED

FRAME_RATE = 86.0


def _envelope(bpm: float, half_every: int | None, half_strength: float) -> np.ndarray:
    """40 s of background flicker, a clear attack on every beat, and attacks on every
    ``half_every``-th half-beat (None: none)."""
    rng = np.random.default_rng(3)
    env = 0.1 + 0.05 * rng.random(int(40.0 * FRAME_RATE))
    period = 60.0 * FRAME_RATE / bpm
    for k in range(int(40.0 * bpm / 60.0)):
        env[round(k * period)] += 1.0
        if half_every is not None and k % half_every == 0:
            at = round((k + 0.5) * period)
            if at < len(env):
                env[at] += half_strength
    return env


@pytest.mark.parametrize("bpm", [50.0, 60.0, 70.0, 85.0])
def test_tempo_sparse_events_between_beats_never_give_a_trusted_double(bpm):
    estimate, confidence = tempo_from_envelope(_envelope(bpm, 4, 2.0), FRAME_RATE)
    assert abs(estimate / bpm - 1.0) <= 0.04 or confidence < TRUSTED


@pytest.mark.parametrize("bpm", [50.0, 60.0, 70.0, 85.0])
def test_tempo_a_pulse_as_strong_as_the_beat_on_every_half_beat_is_the_beat(bpm):
    estimate, _ = tempo_from_envelope(_envelope(bpm, 1, 1.0), FRAME_RATE)
    assert abs(estimate / (2.0 * bpm) - 1.0) <= 0.04


@pytest.mark.parametrize("bpm", [60.0, 70.0, 85.0])
def test_tempo_beats_alone_are_read_at_their_own_rate(bpm):
    estimate, _ = tempo_from_envelope(_envelope(bpm, None, 0.0), FRAME_RATE)
    assert abs(estimate / bpm - 1.0) <= 0.04
