"""What the player announces. The engine queues these; the session loop drains them each tick.

The engine never calls the UI: the caller decides how a skipped track or a finished session is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from calmtune.playback.item import PlayItem


class PlayerState(StrEnum):
    IDLE = "idle"  # opened, nothing started yet
    PLAYING = "playing"
    PAUSED = "paused"
    STOPPING = "stopping"  # fading out before the end
    FINISHED = "finished"


class EventKind(StrEnum):
    TRACK_STARTED = "track_started"
    TRACK_ENDED = "track_ended"
    TRACK_FAILED = "track_failed"  # skipped: missing, undecodable, needs ffmpeg ...
    PAUSED = "paused"
    RESUMED = "resumed"
    VOLUME_CHANGED = "volume_changed"
    FINISHED = "finished"


class EndReason(StrEnum):
    COMPLETED = "completed"  # played to its end
    SKIPPED = "skipped"  # next / previous / restart
    STOPPED = "stopped"  # stop (with or without a fade)


class FinishReason(StrEnum):
    END_OF_LIST = "end_of_list"
    FINISH_AFTER_CURRENT = "finish_after_current"
    STOPPED = "stopped"
    NOTHING_PLAYABLE = "nothing_playable"  # every item failed
    SESSION_END = "session_end"  # the session's clock reached its end (see ``Ending``)


@dataclass(frozen=True, slots=True)
class PlayerEvent:
    """One state change. Fields that do not apply to ``kind`` are ``None``."""

    kind: EventKind
    index: int | None = None  # position of the item in the play list
    item: PlayItem | None = None
    reason: str | None = None  # TRACK_FAILED: why, in words ("m4a needs ffmpeg")
    ended: EndReason | None = None  # TRACK_ENDED
    finished: FinishReason | None = None  # FINISHED
    volume: int | None = None  # VOLUME_CHANGED: the user volume, 0-100
    position: float | None = None  # seconds into the track when it happened
