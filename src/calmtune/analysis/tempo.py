"""Tempo from the onset-strength envelope, designed not to double slow music.

1. Periodicity: the autocorrelation of the (locally centred) onset envelope, read at fractional
   lags by linear interpolation, is summed over the first four multiples of each candidate period
   (a comb). Candidates lie on a 0.2 % grid from 40 to 240 BPM and the best is refined by a
   parabola through its neighbours, so the estimate is not tied to lag bins (4.6 % apart near
   120 BPM at a 512 hop and 22.05 kHz; the comb's fourth tooth is four times finer).
2. Prior: flat over 50-180 BPM in log-tempo, falling off outside. It does not favour 120 BPM, which
   is what makes common estimators double slow music.
3. Metrical level: a comb cannot tell 60 from 120 BPM (every multiple of 1 s is also a multiple of
   0.5 s), so the pulse pattern decides. The estimate is moved to the slowest of its octaves in
   range, the envelope is folded at that period to find the beat phase, and the tempo is doubled
   only while the half-beats carry clear evidence of being beats: in the low band (bass, kick,
   snare body) when it pulses, since hats and rides subdivide the beat but rarely reach under
   250 Hz; in the full band for soft music without a low pulse. A tie keeps the slower reading,
   because for a calm player doubling a lullaby is the worst error (docs/music.md, "Tempo").
   Last, a reading whose thirds are as strong as its beats was a 3/4 bar and is tripled.
4. Confidence in 0..1: how far the comb's peak stands above its typical value, times how clearly
   the beats stand above the rest of the envelope.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

MIN_BPM = 50.0
MAX_BPM = 180.0
GRID_LOW, GRID_HIGH = 40.0, 240.0
GRID_STEP = 1.002  # 0.2 % between candidates
COMB_TEETH = 4
MIN_SECONDS = 5.0  # shorter envelopes give no tempo
MIN_CONFIDENCE = 0.1  # below this (noise, drones) no tempo is reported rather than a guess

# Octave decisions, tuned on seeds 0-359 of the generated set at 20 s and 30 s (8 errors in 720,
# none doubled); the tests use seeds 5000+.
DOUBLING_EVIDENCE = 0.2  # half-beats this strong (relative to beats) double the tempo
TRIPLING_EVIDENCE = 0.4  # both thirds of the beat this strong: the "beat" was a 3/4 bar
LOW_PULSE_STRENGTH = 1.4  # low-band beats this many std above the median: judge by the low band


@dataclass(frozen=True)
class PulseProfile:
    """Mean envelope strength at the beats and between them, with the background removed."""

    beat: float  # at the beats (best phase)
    half: float  # halfway between beats, relative to ``beat`` (0 = background, 1 = as strong)
    thirds: float  # the weaker of 1/3 and 2/3 of the beat, relative
    alternation: float  # weaker of even/odd beats over the stronger one (1 = all equal)
    clarity: float  # beat strength over the envelope's spread, squashed to 0..1
    strength: float  # beat strength over the envelope's spread (standard deviations)


def estimate_tempo(samples: np.ndarray, rate: int) -> tuple[float | None, float]:
    """Tempo (BPM) and confidence 0..1 of ``samples`` shaped (frames,) or (frames, channels).

    Returns (None, confidence) when there is no pulse to measure (silence, a steady tone, noise,
    less than 5 s).
    """
    from calmtune.analysis.spectral import SpectralAnalyzer

    analyzer = SpectralAnalyzer(rate)
    analyzer.add(np.asarray(samples, dtype=np.float32))
    return tempo_from_envelope(
        analyzer.onset_envelope(), analyzer.frame_rate, analyzer.band_onset_envelopes()
    )


def tempo_from_envelope(
    envelope: np.ndarray, frame_rate: float, bands: np.ndarray | None = None
) -> tuple[float | None, float]:
    """Tempo (BPM) and confidence from an onset-strength envelope sampled at ``frame_rate``.

    ``bands`` (frames, 3): the low/mid/high band envelopes; the low band helps tell beats (bass,
    kick, snare body, chord roots) from subdivisions (hats), which rarely reach under 250 Hz.
    """
    env = np.asarray(envelope, dtype=np.float64)
    if env.size < MIN_SECONDS * frame_rate or not np.all(np.isfinite(env)):
        return None, 0.0
    novelty = _centre(env, frame_rate)
    spread = float(novelty.std())
    if spread <= 1e-6 * max(1.0, float(np.abs(env).max())):
        return None, 0.0
    max_lag = int(60.0 / GRID_LOW * frame_rate * COMB_TEETH) + 2
    acf = _autocorrelation(novelty / spread, max_lag)
    steps = int(math.log(GRID_HIGH / GRID_LOW) / math.log(GRID_STEP)) + 1
    bpms = GRID_LOW * GRID_STEP ** np.arange(steps)
    salience = np.maximum(_comb(acf, 60.0 * frame_rate / bpms), 0.0)
    weighted = salience * _prior(bpms)
    best = int(np.argmax(weighted))
    if weighted[best] <= 0.0:
        return None, 0.0
    bpm = _refine(bpms, weighted, best)
    smooth = _widen(env)
    low = _widen(np.asarray(bands, dtype=np.float64)[:, 0]) if bands is not None else smooth
    bpm = choose_level(smooth, low, frame_rate, bpm)
    profile = pulse_profile(smooth, frame_rate, bpm)
    typical = float(np.median(salience))
    peak = float(np.interp(math.log(bpm), np.log(bpms), salience))
    periodicity = max(0.0, min(1.0, (peak - typical) / max(1e-9, 1.0 - typical)))
    confidence = round(max(0.0, min(1.0, math.sqrt(periodicity * profile.clarity))), 3)
    if confidence < MIN_CONFIDENCE:
        return None, confidence
    return round(bpm, 2), confidence


def _centre(env: np.ndarray, frame_rate: float) -> np.ndarray:
    """Subtract a 1 s moving average so slow swells do not look like a pulse."""
    width = max(3, int(frame_rate))
    kernel = np.ones(width) / width
    padded = np.pad(env, width, mode="edge")
    local = np.convolve(padded, kernel, mode="same")[width:-width]
    return env - local


def _autocorrelation(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Unbiased autocorrelation normalised to 1 at lag 0, for lags 0..max_lag."""
    n = len(x)
    size = 1 << math.ceil(math.log2(2 * n))
    spectrum = np.fft.rfft(x, size)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size)[: min(max_lag + 1, n)]
    acf = acf / (n - np.arange(len(acf)))
    return acf / acf[0] if acf[0] > 0 else acf


def _at(acf: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """The autocorrelation at fractional lags (linear interpolation), 0 beyond its end."""
    return np.interp(lags, np.arange(len(acf)), acf, right=0.0)


def _comb(acf: np.ndarray, periods: np.ndarray) -> np.ndarray:
    teeth = np.arange(1, COMB_TEETH + 1)
    return _at(acf, periods[:, None] * teeth[None, :]).mean(axis=1)


def _prior(bpms: np.ndarray) -> np.ndarray:
    """1 inside MIN_BPM..MAX_BPM, a half-octave-wide Gaussian fall-off (in log2 tempo) outside."""
    below = np.log2(np.maximum(MIN_BPM / bpms, 1.0))
    above = np.log2(np.maximum(bpms / MAX_BPM, 1.0))
    return np.exp(-0.5 * ((below + above) / 0.15) ** 2)


def _refine(bpms: np.ndarray, values: np.ndarray, best: int) -> float:
    """Parabolic interpolation of the peak in log-tempo."""
    if 0 < best < len(bpms) - 1:
        y0, y1, y2 = values[best - 1], values[best], values[best + 1]
        denom = y0 - 2.0 * y1 + y2
        if denom < 0:
            offset = 0.5 * (y0 - y2) / denom
            return float(bpms[best] * GRID_STEP ** max(-0.5, min(0.5, offset)))
    return float(bpms[best])


def _widen(env: np.ndarray) -> np.ndarray:
    """A 3-frame running maximum, so a pulse a frame early or late still counts."""
    padded = np.pad(env, 1, mode="edge")
    return np.maximum(np.maximum(padded[:-2], padded[1:-1]), padded[2:])


def pulse_profile(
    env: np.ndarray, frame_rate: float, bpm: float, stat: Callable[[np.ndarray], Any] = np.mean
) -> PulseProfile:
    """Fold the envelope at the beat period and measure beats, half-beats, thirds, alternation."""
    period = 60.0 * frame_rate / bpm
    count = int((len(env) - 1) / period) - 1
    if count < 4:
        return PulseProfile(0.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    phases = np.arange(math.ceil(period))
    beats = np.arange(count) * period
    positions = np.rint(phases[:, None] + beats[None, :]).astype(int)
    strengths = env[np.clip(positions, 0, len(env) - 1)]
    phase = int(np.argmax(strengths.mean(axis=1)))
    base = float(np.median(env))

    def level(fraction: float) -> np.ndarray:
        idx = np.rint(phase + beats + fraction * period).astype(int)
        return env[np.clip(idx, 0, len(env) - 1)] - base

    on_beat = level(0.0)
    beat = float(stat(on_beat))
    if beat <= 1e-12:
        return PulseProfile(0.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    half = float(stat(level(0.5))) / beat
    thirds = float(min(stat(level(1 / 3)), stat(level(2 / 3)))) / beat
    even, odd = float(on_beat[0::2].mean()), float(on_beat[1::2].mean())
    alternation = min(even, odd) / max(even, odd) if max(even, odd) > 0 else 1.0
    strength = beat / (float(np.std(env)) or 1.0)
    clarity = 1.0 - math.exp(-strength / 2.0)
    return PulseProfile(beat, half, thirds, max(0.0, alternation), clarity, strength)


def half_beat_evidence(full: np.ndarray, low: np.ndarray, frame_rate: float, bpm: float) -> float:
    """How much the half-beats at ``bpm`` look like beats (0 = background, 1 = as strong).

    Read in the low band (bass, kick, snare body, chord roots) when it carries a clear pulse:
    hats and rides subdivide the beat but rarely reach under 250 Hz, so there a half-time reading
    of a faster piece shows a strong half-beat and a true slow piece does not. Soft music without
    a low pulse (pads, strings, clicks) is read in the full band.
    """
    low_profile = pulse_profile(low, frame_rate, bpm)
    if low_profile.strength >= LOW_PULSE_STRENGTH:
        # Mean and median of the half-beats: a pulse on every half-beat raises both, an extra
        # kick on a few half-beats only the mean.
        median = pulse_profile(low, frame_rate, bpm, np.median).half
        return 0.5 * (low_profile.half + median)
    # Soft music: the typical (median) half-beat against the mean beat. A pulse on every
    # half-beat raises it; occasional events between beats (a chord change, a note cut off, a
    # sparse ornament) do not, so they cannot double a slow piece.
    typical = pulse_profile(full, frame_rate, bpm)
    if typical.beat <= 0.0:
        return 0.0
    consistent = pulse_profile(full, frame_rate, bpm, np.median)
    return consistent.half * consistent.beat / typical.beat


def choose_level(full: np.ndarray, low: np.ndarray, frame_rate: float, bpm: float) -> float:
    """Pick the metrical level among the octaves (and triples) of ``bpm`` that fit the range.

    Starts at the slowest octave in range and doubles only while the half-beats carry clear
    evidence of being beats, so a slow piece is never doubled on a tie (docs/music.md, "Tempo").
    """
    low_limit, high_limit = MIN_BPM * 0.96, MAX_BPM * 1.04
    while bpm / 2.0 >= low_limit:
        bpm /= 2.0
    while bpm * 2.0 <= high_limit:
        if half_beat_evidence(full, low, frame_rate, bpm) < DOUBLING_EVIDENCE:
            break
        bpm *= 2.0
    if bpm * 3.0 <= high_limit and pulse_profile(full, frame_rate, bpm).thirds >= TRIPLING_EVIDENCE:
        bpm *= 3.0
    return bpm
