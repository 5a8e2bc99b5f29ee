"""Texture of a sound: its percussive share and its spectral flux, from the analyser's band levels.

Both are measured on every other frame of the onset envelope's grid (about 43 per second): fine
enough for either measure, at half the cost.

**Percussive share**: how much of the energy comes in short, broadband hits. A simplified
harmonic/percussive split (after Fitzgerald's median filtering): a sustained note is steady along
time and narrow along frequency, a drum hit the opposite. Per band and frame, in dB:

- the *sustained* level is the lowest level of that band over +-TIME_SPAN_S around the frame
  (a note held that long keeps it high; a hit does not);
- the *broadband* level is the lowest level over +-FREQ_BANDS neighbouring bands (a hit keeps it
  high; a note, filling one band, does not).

Each band-frame's power counts as percussive in proportion to how far the broadband level leads
the sustained one (none at a tie, all of it from MASK_SPAN_DB ahead: a steady noise bed is both
broadband and sustained, and is no drum), and the share is the percussive power over all power. Minimum filters rather than medians, built by
doubling (a window of 2**k frames in k steps), for nearly the same split at a fraction of the cost.

**Spectral flux**: the mean rise in dB per band from one frame to the next, how restless the
sound is. Bands more than RELATIVE_FLOOR_DB below the frame's loudest band are raised to that
floor first: there lossy codecs (Ogg Vorbis, MP3, Opus) and hiss flicker by several dB from frame
to frame, which would count as movement in music that is still. So is anything QUIET_FLOOR_DB
below the loudest band heard so far: the near-silence between notes.

Everything is a ratio of powers or a difference of dB, so neither moves with the playback gain.
Streaming: only the last few frames are kept between blocks.
"""

from __future__ import annotations

import numpy as np

FRAME_STEP = 2  # use every other frame of the analyser
TIME_SPAN_S = 0.1  # a sound held at least ~0.2 s counts as sustained
FREQ_BANDS = 3  # +-3 of the analyser's ~128 log bands: about 2/3 of an octave
MASK_SPAN_DB = 6.0
SILENCE_RANGE_DB = 79.0  # band-frames this far under the loudest so far are left out entirely
RELATIVE_FLOOR_DB = 45.0  # flux ignores what lies this far below the frame's loudest band
QUIET_FLOOR_DB = 60.0  # ... and what lies this far below the loudest band of the track so far


class TextureMeter:
    """Feed (frames, bands) band levels in dB, in order; read ``percussive_share()`` and
    ``spectral_flux()`` at the end."""

    def __init__(self, frame_rate: float, low_bands: np.ndarray | None = None) -> None:
        self._low = low_bands  # bool per band: the bass bands, for the low percussive share
        self._low_percussive = 0.0
        self._span = max(1, round(TIME_SPAN_S * frame_rate / FRAME_STEP))
        self._skip = 0  # frames of the next block to skip to keep every FRAME_STEP-th frame
        self._history = np.zeros((0, 0), dtype=np.float32)  # frames waiting for their future
        self._percussive = 0.0
        self._total = 0.0
        self._flux_sum = 0.0
        self._flux_frames = 0
        self._loudest = -np.inf

    def add(self, level_db: np.ndarray) -> None:
        level = np.asarray(level_db, dtype=np.float32)
        if level.shape[0] == 0:
            return
        kept = level[self._skip :: FRAME_STEP]
        self._skip = (self._skip - level.shape[0]) % FRAME_STEP
        if kept.shape[0] == 0:
            return
        stacked = kept if self._history.size == 0 else np.concatenate([self._history, kept])
        span = self._span
        ready = stacked.shape[0] - 2 * span  # frames with a full window on both sides
        if ready <= 0:
            self._history = stacked
            return
        sustained = _window_min(stacked, 2 * span + 1)[:ready]
        centre = stacked[span : span + ready]
        broadband = centre.copy()
        for shift in range(1, FREQ_BANDS + 1):
            np.minimum(broadband[:, shift:], centre[:, :-shift], out=broadband[:, shift:])
            np.minimum(broadband[:, :-shift], centre[:, shift:], out=broadband[:, :-shift])
        self._add_percussive(centre, sustained, broadband)
        self._add_flux(stacked[span - 1 : span + ready])
        self._history = stacked[ready:]

    def _add_percussive(
        self, level: np.ndarray, sustained: np.ndarray, broadband: np.ndarray
    ) -> None:
        self._loudest = max(self._loudest, float(level.max()))
        # 10 ** (level / 10) through np.exp, which numpy vectorises for float32 (np.power is not).
        power = np.exp(level * np.float32(np.log(10.0) / 10.0))
        power[level <= self._loudest - SILENCE_RANGE_DB] = 0.0
        mask = np.clip((broadband - sustained) * (1.0 / MASK_SPAN_DB), 0.0, 1.0)
        self._percussive += float(np.vdot(power, mask))
        if self._low is not None:
            self._low_percussive += float(np.vdot(power[:, self._low], mask[:, self._low]))
        self._total += float(power.sum(dtype=np.float64))

    def _add_flux(self, level: np.ndarray) -> None:
        """Mean positive rise per band for every frame of ``level`` but the first."""
        frame_max = level.max(axis=1, keepdims=True)
        self._loudest = max(self._loudest, float(frame_max.max()))
        # Below the frame's loudest band by RELATIVE_FLOOR_DB, and below the loudest band so far
        # by QUIET_FLOOR_DB (near-silence between notes, where the analyser's absolute floor
        # would otherwise decide what moves: that floor does not follow the gain).
        floor = np.maximum(frame_max - RELATIVE_FLOOR_DB, self._loudest - QUIET_FLOOR_DB)
        floored = np.maximum(level, floor)
        rise = np.maximum(floored[1:] - floored[:-1], 0.0)
        self._flux_sum += float(rise.sum(dtype=np.float64)) / rise.shape[1]
        self._flux_frames += rise.shape[0]

    def percussive_share(self) -> float | None:
        """Percussive power over all power (0..1); None when nothing audible was seen."""
        if self._total <= 0.0:
            return None
        return self._percussive / self._total

    def low_percussive_share(self) -> float | None:
        """Percussive power in the bass bands over all power (0..1): kick, timpani, taiko."""
        if self._total <= 0.0 or self._low is None:
            return None
        return self._low_percussive / self._total

    def spectral_flux(self) -> float | None:
        """Mean rise per band and frame (about 23 ms apart), in dB; None for a clip too short."""
        if self._flux_frames == 0:
            return None
        return self._flux_sum / self._flux_frames


def _window_min(x: np.ndarray, width: int) -> np.ndarray:
    """Row ``i`` of the result is the minimum of rows ``i .. i + width - 1`` of ``x``."""
    count = x.shape[0] - width + 1
    result = x
    covered = 1
    while covered * 2 <= width:  # result[i] = min of x[i .. i + 2 * covered - 1]
        result = np.minimum(result[:-covered], result[covered:])
        covered *= 2
    if covered < width:  # two overlapping windows of `covered` rows cover `width`
        result = np.minimum(result[:count], result[width - covered : width - covered + count])
    return result[:count]
