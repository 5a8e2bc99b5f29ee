"""Turning what the index knows about a track into the mood engine's evidence."""

from __future__ import annotations

from typing import Any

from calmtune.models import Features, MoodScores, TagInfo
from calmtune.mood.evidence import MoodEvidence


def evidence_for(tags: TagInfo, features: Features | None, user_mood: str | None) -> MoodEvidence:
    return MoodEvidence(
        tag_mood=tags.mood,
        tag_mood_by_calmtune=tags.mood_by_calmtune,
        user_mood=user_mood,
        bpm_tag=tags.bpm,
        key=tags.key,
        genre=tags.genre,
        title=tags.title,
        album=tags.album,
        features=features,
    )


def score_track(
    tags: TagInfo, features: Features | None, user_mood: str | None, settings: Any = None
) -> MoodScores:
    from calmtune.mood import classify

    return classify(evidence_for(tags, features, user_mood), settings)
