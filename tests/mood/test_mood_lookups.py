"""The look-up tables behind the engine: mood words, genres, keys, title words."""

from __future__ import annotations

import pytest

from calmtune.models import Mood
from calmtune.mood.genres import genre_prior
from calmtune.mood.keys import key_mode
from calmtune.mood.vocabulary import mood_from_word, moods_in_text
from calmtune.mood.words import word_hits


@pytest.mark.parametrize(
    ("text", "mood"),
    [
        ("Relaxed", Mood.CALM),
        ("chill", Mood.CALM),
        ("Peaceful", Mood.CALM),
        ("chill-out", Mood.CALM),
        ("Chill Out", Mood.CALM),
        ("LAID_BACK", Mood.CALM),
        ("Chill; Mellow", Mood.CALM),
        ("Happy", Mood.UPBEAT),
        ("Energetic", Mood.UPBEAT),
        ("Party", Mood.UPBEAT),
        ("feel-good", Mood.UPBEAT),
        ("Concentration", Mood.FOCUS),
        ("Study", Mood.FOCUS),
        ("  focus  ", Mood.FOCUS),
        ("Sad", None),
        ("Aggressive", None),
        ("unknown", None),
        ("", None),
        ("Sad; Calm", Mood.CALM),  # the unknown word is ignored, the known one counts
        ("Happy; Calm; Peaceful", Mood.CALM),  # majority
        ("Happy, Calm", Mood.UPBEAT),  # a tie goes to the first written
    ],
)
def test_vocabulary_mood_from_word(text: str, mood: Mood | None) -> None:
    assert mood_from_word(text) == mood


def test_vocabulary_keeps_unknown_words() -> None:
    known, unknown = moods_in_text("Dreamy / Zydeco | Melancholic / Blurple")
    assert known == (Mood.CALM,)
    assert unknown == ("Zydeco", "Blurple")


@pytest.mark.parametrize(
    ("genre", "leans"),
    [
        ("Ambient", "calm"),
        ("AMBIENT", "calm"),
        ("New Age", "calm"),
        ("Romantic Classical", "calm"),
        ("Neo-Classical", "calm"),
        ("Lo-Fi Hip Hop", "focus"),
        ("lofi hiphop", "focus"),
        ("Post-Rock", "focus"),
        ("Drum & Bass", "upbeat"),
        ("Drum'n'Bass", "upbeat"),
        ("drum and bass", "upbeat"),
        ("Synthwave", "upbeat"),
        ("K-Pop", "upbeat"),
        ("Hip-Hop/Rap", "upbeat"),
        ("R&B", "upbeat"),
        ("(26)", "calm"),  # ID3v1 "Ambient"
        ("(9)", "upbeat"),  # ID3v1 "Metal"
        ("(32)Classical", "calm"),
        ("Dark Melodic Techno", "upbeat"),  # unknown compound, known head
        ("Relaxing Piano Music", "calm"),
    ],
)
def test_genres_match_real_spellings(genre: str, leans: str) -> None:
    prior = genre_prior(genre)
    assert prior is not None and prior.strength > 0, genre
    scores = {"calm": prior.calm, "upbeat": prior.upbeat, "focus": prior.focus}
    assert max(scores, key=scores.get) == leans


def test_genres_split_several_values() -> None:
    prior = genre_prior("Ambient; Electronic")
    assert prior is not None
    assert prior.matched == ("Ambient", "Electronic")
    both = genre_prior("Rock/Pop")
    assert both is not None and both.matched == ("Rock", "Pop")


def test_genres_unknown_and_uninformative() -> None:
    assert genre_prior("Other") is None
    assert genre_prior("") is None
    unknown = genre_prior("Zydeco; Ambient")
    assert unknown is not None
    assert unknown.unknown == ("Zydeco",)
    assert unknown.matched == ("Ambient",)


def test_genres_pathological_tag_is_handled() -> None:
    long_genre = " ".join(["Ambient"] + ["x"] * 5000)
    prior = genre_prior(long_genre)
    assert prior is not None and prior.calm > prior.upbeat
    assert genre_prior(";;;///") is None


def test_genres_broad_weaker_than_specific() -> None:
    broad = genre_prior("Classical")
    specific = genre_prior("Ambient")
    assert broad is not None and specific is not None
    assert broad.strength < specific.strength


@pytest.mark.parametrize(
    ("key", "mode"),
    [
        ("Am", "minor"),
        ("A minor", "minor"),
        ("C#m", "minor"),
        ("Dbm", "minor"),
        ("Bbmaj", "major"),
        ("C", "major"),
        ("F# Major", "major"),
        ("8A", "minor"),
        ("8B", "major"),
        ("1m", "minor"),
        ("1d", "major"),
        ("o", None),
        ("", None),
        ("Q", None),
    ],
)
def test_keys_mode(key: str, mode: str | None) -> None:
    assert key_mode(key) == mode


@pytest.mark.parametrize(
    ("title", "album", "words"),
    [
        ("Lullaby for Mia", None, ["lullaby"]),
        ("Live Forever", "Definitely Maybe", []),  # "live" in a title's main part is a verb
        ("Song (Live)", None, ["live"]),
        ("Bloom (Workout Remix)", None, ["workout", "remix"]),
        ("Song", "Live at Leeds", ["live"]),
        ("White Noise for Sleep", None, ["white noise", "sleep"]),
        ("Symphony No. 7: II. Allegretto", None, ["allegretto"]),
        ("Rain", "Rain", ["rain"]),  # each word counts once
    ],
)
def test_words_in_title_and_album(title: str, album: str | None, words: list[str]) -> None:
    assert [hit.word for hit in word_hits(title, album)] == words


# AcousticBrainz's high-level mood classifiers (class names as its API and Picard's plugins
# write them) and the five MIREX mood clusters: what each must say about calm, upbeat and focus.
# "for": the word chooses that mood; "+"/"-": it counts for/against the mood without choosing it.
ACOUSTICBRAINZ = {
    "acoustic": {}, "not_acoustic": {}, "Acoustic": {}, "Not acoustic": {},
    "electronic": {}, "not_electronic": {}, "Electronic": {},
    "aggressive": {"calm": "-", "focus": "-"}, "mood_aggressive": {"calm": "-", "focus": "-"},
    "Not aggressive": {"calm": "+", "focus": "+"}, "not_aggressive": {"calm": "+", "focus": "+"},
    "happy": {"upbeat": "for"}, "Happy": {"upbeat": "for"}, "not_happy": {"upbeat": "-"},
    "party": {"upbeat": "for"}, "mood_party": {"upbeat": "for"}, "Not party": {"upbeat": "-"},
    "relaxed": {"calm": "for"}, "Relaxed": {"calm": "for"}, "not_relaxed": {"calm": "-"},
    "sad": {"upbeat": "-"}, "Sad": {"upbeat": "-"}, "not_sad": {"upbeat": "+"},
    "danceable": {"upbeat": "for"}, "not_danceable": {"upbeat": "-"},
    "angry": {"calm": "-", "focus": "-"}, "dark": {"upbeat": "-"},
    "energetic": {"upbeat": "for"}, "melancholic": {"upbeat": "-"},
    # MIREX clusters 1-5
    "passionate": {"upbeat": "for"}, "rousing": {"upbeat": "for"}, "rowdy": {"upbeat": "for"},
    "cheerful": {"upbeat": "for"}, "fun": {"upbeat": "for"}, "sweet": {},
    "wistful": {"upbeat": "-"}, "bittersweet": {"upbeat": "-"}, "brooding": {"upbeat": "-"},
    "whimsical": {}, "witty": {}, "quirky": {},
    "fiery": {"calm": "-", "focus": "-"}, "tense": {"calm": "-", "focus": "-"},
    "anxious": {"calm": "-", "focus": "-"}, "volatile": {"calm": "-", "focus": "-"},
    "visceral": {"calm": "-", "focus": "-"},
}  # fmt: skip


@pytest.mark.parametrize(("word", "says"), ACOUSTICBRAINZ.items(), ids=list(ACOUSTICBRAINZ))
def test_vocabulary_acousticbrainz_mood_words(word: str, says: dict[str, str]) -> None:
    from calmtune.mood.vocabulary import read_mood_words

    words = read_mood_words(word)
    assert words.unknown == (), "every AcousticBrainz mood word is recognised"
    chosen = [m for m, what in says.items() if what == "for"]
    assert words.mood == (Mood(chosen[0]) if chosen else None)
    for mood, vote in zip(("calm", "upbeat", "focus"), words.votes, strict=True):
        expected = says.get(mood)
        if expected in ("for", "+"):
            assert vote > 0, (word, mood, vote)
        elif expected == "-":
            assert vote < 0, (word, mood, vote)
        else:
            assert vote == 0, (word, mood, vote)


def test_vocabulary_a_picard_acousticbrainz_tag_counts_against_the_opposite_mood() -> None:
    from calmtune.mood.vocabulary import read_mood_words

    words = read_mood_words("Not acoustic; Aggressive; Electronic; Not happy; Not relaxed; Sad")
    assert words.mood is None and words.unknown == ()
    assert set(words.against()) == {Mood.CALM, Mood.UPBEAT, Mood.FOCUS}
    relaxed = read_mood_words("Acoustic; Not aggressive; Not party; Relaxed; Not sad")
    assert relaxed.mood is Mood.CALM
