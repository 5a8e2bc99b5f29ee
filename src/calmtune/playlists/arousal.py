"""The listener's arousal (0 calm .. 1 stimulated) and the tempo that meets it (pure).

A session that knows where the listener stands (a check-in rating, or ``--from upbeat``) starts
its arc near their arousal and moves from there: the iso principle (docs/music.md). "Arousal" is
this and nothing else; loudness is always called loudness.
"""

from __future__ import annotations

from calmtune.playlists.recipe import Recipe

# Arousal 0..1 mapped onto tempo: 0 sits at a slow resting pulse, 1 at clearly stimulating music
# (docs/music.md, rule 1: under about 100 BPM is sedative, over about 130 BPM stimulating).
AROUSAL_BPM_LOW, AROUSAL_BPM_HIGH = 55.0, 135.0


def arousal_to_bpm(arousal: float) -> float:
    """The tempo that matches an arousal in 0..1."""
    arousal = min(1.0, max(0.0, arousal))
    return AROUSAL_BPM_LOW + arousal * (AROUSAL_BPM_HIGH - AROUSAL_BPM_LOW)


def arousal_from_rating(rating: float) -> float:
    """A 0-10 stress rating from the check-in as an arousal."""
    return min(1.0, max(0.0, rating / 10.0))


def arousal_from_recipe(recipe: Recipe) -> float:
    """Where a listener coming from ``recipe`` stands (``--from upbeat``): its arc's final tempo."""
    arc, band = recipe.arc, recipe.select.bpm
    bpm = arc.end_bpm or arc.start_bpm or (sum(band) / 2 if band else None)
    if bpm is None:
        return 0.5
    span = AROUSAL_BPM_HIGH - AROUSAL_BPM_LOW
    return min(1.0, max(0.0, (bpm - AROUSAL_BPM_LOW) / span))
