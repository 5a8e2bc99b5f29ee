"""Table-driven cases across every kind of evidence: what a listener would expect, with the reason.

These are the hand-written tuning cases. The evaluation set (benchmarks/evaluate_mood.py) is
generated separately and never used to adjust the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from calmtune.models import Features, Mood, MoodSource
from calmtune.mood import classify
from calmtune.mood.evidence import MoodEvidence

CALM_AUDIO = Features(
    bpm=66, bpm_confidence=0.7, loudness_lufs=-25, onset_density=0.8, brightness=1000,
    loudness_range=5, onset_strength=3.5, spectral_flux=1.0, percussive_share=0.05,
)  # fmt: skip
UPBEAT_AUDIO = Features(
    bpm=126, bpm_confidence=0.9, loudness_lufs=-8, onset_density=6.5, brightness=3300,
    loudness_range=5, onset_strength=11.0, spectral_flux=2.8, percussive_share=0.55,
)  # fmt: skip
FOCUS_AUDIO = Features(
    bpm=90, bpm_confidence=0.9, loudness_lufs=-15, onset_density=2.5, brightness=1900,
    loudness_range=4, onset_strength=6.5, spectral_flux=1.8, percussive_share=0.25,
)  # fmt: skip

C, U, F, X = Mood.CALM, Mood.UPBEAT, Mood.FOCUS, Mood.UNKNOWN
USER, TOOL, INF = MoodSource.USER, MoodSource.WRITTEN_BY_CALMTUNE, MoodSource.INFERRED
HELP = "calmtune analyze"


@dataclass
class Case:
    id: str
    evidence: MoodEvidence
    mood: Mood
    source: MoodSource
    reason: str | None = None  # a substring one of the reasons must contain


def E(**kw) -> MoodEvidence:
    return MoodEvidence(**kw)


CASES = [
    # --- a mood the user set wins over everything -------------------------------------------
    Case("user-relaxed-beats-upbeat-audio", E(user_mood="Relaxed", features=UPBEAT_AUDIO), C, USER,
         "always wins"),
    Case("file-happy-beats-calm-audio", E(tag_mood="Happy", features=CALM_AUDIO), U, USER),
    Case("file-concentration", E(tag_mood="Concentration"), F, USER),
    Case("file-multivalued-chill-mellow", E(tag_mood="CHILL; Mellow"), C, USER),
    Case("file-peaceful-beats-metal", E(tag_mood="peaceful", genre="Death Metal"), C, USER),
    Case("index-mood-beats-file-mood", E(user_mood="focus", tag_mood="Party"), F, USER),
    Case("unknown-user-word-falls-through", E(user_mood="Zesty", tag_mood="Energetic"), U,
         USER, "'Zesty'"),
    Case("unknown-file-word-only", E(tag_mood="Zydeco feeling"), X, INF, "kept but ignored"),
    Case("file-sad-counts-against-upbeat", E(tag_mood="Sad", features=UPBEAT_AUDIO), X, INF,
         "counts against upbeat"),
    Case("file-aggressive-never-calm", E(tag_mood="Aggressive", features=CALM_AUDIO), X, INF,
         "counts against calm and focus"),
    Case("file-acousticbrainz-not-relaxed", E(tag_mood="Not relaxed; Electronic; Party"), U, USER),
    Case("file-aggressive-with-upbeat-audio", E(tag_mood="aggressive", features=UPBEAT_AUDIO), U,
         INF, "counts against calm"),
    Case("user-beats-calmtune-tag", E(user_mood="Upbeat", tag_mood="calm",
                                      tag_mood_by_calmtune=True), U, USER),
    # --- a mood tag calmtune wrote earlier --------------------------------------------------------
    Case("calmtune-tag-stands-without-audio", E(tag_mood="calm", tag_mood_by_calmtune=True), C,
         TOOL, "written earlier by calmtune"),
    Case("calmtune-tag-recomputed-from-audio", E(tag_mood="calm", tag_mood_by_calmtune=True,
                                                 features=UPBEAT_AUDIO), U, INF, "recomputed"),
    Case("calmtune-tag-with-agreeing-genre", E(tag_mood="Study", tag_mood_by_calmtune=True,
                                               genre="Lo-Fi Hip Hop"), F, TOOL),
    # --- measured audio alone -----------------------------------------------------------------------
    Case("audio-calm", E(features=CALM_AUDIO), C, INF, "in the calm band (60-80)"),
    Case("audio-upbeat", E(features=UPBEAT_AUDIO), U, INF, "in the upbeat band (110-140)"),
    Case("audio-focus", E(features=FOCUS_AUDIO), F, INF, "focus band"),
    Case("audio-very-slow-quiet", E(features=Features(bpm=48, loudness_lufs=-30,
                                                      onset_density=0.3)), C, INF, "below the calm band"),
    Case("audio-drum-and-bass-speed", E(features=Features(bpm=174, bpm_confidence=0.8,
                                                          loudness_lufs=-7, onset_density=8)), U, INF,
         "above the upbeat band"),
    Case("audio-loudness-alone-decides-nothing", E(features=Features(loudness_lufs=-28)), X, INF,
         "does not decide the mood"),
    Case("audio-tempo-only-55", E(features=Features(bpm=55, bpm_confidence=0.9)), C, INF),
    Case("audio-tempo-only-70-calm-or-focus", E(features=Features(bpm=70, bpm_confidence=0.9)), X,
         INF, "mixed"),
    Case("audio-doubled-lullaby-tempo", E(features=Features(bpm=132, bpm_confidence=0.2,
                                                            loudness_lufs=-26, onset_density=0.7,
                                                            brightness=900)), C, INF,
         "too unsure to use"),
    Case("audio-no-pulse-soft-dark", E(features=Features(loudness_lufs=-32, onset_density=1.8,
                                                         brightness=550, loudness_range=2.5,
                                                         onset_strength=3.2,
                                                         percussive_share=0.04)),
         C, INF, "no steady pulse"),
    Case("audio-silent", E(features=Features(loudness_lufs=-70, silent=True)), X, INF, "silent"),
    Case("audio-empty-features", E(features=Features()), X, INF, "no tempo, sound or genre"),
    Case("audio-nan-ignored", E(features=Features(bpm=64, loudness_lufs=float("nan"),
                                                  onset_density=0.6, brightness=800)), C, INF),
    Case("audio-mixed-signals", E(features=Features(bpm=72, bpm_confidence=0.8, loudness_lufs=-9,
                                                    onset_density=5.5, onset_strength=3.5,
                                                    percussive_share=0.5, brightness=3200,
                                                    loudness_range=17)), X, INF, "mixed"),
    # --- genre alone: specific genres just decide, broad ones do not ----------------------------
    Case("genre-ambient", E(genre="Ambient"), C, INF, "genre Ambient favours calm"),
    Case("genre-rock-is-broad", E(genre="Rock"), X, INF, HELP),
    Case("genre-classical-is-broad", E(genre="Classical"), X, INF, "by hand"),
    Case("genre-soundtrack-is-broad", E(genre="Soundtrack"), X, INF, HELP),
    Case("genre-drum-and-bass", E(genre="Drum & Bass"), U, INF),
    Case("genre-lofi-hip-hop", E(genre="Lo-Fi Hip Hop"), F, INF),
    Case("genre-death-metal", E(genre="death metal"), U, INF),
    Case("genre-id3v1-number", E(genre="(26)"), C, INF, "genre Ambient"),
    Case("genre-multi-ambient-new-age", E(genre="ambient;NEW AGE"), C, INF),
    Case("genre-multi-ambient-electronic", E(genre="Ambient; Electronic"), X, INF,
         "genre Ambient; Electronic favours calm"),
    Case("genre-rock-slash-pop-is-broad", E(genre="Rock/Pop"), X, INF),
    Case("genre-not-in-table", E(genre="Zydeco Nouveau"), X, INF, "not in calmtune's genre table"),
    Case("genre-post-rock-needs-a-second-clue", E(genre="Post-Rock"), X, INF),
    Case("genre-post-rock-instrumental", E(genre="Post-Rock", title="Glacier (Instrumental)"), F,
         INF, "title word 'instrumental'"),
    Case("genre-new-age-and-rain", E(genre="New Age", title="Rain on Cedar"), C, INF,
         "title word 'rain'"),
    # --- title and album words ----------------------------------------------------------------------
    Case("title-word-alone-is-not-enough", E(title="Lullaby No. 2"), X, INF, HELP),
    Case("sleep-words-and-genre", E(title="Deep Sleep", album="Sleep Music for Babies",
                                    genre="Relaxation"), C, INF, "deep sleep"),
    Case("workout-remix-pop", E(title="Bloom (Workout Remix)", genre="Pop"), U, INF,
         "title word 'workout'"),
    Case("adagio-classical-needs-more", E(title="Adagio for Strings", genre="Classical"), X, INF,
         HELP),
    Case("adagio-classical-bpm-tag", E(title="Adagio for Strings", genre="Classical", bpm_tag=58),
         C, INF, "title word 'adagio'"),
    Case("study-album-hiphop", E(album="Lo-Fi Beats to Study To", genre="Jazz Hop"), F, INF),
    Case("live-album-only", E(album="Live at Leeds"), X, INF),
    # --- genre and words against measured audio: audio wins ----------------------------------------
    Case("ambient-genre-upbeat-audio", E(genre="Ambient", features=UPBEAT_AUDIO), U, INF,
         "outranks the genre"),
    Case("metal-genre-calm-audio", E(genre="Death Metal", features=CALM_AUDIO), C, INF,
         "outranks the genre"),
    Case("soundtrack-lullaby", E(genre="Soundtrack", album="Epic Battle Music", title="Lullaby",
                                 features=CALM_AUDIO), C, INF),
    Case("romantic-classical-battle", E(genre="Romantic Classical", title="Battle on the Ice",
                                        features=UPBEAT_AUDIO), U, INF),
    Case("lofi-genre-calm-audio", E(genre="Lo-Fi Hip Hop", features=CALM_AUDIO), C, INF),
    Case("techno-genre-focus-audio", E(genre="Techno", features=FOCUS_AUDIO), F, INF),
    Case("sleep-title-upbeat-audio", E(title="Sleep (Club Mix)", features=UPBEAT_AUDIO), U, INF),
    # --- BPM and key tags ---------------------------------------------------------------------------
    Case("bpm-tag-and-ambient", E(bpm_tag=70, genre="Ambient"), C, INF,
         "BPM tag 70 BPM is in the calm band"),
    Case("bpm-tag-and-house", E(bpm_tag=128, genre="House"), U, INF),
    Case("bpm-tag-alone-is-not-enough", E(bpm_tag=128), X, INF, HELP),
    Case("key-alone-gives-no-mood", E(key="Am"), X, INF, "minor"),
    Case("bpm-tag-implausible", E(bpm_tag=999, genre="Ambient"), C, INF, "not a plausible tempo"),
    Case("bpm-tag-overruled-by-measurement", E(bpm_tag=140, features=CALM_AUDIO), C, INF,
         "differs from the measured tempo"),
    # --- nothing useful -----------------------------------------------------------------------------
    Case("nothing-at-all", E(), X, INF,
         "no tempo, sound or genre evidence: run `calmtune analyze` or tag the mood by hand"),
    Case("only-useless-tags", E(title="Track 01", album="Unknown Album", genre="Other"), X, INF,
         HELP),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_classify_table_case(case: Case) -> None:
    result = classify(case.evidence)
    assert (result.mood, result.source) == (case.mood, case.source), result.reasons
    if case.reason is not None:
        assert any(case.reason in r for r in result.reasons), result.reasons
    for value in (result.calm, result.upbeat, result.focus, result.confidence):
        assert 0.0 <= value <= 1.0
    assert result.reasons, "every verdict says why"


def test_classify_table_has_forty_cases_across_kinds() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.mood for c in CASES} == {C, U, F, X}
    assert {c.source for c in CASES} == {USER, TOOL, INF}


def test_classify_user_mood_has_full_confidence_and_top_score() -> None:
    result = classify(E(user_mood="chill", features=UPBEAT_AUDIO))
    assert result.confidence == 1.0
    assert result.calm == 1.0
    assert result.upbeat < 1.0  # the other scores still tell what the audio sounds like


def test_classify_agreeing_clue_raises_confidence() -> None:
    alone = classify(E(genre="New Age"))
    with_title = classify(E(genre="New Age", title="Rain on Cedar"))
    with_audio = classify(E(genre="New Age", title="Rain on Cedar", features=CALM_AUDIO))
    assert alone.confidence < with_title.confidence < with_audio.confidence


def test_classify_conflict_lowers_confidence() -> None:
    clean = classify(E(features=UPBEAT_AUDIO))
    conflicted = classify(E(features=UPBEAT_AUDIO, genre="Ambient", title="Lullaby"))
    assert conflicted.mood == clean.mood == U
    assert conflicted.confidence < clean.confidence


def test_classify_genre_alone_stays_near_the_threshold() -> None:
    """Specific genres just decide (so a tag-only library is usable) but never confidently."""
    for genre in ("Ambient", "Drum & Bass", "Lo-Fi Hip Hop", "Meditation", "Metal"):
        result = classify(E(genre=genre))
        assert result.mood != X, genre
        assert 0.5 <= result.confidence < 0.7, (genre, result.confidence)


def test_classify_arousal_and_valence_follow_the_circumplex() -> None:
    calm = classify(E(features=CALM_AUDIO))
    upbeat = classify(E(features=UPBEAT_AUDIO))
    assert calm.arousal is not None and upbeat.arousal is not None
    assert calm.arousal < 0.35 < 0.65 < upbeat.arousal
    minor = classify(E(key="Am", genre="Ambient"))
    major = classify(E(key="C", genre="Ambient"))
    assert minor.valence is not None and major.valence is not None
    assert minor.valence < major.valence


def test_classify_key_alone_sets_valence_but_not_arousal() -> None:
    result = classify(E(key="F# minor"))
    assert result.arousal is None
    assert result.valence is not None and result.valence < 0.5
    assert (result.calm, result.upbeat, result.focus) == (0.0, 0.0, 0.0)


def test_classify_mood_words_against_a_mood_rule_it_out_whatever_the_audio() -> None:
    for word in ("Aggressive", "angry", "Not relaxed", "mood_aggressive", "Tense; Dark"):
        result = classify(E(tag_mood=word, features=CALM_AUDIO, genre="Ambient"))
        assert result.mood is not C, (word, result.reasons)
        assert result.source is INF


def test_classify_loudness_alone_sets_arousal_but_not_valence() -> None:
    result = classify(E(features=Features(loudness_lufs=-12)))
    assert result.arousal is not None
    assert result.valence is None


def test_classify_a_bpm_tag_that_agrees_lends_an_unsure_measurement_its_weight() -> None:
    """Just above the trusted threshold a measured tempo weighs almost nothing; a BPM tag with the
    same tempo weighed more just below it, so agreeing it lends the measurement that weight."""
    unsure = UPBEAT_AUDIO._replace(bpm=128.0, bpm_confidence=0.31)
    alone = classify(E(features=unsure))
    tagged = classify(E(features=unsure, bpm_tag=128.0))
    assert tagged.upbeat > alone.upbeat
    assert "tempo 128 BPM is in the upbeat band (110-140) (the file's BPM tag, 128, agrees)" in (
        tagged.reasons
    )


def test_classify_a_bpm_tag_fades_as_a_disagreeing_measurement_nears_the_threshold() -> None:
    """A DJ tool's doubled tag (140) against calmtune's unsure 70: the surer the measurement, the
    less the tag counts, down to nothing at the threshold, where the measurement takes over."""
    calm_sound = CALM_AUDIO._replace(bpm=70.0)
    upbeat = [
        classify(E(features=calm_sound._replace(bpm_confidence=c), bpm_tag=140.0)).upbeat
        for c in (0.05, 0.15, 0.25, 0.2999)
    ]
    assert upbeat == sorted(upbeat, reverse=True) and upbeat[0] > upbeat[-1]
    reasons = classify(E(features=calm_sound._replace(bpm_confidence=0.15), bpm_tag=140.0)).reasons
    assert any("disagrees, so the tag counts less" in r for r in reasons)
