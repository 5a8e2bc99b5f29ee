"""A floor for levels in dB that follows the track's own level, not an absolute one.

An absolute floor (say -90 dB) decides what counts as near-silence; played 12 dB softer, more of
a track sinks under it, and every measure built on the floored levels moves with the playback
gain. A floor this far under the loudest level seen so far moves with the gain instead, so a
softer copy gives the same floored levels, shifted by the gain, and the same rises and ratios.
"""

from __future__ import annotations

import numpy as np

RELATIVE_RANGE_DB = 80.0  # below the loudest band level so far: near-silence, dither, codec hiss
ABSOLUTE_GUARD_DB = -200.0  # only keeps log10 finite for digital silence


class RunningFloor:
    """Raise (frames, bands) levels in dB to ``range_db`` under the loudest level seen so far.

    The first frames of a track with a fade-in see a lower floor than later ones; the floor only
    rises, and it rises by the same steps at any gain.
    """

    def __init__(self, range_db: float = RELATIVE_RANGE_DB) -> None:
        self.range_db = range_db
        self.loudest = -np.inf

    def apply(self, level: np.ndarray) -> np.ndarray:
        if level.size == 0:
            return level
        # Per frame, the running maximum up to that frame: a loud onset late in a block must not
        # lift the floor of the quieter frames before it.
        frame_max = np.maximum.accumulate(level.max(axis=1))
        running = np.maximum(frame_max, self.loudest)
        self.loudest = float(running[-1])
        return np.maximum(level, (running - self.range_db)[:, None]).astype(level.dtype, copy=False)

    def floor(self) -> float:
        """The floor now, in dB (-inf before any level was seen)."""
        return self.loudest - self.range_db
