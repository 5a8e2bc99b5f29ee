"""Texture change: how different the sound's spectral shape is from what it was a few seconds ago.

Calm music moves: the harmony changes, a melody wanders over held chords, voices enter and leave a
sparse texture, so the spectrum a bar or two later has another shape. Driving, intense music holds
one texture: an ostinato, a drum and bass loop, a pedal under tremolo strings, a wall of brass
repeats the same spectral pattern bar after bar, even when it is soft and legato. On the
development set (benchmarks/data/dev_moods.tsv) this told calm from intense better than any other
measure (AUC 0.87; 0ad and Singularity 1.00, Wesnoth 0.89, SuperTux 0.69; docs/music.md).

Measured on the analyser's band levels (dB, about 128 log-spaced bands), every STEP-th frame (about
46 ms apart): each frame's bands are floored RELATIVE_FLOOR_DB under the frame's loudest band and
QUIET_FLOOR_DB under the loudest band so far (codec noise and near-silence do not count as change,
as in ``texture.py``), then compared with the frame LAG_SECONDS earlier. The difference per band,
minus its mean over the bands (a crescendo moves every band alike: that is loudness, not texture),
is averaged in absolute value over the bands. The texture change of a track is the mean over the
pairs of frames both within LOUD_RANGE_DB of the loudest so far (pauses, fades and the silence at
the ends are left out). Differences of dB relative to the track's own level: a copy 12 dB softer
gives the same value. Streaming: only the last LAG_SECONDS of kept frames are held.
"""

from __future__ import annotations

import numpy as np

STEP = 4  # every 4th analyser frame (about 46 ms apart): fine enough for a change over seconds
LAG_SECONDS = 4.0  # about two bars at a moderate tempo
RELATIVE_FLOOR_DB = 45.0
QUIET_FLOOR_DB = 60.0
LOUD_RANGE_DB = 20.0


class TextureChangeMeter:
    """Feed (frames, bands) band levels in dB, in order; read ``texture_change()`` at the end."""

    def __init__(self, frame_rate: float) -> None:
        self.lag = max(1, round(LAG_SECONDS * frame_rate / STEP))
        self._skip = 0  # frames of the next block to skip to keep every STEP-th frame
        self._history = np.zeros((0, 0), dtype=np.float32)  # the last `lag` kept frames, floored
        self._history_max = np.zeros(0, dtype=np.float32)  # their loudest band
        self._loudest = -np.inf
        self._sum = 0.0
        self._pairs = 0

    def add(self, level_db: np.ndarray) -> None:
        level = np.asarray(level_db, dtype=np.float32)
        if level.shape[0] == 0:
            return
        kept = level[self._skip :: STEP]
        self._skip = (self._skip - level.shape[0]) % STEP
        if kept.shape[0] == 0:
            return
        frame_max = kept.max(axis=1)
        self._loudest = max(self._loudest, float(frame_max.max()))
        floor = np.maximum(frame_max - RELATIVE_FLOOR_DB, self._loudest - QUIET_FLOOR_DB)
        floored = np.maximum(kept, floor[:, None])
        if self._history.size:
            floored = np.concatenate([self._history, floored])
            frame_max = np.concatenate([self._history_max, frame_max])
        lag = self.lag
        if floored.shape[0] > lag:
            diff = floored[lag:] - floored[:-lag]
            diff -= diff.mean(axis=1, keepdims=True)
            change = np.abs(diff).mean(axis=1)
            near = self._loudest - LOUD_RANGE_DB
            loud = (frame_max[lag:] >= near) & (frame_max[:-lag] >= near)
            self._sum += float(change[loud].sum(dtype=np.float64))
            self._pairs += int(loud.sum())
        self._history = floored[-lag:]
        self._history_max = frame_max[-lag:]

    def texture_change(self) -> float | None:
        """Mean change of the spectral shape over LAG_SECONDS, in dB per band; None when the
        audio is shorter than that (or never loud twice LAG_SECONDS apart)."""
        if self._pairs == 0:
            return None
        return self._sum / self._pairs
