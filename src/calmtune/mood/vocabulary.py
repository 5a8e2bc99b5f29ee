"""Mood words as people and taggers write them, and what each says about calmtune's three moods.

Taggers write moods in many spellings ("Relaxed", "chill-out", "CHILL; Mellow") and many words
that are none of calmtune's moods but still say something about them. MusicBrainz Picard's
AcousticBrainz plugins write the high-level classifiers ("Aggressive", "Not relaxed", "Party",
"Sad", "Electronic" ...) and the MIREX mood clusters ("rousing", "wistful", "volatile" ...).

Every word casts a *vote* per mood (calm, upbeat, focus) in -1..1:

- a word for one of the moods votes +1 for it ("Relaxed" -> calm);
- an intense word votes against calm and focus ("Aggressive", "Angry", "Tense");
- a sad or dark word votes against upbeat ("Sad", "Melancholic", "Brooding");
- a timbre word ("Acoustic", "Electronic") is recognised and says nothing about mood;
- "not X" (also "not_X", "non-X") votes half of the opposite of X ("Not relaxed": -0.5 calm).

A mood the user set is the mood whose votes reach a whole word (1.0) and lead; a vote below zero
counts against that mood (classify never chooses it). Words nobody maps are kept, never forced.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from calmtune.models import Mood

Vote = tuple[float, float, float]  # calm, upbeat, focus

_CALM = (
    "calm", "calming", "calmness", "relaxed", "relaxing", "relax", "relaxation", "chill",
    "chilled", "chillout", "chill out", "chilled out", "peaceful", "peace", "mellow", "sleep",
    "sleepy", "sleeping", "soothing", "serene", "tranquil", "gentle", "soft", "quiet",
    "meditative", "meditation", "dreamy", "laid back", "laidback", "easygoing", "easy going",
    "lullaby", "restful", "cozy", "cosy", "comforting", "tender", "wind down", "winddown",
    "unwind", "zen", "sedative", "reflective", "contemplative", "introspective", "pastoral",
    "ethereal", "atmospheric", "warm", "smooth", "slow", "bedtime", "sleepytime", "mild",
)  # fmt: skip
_UPBEAT = (
    "upbeat", "happy", "energetic", "energy", "energising", "energizing", "party", "uplifting",
    "cheerful", "joyful", "joyous", "fun", "exciting", "excited", "euphoric", "dance",
    "danceable", "groovy", "lively", "bouncy", "feel good", "feelgood", "positive",
    "motivational", "motivating", "workout", "pumped", "powerful", "driving", "celebratory",
    "playful", "sunny", "hype", "rousing", "triumphant", "anthemic", "fast", "high energy",
    "exuberant", "boisterous", "rowdy", "festive", "carefree", "optimistic", "bright",
    "rollicking", "passionate", "confident",
)  # fmt: skip
_FOCUS = (
    "focus", "focused", "focussed", "focusing", "concentration", "concentrate", "study",
    "studying", "work", "working", "deep focus", "productive", "productivity", "steady",
    "coding", "reading", "cerebral", "thinking", "flow",
)  # fmt: skip
# High arousal with negative valence: never calm, and no help to concentrate.
_INTENSE = (
    "aggressive", "agressive", "angry", "anger", "rage", "furious", "hostile", "violent",
    "intense", "tense", "tension", "anxious", "anxiety", "frantic", "chaotic", "fierce", "fiery",
    "volatile", "visceral", "brutal", "menacing", "threatening", "scary", "frightening",
    "terrifying", "horror", "epic", "dramatic", "action", "battle", "combat", "war", "chase",
    "suspense", "suspenseful", "heavy", "hard", "harsh", "wild", "manic", "frenetic",
)  # fmt: skip
# Low valence: not what an upbeat session is for.
_SAD = (
    "sad", "sadness", "melancholic", "melancholy", "melancolic", "depressing", "depressed",
    "gloomy", "sorrowful", "sorrow", "mournful", "somber", "sombre", "bleak", "dark", "grim",
    "unhappy", "lonely", "wistful", "bittersweet", "brooding", "poignant", "autumnal",
    "heartbroken", "heartbreaking", "tragic", "grief", "longing", "nostalgic",
)  # fmt: skip
# Recognised, and neutral about calm, upbeat and focus (AcousticBrainz timbre and voice classes).
_NEUTRAL = (
    "acoustic", "electronic", "electric", "instrumental", "vocal", "voice", "tonal", "atonal",
    "romantic", "humorous", "silly", "campy", "quirky", "whimsical", "witty", "wry", "sweet",
    "amiable", "good natured", "literate", "sensual", "sexy", "mysterious", "neutral",
)  # fmt: skip

_VOTES: dict[str, Vote] = {
    **dict.fromkeys(_CALM, (1.0, 0.0, 0.0)),
    **dict.fromkeys(_UPBEAT, (0.0, 1.0, 0.0)),
    **dict.fromkeys(_FOCUS, (0.0, 0.0, 1.0)),
    **dict.fromkeys(_INTENSE, (-1.0, 0.0, -1.0)),
    **dict.fromkeys(_SAD, (0.0, -1.0, 0.0)),
    **dict.fromkeys(_NEUTRAL, (0.0, 0.0, 0.0)),
}
# normalised word -> vote; spaces are also tried removed, so "chill out" covers "chill-out".
VOTES: dict[str, Vote] = {**_VOTES, **{w.replace(" ", ""): v for w, v in _VOTES.items()}}
# The words that name one of calmtune's moods (a user who writes one has chosen that mood).
SYNONYMS: dict[str, Mood] = {
    word: (Mood.CALM, Mood.UPBEAT, Mood.FOCUS)[vote.index(1.0)]
    for word, vote in VOTES.items()
    if 1.0 in vote
}
_MOODS = (Mood.CALM, Mood.UPBEAT, Mood.FOCUS)
_NEGATIONS = ("not ", "non ", "no ")
_PREFIXES = ("mood ",)  # AcousticBrainz class names: "mood_relaxed", "mood_not_relaxed"

# Separators taggers use between several values in one field.
_SPLIT = str.maketrans({";": "\n", ",": "\n", "/": "\n", "|": "\n", "\\": "\n", "\x00": "\n"})
_SPACE = str.maketrans({"-": " ", "_": " ", ".": " ", "\t": " "})


class MoodWords(NamedTuple):
    """What a (possibly multi-valued) mood tag says."""

    votes: Vote  # summed over the recognised values, per mood (calm, upbeat, focus)
    known: tuple[str, ...]  # the values recognised, as written
    unknown: tuple[str, ...]  # the values not recognised, as written
    mood: Mood | None  # the mood the words choose, if any (see ``mood_from_word``)

    def against(self) -> tuple[Mood, ...]:
        """The moods these words count against (a negative vote)."""
        return tuple(m for m, v in zip(_MOODS, self.votes, strict=True) if v < 0)


def split_words(text: str) -> list[str]:
    """The separate values in a multi-valued tag, stripped, in their original order."""
    return [part.strip() for part in text.translate(_SPLIT).split("\n") if part.strip()]


def _normalise(value: str) -> str:
    key = " ".join(value.lower().translate(_SPACE).split())
    for prefix in _PREFIXES:
        key = key.removeprefix(prefix)
    return key


def _plain_vote(key: str) -> Vote | None:
    return VOTES.get(key) or VOTES.get(key.replace(" ", ""))


def word_vote(value: str) -> Vote | None:
    """The vote of one value ("Relaxed", "not_aggressive"), or None when it is not recognised."""
    key = _normalise(value)
    if not key:
        return None
    vote = _plain_vote(key)
    if vote is not None:
        return vote
    for negation in _NEGATIONS:
        if key.startswith(negation):
            inner = _plain_vote(key.removeprefix(negation).strip())
            if inner is not None:
                return (-0.5 * inner[0] + 0.0, -0.5 * inner[1] + 0.0, -0.5 * inner[2] + 0.0)
    return None


@lru_cache(maxsize=4096)
def read_mood_words(text: str) -> MoodWords:
    """Votes, recognised and unrecognised values of a mood tag, and the mood it chooses.

    Cached: a library repeats a few dozen mood spellings across thousands of tracks.
    """
    totals = [0.0, 0.0, 0.0]
    first_positive: dict[int, int] = {}
    known: list[str] = []
    unknown: list[str] = []
    for position, value in enumerate(split_words(text)):
        vote = word_vote(value)
        if vote is None:
            unknown.append(value)
            continue
        known.append(value)
        for i in range(3):
            totals[i] += vote[i]
            if vote[i] >= 1.0:
                first_positive.setdefault(i, position)
    votes = (totals[0], totals[1], totals[2])
    # The chosen mood: a whole word's worth of votes, the most, ties to the one written first.
    eligible = [i for i in range(3) if votes[i] >= 1.0]
    mood = None
    if eligible:
        best = max(eligible, key=lambda i: (votes[i], -first_positive.get(i, 1 << 30)))
        mood = _MOODS[best]
    return MoodWords(votes, tuple(known), tuple(unknown), mood)


def moods_in_text(text: str) -> tuple[tuple[Mood, ...], tuple[str, ...]]:
    """The calmtune moods named in a mood tag (in order), and the values not recognised."""
    words = read_mood_words(text)
    named = tuple(SYNONYMS[k] for k in map(_normalise, words.known) if k in SYNONYMS)
    return named, words.unknown


def mood_from_word(text: str) -> Mood | None:
    """The mood a tag such as "Relaxed", "chill" or "Chill; Mellow" stands for, or None.

    Several values vote; the mood with the most votes wins when they add up to at least one
    whole word, and a tie goes to the one written first (taggers put the main mood first).
    Words against a mood ("Sad; Calm") take votes away from it.
    """
    return read_mood_words(text).mood
