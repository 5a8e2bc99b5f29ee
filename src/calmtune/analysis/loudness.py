"""Loudness per ITU-R BS.1770-4 / EBU R128, streaming and numpy-vectorised.

The K-weighting filter (a high shelf near 1.7 kHz and a high-pass near 38 Hz) is designed for the
file's own sample rate from the analogue prototype parameters that reproduce the BS.1770 48 kHz
coefficients exactly (the derivation libebur128 uses). Instead of running the IIR sample by sample in
Python, its impulse response is computed once (it decays below 1e-9 within a few thousand samples)
and applied with FFT overlap-add, block by block, so a one-hour file never sits in memory.

The filtered signal's energy is kept per 100 ms step; 400 ms gating blocks (75 % overlap) and 3 s
short-term blocks for the loudness range are sums of consecutive steps.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from calmtune.analysis.fft import rfft32

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
LRA_RELATIVE_GATE_LU = -20.0
STEPS_PER_SECOND = 10  # 100 ms steps: 4 make a 400 ms block, 30 make a 3 s short-term block


def k_weighting_coefficients(rate: int) -> tuple[np.ndarray, np.ndarray]:
    """The cascaded K-weighting filter (shelf, then high-pass) as one 4th-order (b, a) pair."""
    # Stage 1: high shelf. Parameters fit so that rate=48000 gives the BS.1770 table to 1e-14.
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf_b = np.array([(vh + vb * k / q + k * k), 2.0 * (k * k - vh), (vh - vb * k / q + k * k)])
    shelf_a = np.array([a0, 2.0 * (k * k - 1.0), 1.0 - k / q + k * k])
    # Stage 2: the RLB high-pass.
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    hp_b = np.array([1.0, -2.0, 1.0])
    hp_a = np.array([1.0 + k / q + k * k, 2.0 * (k * k - 1.0), 1.0 - k / q + k * k])
    hp_a0 = hp_a[0]
    b = np.convolve(shelf_b / a0, hp_b)
    a = np.convolve(shelf_a / a0, hp_a / hp_a0)
    return b, a


@functools.lru_cache(maxsize=8)
def k_weighting_impulse_response(rate: int, tolerance: float = 1e-9) -> np.ndarray:
    """The K-weighting impulse response, truncated where its tail is below ``tolerance``.

    Evaluating B(z)/A(z) on a dense FFT grid and transforming back gives the impulse response with a
    time-aliasing error of r**n (r < 1 the largest pole radius), negligible for the n used here.
    """
    b, a = k_weighting_coefficients(rate)
    n = 1 << max(16, math.ceil(math.log2(rate)) + 2)
    h = np.fft.irfft(np.fft.rfft(b, n) / np.fft.rfft(a, n), n)
    tail = np.abs(h[::-1])
    significant = np.nonzero(np.maximum.accumulate(tail) > tolerance)[0]
    length = n - int(significant[0]) if significant.size else n
    return h[: max(length, 8)]


def channel_weights(channels: int) -> np.ndarray:
    """BS.1770 channel gains: 1.0 for front channels, 1.41 for surrounds, LFE (5.1 index 3) off."""
    weights = np.ones(channels)
    if channels == 5:
        weights[3:5] = 1.41
    elif channels >= 6:
        weights[3] = 0.0
        weights[4:6] = 1.41
    return weights


class KWeightingFilter:
    """Streaming FFT overlap-add convolution with the K-weighting impulse response.

    float32 FFTs halve the cost; their ~1e-7 relative error is far below the 0.001 LU the result
    is rounded to. The forward ones go through ``fft.rfft32``: numpy's default rfft would
    compute them in float64 (three times slower here). The hop is a quarter of the decoder's
    65,536-frame block, so a block is four whole FFTs and never a fifth, mostly empty one; the
    FFT is the smallest fast size that holds a hop plus the filter (20,480 at 44.1 and 48 kHz).
    That filters 20% faster than a power-of-two FFT near 4x the filter length
    (`benchmarks/bench_analysis.py`: loudness is about 40% of it). A block's pieces go through
    one transform each way, not one per piece: numpy sets a transform up anew on every call.
    """

    HOP = 16384
    PIECES = 4  # hops per transform call: one decoder block

    def __init__(self, rate: int, channels: int) -> None:
        h = k_weighting_impulse_response(rate)
        taps = len(h)
        self._hop = self.HOP
        self._nfft = _fast_fft_size(self._hop + taps - 1)
        self._spectrum = np.fft.rfft(h.astype(np.float32), self._nfft).astype(np.complex64)
        self._tail = np.zeros((channels, taps - 1), dtype=np.float32)

    def process(self, block: np.ndarray) -> np.ndarray:
        """Filter a (channels, frames) block; returns float32 of the same shape, continuing the
        previous block (the filter's ringing is carried over)."""
        block = np.asarray(block, dtype=np.float32)
        out = np.empty(block.shape, dtype=np.float32)
        span = self.PIECES * self._hop  # bounds the transforms' memory for a long block
        for start in range(0, block.shape[1], span):
            self._filter(block[:, start : start + span], out[:, start : start + span])
        return out

    def _filter(self, block: np.ndarray, out: np.ndarray) -> None:
        """Filter up to PIECES hops of ``block`` into ``out``, all pieces in one transform."""
        channels, frames = block.shape
        hop = self._hop
        count = -(-frames // hop)  # pieces of a hop; the last one may be shorter
        pieces = np.zeros((channels, count, hop), dtype=np.float32)
        pieces.reshape(channels, count * hop)[:, :frames] = block
        spectra = rfft32(pieces, self._nfft, axis=2)
        spectra *= self._spectrum
        full = np.fft.irfft(spectra, self._nfft, axis=2)  # (channels, pieces, nfft)
        tail = self._tail
        overlap = tail.shape[1]
        for index in range(count):
            start = index * hop
            n = min(hop, frames - start)
            piece = full[:, index]
            piece[:, :overlap] += tail
            out[:, start : start + n] = piece[:, :n]
            tail = piece[:, n : n + overlap]
        self._tail = tail.copy()


def _fast_fft_size(n: int) -> int:
    """The smallest size >= n of the form 2**k, 3 * 2**k or 5 * 2**k: sizes the FFT handles
    fastest (a power of two with at most one small odd factor)."""
    return min(odd << max(0, math.ceil(math.log2(n / odd))) for odd in (1, 3, 5))


class StepEnergies:
    """Accumulates the mean-square of each channel over consecutive 100 ms steps."""

    def __init__(self, rate: int, channels: int) -> None:
        self.rate = rate
        self._channels = channels
        self._position = 0  # samples seen
        self._step_index = 0  # index of the step being filled
        self._partial = np.zeros(channels)
        self._sums: list[np.ndarray] = []

    def _boundary(self, step: int) -> int:
        return (step * self.rate) // STEPS_PER_SECOND

    def add(self, squares: np.ndarray) -> None:
        """Add squared, weighted samples shaped (channels, frames)."""
        start = self._position
        end = start + squares.shape[1]
        cuts = []
        step = self._step_index
        while self._boundary(step + 1) <= end:
            cuts.append(self._boundary(step + 1) - start)
            step += 1
        if not cuts:
            self._partial += squares.sum(axis=1, dtype=np.float64)
        else:
            offsets = np.array([0, *cuts[:-1]])
            sums = np.add.reduceat(squares[:, : cuts[-1]], offsets, axis=1, dtype=np.float64)
            sums[:, 0] += self._partial
            self._sums.extend(sums.T)
            self._partial = squares[:, cuts[-1] :].sum(axis=1, dtype=np.float64)
            self._step_index = step
        self._position = end

    def step_sums(self) -> np.ndarray:
        """Completed steps as an array (steps, channels) of sums of squares."""
        if not self._sums:
            return np.zeros((0, self._channels))
        return np.vstack(self._sums)

    def total(self) -> np.ndarray:
        """Sum of squares per channel over everything added, steps and the partial one."""
        return self.step_sums().sum(axis=0) + self._partial

    def step_lengths(self, count: int) -> np.ndarray:
        idx = np.arange(count + 1)
        bounds = (idx * self.rate) // STEPS_PER_SECOND
        return np.diff(bounds).astype(float)


def _window_loudness(
    sums: np.ndarray, lengths: np.ndarray, steps: int, weights: np.ndarray
) -> np.ndarray:
    """Loudness (LUFS) of windows of ``steps`` consecutive steps, hopping one step; -inf if silent."""
    count = sums.shape[0] - steps + 1
    if count <= 0:
        return np.zeros(0)
    csum = np.vstack([np.zeros((1, sums.shape[1])), np.cumsum(sums, axis=0)])
    clen = np.concatenate([[0.0], np.cumsum(lengths)])
    window_sums = csum[steps : steps + count] - csum[:count]
    window_len = clen[steps : steps + count] - clen[:count]
    power = (window_sums / window_len[:, None]) @ weights
    with np.errstate(divide="ignore"):
        return -0.691 + 10.0 * np.log10(power)


def gated_loudness(step_sums: np.ndarray, step_lengths: np.ndarray, weights: np.ndarray):
    """Integrated loudness (LUFS) from step energies, or None when nothing passes the gates."""
    block_lufs = _window_loudness(step_sums, step_lengths, 4, weights)
    if block_lufs.size == 0:
        return None
    count = block_lufs.size
    csum = np.vstack([np.zeros((1, step_sums.shape[1])), np.cumsum(step_sums, axis=0)])
    clen = np.concatenate([[0.0], np.cumsum(step_lengths)])
    block_power = (
        (csum[4 : 4 + count] - csum[:count]) / (clen[4 : 4 + count] - clen[:count])[:, None]
    ) @ weights
    above_abs = block_lufs >= ABSOLUTE_GATE_LUFS
    if not above_abs.any():
        return None
    relative_gate = -0.691 + 10.0 * math.log10(block_power[above_abs].mean()) + RELATIVE_GATE_LU
    kept = above_abs & (block_lufs > relative_gate)
    if not kept.any():
        return None
    return float(-0.691 + 10.0 * math.log10(block_power[kept].mean()))


def loudness_range(step_sums: np.ndarray, step_lengths: np.ndarray, weights: np.ndarray):
    """EBU Tech 3342 loudness range (LU): 3 s blocks at 10 Hz, gates -70 LUFS and -20 LU, P95-P10."""
    short_term = _window_loudness(step_sums, step_lengths, 3 * STEPS_PER_SECOND, weights)
    short_term = short_term[short_term >= ABSOLUTE_GATE_LUFS]
    if short_term.size == 0:
        return None
    mean_power = np.mean(10.0 ** ((short_term + 0.691) / 10.0))
    gate = -0.691 + 10.0 * math.log10(mean_power) + LRA_RELATIVE_GATE_LU
    kept = short_term[short_term >= gate]
    if kept.size == 0:
        return None
    low, high = np.percentile(kept, [10.0, 95.0])
    return float(high - low)


class LoudnessMeter:
    """Feed (frames, channels) float blocks; read integrated loudness, loudness range and peak."""

    def __init__(self, rate: int, channels: int) -> None:
        self.rate = rate
        self.channels = channels
        self._filter = KWeightingFilter(rate, channels)
        self._steps = StepEnergies(rate, channels)
        self._weights = channel_weights(channels)
        self.peak = 0.0
        self.frames = 0

    def add(self, block: np.ndarray) -> None:
        if block.size == 0:
            return
        block = np.asarray(block, dtype=np.float32)
        if block.ndim == 1:
            block = block[:, None]
        self.peak = max(self.peak, float(np.max(np.abs(block))))
        self.frames += block.shape[0]
        filtered = self._filter.process(block.T)
        self._steps.add(filtered * filtered)

    def _sums(self) -> tuple[np.ndarray, np.ndarray]:
        sums = self._steps.step_sums()
        return sums, self._steps.step_lengths(sums.shape[0])

    def integrated(self) -> float | None:
        sums, lengths = self._sums()
        return gated_loudness(sums, lengths, self._weights)

    def short_clip(self) -> float | None:
        """Ungated loudness of a clip shorter than one 400 ms block (BS.1770 defines none);
        None when there is nothing, or it is under the absolute gate."""
        if self.frames == 0:
            return None
        power = float((self._steps.total() / self.frames) @ self._weights)
        if power <= 0.0:
            return None
        lufs = -0.691 + 10.0 * math.log10(power)
        return lufs if lufs >= ABSOLUTE_GATE_LUFS else None

    def range(self) -> float | None:
        sums, lengths = self._sums()
        return loudness_range(sums, lengths, self._weights)

    def peak_dbfs(self) -> float | None:
        """Sample peak in dBFS, or None for digital silence."""
        if self.peak <= 0.0:
            return None
        return 20.0 * math.log10(self.peak)


def _as_frames(samples: np.ndarray) -> np.ndarray:
    samples = np.asarray(samples, dtype=np.float64)
    return samples[:, None] if samples.ndim == 1 else samples


def integrated_loudness(samples: np.ndarray, rate: int) -> float | None:
    """Integrated loudness (LUFS) of ``samples`` shaped (frames,) or (frames, channels).

    Returns None when no 400 ms block passes the gates (silence, or shorter than 400 ms).
    """
    frames = _as_frames(samples)
    meter = LoudnessMeter(rate, frames.shape[1])
    meter.add(frames)
    return meter.integrated()


def loudness_range_of(samples: np.ndarray, rate: int) -> float | None:
    """EBU Tech 3342 loudness range (LU) of ``samples``; None if nothing passes the gates."""
    frames = _as_frames(samples)
    meter = LoudnessMeter(rate, frames.shape[1])
    meter.add(frames)
    return meter.range()
