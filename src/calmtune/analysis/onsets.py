"""Onsets from the onset-strength envelope: how many attacks per second, and how hard they hit.

The envelope is a rise in dB (``spectral.SpectralAnalyzer``), so both measures are the same at
any playback gain.
"""

from __future__ import annotations

import numpy as np

MIN_GAP_SECONDS = 0.05  # two attacks closer than this are heard as one
THRESHOLD_WINDOW_SECONDS = 0.5
# How far (mean dB rise across bands) an attack must stand above the local median flux.
MIN_RISE_DB = 1.5
# Frames whose running median is taken at once: the median copies its windows, and a whole hour
# at once (310,000 frames x 43) would hold 107 MB; this many hold under 3 MB.
MEDIAN_CHUNK = 8192


def onset_frames(envelope: np.ndarray, frame_rate: float) -> np.ndarray:
    """Frame indices of onsets: local maxima that rise clearly above their surroundings.

    A peak counts when it is the largest within +-MIN_GAP_SECONDS, exceeds the local median
    (over +-0.25 s) by at least MIN_RISE_DB, and is not lost in the quietest passages (at least a
    tenth of the loud peaks). The margin is absolute because the envelope is a rise in dB: noise,
    hiss and a steady tone flicker by a fraction of a dB from frame to frame, which a margin
    relative to the envelope's own spread would count as a stream of attacks.
    """
    env = np.asarray(envelope, dtype=np.float64)
    if env.size < 3 or not np.isfinite(env).all() or env.max() <= 0.0:
        return np.zeros(0, dtype=int)
    gap = max(1, round(MIN_GAP_SECONDS * frame_rate))
    padded = np.pad(env, gap, mode="constant", constant_values=-np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * gap + 1)
    is_peak = env >= windows.max(axis=1)
    half = max(1, round(THRESHOLD_WINDOW_SECONDS * frame_rate / 2))
    local_median = _running_median(env, half)
    floor = 0.1 * float(np.percentile(env, 99.5))
    candidates = np.nonzero(is_peak & (env > local_median + MIN_RISE_DB) & (env > floor))[0]
    if candidates.size == 0:
        return candidates
    # Plateaus give runs of equal maxima: keep the first of each run closer than the gap.
    keep = np.concatenate([[True], np.diff(candidates) > gap])
    return candidates[keep]


def _running_median(env: np.ndarray, half: int) -> np.ndarray:
    """The median of ``env`` over +-``half`` frames around each frame (edges repeated)."""
    padded = np.pad(env, half, mode="edge")
    out = np.empty(env.size)
    for start in range(0, env.size, MEDIAN_CHUNK):
        stop = min(env.size, start + MEDIAN_CHUNK)
        windows = np.lib.stride_tricks.sliding_window_view(
            padded[start : stop + 2 * half], 2 * half + 1
        )
        out[start:stop] = np.median(windows, axis=1)
    return out


def onset_statistics(envelope: np.ndarray, frame_rate: float) -> tuple[float, float | None]:
    """(onsets per second, median rise at the onsets in dB or None), finding the onsets once."""
    env = np.asarray(envelope, dtype=np.float64)
    if env.size == 0:
        return 0.0, None
    frames = onset_frames(env, frame_rate)
    density = float(len(frames) / (env.size / frame_rate))
    return density, (float(np.median(env[frames])) if frames.size else None)


def onset_density(envelope: np.ndarray, frame_rate: float) -> float:
    """Onsets per second over the whole envelope (0.0 for an empty one)."""
    env = np.asarray(envelope)
    if env.size == 0:
        return 0.0
    return float(len(onset_frames(env, frame_rate)) / (env.size / frame_rate))
