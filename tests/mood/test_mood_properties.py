"""Properties the mood engine must keep for any input (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calmtune.models import TRUSTED_TEMPO_CONFIDENCE, Features, Mood, MoodSource
from calmtune.mood import classify
from calmtune.mood.evidence import MoodEvidence
from calmtune.mood.tables import GENRE_PRIORS, TITLE_WORDS
from calmtune.mood.vocabulary import SYNONYMS
from calmtune.mood.words import word_hits

GENRES = [*sorted(GENRE_PRIORS), "Romantic Classical", "Rock/Pop", "Zydeco", "(26)", "Other"]
WORDS = sorted(TITLE_WORDS)
PLAIN = ["Track", "01", "Untitled", "Song", "Blue", "Home", "Part", "II", "Of", "The", "Road"]


def maybe(strategy):
    return st.none() | strategy


features_st = st.builds(
    Features,
    bpm=maybe(st.floats(40, 220)),
    bpm_confidence=maybe(st.floats(0, 1)),
    loudness_lufs=maybe(st.floats(-45, -3)),
    loudness_range=maybe(st.floats(0, 25)),
    onset_density=maybe(st.floats(0, 12)),
    brightness=maybe(st.floats(300, 6000)),
)
title_st = st.lists(st.sampled_from(WORDS + PLAIN), max_size=4).map(" ".join)
evidence_st = st.builds(
    MoodEvidence,
    bpm_tag=maybe(st.floats(40, 220)),
    key=maybe(st.sampled_from(["Am", "C", "F#m", "Bb", "8A", "o"])),
    genre=maybe(st.sampled_from(GENRES)),
    title=maybe(title_st),
    album=maybe(title_st),
    features=maybe(features_st),
    tag_mood=maybe(st.sampled_from(["calm", "Happy", "study", "Sad", "chill; party"])),
    tag_mood_by_calmtune=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    evidence=evidence_st,
    features=features_st,
    slower=st.floats(0, 100),
    quieter=st.floats(0, 20),
    sparser=st.floats(0, 1),
    darker=st.floats(0, 1),
    evener=st.floats(0, 1),
)
def test_classify_calmer_version_never_scores_lower_on_calm(
    evidence, features, slower, quieter, sparser, darker, evener
):
    """Slower, quieter, less dense (darker, more even) audio never gets a lower calm score."""
    f = features
    calmer = f._replace(
        bpm=None if f.bpm is None else max(20.0, f.bpm - slower),
        loudness_lufs=None if f.loudness_lufs is None else f.loudness_lufs - quieter,
        onset_density=None if f.onset_density is None else f.onset_density * sparser,
        brightness=None if f.brightness is None else f.brightness * (0.2 + 0.8 * darker),
        loudness_range=None if f.loudness_range is None else f.loudness_range * evener,
    )
    original = classify(evidence._replace(features=features))
    calmed = classify(evidence._replace(features=calmer))
    assert calmed.calm >= original.calm


@settings(max_examples=200, deadline=None)
@given(evidence=evidence_st, word=st.sampled_from(sorted(SYNONYMS)), where=st.booleans())
def test_classify_user_mood_always_wins(evidence, word, where):
    """A mood set by hand, in calmtune or by another tagger in the file, decides with confidence 1."""
    if where:
        evidence = evidence._replace(user_mood=word.upper())
    else:
        evidence = evidence._replace(user_mood=None, tag_mood=word, tag_mood_by_calmtune=False)
    result = classify(evidence)
    expected = SYNONYMS[word]
    assert result.mood is expected
    assert result.source is MoodSource.USER
    assert result.confidence == 1.0
    assert getattr(result, expected.value) == 1.0


@settings(max_examples=200, deadline=None)
@given(evidence=evidence_st)
def test_classify_outputs_stay_in_range_with_reasons(evidence):
    result = classify(evidence)
    for value in (result.calm, result.upbeat, result.focus, result.confidence):
        assert 0.0 <= value <= 1.0
    for value in (result.arousal, result.valence):
        assert value is None or 0.0 <= value <= 1.0
    assert result.reasons
    if result.mood is Mood.UNKNOWN:
        assert result.source is MoodSource.INFERRED


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    evidence=evidence_st,
    genre=st.sampled_from(sorted(GENRE_PRIORS)),
    title=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
    drop=st.sampled_from([("genre",), ("title", "album")]),
)
def test_classify_dropping_supporting_evidence_never_raises_confidence(
    evidence, genre, title, drop
):
    """Missing evidence lowers confidence: without a clue that backed the verdict, the engine is
    never more sure of that same verdict."""
    evidence = evidence._replace(tag_mood=None, genre=genre, title=title)
    full = classify(evidence)
    # title and album words form one piece of evidence, so they are dropped together
    less = classify(evidence._replace(**dict.fromkeys(drop)))
    alone = classify(MoodEvidence(**{name: getattr(evidence, name) for name in drop}))
    moods = ("calm", "upbeat", "focus")
    best = max(moods, key=lambda m: getattr(full, m))
    assume(best == max(moods, key=lambda m: getattr(less, m)))
    # the dropped clue, judged alone, favoured the verdict over every other mood
    assume(all(getattr(alone, best) > getattr(alone, m) for m in moods if m != best))
    assert less.confidence <= full.confidence


@settings(max_examples=200, deadline=None)
@given(evidence=evidence_st)
def test_classify_no_evidence_for_arousal_means_none(evidence):
    """Without tempo, loudness, density, brightness, genre, words or a mood, arousal is None,
    never a made-up middle value; without any valence cue, valence is None too."""
    bare = MoodEvidence(
        key=evidence.key,
        genre="Zydeco Nouveau",
        title="Untitled",
        features=Features(loudness_range=evidence.features.loudness_range)
        if evidence.features
        else None,
    )
    result = classify(bare)
    assert result.arousal is None
    if not evidence.key or evidence.key == "o":
        assert result.valence is None


@settings(max_examples=200, deadline=None)
@given(
    title=st.lists(st.sampled_from(PLAIN), max_size=5).map(" ".join),
    album=st.lists(st.sampled_from(PLAIN), max_size=5).map(" ".join),
    genre=st.sampled_from([None, "", "Other", "Unknown", "Zydeco Nouveau", "Misc"]),
    key=maybe(st.sampled_from(["Am", "C", "o"])),
)
def test_classify_tag_only_without_useful_tags_is_unknown_and_says_what_helps(
    title, album, genre, key
):
    assume(not word_hits(title, album))
    result = classify(MoodEvidence(title=title, album=album, genre=genre, key=key))
    assert result.mood is Mood.UNKNOWN
    assert result.confidence == 0.0
    assert any("calmtune analyze" in r and "by hand" in r for r in result.reasons), result.reasons


@settings(max_examples=200, deadline=None)
@given(
    evidence=evidence_st,
    features=features_st,
    change=st.floats(0, 15),
    more=st.floats(0, 10),
)
def test_classify_a_more_moving_texture_never_scores_lower_on_calm(
    evidence, features, change, more
):
    """Texture change counts for calm when the texture moves and (less) against it when it is
    held, and only for calm: more of it never lowers the calm score nor moves the others."""
    held = features._replace(texture_change=change)
    moving = features._replace(texture_change=change + more)
    a = classify(evidence._replace(features=held))
    b = classify(evidence._replace(features=moving))
    assert b.calm >= a.calm
    assert (b.upbeat, b.focus) == (a.upbeat, a.focus)


@settings(max_examples=300, deadline=None)
@given(evidence=evidence_st, features=features_st, bpm=st.floats(40, 220))
def test_classify_tempo_confidence_crossing_the_trusted_threshold_moves_nothing_far(
    evidence, features, bpm
):
    """A tempo confidence a hair either side of the trusted threshold (it moves by a few
    hundredths with the playback gain) gives nearly the same scores and confidence, with or
    without a BPM tag: the tempo and the pulse fade in from the threshold, and the tag, used just
    below it, weighs just above it what it weighed there (a tag that agrees lends the measurement
    its weight; one that disagrees fades out as the measurement nears the threshold)."""
    tag = evidence.bpm_tag
    if tag and abs(tag - bpm) <= 0.04 * bpm:
        bpm = tag  # agreeing: the same tempo, so only the step (if any) can move the scores
    below = features._replace(bpm=bpm, bpm_confidence=TRUSTED_TEMPO_CONFIDENCE - 1e-6)
    above = features._replace(bpm=bpm, bpm_confidence=TRUSTED_TEMPO_CONFIDENCE + 1e-6)
    a = classify(evidence._replace(features=below))
    b = classify(evidence._replace(features=above))
    for name in ("calm", "upbeat", "focus", "confidence"):
        assert abs(getattr(a, name) - getattr(b, name)) <= 0.002, name
    for name in ("arousal", "valence"):
        # with a tempo the only evidence, there is none on one side (a hair of weight is none)
        x, y = getattr(a, name), getattr(b, name)
        assert x is None or y is None or abs(x - y) <= 0.002, name
