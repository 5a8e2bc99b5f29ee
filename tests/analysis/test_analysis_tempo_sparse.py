"""The octave decision: sparse sounds between the beats must not double a slow piece, while a
pulse on every half-beat must (a subdivision that is really there)."""

import numpy as np

from calmtune.analysis.tempo import DOUBLING_EVIDENCE, choose_level, half_beat_evidence

FRAME_RATE = 86.0
BPM = 60.0


def _envelope(half_every: int | None, half_strength: float, seconds: float = 40.0) -> np.ndarray:
    """Background flicker, a clear attack on every beat, and attacks on every ``half_every``-th
    half-beat (None: none)."""
    rng = np.random.default_rng(3)
    env = 0.1 + 0.05 * rng.random(int(seconds * FRAME_RATE))
    period = 60.0 * FRAME_RATE / BPM
    for k in range(int(seconds * BPM / 60.0)):
        env[round(k * period)] += 1.0
        if half_every is not None and k % half_every == 0:
            at = round((k + 0.5) * period)
            if at < len(env):
                env[at] += half_strength
    return env


def _quiet_low_band(env: np.ndarray) -> np.ndarray:
    return 0.01 * np.random.default_rng(4).random(len(env))  # soft music: no bass pulse


def test_tempo_sparse_events_between_beats_do_not_double():
    env = _envelope(half_every=4, half_strength=2.0)  # a loud click every fourth half-beat
    assert half_beat_evidence(env, _quiet_low_band(env), FRAME_RATE, BPM) < DOUBLING_EVIDENCE
    assert choose_level(env, _quiet_low_band(env), FRAME_RATE, BPM) == BPM


def test_tempo_a_pulse_on_every_half_beat_doubles():
    env = _envelope(half_every=1, half_strength=0.8)
    assert half_beat_evidence(env, _quiet_low_band(env), FRAME_RATE, BPM) >= DOUBLING_EVIDENCE
    assert choose_level(env, _quiet_low_band(env), FRAME_RATE, BPM) == 2 * BPM
