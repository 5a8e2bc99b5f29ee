"""Decode an audio file to float PCM blocks at the file's own sample rate: the one decoder that
analysis and playback share.

libsndfile (through ``soundfile``) reads WAV, FLAC, Ogg Vorbis, Opus, MP3 and AIFF block by block at
the native rate, so memory stays bounded however long the file is and loudness is measured without
resampling (docs/music.md, "Loudness"). Formats it cannot read (M4A/AAC, WMA, ...), and files it refuses to open (some Opus
files ffmpeg writes), are piped through an ``ffmpeg`` subprocess when ffmpeg is on PATH. Every
decoder failure becomes a ``DecodeError`` here, the boundary of the package that owns these
libraries; ``reason`` is short enough for a one-line warning.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from calmtune.errors import DecodeError

if TYPE_CHECKING:
    import numpy as np

BLOCK_FRAMES = (
    65536  # ~1.5 s at 44.1 kHz: big enough for fast FFTs, small enough for bounded memory
)

# Extensions libsndfile has no decoder for; they go straight to ffmpeg.
FFMPEG_ONLY = frozenset(
    {"m4a", "mp4", "m4b", "aac", "alac", "wma", "asf", "ape", "wv", "mka", "webm"}
)


@dataclass(slots=True)
class AudioStream:
    """An open decoder: its native sample rate, channel count and an iterator of blocks.

    Each block is a float32 array shaped (frames, channels). ``frames`` is the length when the
    container says it (``None`` on an ffmpeg pipe). ``close()`` releases the decoder.
    """

    rate: int
    channels: int
    blocks: Iterator[np.ndarray]
    _closer: object = None
    frames: int | None = None

    def close(self) -> None:
        closer = self._closer
        if callable(closer):
            closer()

    def __enter__(self) -> AudioStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def extension(path: str) -> str:
    return os.path.splitext(path)[1].lower().lstrip(".")


def find_ffmpeg() -> str | None:
    """The ffmpeg executable on PATH, or ``None``. The one place calmtune looks for it."""
    return shutil.which("ffmpeg")


def open_audio(path: str, block_frames: int = BLOCK_FRAMES) -> AudioStream:
    """Open ``path`` for block-wise decoding. Raises DecodeError with a one-line reason."""
    from calmtune.userfiles import regular_file_problem

    problem = regular_file_problem(path)  # a FIFO or a device would block the decoder for ever
    if problem:
        raise DecodeError(path, problem)
    if os.path.getsize(path) == 0:
        raise DecodeError(path, "the file is empty")
    ext = extension(path)
    if ext in FFMPEG_ONLY:
        return _open_ffmpeg(path, ext, block_frames)
    try:
        return _open_soundfile(path, block_frames)
    except DecodeError as sf_error:
        # A file libsndfile refuses may still be something ffmpeg knows (an odd extension, an
        # Opus stream libsndfile cannot read).
        if find_ffmpeg():
            try:
                return _open_ffmpeg(path, ext, block_frames)
            except DecodeError:
                raise sf_error from None
        raise


def _open_soundfile(path: str, block_frames: int) -> AudioStream:
    import soundfile

    errors = (soundfile.LibsndfileError, RuntimeError, OSError)
    # The name as bytes: soundfile cannot encode a name that is not valid UTF-8 given as str.
    # (libsndfile opens the file itself; open_audio checked that it is a regular file. Handing
    # it a Python file object instead crashed the player when two streams decode at once.)
    try:
        handle = soundfile.SoundFile(os.fsencode(path))
    except errors as err:
        raise DecodeError(path, _one_line(err)) from None
    if handle.samplerate <= 0 or handle.channels <= 0:
        handle.close()
        raise DecodeError(path, "no audio stream")

    def blocks() -> Iterator[np.ndarray]:
        try:
            while True:
                block = handle.read(block_frames, dtype="float32", always_2d=True)
                if len(block) == 0:
                    return
                yield block
        except errors as err:
            raise DecodeError(path, f"{_one_line(err)} (corrupt or truncated)") from None

    frames = handle.frames if 0 < handle.frames < 2**62 else None
    return AudioStream(handle.samplerate, handle.channels, blocks(), handle.close, frames)


def _open_ffmpeg(path: str, ext: str, block_frames: int) -> AudioStream:
    """Decode through ``ffmpeg`` to a WAV stream of 32-bit floats on a pipe, at the native rate."""
    import numpy as np

    ffmpeg = find_ffmpeg()
    if ffmpeg is None:
        raise DecodeError(path, f"{ext or 'this file'} needs ffmpeg", hint="install ffmpeg")
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-i", path, "-vn", "-map", "0:a:0"]
    cmd += ["-c:a", "pcm_f32le", "-f", "wav", "-"]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    try:
        rate, channels = _read_wav_header(proc.stdout)
    except DecodeError as err:
        reason = _finish(proc).removeprefix(f"{path}: ") or err.reason
        raise DecodeError(path, reason) from None

    def blocks() -> Iterator[np.ndarray]:
        frame_bytes = 4 * channels
        carry = b""
        while True:
            chunk = proc.stdout.read(block_frames * frame_bytes)
            if not chunk:
                break
            chunk = carry + chunk
            usable = len(chunk) - len(chunk) % frame_bytes
            carry = chunk[usable:]
            if usable:
                yield np.frombuffer(chunk[:usable], dtype="<f4").reshape(-1, channels)
        err_text = _finish(proc).removeprefix(f"{path}: ")
        if proc.returncode != 0:
            raise DecodeError(path, err_text or "ffmpeg failed")

    def close() -> None:
        if proc.poll() is None:
            proc.kill()
        _finish(proc)

    return AudioStream(rate, channels, blocks(), close)


def _read_wav_header(stream) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Read RIFF chunks up to ``data``; return (rate, channels). ffmpeg leaves sizes unknown."""
    head = stream.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise DecodeError("", "no audio stream")
    rate = channels = 0
    while True:
        chunk = stream.read(8)
        if len(chunk) < 8:
            raise DecodeError("", "no audio data")
        cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if cid == b"data":
            if not rate or not channels:
                raise DecodeError("", "no audio format")
            return rate, channels
        body = stream.read(size + (size & 1))
        if cid == b"fmt ":
            channels, rate = struct.unpack("<HI", body[2:8])


def _finish(proc: subprocess.Popen) -> str:  # type: ignore[type-arg]
    try:
        _out, err = proc.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError):
        proc.kill()
        return ""
    lines = (err or b"").decode("utf-8", "replace").strip().splitlines()
    return lines[-1].strip() if lines else ""


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    # libsndfile repeats the path in "Error opening '<path>': reason"; keep the reason.
    if text.startswith("Error opening") and "': " in text:
        text = text.split("': ", 1)[1]
    text = text.removeprefix("Error : ").strip()
    if "does not exist" in text or any(
        w in text.lower() for w in ("unknown format", "not recognised")
    ):
        # libsndfile's words when no decoder recognised the bytes; the file itself is there.
        return "not a recognised audio format, or the file is corrupt"
    return text or type(err).__name__
