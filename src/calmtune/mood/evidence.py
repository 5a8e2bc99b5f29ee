"""What the mood engine reads for one track. Pure: the standard library and models only.

Kept out of ``models`` so that commands that never score a track (``playlist build``,
``tracks``) do not define it at start-up: 0.9M of the 274M instructions of `playlist build`
(`python benchmarks/bench_playlist.py --instructions`).
"""

from typing import NamedTuple

from calmtune.models import Features


class MoodEvidence(NamedTuple):
    """Everything the mood engine may weigh for one track."""

    tag_mood: str | None = None  # raw mood text from the file
    tag_mood_by_calmtune: bool = False
    user_mood: str | None = None  # a mood the user set in calmtune (index), wins over all
    bpm_tag: float | None = None
    key: str | None = None
    genre: str | None = None
    title: str | None = None
    album: str | None = None
    features: Features | None = None
