"""The one reason a display shows for a mood: the strongest evidence for it, never a weak one
when a stronger one exists. Checked on the engine's own output, so a change of wording there
fails here."""

from __future__ import annotations

from calmtune.models import Features
from calmtune.mood import classify
from calmtune.mood.evidence import MoodEvidence
from calmtune.mood.explain import strongest_reason


def _shown(**evidence) -> tuple[str, str | None]:
    scores = classify(MoodEvidence(**evidence))
    return scores.mood.value, strongest_reason(scores.mood.value, scores.reasons)


def test_strongest_reason_prefers_a_word_over_a_weak_genre():
    mood, why = _shown(genre="Soundtrack", title="Lullaby for the rain")
    assert mood == "calm"
    assert "lullaby" in why or "rain" in why


def test_strongest_reason_prefers_measured_tempo_over_everything_but_the_user():
    calm_audio = Features(
        bpm=66, bpm_confidence=0.9, loudness_lufs=-24, onset_density=1.0, brightness=900,
        loudness_range=5,
    )  # fmt: skip
    mood, why = _shown(genre="Soundtrack", key="Am", features=calm_audio)
    assert (mood, why) == ("calm", "tempo 66 BPM is in the calm band (60-80)")
    mood, why = _shown(genre="Soundtrack", tag_mood="Relaxed", features=calm_audio)
    assert mood == "calm" and "by the user" in why


def test_strongest_reason_never_a_reason_against_the_mood_or_an_ignored_one():
    reasons = [
        "genre Polka is not in calmtune's genre table, so it was ignored",
        "key Am is minor: a darker, less positive valence",
        "loudness -9.0 LUFS is loud (upbeat at or above -14)",
    ]
    assert strongest_reason("calm", reasons) is None
    assert strongest_reason("upbeat", reasons) == reasons[2]


def test_strongest_reason_of_an_unknown_mood_says_why_it_is_unknown():
    mood, why = _shown(genre="Pop", bpm_tag=68, key="Am")
    assert mood == "unknown" and "stays unknown" in why


def test_strongest_reason_falls_back_to_a_weak_genre_when_it_is_all_there_is():
    reasons = ["genre Soundtrack favours focus and calm (weak evidence on its own)"]
    assert strongest_reason("calm", reasons) == reasons[0]
