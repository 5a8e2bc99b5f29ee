"""The unit the engine plays: a path plus what the engine needs to know about it."""

from __future__ import annotations

from dataclasses import dataclass

from calmtune.models import Track


@dataclass(frozen=True, slots=True)
class PlayItem:
    """One entry of the play list.

    ``loudness_lufs`` drives loudness normalisation (``None``: unknown). ``duration`` is only shown
    (pygame cannot tell a stream's length cheaply); the end of a track is detected by polling.
    ``repeat`` loops the item seamlessly until stopped (the built-in soundscape).
    """

    path: str
    title: str | None = None
    duration: float | None = None
    loudness_lufs: float | None = None
    repeat: bool = False
    track: Track | None = None  # the indexed track, when there is one, for the UI

    @classmethod
    def from_track(cls, track: Track) -> PlayItem:
        """Build from an indexed track: measured loudness first, else the ReplayGain tag."""
        return cls(
            path=track.path,
            title=track.tags.title,
            duration=track.tags.duration,
            loudness_lufs=track_loudness(track),
            track=track,
        )


def track_loudness(track: Track) -> float | None:
    """Integrated loudness in LUFS from what the index knows, or ``None``.

    A measured value wins over a tag, since a tag may come from another tool with another
    reference. ReplayGain 2.0 gain is relative to -18 LUFS, so loudness = -18 - gain.
    """
    if track.features is not None and track.features.loudness_lufs is not None:
        return track.features.loudness_lufs
    gain = track.tags.replaygain_track_gain
    if gain is not None:
        return -18.0 - gain
    return None
