"""Where rendered PCM goes: pygame's mixer (a real device, SDL's disk or dummy driver), or nowhere.

calmtune renders every sample itself; an output only plays blocks in order, gaplessly, and says how
far it has got. The backend is chosen by name, as quodlibet does, and the null one lets tests
check play order, timing and the exact PCM with no audio device at all.

Positions are in frames of the output stream. ``started`` counts the frames whose block has
begun to play: the player releases its events by it, so "track started" is announced when the
track is heard, not when it was rendered ahead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from calmtune.native_stderr import NativeStderrGuard
from calmtune.playback.device import AudioConfig, close_mixer, open_mixer

if TYPE_CHECKING:
    import numpy as np

# Each block handed to the mixer. The mixer holds the playing block and one queued behind it, so
# a block is what a command waits for at most twice, and how late a tick may come (on a busy
# machine) before the sound runs dry. A quarter second keeps both comfortable.
BLOCK_SECONDS = 0.25
MAX_BLOCK_SECONDS = 1.0


class Output(Protocol):
    rate: int
    driver: str | None

    def open(self) -> None: ...

    def close(self) -> None: ...

    def wants(self) -> int:
        """How many frames the output takes now (0: it is full)."""

    def write(self, block: np.ndarray) -> None:
        """Queue a stereo float32 block (values in -1..1) right after the previous one."""

    @property
    def started(self) -> int:
        """Frames whose playback has begun."""

    def idle(self) -> bool:
        """Everything written has been played."""


def to_pcm16(block: np.ndarray) -> bytes:
    """Float -1..1 to interleaved signed 16-bit little-endian, rounded, clipped at full scale."""
    import numpy as np

    scaled = np.rint(block * 32767.0)
    np.clip(scaled, -32768, 32767, out=scaled)
    return scaled.astype("<i2").tobytes()


class PygameOutput:
    """Blocks become ``pygame.mixer.Sound`` objects queued on one ``Channel``: SDL_mixer starts
    the queued one inside the same audio callback the previous one ends in, so it is gapless."""

    def __init__(
        self,
        config: AudioConfig | None = None,
        *,
        native_log: str | Path | None = None,
        block_seconds: float = BLOCK_SECONDS,
    ) -> None:
        self._config = config or AudioConfig()
        self._guard = NativeStderrGuard(native_log)
        self.block_seconds = block_seconds  # may be changed while playing
        self.rate = self._config.frequency
        self.driver: str | None = None
        self._channel = None
        self._sound_type = None
        self._written = 0
        self._pending: tuple[object, int] | None = None  # the queued Sound and its length
        self.underruns = 0  # times the mixer ran dry while more was to come

    def open(self) -> None:
        self._guard.__enter__()
        try:
            self.driver = open_mixer(self._config)
        except BaseException:
            self._guard.__exit__(None, None, None)
            raise
        import pygame.mixer

        frequency, _size, _channels = pygame.mixer.get_init()
        self.rate = frequency
        pygame.mixer.set_num_channels(max(1, pygame.mixer.get_num_channels()))
        self._channel = pygame.mixer.Channel(0)
        self._sound_type = pygame.mixer.Sound

    def close(self) -> None:
        if self._channel is None:
            return
        try:
            self._channel.stop()
            close_mixer()
            if self.underruns:
                # fd 2 is the audio log while the guard is active: a note for troubleshooting.
                os.write(2, f"calmtune: the mixer ran dry {self.underruns} time(s)\n".encode())
        finally:
            self._channel = None
            self._guard.__exit__(None, None, None)

    def _refresh(self) -> None:
        if self._pending is not None and self._channel.get_queue() is None:
            self._pending = None  # the queued block has begun

    def wants(self) -> int:
        self._refresh()
        if self._pending is not None:
            return 0
        return max(1, round(self.block_seconds * self.rate))

    def write(self, block: np.ndarray) -> None:
        if not len(block):
            return
        sound = self._sound_type(buffer=to_pcm16(block))
        self._refresh()
        if self._channel.get_busy():
            self._channel.queue(sound)
            self._pending = (sound, len(block))
        else:
            if self._written:
                # The mixer ran dry (a busy machine kept the loop from its tick): hand it
                # longer blocks from now on, trading a little command latency for no gaps.
                self.underruns += 1
                self.block_seconds = min(MAX_BLOCK_SECONDS, self.block_seconds * 1.5)
            self._channel.play(sound)
        self._written += len(block)

    @property
    def started(self) -> int:
        self._refresh()
        return self._written - (self._pending[1] if self._pending else 0)

    def idle(self) -> bool:
        self._refresh()
        return self._pending is None and not self._channel.get_busy()


class NullOutput:
    """Plays nothing, at the pace of a clock: with ``now`` injected, a test advances time and the
    player renders exactly that much. ``record`` keeps every block, the exact PCM a device would
    have received."""

    driver = "null"

    def __init__(
        self,
        rate: int = 44100,
        *,
        now: Callable[[], float] = time.monotonic,
        ahead: float = 2 * BLOCK_SECONDS,
        record: bool = False,
    ) -> None:
        self.rate = rate
        self._now = now
        self._ahead = round(ahead * rate)
        self._block = round(BLOCK_SECONDS * rate)
        self._began: float | None = None
        self._paused_frames = 0  # frames of "device time" while nothing was written
        self._written = 0
        self.blocks: list[np.ndarray] | None = [] if record else None

    def open(self) -> None:
        self._began = self._now()

    def close(self) -> None:
        pass

    def _played(self) -> int:
        if self._began is None:
            return 0
        elapsed = round((self._now() - self._began) * self.rate)
        # A device that ran dry does not bank the idle time: it resumes from what was written.
        if elapsed - self._paused_frames > self._written:
            self._paused_frames = elapsed - self._written
        return elapsed - self._paused_frames

    def wants(self) -> int:
        room = self._played() + self._ahead - self._written
        return min(room, self._block) if room > 0 else 0

    def write(self, block: np.ndarray) -> None:
        if self.blocks is not None and len(block):
            self.blocks.append(block.copy())
        self._played()  # settle idle time before the new block counts
        self._written += len(block)

    @property
    def started(self) -> int:
        return min(self._written, self._played())

    def idle(self) -> bool:
        return self._played() >= self._written

    def pcm(self) -> np.ndarray:
        """Everything recorded, as one (frames, 2) array."""
        import numpy as np

        blocks = self.blocks or []
        return np.concatenate(blocks) if blocks else np.zeros((0, 2), dtype=np.float32)
