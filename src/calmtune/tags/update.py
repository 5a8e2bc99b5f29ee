"""What a caller asks calmtune to write, and what changed. Pure data, no mutagen."""

from __future__ import annotations

from dataclasses import dataclass

from calmtune.models import Mood, MoodSource


@dataclass(frozen=True, slots=True)
class TagUpdate:
    """Fields to write; ``None`` leaves a field as it is (calmtune never deletes a value).

    ``mood_source`` says who decided the mood: ``MoodSource.WRITTEN_BY_CALMTUNE`` for an inferred mood
    (recorded in the provenance key, so later runs may replace it), ``MoodSource.USER`` for one
    the user set by hand (recorded as ``user``, so it reads back as the user's).
    Gains are dB at the ReplayGain 2.0 reference (-18 LUFS), peaks linear.
    """

    mood: Mood | None = None
    mood_source: MoodSource = MoodSource.WRITTEN_BY_CALMTUNE
    bpm: float | None = None
    key: str | None = None
    replaygain_track_gain: float | None = None
    replaygain_track_peak: float | None = None
    replaygain_album_gain: float | None = None
    replaygain_album_peak: float | None = None

    def __post_init__(self) -> None:
        if self.mood is Mood.UNKNOWN:
            raise ValueError("'unknown' is not a mood to write into a file")
        if self.mood_source is MoodSource.INFERRED:
            raise ValueError("mood_source must be CALMTUNE or USER")


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field that a write changes: the raw text before (``None``: absent) and after."""

    path: str
    field: str
    old: str | None
    new: str

    def as_dict(self) -> dict[str, str | None]:
        """The CLI's JSON shape: ``{"path", "field", "old", "new"}``."""
        return {"path": self.path, "field": self.field, "old": self.old, "new": self.new}
