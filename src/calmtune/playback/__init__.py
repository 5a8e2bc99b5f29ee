"""Playback: the only package that imports pygame, and only inside functions (fast start-up).

Public API::

    from calmtune.playback import Engine, PlayItem, AudioConfig, EventKind, PlayerState
    with Engine(items, volume=80, native_log=log_path) as engine:   # AudioDeviceError: exit 3
        engine.play(fade_in=3)
        while engine.state is not PlayerState.FINISHED:
            for event in engine.tick(): ...
            time.sleep(TICK_SECONDS)
"""

from calmtune.playback.device import AudioConfig, ensure_runtime_dir, probe_audio_device
from calmtune.playback.engine import TICK_SECONDS, Engine, PlayerStatus
from calmtune.playback.events import (
    EndReason,
    EventKind,
    FinishReason,
    PlayerEvent,
    PlayerState,
)
from calmtune.playback.formats import playable_formats
from calmtune.playback.item import PlayItem, track_loudness
from calmtune.playback.native_stderr import NativeStderrGuard

__all__ = [
    "TICK_SECONDS",
    "AudioConfig",
    "EndReason",
    "Engine",
    "EventKind",
    "FinishReason",
    "NativeStderrGuard",
    "PlayItem",
    "PlayerEvent",
    "PlayerState",
    "PlayerStatus",
    "ensure_runtime_dir",
    "playable_formats",
    "probe_audio_device",
    "track_loudness",
]
