"""Helpers for playback tests: write short test tracks, read back the PCM the disk driver wrote.

Not a test module (no ``test_`` prefix); test files import it from this folder.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 44100


def write_tone(
    path: Path,
    seconds: float,
    *,
    freq: float = 1000.0,
    peak: float = 0.5,
    pad: float = 0.1,
    rate: int = RATE,
) -> Path:
    """A stereo 16-bit sine with ``pad`` seconds of silence at each end (so back-to-back tracks
    separate cleanly in the recorded output)."""
    t = np.arange(int(seconds * rate)) / rate
    tone = peak * np.sin(2 * np.pi * freq * t)
    silence = np.zeros(int(pad * rate))
    signal = np.concatenate([silence, tone, silence])
    pcm = np.rint(signal * 32767).astype("<i2")
    stereo = np.repeat(pcm[:, None], 2, axis=1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(stereo.tobytes())
    return path


def sine_loudness(peak: float) -> float:
    """BS.1770 loudness of a stereo 1 kHz sine, ignoring K-weighting (under 1 dB at 1 kHz and
    the same for every tone here, so differences between tones are exact)."""
    return -0.691 + 10 * np.log10(2 * peak**2 / 2)


def read_pcm(path: Path) -> np.ndarray:
    """The disk driver's raw output (S16 little-endian stereo) as floats, left channel."""
    data = np.fromfile(path, dtype="<i2")
    return data.reshape(-1, 2)[:, 0].astype(np.float64) / 32768.0


def segments(signal: np.ndarray, rate: int = RATE, gap: float = 0.05) -> list[tuple[int, int]]:
    """(start, end) sample ranges of sound separated by at least ``gap`` seconds of silence."""
    loud = np.nonzero(np.abs(signal) > 1e-4)[0]
    if len(loud) == 0:
        return []
    breaks = np.nonzero(np.diff(loud) > gap * rate)[0]
    starts = np.concatenate([[loud[0]], loud[breaks + 1]])
    ends = np.concatenate([loud[breaks], [loud[-1]]]) + 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def rms_db(signal: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(signal**2)) + 1e-12))


def window_rms_db(signal: np.ndarray, window: float = 0.1, rate: int = RATE) -> list[float]:
    size = int(window * rate)
    count = len(signal) // size
    return [rms_db(signal[i * size : (i + 1) * size]) for i in range(count)]


def write_m4a(path: Path, seconds: float, *, freq: float = 440.0, peak: float = 0.3) -> Path:
    """A real AAC-in-MP4 file, encoded with PyAV (a test dependency)."""
    import av

    t = np.arange(int(seconds * RATE)) / RATE
    tone = (peak * np.sin(2 * np.pi * freq * t)).astype("f4")
    with av.open(str(path), "w", format="ipod") as container:
        stream = container.add_stream("aac", rate=RATE)
        stream.layout = "stereo"
        frame = av.AudioFrame.from_ndarray(np.stack([tone, tone]), format="fltp", layout="stereo")
        frame.sample_rate = RATE
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path
