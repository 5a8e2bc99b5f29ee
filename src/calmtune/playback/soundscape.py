"""The built-in soundscape for an empty library: soft brown noise under a low drone that swells
about six times a minute (the pace of slow breathing). numpy only; no pygame.

It is rendered once to a WAV in the cache folder and reused. It loops without a click:

- the drone's frequencies and the swell complete a whole number of cycles in the loop, so the
  last sample leads straight into the first;
- the noise is generated a little longer than the loop, and its tail is cross-faded (equal
  power, since the two ends are uncorrelated) into the samples that precede the loop start.

It is written in chunks so rendering needs a few MB, not the whole signal in memory.
"""

from __future__ import annotations

import os
import wave
from pathlib import Path

SAMPLE_RATE = 44100
SWELL_PERIOD = 10.0  # seconds: 6 swells a minute
DEFAULT_SECONDS = 180  # a multiple of SWELL_PERIOD
VERSION = 2  # bump when the sound changes, so old caches are not reused
# Its integrated loudness (BS.1770), measured on the rendered file (a test keeps it true). Above
# the calm and sleep targets, so normalisation brings the bed down to the session's level.
LOUDNESS_LUFS = -21.3

_DRONE = ((55.0, 1.0), (82.5, 0.45), (110.0, 0.3), (165.0, 0.12))  # Hz, relative amplitude
_DRONE_PEAK = 0.27  # full scale = 1
_NOISE_RMS = 0.076
_BROWN_POLE = 0.997  # leaky integrator: -6 dB/octave above ~20 Hz, no DC build-up
_CROSSFADE = 2.0  # seconds
_CHUNK = 1 << 16  # frames per write


def soundscape_path(cache_dir: str | Path, seconds: int = DEFAULT_SECONDS) -> Path:
    return Path(cache_dir) / f"soundscape-v{VERSION}-{seconds}s-{SAMPLE_RATE}.wav"


def ensure_soundscape(cache_dir: str | Path, seconds: int = DEFAULT_SECONDS) -> Path:
    """Return the cached soundscape WAV, rendering it first when it is missing or incomplete."""
    if seconds <= 0 or seconds % SWELL_PERIOD:
        raise ValueError(f"soundscape length must be a multiple of {SWELL_PERIOD:g} s")
    path = soundscape_path(cache_dir, seconds)
    expected = 44 + seconds * SAMPLE_RATE * 2 * 2
    if path.exists() and path.stat().st_size == expected:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + f".{os.getpid()}.part")
    try:
        render_soundscape(partial, seconds)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def render_soundscape(path: str | Path, seconds: int = DEFAULT_SECONDS, seed: int = 7) -> None:
    """Write the soundscape as 16-bit stereo WAV at 44.1 kHz."""
    import numpy as np

    frames = seconds * SAMPLE_RATE
    fade = int(_CROSSFADE * SAMPLE_RATE)
    noise = _BrownNoise(np.random.default_rng(seed))
    head = noise.take(fade)  # the noise just before the loop starts; the tail fades into it
    with wave.open(os.fspath(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        for start in range(0, frames, _CHUNK):
            count = min(_CHUNK, frames - start)
            block = noise.take(count)
            tail_start = frames - fade
            if start + count > tail_start:
                block = _crossfade_tail(block, head, start, tail_start, fade)
            mixed = block * _NOISE_RMS + _drone(start, count)[:, None]
            pcm = np.clip(np.rint(mixed * 32767.0), -32768, 32767).astype("<i2")
            out.writeframes(pcm.tobytes())


def _crossfade_tail(block, head, start: int, tail_start: int, fade: int):  # type: ignore[no-untyped-def]
    import numpy as np

    first = max(start, tail_start)
    offset = first - start
    j = np.arange(first - tail_start, first - tail_start + len(block) - offset)
    w = (j + 0.5) / fade
    fade_out = np.cos(w * np.pi / 2)[:, None]
    fade_in = np.sin(w * np.pi / 2)[:, None]
    block = block.copy()
    block[offset:] = block[offset:] * fade_out + head[j] * fade_in
    return block


def _drone(start: int, count: int):  # type: ignore[no-untyped-def]
    """The drone for frames ``start .. start+count``; every component loops with the file."""
    import numpy as np

    t = (start + np.arange(count)) / SAMPLE_RATE
    tone = sum(amp * np.sin(2 * np.pi * freq * t) for freq, amp in _DRONE)
    tone = tone / sum(amp for _, amp in _DRONE)
    # Swell between 25% and 100%: slow in, slow out, like a breath.
    swell = 0.25 + 0.75 * (0.5 - 0.5 * np.cos(2 * np.pi * t / SWELL_PERIOD))
    return tone * swell * _DRONE_PEAK


class _BrownNoise:
    """A continuous stream of stereo brown noise, unit RMS, produced block by block."""

    _BLOCK = 1024

    def __init__(self, rng) -> None:  # type: ignore[no-untyped-def]
        import numpy as np

        self._rng = rng
        self._state = np.zeros(2)
        a = _BROWN_POLE
        n = np.arange(self._BLOCK)
        self._decay = a ** (n + 1)  # how the carried state fades through a block
        self._inverse = a ** (-n)  # for the closed form of the integrator inside a block
        self._powers = a**n
        # RMS of y[n] = a*y[n-1] + w[n] for unit white noise w.
        self._scale = np.sqrt(1 - a * a)

    def take(self, count: int):  # type: ignore[no-untyped-def]
        import numpy as np

        blocks = -(-count // self._BLOCK)
        white = self._rng.standard_normal((blocks, self._BLOCK, 2))
        # Inside a block, with zero start: y[n] = a^n * cumsum(w[k] * a^-k).
        local = self._powers[None, :, None] * np.cumsum(
            white * self._inverse[None, :, None], axis=1
        )
        out = np.empty_like(local)
        state = self._state
        for b in range(blocks):
            out[b] = local[b] + self._decay[:, None] * state[None, :]
            state = out[b, -1]
        used = out.reshape(-1, 2)[:count]
        self._state = used[-1]  # the stream goes on from the last sample handed out
        flat = used * self._scale
        # Blend the channels a little so the noise sits in the middle but still feels wide.
        return flat * 0.8 + flat[:, ::-1] * 0.2
