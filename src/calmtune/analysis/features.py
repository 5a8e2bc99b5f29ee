"""Measure one file: decode block by block and feed every meter in one pass."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from calmtune.analysis.loudness import LoudnessMeter
from calmtune.analysis.onsets import onset_statistics
from calmtune.analysis.spectral import SpectralAnalyzer
from calmtune.analysis.tempo import tempo_from_envelope
from calmtune.audio.decode import open_audio
from calmtune.errors import AnalysisError
from calmtune.models import Features


def analyze_file(path: str) -> Features:
    """Decode ``path`` at its own sample rate and measure its Features.

    Raises AnalysisError with a one-line reason for files that cannot be decoded (corrupt,
    truncated, unknown format, M4A/WMA without ffmpeg). A silent file gives Features(silent=True).
    """
    with open_audio(path) as stream:
        try:
            return analyze_blocks(stream.blocks, stream.rate, stream.channels)
        except AnalysisError as err:
            if path in err.message:  # the decoder's own message already names the file
                raise
            raise AnalysisError(f"cannot analyse {path}: {err.message}") from None


def analyze_samples(samples: np.ndarray, rate: int) -> Features:
    """Features of in-memory ``samples`` shaped (frames,) or (frames, channels)."""
    frames = np.asarray(samples, dtype=np.float32)
    if frames.ndim == 1:
        frames = frames[:, None]
    return analyze_blocks([frames], rate, frames.shape[1])


def analyze_blocks(blocks: Iterable[np.ndarray], rate: int, channels: int) -> Features:
    """Features from (frames, channels) float blocks, fed through every meter in one pass."""
    if rate <= 0 or channels <= 0:
        raise AnalysisError("no audio stream")
    loudness = LoudnessMeter(rate, channels)
    spectrum = SpectralAnalyzer(rate)
    for block in blocks:
        if not np.isfinite(block).all():
            raise AnalysisError("the audio holds invalid (NaN or infinite) samples")
        loudness.add(block)
        spectrum.add(block)
    if loudness.frames == 0:
        raise AnalysisError("no audio frames (empty or truncated)")
    lufs = loudness.integrated()
    if lufs is None and loudness.frames < 0.4 * rate:
        lufs = loudness.short_clip()  # a blip too short for gating is not silence
    if lufs is None:
        return Features(silent=True)
    envelope = spectrum.onset_envelope()
    bpm, confidence = tempo_from_envelope(
        envelope,
        spectrum.frame_rate,
        spectrum.band_onset_envelopes(),
        spectrum.strong_band_onset_envelopes(),
    )
    density, strength = onset_statistics(envelope, spectrum.frame_rate)
    return Features(
        bpm=_finite(bpm, 2),
        bpm_confidence=_finite(confidence, 3) if bpm is not None else None,
        loudness_lufs=_finite(lufs, 2),
        peak_dbfs=_finite(loudness.peak_dbfs(), 2),
        loudness_range=_finite(loudness.range(), 2),
        onset_density=_finite(density, 3),
        brightness=_finite(spectrum.centroid(), 1),
        onset_strength=_finite(strength, 3),
        spectral_flux=_finite(spectrum.spectral_flux(), 4),
        percussive_share=_finite(spectrum.percussive_share(), 4),
        bass_share=_finite(spectrum.bass_share(), 4),
        tonal_clarity=_finite(spectrum.tonal_clarity(), 3),
        low_percussive_share=_finite(spectrum.low_percussive_share(), 4),
        roughness=_finite(spectrum.roughness(), 5),
        texture_change=_finite(spectrum.texture_change(), 3),
        silent=False,
    )


def _finite(value: float | None, digits: int) -> float | None:
    """Round, and turn anything not finite into None: the index must never hold NaN or inf."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)
