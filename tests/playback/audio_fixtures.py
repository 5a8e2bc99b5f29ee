"""Helpers for playback tests: write short test tracks, read back the PCM the disk driver wrote.

Not a test module (no ``test_`` prefix); test files import it from this folder.
"""

from __future__ import annotations

from functools import partial

import numpy as np

import audiofiles
from audiofiles import rms_db

RATE = 44100


# 1 kHz, where K-weighting is close to 0 dB (see sine_loudness), with silence at each end so that
# back-to-back tracks separate cleanly in the recorded output.
write_tone = partial(audiofiles.write_tone, freq=1000.0, peak=0.5, pad=0.1, rate=RATE)


def sine_loudness(peak: float) -> float:
    """BS.1770 loudness of a stereo 1 kHz sine, ignoring K-weighting (under 1 dB at 1 kHz and
    the same for every tone here, so differences between tones are exact)."""
    return -0.691 + 10 * np.log10(2 * peak**2 / 2)


def segments(signal: np.ndarray, rate: int = RATE, gap: float = 0.05) -> list[tuple[int, int]]:
    """(start, end) sample ranges of sound separated by at least ``gap`` seconds of silence."""
    loud = np.nonzero(np.abs(signal) > 1e-4)[0]
    if len(loud) == 0:
        return []
    breaks = np.nonzero(np.diff(loud) > gap * rate)[0]
    starts = np.concatenate([[loud[0]], loud[breaks + 1]])
    ends = np.concatenate([loud[breaks], [loud[-1]]]) + 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def window_rms_db(signal: np.ndarray, window: float = 0.1, rate: int = RATE) -> list[float]:
    size = int(window * rate)
    count = len(signal) // size
    return [rms_db(signal[i * size : (i + 1) * size]) for i in range(count)]
