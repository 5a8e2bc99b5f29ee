"""classify(): weigh a track's evidence into mood scores, a verdict, a confidence and reasons.

One function per kind of evidence, strongest first; each adds what it knows to a ``_Tally``:

1. ``user_mood``: a mood the user set, in calmtune or in the file by another tagger. A word that
   names a mood wins outright; words that only count for or against moods ("Aggressive",
   "Not relaxed", "Sad") weigh heavily, and a mood they count against is never the verdict.
2. ``measured_sound``: the measured audio, without its tempo (``audio.audio_vote``). Nearly every
   feature is the same at any playback gain.
3. ``measured_tempo`` and ``bpm_tag``: the one tempo calmtune uses (``models.effective_bpm``): a
   trusted measurement, else the file's BPM tag, else none; never an unsure measurement.
4. ``musical_key``: valence only.
5. ``genre`` and ``title_words``: priors from the tables.
6. ``calmtune_tag``: a mood calmtune wrote earlier, standing in for the evidence it came from
   until the audio is measured.

How the evidence is combined (numbers in ``tables.py``):

* Each source has a weight per mood and a score per mood in 0..1. A mood's score is the weighted
  mean of the sources with extra weight on "no evidence" (0), so one weak clue cannot produce a
  high score and more agreeing evidence raises it.
* The verdict is the best score. Its confidence counts each source *for* the verdict (by how far
  the source's own score for it leads its best other score) or *against* it, weighted:
  (for - against/2) / (1 + for + against/2). Missing evidence lowers confidence, so does conflict.
* Measured sound and tempo weigh about five times a specific genre, so they overrule genre and
  title words. A genre alone reaches the default threshold only when the table marks it specific.
"""

from __future__ import annotations

from functools import lru_cache

from calmtune.models import (
    PLAUSIBLE_BPM,
    TRUSTED_TEMPO_CONFIDENCE,
    Features,
    Mood,
    MoodScores,
    MoodSource,
    effective_bpm,
)
from calmtune.mood import tables
from calmtune.mood.audio import at as curve_at
from calmtune.mood.audio import (
    audio_vote,
    curves_for,
    measured,
    tempo_reason,
    tempo_reliability,
)
from calmtune.mood.evidence import MoodEvidence
from calmtune.mood.genres import genre_prior
from calmtune.mood.keys import key_mode
from calmtune.mood.settings import MoodSettings
from calmtune.mood.vocabulary import read_mood_words
from calmtune.mood.words import word_hits

_MOODS = (Mood.CALM, Mood.UPBEAT, Mood.FOCUS)
_TIE_ORDER = (2, 0, 1)  # equal scores: calm, then focus, then upbeat
_DEFAULT = MoodSettings()
_HELP_TAGS_ONLY = (
    "run `calmtune analyze` to measure the audio, "
    "or tag the mood by hand (`calmtune tag --mood calm|upbeat|focus`)"
)
_NO_EVIDENCE = "no tempo, sound or genre evidence: run `calmtune analyze` or tag the mood by hand"

# Evidence weighing less than this is none: a tempo a hair above the trusted threshold says
# nothing about arousal.
_NO_WEIGHT = 1e-3

# One source of evidence: (label, weight per mood x3, score per mood x3), moods in _MOODS order.
_Source = tuple[str, float, float, float, float, float, float]


class _Tally:
    """What the evidence functions have found so far."""

    __slots__ = ("a_den", "a_num", "against", "reasons", "sources", "v_den", "v_num")

    def __init__(self) -> None:
        self.sources: list[_Source] = []
        self.reasons: list[str] = []
        self.against: set[Mood] = set()  # moods the user's own words rule out
        self.a_num = self.a_den = self.v_num = self.v_den = 0.0

    def add_arousal(self, weight: float, value: float) -> None:
        self.a_num += weight * value
        self.a_den += weight

    def add_valence(self, weight: float, value: float) -> None:
        self.v_num += weight * value
        self.v_den += weight


@lru_cache(maxsize=1024)
def _favours(scores: tuple[float, ...]) -> str:
    """Plain words for what a source leans to: "calm", "calm and focus", or "no clear mood"."""
    order = sorted(range(3), key=lambda i: -scores[i])
    best, second = scores[order[0]], scores[order[1]]
    if best - second >= 0.1:
        return _MOODS[order[0]].value
    if best - scores[order[2]] >= 0.1:
        return f"{_MOODS[order[0]].value} and {_MOODS[order[1]].value}"
    return "no clear mood"


# --- 1. the user's mood ---------------------------------------------------------------------------


def user_mood(ev: MoodEvidence, tally: _Tally) -> Mood | None:
    """The mood the user set, in calmtune first, then in the file by another tagger.

    A tag whose words name no mood but count for or against some becomes heavy evidence, and the
    moods it counts against are ruled out.
    """
    candidates = [(ev.user_mood, "set in calmtune")]
    if not ev.tag_mood_by_calmtune:
        candidates.append((ev.tag_mood, "in the file's tag"))
    for text, where in candidates:
        if not text or not text.strip():
            continue
        words = read_mood_words(text)
        if words.unknown:
            ignored = ", ".join(f"'{w}'" for w in words.unknown)
            tally.reasons.append(
                f"mood word {ignored} {where} is not one calmtune maps to calm, upbeat or focus, "
                "so it was kept but ignored"
            )
        if words.mood is not None:
            named = [m.value for m, v in zip(_MOODS, words.votes, strict=True) if v >= 1.0]
            extra = f" (the tag names {', '.join(named)}; {words.mood.value} leads)"
            tally.reasons.append(
                f"mood '{text.strip()}' {where} by the user means {words.mood.value}"
                f"{extra if len(named) > 1 else ''}: a mood set by hand always wins"
            )
            return words.mood
        if any(words.votes):
            _user_words(text.strip(), where, words.votes, tally)
    return None


def _user_words(text: str, where: str, votes: tuple[float, ...], tally: _Tally) -> None:
    weights = [tables.USER_WORD_WEIGHT * min(1.0, abs(v)) for v in votes]
    scores = [1.0 if v > 0 else 0.0 for v in votes]
    tally.sources.append(("the user's mood words", *weights, *scores))
    against = [m for m, v in zip(_MOODS, votes, strict=True) if v < 0]
    backs = [m for m, v in zip(_MOODS, votes, strict=True) if v > 0]
    tally.against.update(against)
    said = []
    if against:
        said.append(f"counts against {' and '.join(m.value for m in against)}")
    if backs:
        said.append(f"leans to {' and '.join(m.value for m in backs)}")
    tally.reasons.append(f"mood '{text}' {where} by the user {'; '.join(said)}")


# --- 2. the measured sound --------------------------------------------------------------------------


def measured_sound(f: Features | None, s: MoodSettings, tally: _Tally) -> bool:
    """Add the measured audio (all but the tempo). Returns whether the audio was measured."""
    if f is not None and f.silent:
        tally.reasons.append("the audio is silent, so it says nothing about mood")
    if not measured(f):
        return False
    vote = audio_vote(f, s)  # type: ignore[arg-type]
    (n0, n1, n2), (d0, d1, d2) = vote.num, vote.den
    if d0 or d1 or d2:
        scores = (n0 / d0 if d0 else 0.0, n1 / d1 if d1 else 0.0, n2 / d2 if d2 else 0.0)
        tally.sources.append(("measured sound", d0, d1, d2, *scores))
    tally.reasons.extend(vote.reasons)
    tally.a_num += vote.a_num
    tally.a_den += vote.a_den
    return True


# --- 3. the tempo: one rule, a trusted measurement or else the BPM tag --------------------------


def _add_tempo(
    label: str, bpm: float, k: float, s: MoodSettings, tally: _Tally, pulse: float = 0.0
) -> None:
    """Add a tempo with reliability ``k`` (0..1), and a steady pulse found with probability
    ``pulse`` (0..1), which counts for focus at a focus tempo only: a dance beat is steady too."""
    t = curves_for(s).tempo
    w = tables.FEATURE_WEIGHTS["tempo"]
    calm, upbeat, focus = (curve_at(t[0], bpm), curve_at(t[1], bpm), curve_at(t[2], bpm))
    w_tempo, w_pulse = w[2] * k, tables.FEATURE_WEIGHTS["pulse"][2] * pulse
    if k <= 0.0 and w_pulse <= 0.0:
        return
    # the pulse's score is the focus-tempo curve, like the tempo's own focus score
    tally.sources.append((label, w[0] * k, w[1] * k, w_tempo + w_pulse, calm, upbeat, focus))
    lo, hi, aw = tables.AROUSAL_SCALES["tempo"]
    scaled = min(1.0, max(0.0, (bpm - lo) / (hi - lo)))
    tally.add_arousal(aw * k, scaled)
    va, vb, vw = tables.TEMPO_VALENCE
    tally.add_valence(vw * k, va + vb * scaled)


def measured_tempo(ev: MoodEvidence, s: MoodSettings, has_audio: bool, tally: _Tally) -> None:
    """The measured tempo, by how sure the estimator was; and the steadiness of the pulse.

    Nothing steps at the trusted threshold: the tempo counts ``tempo_reliability`` of its weight,
    0 at the threshold, and the pulse counts for focus at the share ``tables.PULSE_CURVE`` gives
    it, 0 at the threshold, while the missing pulse counts against focus at the rest, as it does
    in full below the threshold. So a confidence that moves a few hundredths with the playback
    gain moves the scores a little (docs/music.md, "How calmtune decides a mood", item 3).
    """
    f = ev.features
    bpm, source = effective_bpm(f, ev.bpm_tag)
    if source != "analysis" or f is None or bpm is None:
        if has_audio:
            if f is not None and f.bpm and f.bpm_confidence is not None:
                tally.reasons.append(
                    f"the measured tempo ({f.bpm:.0f} BPM, confidence {f.bpm_confidence:.2f}) is "
                    "too unsure to use"
                )
            # Measured sound without a trusted pulse: focus music needs one.
            _fold_no_pulse_into_sound(tally, 1.0)
            tally.reasons.append("no steady pulse was found, which counts against focus")
        return
    conf = f.bpm_confidence
    k = tempo_reliability(conf)
    confirmed = _tag_agrees(ev.bpm_tag, bpm)
    if confirmed:
        # The tag weighed this much just below the threshold; agreeing, it lends it to the
        # measurement, so a confidence crossing the threshold does not drop the tempo's weight.
        k = max(k, tables.BPM_TAG_FACTOR * tempo_reliability(None))
    pulse = None if conf is None else curve_at(tables.PULSE_CURVE, conf)
    _add_tempo("measured tempo", bpm, k, s, tally, pulse or 0.0)
    if pulse is not None and pulse < 1.0 and has_audio:
        _fold_no_pulse_into_sound(tally, 1.0 - pulse)
    reason = tempo_reason(bpm, s)
    if confirmed:
        reason += f" (the file's BPM tag, {ev.bpm_tag:g}, agrees)"
    elif conf is not None and conf < 0.5:
        reason += f" (tempo confidence {conf:.2f}, so it counts less)"
    tally.reasons.append(reason)
    if conf is not None and conf >= 0.7 and curve_at(curves_for(s).tempo[2], bpm) >= 0.5:
        tally.reasons.append(f"steady pulse (tempo confidence {conf:.2f}) suits focus")


def _fold_no_pulse_into_sound(tally: _Tally, share: float) -> None:
    """The missing pulse lowers the measured sound's own focus score (a focus score of 0 at
    ``share`` of the pulse's weight), so the sound source itself leans away from focus."""
    wp = tables.FEATURE_WEIGHTS["pulse"][2] * share
    for index, (label, w0, w1, w2, s0, s1, s2) in enumerate(tally.sources):
        if label == "measured sound":
            tally.sources[index] = (label, w0, w1, w2 + wp, s0, s1, s2 * w2 / (w2 + wp))
            return
    tally.sources.append(("measured sound", 0.0, 0.0, wp, 0.0, 0.0, 0.0))


def bpm_tag(ev: MoodEvidence, s: MoodSettings, tally: _Tally) -> None:
    """The file's BPM tag, when no trusted measurement speaks (someone else's estimate)."""
    tag = ev.bpm_tag
    if not tag:
        return
    bpm, source = effective_bpm(ev.features, tag)
    if not (PLAUSIBLE_BPM[0] <= tag <= PLAUSIBLE_BPM[1]):
        tally.reasons.append(f"BPM tag {tag:g} is not a plausible tempo, so it was ignored")
    elif source == "analysis" and bpm is not None:
        if not _tag_agrees(tag, bpm):
            tally.reasons.append(
                f"BPM tag {tag:g} differs from the measured tempo, which is used instead"
            )
    elif source == "tag":
        share, reason = 1.0, tempo_reason(tag, s, "BPM tag")
        f = ev.features
        if f is not None and f.bpm and f.bpm_confidence is not None and not _tag_agrees(tag, f.bpm):
            # An unsure measurement that disagrees casts doubt on the tag, the more so the nearer
            # it comes to being trusted: at the threshold the tag weighs nothing, as it does
            # just above it, where the measurement is used instead.
            share = max(0.0, 1.0 - f.bpm_confidence / TRUSTED_TEMPO_CONFIDENCE)
            reason += (
                f" (the unsure measured tempo, {f.bpm:.0f} BPM at confidence "
                f"{f.bpm_confidence:.2f}, disagrees, so the tag counts less)"
            )
        k = tables.BPM_TAG_FACTOR * tempo_reliability(None) * share
        _add_tempo("BPM tag", tag, k, s, tally)
        tally.reasons.append(reason)


def _tag_agrees(tag: float | None, bpm: float) -> bool:
    """A plausible BPM tag within 4% of ``bpm`` (the same tempo, rounding aside)."""
    return (
        bool(tag) and PLAUSIBLE_BPM[0] <= tag <= PLAUSIBLE_BPM[1] and abs(tag - bpm) <= 0.04 * bpm
    )


# --- 4-5. key, genre, words --------------------------------------------------------------------------


def musical_key(ev: MoodEvidence, tally: _Tally) -> None:
    """Major or minor: a valence cue only."""
    if not ev.key:
        return
    mode = key_mode(ev.key)
    if mode is None:
        return
    tally.add_valence(tables.KEY_VALENCE_WEIGHT, tables.KEY_VALENCE[mode])
    tone = "brighter, more positive" if mode == "major" else "darker, less positive"
    tally.reasons.append(f"key {ev.key.strip()} is {mode}: a {tone} valence")


def genre(ev: MoodEvidence, s: MoodSettings, tally: _Tally) -> None:
    """The genre's prior, weak for broad genres ("Soundtrack" holds lullabies and battles)."""
    if not ev.genre or not ev.genre.strip():
        return
    prior = genre_prior(ev.genre)
    if prior is None:
        return
    if prior.unknown:
        names = ", ".join(prior.unknown)
        tally.reasons.append(f"genre {names} is not in calmtune's genre table, so it was ignored")
    if prior.strength <= 0:
        return
    if s.genre_weight <= 0:
        tally.reasons.append("genre evidence is switched off in the settings (genre_weight 0)")
        return
    w = prior.strength * s.genre_weight
    tally.sources.append(("genre", w, w, w, prior.calm, prior.upbeat, prior.focus))
    tally.add_arousal(w, prior.arousal)
    tally.add_valence(w, prior.valence)
    name = "; ".join(prior.matched)
    lean = _favours((prior.calm, prior.upbeat, prior.focus))
    if lean == "no clear mood":
        tally.reasons.append(f"genre {name} gives no clear lean")
    else:
        weak = " (weak evidence on its own)" if prior.strength < tables.STRONG else ""
        tally.reasons.append(f"genre {name} favours {lean}{weak}")


def title_words(ev: MoodEvidence, tally: _Tally) -> None:
    """Mood words in the title and album ("Lullaby", "Rain", "(Workout Mix)")."""
    hits = word_hits(ev.title, ev.album)
    if not hits:
        return
    total = sum(h.weight for h in hits)
    scale = min(1.0, tables.WORDS_MAX_WEIGHT / total)
    w_sum = total * scale
    sc = [sum(h.prior[i] * h.weight for h in hits) / total for i in range(3)]
    tally.sources.append(("title and album words", w_sum, w_sum, w_sum, sc[0], sc[1], sc[2]))
    for h in hits:
        tally.add_arousal(h.weight * scale, h.prior[3])
        tally.add_valence(h.weight * scale, h.prior[4])
        tally.reasons.append(f"{h.field} word '{h.word}' favours {_favours(h.prior[:3])}")


# --- 6. a mood calmtune wrote earlier ------------------------------------------------------------------


def calmtune_tag(ev: MoodEvidence, has_audio: bool, tally: _Tally) -> Mood | None:
    """The mood calmtune wrote into the file earlier, if any. Without measured audio it stands in
    for the evidence it came from; with measured audio the measurement decides afresh (and the
    verdict counts as written by calmtune only when it is the same mood)."""
    if not ev.tag_mood or not ev.tag_mood_by_calmtune:
        return None
    mood = read_mood_words(ev.tag_mood).mood
    if mood is None:
        return None
    text = ev.tag_mood.strip()
    if has_audio:
        tally.reasons.append(
            f"mood tag '{text}' written earlier by calmtune is recomputed from the measured audio"
        )
        return mood
    w = tables.CALMTUNE_TAG_WEIGHT
    tally.sources.append(("calmtune's mood tag", w, w, w, *tables.MOOD_PROTOTYPE_SCORES[mood]))
    a, v = tables.MOOD_PROTOTYPE_AROUSAL_VALENCE[mood]
    tally.add_arousal(w, a)
    tally.add_valence(w, v)
    tally.reasons.append(
        f"mood tag '{text}' was written earlier by calmtune ({mood.value}); "
        "no measurement here to overrule it"
    )
    return mood


# --- the verdict -------------------------------------------------------------------------------------


def classify(evidence: MoodEvidence, settings: MoodSettings | None = None) -> MoodScores:
    """Weigh ``evidence`` into scores, arousal/valence, a verdict, confidence, source and reasons.

    Pure and cheap: no I/O; genre, word and key look-ups are cached across calls.
    """
    s = settings or _DEFAULT
    tally = _Tally()
    user = user_mood(evidence, tally)
    has_audio = measured_sound(evidence.features, s, tally)
    measured_tempo(evidence, s, has_audio, tally)
    bpm_tag(evidence, s, tally)
    musical_key(evidence, tally)
    genre(evidence, s, tally)
    title_words(evidence, tally)
    earlier = calmtune_tag(evidence, has_audio, tally) if user is None else None
    return _verdict(tally, user, earlier, has_audio, s)


def _verdict(
    tally: _Tally, user: Mood | None, earlier: Mood | None, has_audio: bool, s: MoodSettings
) -> MoodScores:
    sources, reasons = tally.sources, tally.reasons
    scores = _scores(sources)
    allowed = [i for i in range(3) if _MOODS[i] not in tally.against]
    best = max(allowed or range(3), key=lambda i: (scores[i], _TIE_ORDER[i]))
    confidence = _confidence(sources, best) if allowed else 0.0

    if user is not None:
        a, v = tables.MOOD_PROTOTYPE_AROUSAL_VALENCE[user]
        tally.add_arousal(tables.USER_MOOD_AV_WEIGHT, a)
        tally.add_valence(tables.USER_MOOD_AV_WEIGHT, v)
        scores[_MOODS.index(user)] = 1.0
        mood, confidence, source = user, 1.0, MoodSource.USER
    elif not sources:
        mood, confidence, source = Mood.UNKNOWN, 0.0, MoodSource.INFERRED
        reasons.append(_NO_EVIDENCE)
    elif not allowed:
        mood, source = Mood.UNKNOWN, MoodSource.INFERRED
        reasons.append("the user's mood words count against every mood, so it stays unknown")
    elif confidence < s.confidence_threshold or scores[best] <= 0.0:
        mood, source = Mood.UNKNOWN, MoodSource.INFERRED
        reasons.append(_unknown_reason(scores, confidence, s, has_audio))
    else:
        mood = _MOODS[best]
        source = MoodSource.WRITTEN_BY_CALMTUNE if earlier is mood else MoodSource.INFERRED
        if has_audio:
            _note_overruled(sources, best, reasons)

    return MoodScores(
        calm=round(scores[0], 3),
        upbeat=round(scores[1], 3),
        focus=round(scores[2], 3),
        arousal=round(tally.a_num / tally.a_den, 3) if tally.a_den > _NO_WEIGHT else None,
        valence=round(tally.v_num / tally.v_den, 3) if tally.v_den > _NO_WEIGHT else None,
        mood=mood,
        confidence=round(confidence, 3),
        source=source,
        reasons=reasons,
    )


def _scores(sources: list[_Source]) -> list[float]:
    """Per mood: the weighted mean of the sources, with weight PRIOR_WEIGHT on "no evidence"."""
    n0 = n1 = n2 = 0.0
    d0 = d1 = d2 = tables.PRIOR_WEIGHT
    for _, w0, w1, w2, s0, s1, s2 in sources:
        n0 += w0 * s0
        n1 += w1 * s1
        n2 += w2 * s2
        d0 += w0
        d1 += w1
        d2 += w2
    return [n0 / d0, n1 / d1, n2 / d2]


def _confidence(sources: list[_Source], best: int) -> float:
    """Evidence for the best mood against evidence for another, in 0..1."""
    support = against = 0.0
    others = [i for i in range(3) if i != best]
    for _, w0, w1, w2, *own in sources:
        weights = (w0, w1, w2)
        if weights[best] <= 0.0:
            continue  # this source says nothing about the chosen mood
        rivals = [own[i] for i in others if weights[i] > 0.0]
        d = _strength_of_lead(own[best] - max(rivals, default=0.0))
        weight = (w0 + w1 + w2) / 3.0
        if d > 0:
            support += weight * d
        else:
            against -= weight * d * tables.OPPOSITION_FACTOR
    return max(0.0, support - against) / (tables.CONFIDENCE_PRIOR + support + against)


def _strength_of_lead(lead: float) -> float:
    """-1..1: how firmly one source backs (or opposes) the verdict, from its own score lead."""
    size = abs(lead)
    if size <= tables.AMBIGUOUS_MARGIN:
        return 0.0
    d = min(1.0, (size - tables.AMBIGUOUS_MARGIN) / (tables.CLEAR_MARGIN - tables.AMBIGUOUS_MARGIN))
    return d if lead > 0 else -d


def _unknown_reason(scores: list[float], confidence: float, s: MoodSettings, audio: bool) -> str:
    head = (
        f"confidence {confidence:.2f} is below the threshold {s.confidence_threshold:.2f}, "
        "so the mood stays unknown"
    )
    if not audio:
        return f"{head}: {_HELP_TAGS_ONLY}"
    order = sorted(range(3), key=lambda i: -scores[i])
    a, b = _MOODS[order[0]].value, _MOODS[order[1]].value
    return (
        f"{head}: the evidence is mixed ({a} {scores[order[0]]:.2f}, {b} {scores[order[1]]:.2f}); "
        "tag the mood by hand if you know it"
    )


def _note_overruled(sources: list[_Source], best: int, reasons: list[str]) -> None:
    """Say so when measured audio decided against what genre or title words suggested."""
    for label, _w0, _w1, _w2, *scores in sources:
        if label not in ("genre", "title and album words"):
            continue
        fav = max(range(3), key=scores.__getitem__)
        if fav != best and scores[fav] - scores[best] >= 0.1:
            reasons.append(
                f"the measured audio outranks the {label}, which suggested {_MOODS[fav].value}"
            )
