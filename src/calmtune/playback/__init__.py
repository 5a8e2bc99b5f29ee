"""Playback: the only package that imports pygame, and only inside functions (fast start-up).

calmtune decodes (the shared decoder in ``calmtune.audio``), resamples, and applies gain, fades,
crossfades and ramps to blocks it owns; pygame's mixer only outputs them. A null output plays
nothing, at the pace of a clock, for tests of order and timing with no device.

Public API::

    from calmtune.playback import Player, PlayItem, AudioConfig, Ending, EventKind, PlayerState
    with Player(items, volume=80, target_lufs=-23, crossfade=4) as player:  # AudioDeviceError
        player.play(fade_in=3, ending=Ending(closing_start=1380, music_end=1470, end=1500))
        while player.state is not PlayerState.FINISHED:
            for event in player.tick(): ...
            time.sleep(TICK_SECONDS)
"""

from calmtune.native_stderr import NativeStderrGuard
from calmtune.playback.device import AudioConfig, ensure_runtime_dir, probe_audio_device
from calmtune.playback.events import (
    EndReason,
    EventKind,
    FinishReason,
    PlayerEvent,
    PlayerState,
)
from calmtune.playback.formats import playable_formats
from calmtune.playback.item import PlayItem, track_loudness
from calmtune.playback.output import NullOutput, PygameOutput
from calmtune.playback.player import TICK_SECONDS, Ending, Player, PlayerStatus, null_player

__all__ = [
    "TICK_SECONDS",
    "AudioConfig",
    "EndReason",
    "Ending",
    "EventKind",
    "FinishReason",
    "NativeStderrGuard",
    "NullOutput",
    "PlayItem",
    "Player",
    "PlayerEvent",
    "PlayerState",
    "PlayerStatus",
    "PygameOutput",
    "ensure_runtime_dir",
    "null_player",
    "playable_formats",
    "probe_audio_device",
    "track_loudness",
]
