"""One track as the output wants it: stereo float32 at the device's rate, decoded ahead.

The shared decoder (``calmtune.audio.decode``) gives blocks at the file's own rate and channel
count; here they are mapped to stereo and, when the rate differs from the output's, resampled with
soxr (a real band-limited resampler: linear interpolation would alias and dull the highs). The
stream keeps a look-ahead buffer, so the player knows exactly where a track ends (and where its
trailing silence starts) before it gets there, which is what crossfades and end fades need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from calmtune.audio.decode import AudioStream, open_audio
from calmtune.errors import DecodeError

if TYPE_CHECKING:
    import numpy as np

DECODE_FRAMES = 16384  # per decoder read: ~0.37 s, so one read never stalls a tick for long
SILENCE = 10 ** (-60 / 20)  # below -60 dBFS counts as silence when trimming ends for crossfades
MAX_TRIM_SECONDS = 8.0  # never trim more than this much "silence" (a quiet intro is music)
PRESCAN_SECONDS = 10.0  # the bounded pre-scan that measures loudness when the index has none

Meter = Callable[["np.ndarray", int], "float | None"]


class TrackStream:
    """A decoded track: ``fill`` decodes ahead, ``take`` hands out frames, ``end`` is known once
    the decoder is exhausted. ``repeat`` loops the file seamlessly (the built-in soundscape)."""

    def __init__(self, path: str, rate: int, *, repeat: bool = False) -> None:
        import numpy as np

        self.path = path
        self.rate = rate
        self.repeat = repeat
        self._np = np
        self._buffer = _Frames(np)
        self._taken = 0  # frames handed out so far (the track position)
        self.eof = False
        self._trailing: int | None = None  # near-silent frames at the end, once known
        self._source: AudioStream | None = None
        self._resampler = None
        self._open()  # raises DecodeError
        self.fill(1)  # a file that opens but does not decode fails here, before it is "playing"

    # -- decoding ----------------------------------------------------------------------------

    def _open(self) -> None:
        source = open_audio(self.path, DECODE_FRAMES)
        self._source = source
        self._resampler = None
        if source.rate != self.rate:
            import soxr

            self._resampler = soxr.ResampleStream(
                source.rate, self.rate, 2, dtype="float32", quality="HQ"
            )

    def _decode_one(self) -> bool:
        """Append one decoded block to the buffer; ``False`` at the end of the file."""
        np = self._np
        assert self._source is not None
        block = next(self._source.blocks, None)
        last = block is None
        if block is None:
            block = np.zeros((0, self._source.channels), dtype=np.float32)
        stereo = _to_stereo(np, block)
        if self._resampler is not None:
            stereo = self._resampler.resample_chunk(stereo, last=last)
        self._buffer.append(stereo.astype(np.float32, copy=False))
        return not last

    def fill(self, frames: int) -> None:
        """Decode until ``frames`` are buffered ahead or the file ends. Raises DecodeError."""
        while len(self._buffer) < frames and not self.eof:
            if self._decode_one():
                continue
            self._source.close()  # type: ignore[union-attr]
            if self.repeat and self._taken + len(self._buffer) > 0:
                self._open()  # the file loops: read it again from the start
            else:
                self.eof = True
                self._trailing = None

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    @property
    def position(self) -> int:
        """Frames handed out so far."""
        return self._taken

    def take(self, frames: int) -> np.ndarray:
        """Up to ``frames`` frames (fewer only at the end); decodes more as needed."""
        self.fill(frames)
        out = self._buffer.take(frames)
        self._taken += len(out)
        return out

    def skip_leading_silence(self) -> int:
        """Drop near-silent frames at the very start (crossfades should not fade in silence)."""
        np = self._np
        limit = int(MAX_TRIM_SECONDS * self.rate)
        look = self.rate // 4
        while True:  # look a little further each time: most tracks start within a second
            self.fill(look)
            head = self._buffer.peek(0, look)
            loud = np.nonzero(np.abs(head).max(axis=1) > SILENCE)[0]
            if len(loud) or look >= limit or self.eof:
                break
            look = min(limit, look * 2)
        drop = int(loud[0]) if len(loud) else 0
        self._taken += len(self._buffer.take(drop))
        return drop

    def remaining(self, *, trim_silence: bool = False) -> int | None:
        """Frames left, when the end is in the buffer (``None`` otherwise). With
        ``trim_silence``, trailing near-silence (at most a few seconds) does not count."""
        if not self.eof:
            return None
        left = len(self._buffer)
        if not trim_silence or left == 0:
            return left
        if self._trailing is None:  # the tail is fixed once the file is read: look once
            np = self._np
            size = min(left, int(MAX_TRIM_SECONDS * self.rate))
            window = self._buffer.peek(left - size, left)
            loud = np.nonzero(np.abs(window).max(axis=1) > SILENCE)[0]
            self._trailing = len(window) - (int(loud[-1]) + 1) if len(loud) else len(window)
        return max(0, left - self._trailing)

    def prescan_loudness(self, meter: Meter) -> float | None:
        """Integrated loudness of the first ``PRESCAN_SECONDS`` (decoded now and kept for
        playing, so nothing is decoded twice)."""
        self.fill(int(PRESCAN_SECONDS * self.rate))
        if not len(self._buffer):
            return None
        try:
            return meter(self._buffer.peek(0, int(PRESCAN_SECONDS * self.rate)), self.rate)
        except (ValueError, ArithmeticError):
            return None

    def close(self) -> None:
        if self._source is not None:
            self._source.close()
            self._source = None


class _Frames:
    """A queue of stereo blocks that hands out exact frame counts without copying the whole
    look-ahead each time (a single growing array would be copied on every append)."""

    def __init__(self, np) -> None:  # type: ignore[no-untyped-def]
        self._np = np
        self._blocks: list = []
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def append(self, block) -> None:  # type: ignore[no-untyped-def]
        if len(block):
            self._blocks.append(block)
            self._length += len(block)

    def peek(self, first: int, last: int):  # type: ignore[no-untyped-def]
        """Frames ``first .. last`` (clipped to what is there), as one array."""
        np = self._np
        parts, offset = [], 0
        for block in self._blocks:
            lo, hi = max(first - offset, 0), min(last - offset, len(block))
            if lo < hi:
                parts.append(block[lo:hi])
            offset += len(block)
            if offset >= last:
                break
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.float32)

    def take(self, frames: int):  # type: ignore[no-untyped-def]
        out = self.peek(0, frames)
        left = len(out)
        self._length -= left
        while left and self._blocks:
            head = self._blocks[0]
            if len(head) <= left:
                self._blocks.pop(0)
                left -= len(head)
            else:
                self._blocks[0] = head[left:]
                left = 0
        return out


def _to_stereo(np, block):  # type: ignore[no-untyped-def]
    """Mono is doubled; more than two channels are folded to front left/right."""
    channels = block.shape[1]
    if channels == 2:
        return block
    if channels == 1:
        return np.repeat(block, 2, axis=1)
    return block[:, :2]


def open_stream(path: str, rate: int, *, repeat: bool = False) -> TrackStream:
    """Open ``path``; raises ``DecodeError`` with a short ``reason``."""
    try:
        return TrackStream(path, rate, repeat=repeat)
    except DecodeError:
        raise
    except (OSError, ValueError, RuntimeError) as err:
        raise DecodeError(path, " ".join(str(err).split())[:160] or type(err).__name__) from None
