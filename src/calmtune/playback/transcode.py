"""Decode formats SDL cannot play (M4A/AAC, WMA) to a temporary WAV with an ffmpeg subprocess.

A temporary file rather than a pipe: SDL_mixer seeks in what it reads (WAV headers, restarts),
and a file lets the next track be decoded in the background while the current one plays.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


class TranscodeError(Exception):
    """ffmpeg could not decode the file; ``str()`` is a short reason."""


@dataclass(slots=True)
class TranscodeJob:
    source: str
    output: Path
    process: subprocess.Popen[bytes]

    def wait(self, timeout: float | None = None) -> Path:
        """Block until the WAV is written; raise ``TranscodeError`` when ffmpeg failed."""
        try:
            _, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.cancel()
            raise TranscodeError("ffmpeg took too long") from None
        if self.process.returncode != 0 or not self.output.exists():
            lines = err.decode("utf-8", "replace").strip().splitlines()
            raise TranscodeError("ffmpeg could not decode it: " + (lines[-1] if lines else "?"))
        return self.output

    def cancel(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.discard()

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.output.unlink()


def start_transcode(
    ffmpeg: str, source: str, work_dir: Path, config_rate: int = 44100
) -> TranscodeJob:
    """Start ffmpeg decoding ``source`` to 16-bit WAV at the device rate in ``work_dir``."""
    work_dir.mkdir(parents=True, exist_ok=True)
    fd, name = _temp_name(work_dir)
    os.close(fd)
    output = Path(name)
    command = [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        source,
        "-vn",
        "-acodec",
        "pcm_s16le",
        "-ar",
        str(config_rate),
        "-f",
        "wav",
        str(output),
    ]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    return TranscodeJob(source=source, output=output, process=process)


def _temp_name(work_dir: Path) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix="track-", suffix=".wav", dir=work_dir)
