"""Opening the audio device: the one place that turns SDL's failure into calmtune's exit 3."""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calmtune.errors import AudioDeviceError
from calmtune.native_stderr import NativeStderrGuard


@dataclass(frozen=True, slots=True)
class AudioConfig:
    """How the device is opened. 16-bit signed samples (``size=-16``) at 44.1 kHz stereo.

    A larger buffer means fewer wake-ups of the audio thread (less CPU) at the price of latency,
    which a calm player does not feel: volume steps land within one buffer (46 ms at 2048).
    """

    frequency: int = 44100
    size: int = -16
    channels: int = 2
    buffer: int = 2048
    driver: str | None = None  # SDL audio driver; SDL_AUDIODRIVER in the environment wins

    @classmethod
    def from_settings(cls, playback: Mapping[str, Any]) -> AudioConfig:
        """From the ``[playback]`` settings section (``driver``, ``frequency``)."""
        return cls(
            frequency=int(playback.get("frequency", 44100)),
            driver=playback.get("driver") or None,
        )


def ensure_runtime_dir(
    environ: MutableMapping[str, str] | None = None,
    uid: int | None = None,
    run_base: Path = Path("/run/user"),
) -> str | None:
    """Set ``XDG_RUNTIME_DIR`` when it is missing and ``/run/user/<uid>`` exists (cron jobs).

    Without it PulseAudio and PipeWire clients cannot find their socket. Returns what was set.
    """
    env = os.environ if environ is None else environ
    if env.get("XDG_RUNTIME_DIR"):
        return None
    if uid is None:
        uid = os.getuid()
    candidate = run_base / str(uid)
    if candidate.is_dir():
        env["XDG_RUNTIME_DIR"] = str(candidate)
        return str(candidate)
    return None


def requested_driver(environ: MutableMapping[str, str] | None = None) -> str:
    """The SDL audio driver the user asked for, or "default" (SDL then tries several in turn)."""
    env = os.environ if environ is None else environ
    return env.get("SDL_AUDIODRIVER", "").strip() or "default"


def device_error_message(driver: str, detail: str) -> str:
    """One line: what failed, with which driver, and what to try."""
    detail = " ".join(detail.split()) or "unknown error"
    if driver == "alsa":
        fix = "is the sound card in use or missing? Try SDL_AUDIODRIVER=pulseaudio or pipewire"
    else:
        fix = (
            "is a sound server running? From cron set XDG_RUNTIME_DIR, or try SDL_AUDIODRIVER=alsa"
        )
    return f"could not open audio device with SDL driver '{driver}': {detail}; {fix}"


def open_mixer(config: AudioConfig) -> str:
    """Open pygame's mixer and return the SDL driver in use; raise ``AudioDeviceError``.

    ``pre_init`` matters: ``init`` alone may open the device with other settings.
    Native noise printed while the drivers probe is kept off the screen by the caller's guard.
    """
    ensure_runtime_dir()
    if config.driver and not os.environ.get("SDL_AUDIODRIVER"):
        os.environ["SDL_AUDIODRIVER"] = config.driver  # SDL reads it when the device opens
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame.mixer

    driver = requested_driver()
    with NativeStderrGuard():
        try:
            pygame.mixer.pre_init(config.frequency, config.size, config.channels, config.buffer)
            pygame.mixer.init(config.frequency, config.size, config.channels, config.buffer)
        except pygame.error as err:
            raise AudioDeviceError(device_error_message(driver, str(err))) from None
    try:
        return pygame.mixer.get_driver()
    except pygame.error:
        return driver


def close_mixer() -> None:
    import pygame.mixer

    if pygame.mixer.get_init():
        pygame.mixer.music.stop()
        pygame.mixer.music.unload()
        pygame.mixer.quit()


def probe_audio_device(config: AudioConfig | None = None) -> tuple[bool, str, str]:
    """Open and close the device without playing, for ``calmtune doctor``.

    Returns ``(ok, driver, message)``. When the mixer is already open (a session is playing in
    this process) it reports that device instead of reopening it.
    """
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame.mixer

    if pygame.mixer.get_init():
        driver = pygame.mixer.get_driver()
        return True, driver, f"audio device open with SDL driver '{driver}'"
    try:
        driver = open_mixer(config or AudioConfig())
    except AudioDeviceError as err:
        return False, requested_driver(), str(err)
    try:
        frequency, size, channels = pygame.mixer.get_init()
    finally:
        close_mixer()
    return (
        True,
        driver,
        f"audio device opens with SDL driver '{driver}' "
        f"({frequency} Hz, {abs(size)}-bit, {channels} channels)",
    )
