"""Streaming short-time spectrum: the onset-strength envelope and the spectral centroid.

Tempo and brightness do not need the full band, so the mono mix is first decimated by a power of two
to about 22-24 kHz (a pair average is a gentle low-pass; aliasing above 6 kHz barely moves a flux
or a centroid). Frames hop about 11.6 ms (86 frames/s). The spectrum is pooled into log-spaced
bands so that bass and kick count as much as the many high-frequency bins, converted to dB, and the
onset strength is the mean rise in dB across bands from one frame to the next (spectral flux).
The tempo's level choice also reads *strong* band envelopes: each band's rise counted in proportion
to how near the band comes to its own loudest level so far (``STRONG_SPAN_DB``), because a rise in
dB from silence is as large for a hi-hat's faint low end as for the kick, and only the strong
rises tell which drum (or which voice) plays where in the bar.
Band levels are floored 80 dB under the loudest band level so far (``floors.RunningFloor``), not
at an absolute level, so a softer copy gives the same rises. The same spectrum also gives the
bass share (power under 150 Hz over all power), the tonal clarity (peaks over valleys) and the
texture change over seconds (``change.py``, from the band levels); the roughness
(``roughness.py``) reads the same decimated samples with longer windows.
"""

from __future__ import annotations

import math

import numpy as np

from calmtune.analysis.change import TextureChangeMeter
from calmtune.analysis.fft import rfft32
from calmtune.analysis.floors import ABSOLUTE_GUARD_DB, RunningFloor
from calmtune.analysis.roughness import RoughnessMeter
from calmtune.analysis.texture import TextureMeter

TARGET_RATE = 22050.0
FRAME_RATE = 86.0  # frames per second, as librosa's 512 hop at 22.05 kHz doubled
BAND_COUNT = 128
LOW_BAND_TOP_HZ = 250.0  # bands under this carry bass, kick and chord roots
HIGH_BAND_BOTTOM_HZ = 3000.0  # bands over this carry hats and cymbals
FLUX_LAG = 3  # frames between the compared spectra (~23 ms)
# A band's rise counts fully at its loudest level so far and not at all this far under it.
STRONG_SPAN_DB = 30.0
BASS_TOP_HZ = 150.0  # bass share: power under this (kick, timpani, bass line, low brass)
# Tonal clarity: how far the spectrum's peaks stand above its valleys (the inverse of spectral
# flatness), over these bins, in frames no more than CLARITY_RANGE_DB under the loudest so far.
CLARITY_BAND_HZ = (100.0, 6000.0)
CLARITY_RANGE_DB = 40.0
CLARITY_EPSILON = 1e-6  # bins this far (60 dB) under the frame's mean power count as that
# 10 * log10(x) == DB_PER_NEPER * ln(x). Whole blocks of power go to dB through np.log: numpy's
# float32 log is vectorised, its log10 is not (four times slower on these arrays).
DB_PER_NEPER = 10.0 / math.log(10.0)


def decimation_factor(rate: int) -> int:
    """The largest power of two that keeps the analysis rate at or above ~22 kHz (1 below 44 kHz)."""
    factor = 1
    while rate / (factor * 2) >= TARGET_RATE * 0.99:
        factor *= 2
    return factor


class SpectralAnalyzer:
    """Feed (frames, channels) blocks; read the onset envelope, its frame rate and the centroid."""

    def __init__(self, rate: int) -> None:
        self.decimate = decimation_factor(rate)
        self.rate = rate / self.decimate  # analysis rate
        self.hop = max(64, round(self.rate / FRAME_RATE))
        self.n_fft = 4 * self.hop
        self.frame_rate = self.rate / self.hop
        self._window = np.hanning(self.n_fft + 1)[:-1].astype(np.float32)
        # Scale so that a full-scale sine reads about 0 dB in its band.
        self._scale = 2.0 / float(self._window.sum())
        freqs = np.fft.rfftfreq(self.n_fft, 1.0 / self.rate)
        self._freqs = freqs
        self._bands, centres = _band_matrix(freqs, self.rate)
        # The centres rise, so each group is a run of bands: slices, which read the band levels
        # in place where a boolean mask would copy them for every block.
        self._groups = [
            _band_run(centres < LOW_BAND_TOP_HZ),
            _band_run((centres >= LOW_BAND_TOP_HZ) & (centres < HIGH_BAND_BOTTOM_HZ)),
            _band_run(centres >= HIGH_BAND_BOTTOM_HZ),
        ]
        self._carry = np.zeros(0, dtype=np.float32)  # samples not yet decimated
        self._buffer = np.zeros(0, dtype=np.float32)  # decimated samples not yet framed
        self._previous: np.ndarray | None = None
        self._flux: list[np.ndarray] = []
        self._group_flux: list[np.ndarray] = []
        self._strong_group_flux: list[np.ndarray] = []
        self._band_loudest: np.ndarray | None = None  # per band, the loudest level so far
        self._centroid_num = 0.0
        self._centroid_den = 0.0
        self._texture = TextureMeter(self.frame_rate, centres < LOW_BAND_TOP_HZ)
        self._change = TextureChangeMeter(self.frame_rate)
        self._floor = RunningFloor()  # band levels: near-silence relative to the track's level
        self._bass = centres < BASS_TOP_HZ
        self._bass_power = 0.0
        self._all_power = 0.0
        self._clarity_bins = (freqs >= CLARITY_BAND_HZ[0]) & (freqs < CLARITY_BAND_HZ[1])
        self._clarity_loudest = -np.inf
        self._clarity_sum = 0.0
        self._clarity_frames = 0
        # Roughness needs finer frequency steps than these frames give (a semitone at 100 Hz is
        # 6 Hz): its own longer windows, over the same decimated mono samples.
        self._roughness = RoughnessMeter(self.rate, self.hop)

    def add(self, block: np.ndarray) -> None:
        mono = _mix_down(np.asarray(block, dtype=np.float32))
        if self.decimate > 1:
            mono = np.concatenate([self._carry, mono])
            usable = len(mono) - len(mono) % self.decimate
            self._carry = mono[usable:]
            mono = _pair_average(mono[:usable], self.decimate)
        self._roughness.add(mono)
        buffer = np.concatenate([self._buffer, mono])
        count = (len(buffer) - self.n_fft) // self.hop + 1
        if count <= 0:
            self._buffer = buffer
            return
        frames = np.lib.stride_tricks.sliding_window_view(buffer, self.n_fft)[:: self.hop][:count]
        self._buffer = buffer[count * self.hop :]
        self._analyse(frames)

    def _analyse(self, frames: np.ndarray) -> None:
        magnitude = np.abs(rfft32(frames * self._window, axis=1)) * self._scale
        spectrum_sum = magnitude.sum(axis=0)
        self._centroid_num += float(spectrum_sum @ self._freqs)
        self._centroid_den += float(spectrum_sum.sum())
        power = magnitude * magnitude
        band_power = power @ self._bands
        self._bass_power += float(band_power[:, self._bass].sum(dtype=np.float64))
        self._all_power += float(band_power.sum(dtype=np.float64))
        self._add_clarity(power[:, self._clarity_bins])
        level = self._band_levels(band_power)
        self._texture.add(level)
        self._change.add(level)
        # Rise over FLUX_LAG frames: a slow (legato, pad) attack spread over several frames still
        # adds up to one clear onset instead of a few small steps lost in the noise.
        history = (
            self._previous if self._previous is not None else np.repeat(level[:1], FLUX_LAG, 0)
        )
        stacked = np.concatenate([history, level])
        rise = np.maximum(stacked[FLUX_LAG:] - stacked[:-FLUX_LAG], 0.0)
        self._previous = stacked[-FLUX_LAG:]
        self._flux.append(rise.mean(axis=1))
        self._group_flux.append(np.stack([rise[:, g].mean(axis=1) for g in self._groups], axis=1))
        strong = rise * self._strength(level)
        self._strong_group_flux.append(
            np.stack([strong[:, g].mean(axis=1) for g in self._groups], axis=1)
        )

    def _strength(self, level: np.ndarray) -> np.ndarray:
        """0..1 per frame and band: how near the band is to its loudest level so far (1 at it,
        0 from STRONG_SPAN_DB under it). Relative, so the same at any playback gain."""
        loudest = np.maximum.accumulate(level, axis=0)
        if self._band_loudest is not None:
            loudest = np.maximum(loudest, self._band_loudest)
        self._band_loudest = loudest[-1]
        return np.clip(1.0 - (loudest - level) / STRONG_SPAN_DB, 0.0, 1.0)

    def _band_levels(self, band_power: np.ndarray) -> np.ndarray:
        """Band levels in dB, floored relative to the loudest band so far: what the onset
        envelopes rise over (benchmarks/corpus/study_levels.py caches them)."""
        level = np.log(np.maximum(band_power, 10.0 ** (ABSOLUTE_GUARD_DB / 10.0)))
        level *= np.float32(DB_PER_NEPER)
        return self._floor.apply(level)

    def _add_clarity(self, power: np.ndarray) -> None:
        """Per frame, the arithmetic over the geometric mean of the bins' power, in dB: 0 for
        noise, high for a few clear partials; frames near silence (relative) are left out."""
        mean = power.mean(axis=1)
        frame_db = 10.0 * np.log10(np.maximum(mean, 1e-30))
        self._clarity_loudest = max(self._clarity_loudest, float(frame_db.max()))
        loud = frame_db >= self._clarity_loudest - CLARITY_RANGE_DB
        if not loud.any():
            return
        kept = power[loud]  # a copy: floored and turned into dB in place, to keep memory flat
        np.maximum(kept, np.maximum(mean[loud, None] * CLARITY_EPSILON, 1e-30), out=kept)
        np.log(kept, out=kept)
        geometric_db = DB_PER_NEPER * kept.mean(axis=1)
        self._clarity_sum += float((frame_db[loud] - geometric_db).sum())
        self._clarity_frames += int(loud.sum())

    def bass_share(self) -> float | None:
        """The share of the power under BASS_TOP_HZ (0..1), None for silence."""
        if self._all_power <= 0.0:
            return None
        return self._bass_power / self._all_power

    def tonal_clarity(self) -> float | None:
        """Mean peak-to-valley of the spectrum in dB (``_add_clarity``), None for silence."""
        if self._clarity_frames == 0:
            return None
        return self._clarity_sum / self._clarity_frames

    def roughness(self) -> float | None:
        """Sensory dissonance of the partials sounding together (``roughness.RoughnessMeter``)."""
        return self._roughness.roughness()

    def texture_change(self) -> float | None:
        """How much the spectral shape changes over seconds (``change.TextureChangeMeter``)."""
        return self._change.texture_change()

    def onset_envelope(self) -> np.ndarray:
        """Onset strength per frame (mean dB rise over bands), float32."""
        if not self._flux:
            return np.zeros(0, dtype=np.float32)
        return _joined(self._flux)

    def band_onset_envelopes(self) -> np.ndarray:
        """Onset strength per frame in three groups of bands: low, mid, high (frames, 3)."""
        if not self._group_flux:
            return np.zeros((0, 3), dtype=np.float32)
        return _joined(self._group_flux)

    def strong_band_onset_envelopes(self) -> np.ndarray:
        """Like ``band_onset_envelopes``, each band's rise weighed by how near the band comes to
        its own loudest level (``_strength``): where the kick, the snare and the hats each hit."""
        if not self._strong_group_flux:
            return np.zeros((0, 3), dtype=np.float32)
        return _joined(self._strong_group_flux)

    def percussive_share(self) -> float | None:
        """The share of the power in short broadband hits (``texture.TextureMeter``)."""
        return self._texture.percussive_share()

    def low_percussive_share(self) -> float | None:
        """The share of the power in short hits in the bass bands (``texture.TextureMeter``)."""
        return self._texture.low_percussive_share()

    def spectral_flux(self) -> float | None:
        """How restless the sound is, codec noise left out (``texture.TextureMeter``)."""
        return self._texture.spectral_flux()

    def centroid(self) -> float | None:
        """Magnitude-weighted spectral centroid over the whole file (Hz), None for silence."""
        if self._centroid_den <= 1e-9:
            return None
        return self._centroid_num / self._centroid_den


def _joined(blocks: list[np.ndarray]) -> np.ndarray:
    """The blocks as one array, kept in place of the blocks: an hour's envelopes are held once,
    not twice, while the tempo is measured (the memory target, docs/testing.md)."""
    if len(blocks) > 1:
        blocks[:] = [np.concatenate(blocks)]
    return blocks[0]


def _band_run(mask: np.ndarray) -> slice:
    """The bands of ``mask`` (a single run) as a slice; every band when it holds none."""
    found = np.nonzero(mask)[0]
    if found.size == 0:
        return slice(None)
    assert found[-1] - found[0] + 1 == found.size, "a band group must be one run of bands"
    return slice(int(found[0]), int(found[-1]) + 1)


def _mix_down(block: np.ndarray) -> np.ndarray:
    """Mean of the channels. Column adds: numpy's mean over a short last axis is several times
    slower than this on (frames, 2) blocks."""
    if block.ndim == 1:
        return block
    mono = block[:, 0].copy()
    for channel in range(1, block.shape[1]):
        mono += block[:, channel]
    if block.shape[1] > 1:
        mono *= np.float32(1.0 / block.shape[1])
    return mono


def _pair_average(samples: np.ndarray, factor: int) -> np.ndarray:
    """Decimate by ``factor`` (a power of two) averaging neighbours, one halving at a time."""
    while factor > 1:
        samples = (samples[0::2] + samples[1::2]) * np.float32(0.5)
        factor //= 2
    return samples


def _band_matrix(freqs: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """A (bins, bands) 0/1 matrix pooling bins into log-spaced bands, and the band centres."""
    top = min(11000.0, rate / 2.0)
    edges = np.geomspace(30.0, top, BAND_COUNT + 1)
    index = np.searchsorted(edges, freqs, side="right") - 1
    index[(freqs < edges[0]) | (freqs >= top)] = -1
    used = sorted(set(index[index >= 0].tolist()))
    matrix = np.zeros((len(freqs), len(used)), dtype=np.float32)
    for column, band in enumerate(used):
        matrix[index == band, column] = 1.0
    centres = np.array([freqs[index == band].mean() for band in used])
    return matrix, centres


def frame_rate_for(rate: int) -> float:
    """The onset-envelope frame rate the analyzer uses for a file at ``rate``."""
    analysis_rate = rate / decimation_factor(rate)
    return analysis_rate / max(64, round(analysis_rate / FRAME_RATE))
