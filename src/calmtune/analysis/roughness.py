"""Roughness: how much the partials sounding together beat against each other (sensory dissonance).

Two partials a semitone apart near 440 Hz beat fast enough to sound rough; an octave or a fifth
between clear tones barely does; a single tone not at all. Film and game music builds tension with
exactly that: clusters, minor seconds, tritones, detuned low strings, often quietly and without
drums, where every other measure (soft attacks, little percussion, a dark timbre) reads calm. On the
development set (benchmarks/data/dev_moods.tsv) it told calm from intense better than any other
measure (AUC 0.85, and 0.76 or more within each game that has both labels); see docs/music.md.

The model is Sethares' parametrisation of Plomp and Levelt's dissonance curve ("Local consonance
and the relationship between timbre and scale", JASA 1993): for two partials at f1 < f2 with
amplitudes a1, a2, d = a1 * a2 * (exp(-3.5 s (f2 - f1)) - exp(-5.75 s (f2 - f1))) with
s = 0.24 / (0.021 f1 + 19), which peaks near a quarter of a critical band. Per frame (about 186 ms,
long enough to resolve a semitone at 100 Hz), the PEAKS strongest spectral peaks between BAND_HZ
are taken, their amplitudes scaled to sum to 1 (so the level of the track does not matter, only
how its power is spread), and d summed over every pair; the roughness of a track is the mean over
its frames, taken every second window length, that are no more than RANGE_DB under the loudest so
far (level-relative like ``floors.py``: a copy 12 dB softer gives the same value).
"""

from __future__ import annotations

import numpy as np

from calmtune.analysis.fft import rfft32

WINDOW_HOPS = 16  # window: 16 of the analyser's hops (4096 samples at 22.05 kHz, ~186 ms)
STRIDE_WINDOWS = 2  # one window every two window lengths: the mean over a track, at little cost
PEAKS = 20
BAND_HZ = (50.0, 4000.0)
RANGE_DB = 40.0


class RoughnessMeter:
    """Feed mono samples at ``rate`` in order; read ``roughness()`` at the end."""

    def __init__(self, rate: float, hop: int) -> None:
        self.n_fft = WINDOW_HOPS * hop
        self.stride = STRIDE_WINDOWS * self.n_fft
        self._window = np.hanning(self.n_fft + 1)[:-1].astype(np.float32)
        freqs = np.fft.rfftfreq(self.n_fft, 1.0 / rate)
        self._band = (freqs >= BAND_HZ[0]) & (freqs < BAND_HZ[1])
        self._freqs = freqs[self._band]
        self._buffer = np.zeros(0, dtype=np.float32)
        self._loudest = -np.inf
        self._sum = 0.0
        self._frames = 0

    def add(self, mono: np.ndarray) -> None:
        buffer = np.concatenate([self._buffer, mono])
        count = (len(buffer) - self.n_fft) // self.stride + 1
        if count <= 0:
            self._buffer = buffer
            return
        frames = np.lib.stride_tricks.sliding_window_view(buffer, self.n_fft)[:: self.stride]
        self._buffer = buffer[count * self.stride :]
        self._analyse(frames[:count])

    def _analyse(self, frames: np.ndarray) -> None:
        magnitude = np.abs(rfft32(frames * self._window, axis=1))
        level = 10.0 * np.log10(np.maximum((magnitude * magnitude).sum(axis=1), 1e-30))
        self._loudest = max(self._loudest, float(level.max()))
        magnitude = magnitude[level >= self._loudest - RANGE_DB][:, self._band]
        if magnitude.shape[0] == 0:
            return
        # Local maxima along frequency; the PEAKS strongest of them per frame.
        peak = np.zeros_like(magnitude)
        inner = (magnitude[:, 1:-1] > magnitude[:, :-2]) & (magnitude[:, 1:-1] >= magnitude[:, 2:])
        peak[:, 1:-1] = np.where(inner, magnitude[:, 1:-1], 0.0)
        keep = min(PEAKS, peak.shape[1])
        index = np.argpartition(-peak, keep - 1, axis=1)[:, :keep]
        amp = np.take_along_axis(peak, index, axis=1)
        total = amp.sum(axis=1, keepdims=True)
        amp = np.divide(amp, total, out=np.zeros_like(amp), where=total > 0)
        freq = self._freqs[index]
        low = np.minimum(freq[:, :, None], freq[:, None, :])
        gap = np.abs(freq[:, :, None] - freq[:, None, :])
        s = 0.24 / (0.021 * low + 19.0)
        curve = np.exp(-3.5 * s * gap) - np.exp(-5.75 * s * gap)
        pairs = amp[:, :, None] * amp[:, None, :] * curve
        # Every pair appears twice in the matrix; a partial with itself contributes 0.
        self._sum += float(pairs.sum()) / 2.0
        self._frames += magnitude.shape[0]

    def roughness(self) -> float | None:
        """Mean roughness per frame (0 for a pure tone; about 0.01 for real music), None when no
        frame was long or loud enough."""
        if self._frames == 0:
            return None
        return self._sum / self._frames
