"""Tempo from the onset-strength envelope: find the family of pulses, then choose the beat among them.

1. Periodicity: the autocorrelation of the (locally centred) onset envelope, read at fractional
   lags by linear interpolation, is summed over the first four multiples of each candidate period
   (a comb). Candidates lie on a 0.2 % grid from 40 to 240 BPM and a peak is refined by a parabola
   through its neighbours, so the estimate is not tied to lag bins (4.6 % apart near 120 BPM at a
   512 hop and 22.05 kHz; the comb's fourth tooth is four times finer).
2. Metrical level: the comb cannot tell 60 from 120 BPM (every multiple of 1 s is also a multiple
   of 0.5 s), nor a 12/8 beat from its triplets. The strongest periodicity gives the family; every
   level related to it by factors of two and three is a candidate, and ``metre.level_features``
   measures the evidence for each: where the full band and the low band (kick, bass) repeat, the
   accent pattern across beats, half-beats and thirds, every other beat being weaker, and a weak
   preference for tapping rates near 100 BPM. ``LEVEL_WEIGHTS`` weigh that evidence; a softmax of
   the scores gives each level a probability.
3. Confidence in 0..1: the chosen level's probability (when two levels are about equally likely it
   is near 0.5 or below) times how clearly the music pulses at all. Moods, playlists and views lean
   on a tempo only from ``models.TEMPO_TRUSTED_CONFIDENCE`` up.
"""

from __future__ import annotations

import math

import numpy as np

from calmtune.analysis.fft import rfft32
from calmtune.analysis.metre import STRONG_BANDS, candidate_levels, level_features

GRID_LOW, GRID_HIGH = 40.0, 240.0
GRID_STEP = 1.002  # 0.2 % between candidates
COMB_TEETH = 4
MIN_SECONDS = 5.0  # shorter envelopes give no tempo
MIN_PERIODICITY = 0.1  # a comb peak this weak (noise, drones): no tempo rather than a guess
LOW_PULSE_CLARITY = 0.15  # low-band comb peak above its median: the low band carries a pulse

# Weights of the level evidence (metre.FEATURES, in order): fitted by
# `python benchmarks/corpus/fit_levels.py` on development material only (generator seeds 0-299
# and the Hydrogen songs), then fixed. The music21 pieces and the generator's corpus seeds were
# not used.
LEVEL_WEIGHTS = np.array([
    1.430, 0.947, 1.323, 1.202, 0.209, 0.413, -0.195, -0.799, 0.098, 0.216, -0.083, -0.148,
    -0.012, -0.749, 1.117, -0.407, 1.186, 1.316, -0.229, -0.311, 0.472, 0.366, -0.504, 1.497,
])  # fmt: skip


def estimate_tempo(samples: np.ndarray, rate: int) -> tuple[float | None, float]:
    """Tempo (BPM) and confidence 0..1 of ``samples`` shaped (frames,) or (frames, channels).

    Returns (None, confidence) when there is no pulse to measure (silence, a steady tone, noise,
    less than 5 s).
    """
    from calmtune.analysis.spectral import SpectralAnalyzer

    analyzer = SpectralAnalyzer(rate)
    analyzer.add(np.asarray(samples, dtype=np.float32))
    return tempo_from_envelope(
        analyzer.onset_envelope(),
        analyzer.frame_rate,
        analyzer.band_onset_envelopes(),
        analyzer.strong_band_onset_envelopes(),
    )


class LevelEvidence:
    """The periodicity of one envelope and the evidence for each candidate metrical level."""

    def __init__(self, levels: list[float], features: np.ndarray, periodicity: float,
                 bpms: np.ndarray, salience: np.ndarray) -> None:  # fmt: skip
        self.levels = levels
        self.features = features
        self.periodicity = periodicity  # 0..1: how far the comb's peak stands above its median
        self.bpms = bpms
        self.salience = salience

    def probabilities(self, weights: np.ndarray = LEVEL_WEIGHTS) -> np.ndarray:
        scores = self.features @ weights
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def refined(self, level: float) -> float:
        """The comb's own peak near ``level`` (within 3 %), interpolated between grid points."""
        window = np.nonzero(np.abs(np.log(self.bpms / level)) <= math.log(1.03))[0]
        if window.size == 0:
            return level
        best = int(window[np.argmax(self.salience[window])])
        if best in (window[0], window[-1]):  # no peak inside: the level is a multiple, keep it
            return level
        return _refine(self.bpms, self.salience, best)


def level_evidence(
    envelope: np.ndarray,
    frame_rate: float,
    bands: np.ndarray | None = None,
    strong_bands: np.ndarray | None = None,
) -> LevelEvidence | None:
    """The candidate levels of an envelope and their evidence; None when there is no pulse.

    ``bands`` and ``strong_bands`` (frames, 3): ``spectral.SpectralAnalyzer``'s low/mid/high
    band envelopes and their strong versions."""
    env = np.asarray(envelope, dtype=np.float64)
    if env.size < MIN_SECONDS * frame_rate or not np.all(np.isfinite(env)):
        return None
    bpms, salience = _salience(env, frame_rate)
    if salience is None:
        return None
    best = int(np.argmax(salience))
    if salience[best] <= 0.0:
        return None
    typical = float(np.median(salience))
    periodicity = max(0.0, min(1.0, (salience[best] - typical) / max(1e-9, 1.0 - typical)))
    family = _refine(bpms, salience, best)
    low_env = np.asarray(bands[:, 0], dtype=np.float64) if bands is not None else None
    low_bpms, low_salience = (bpms, None) if low_env is None else _salience(low_env, frame_rate)
    low_pulse = low_salience is not None and (
        float(low_salience.max() - np.median(low_salience)) >= LOW_PULSE_CLARITY
    )
    smooth = _widen(env)
    envs = {"full": smooth, "low": smooth, "mid": smooth, "high": smooth}
    # The band envelopes are only folded (means at beat positions): float32 is plenty, and it
    # keeps an hour-long file's analysis under its memory target (docs/testing.md).
    if bands is not None:
        for column, name in enumerate(("low", "mid", "high")):
            envs[name] = _widen(np.asarray(bands[:, column], dtype=np.float32))
    if strong_bands is not None and len(strong_bands) == len(env):
        for column, name in enumerate(STRONG_BANDS):
            envs[name] = _widen(np.asarray(strong_bands[:, column], dtype=np.float32))
    levels = candidate_levels(family)

    def full_at(bpm: float) -> float:
        return float(np.interp(math.log(bpm), np.log(bpms), salience))

    def low_at(bpm: float) -> float:
        if low_salience is None:
            return 0.0
        return float(np.interp(math.log(bpm), np.log(low_bpms), low_salience))

    features = level_features(envs, frame_rate, levels, full_at, low_at, low_pulse)
    return LevelEvidence(levels, features, periodicity, bpms, salience)


def tempo_from_envelope(
    envelope: np.ndarray,
    frame_rate: float,
    bands: np.ndarray | None = None,
    strong_bands: np.ndarray | None = None,
) -> tuple[float | None, float]:
    """Tempo (BPM) and confidence from an onset-strength envelope sampled at ``frame_rate``.

    ``bands`` (frames, 3): the low/mid/high band envelopes; the low band helps tell beats (bass,
    kick, snare body, chord roots) from subdivisions (hats), which rarely reach under 250 Hz.
    ``strong_bands`` (frames, 3): the same bands counting only rises near each band's loudest
    level (``spectral.SpectralAnalyzer.strong_band_onset_envelopes``).
    """
    evidence = level_evidence(envelope, frame_rate, bands, strong_bands)
    if evidence is None:
        return None, 0.0
    probabilities = evidence.probabilities()
    order = np.argsort(probabilities)[::-1]
    choice = int(order[0])
    bpm = evidence.refined(evidence.levels[choice])
    # How much likelier the chosen level is than the next one: 0 when two levels tie.
    runner_up = float(probabilities[order[1]]) if len(order) > 1 else 0.0
    margin = float(probabilities[choice]) - runner_up
    confidence = round(max(0.0, min(1.0, margin * math.sqrt(evidence.periodicity))), 3)
    if evidence.periodicity < MIN_PERIODICITY:
        return None, confidence
    return round(bpm, 2), confidence


def _salience(env: np.ndarray, frame_rate: float) -> tuple[np.ndarray, np.ndarray | None]:
    """The comb salience of ``env`` on the tempo grid (None when the envelope is flat)."""
    steps = int(math.log(GRID_HIGH / GRID_LOW) / math.log(GRID_STEP)) + 1
    bpms = GRID_LOW * GRID_STEP ** np.arange(steps)
    novelty = _centre(env, frame_rate)
    spread = float(novelty.std())
    if spread <= 1e-6 * max(1.0, float(np.abs(env).max())):
        return bpms, None
    max_lag = int(60.0 / GRID_LOW * frame_rate * COMB_TEETH) + 2
    acf = _autocorrelation(novelty / spread, max_lag)
    return bpms, np.maximum(_comb(acf, 60.0 * frame_rate / bpms), 0.0)


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
    # In single precision (``rfft32``; numpy 2's irfft keeps complex64 in float32): an hour's
    # envelope needs a 2^20-point transform, and the memory target (docs/testing.md) has no room
    # for it in double.
    spectrum = rfft32(np.asarray(x, dtype=np.float32), size)
    power = spectrum.real**2 + spectrum.imag**2
    del spectrum
    acf = np.fft.irfft(power, size)[: min(max_lag + 1, n)].astype(np.float64)
    acf = acf / (n - np.arange(len(acf)))
    return acf / acf[0] if acf[0] > 0 else acf


def _comb(acf: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Mean autocorrelation at the first COMB_TEETH multiples of each period (fractional lags,
    linear interpolation; 0 beyond the end)."""
    teeth = np.arange(1, COMB_TEETH + 1)
    lags = periods[:, None] * teeth[None, :]
    return np.interp(lags, np.arange(len(acf)), acf, right=0.0).mean(axis=1)


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
