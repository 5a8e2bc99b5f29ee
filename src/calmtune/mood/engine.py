"""classify(): weigh a track's evidence into mood scores, a verdict, a confidence and reasons.

How the evidence is combined (numbers in ``tables.py``):

* Each kind of evidence (measured audio, BPM tag, genre, title/album words, a mood tag calmtune
  wrote earlier) is one *source* with a weight per mood and a score per mood in 0..1.
* A mood's score is the weighted mean of the sources with extra weight on "no evidence" (0), so
  one weak clue cannot produce a high score and more agreeing evidence raises it.
* The verdict is the best score. Its confidence counts each source *for* the verdict (by how far
  the source's own score for it leads its best other score) or *against* it, weighted:
  (for - against/2) / (1 + for + against/2). Missing evidence lowers confidence, so does conflict.
* Measured audio weighs about four times a specific genre, so it overrules genre and title words.
  A genre alone reaches the default threshold only when the table marks it specific (STRONG:
  "Ambient", "Drum & Bass", "Lo-Fi Hip Hop"); a broad one ("Rock", "Classical", "Soundtrack")
  needs a second clue that agrees.
* A mood the user set (in calmtune, or in a file's tag not written by calmtune) wins outright.
"""

from __future__ import annotations

from functools import lru_cache

from calmtune.models import Mood, MoodEvidence, MoodScores, MoodSource
from calmtune.mood import tables
from calmtune.mood.audio import at as curve_at
from calmtune.mood.audio import audio_vote, curves_for, measured, tempo_reason, tempo_reliability
from calmtune.mood.genres import genre_prior
from calmtune.mood.keys import key_mode
from calmtune.mood.settings import MoodSettings
from calmtune.mood.vocabulary import mood_from_word, moods_in_text
from calmtune.mood.words import word_hits

_MOODS = (Mood.CALM, Mood.UPBEAT, Mood.FOCUS)
_DEFAULT = MoodSettings()
_HELP_TAGS_ONLY = (
    "run `calmtune analyze` to measure tempo and loudness, "
    "or tag the mood by hand (`calmtune tag --mood calm|upbeat|focus`)"
)
_NO_EVIDENCE = (
    "no tempo, loudness or genre evidence: run `calmtune analyze` or tag the mood by hand"
)


# One source of evidence: (label, weight per mood x3, score per mood x3), moods in _MOODS order.
_Source = tuple[str, float, float, float, float, float, float]


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


def _user_mood(ev: MoodEvidence, reasons: list[str]) -> Mood | None:
    """The mood the user set, in calmtune first, then in the file by another tagger."""
    candidates = [(ev.user_mood, "set in calmtune")]
    if not ev.tag_mood_by_calmtune:
        candidates.append((ev.tag_mood, "in the file's tag"))
    for text, where in candidates:
        if not text or not text.strip():
            continue
        known, unknown = moods_in_text(text)
        mood = mood_from_word(text)
        if unknown:
            ignored = ", ".join(f"'{w}'" for w in unknown)
            reasons.append(
                f"mood word {ignored} {where} is not one calmtune maps to calm, upbeat or focus, "
                "so it was kept but ignored"
            )
        if mood is not None:
            extra = ""
            if len(set(known)) > 1:
                extra = f" (the tag names {', '.join(dict.fromkeys(m.value for m in known))}"
                extra += f"; {mood.value} leads)"
            reasons.append(
                f"mood '{text.strip()}' {where} by the user means {mood.value}{extra}: "
                "a mood set by hand always wins"
            )
            return mood
    return None


def classify(evidence: MoodEvidence, settings: MoodSettings | None = None) -> MoodScores:
    """Weigh ``evidence`` into scores, arousal/valence, a verdict, confidence, source and reasons.

    Pure and cheap: no I/O; genre, word and key look-ups are cached across calls.
    """
    s = settings or _DEFAULT
    reasons: list[str] = []
    sources: list[_Source] = []
    a_num = a_den = v_num = v_den = 0.0

    user = _user_mood(evidence, reasons)

    f = evidence.features
    has_audio = measured(f)
    if f is not None and f.silent:
        reasons.append("the audio is silent, so it says nothing about mood")
    if has_audio:
        vote = audio_vote(f, s)  # type: ignore[arg-type]
        (n0, n1, n2), (d0, d1, d2) = vote.num, vote.den
        sources.append(
            (
                "measured audio",
                d0,
                d1,
                d2,
                n0 / d0 if d0 else 0.0,
                n1 / d1 if d1 else 0.0,
                n2 / d2 if d2 else 0.0,
            )
        )
        reasons.extend(vote.reasons)
        a_num += vote.a_num
        a_den += vote.a_den
        v_num += vote.v_num
        v_den += vote.v_den

    bpm_tag = evidence.bpm_tag
    if bpm_tag is not None:
        if not (tables.BPM_LIMITS[0] <= bpm_tag <= tables.BPM_LIMITS[1]):
            reasons.append(f"BPM tag {bpm_tag:g} is not a plausible tempo, so it was ignored")
        elif has_audio and f.bpm is not None:  # type: ignore[union-attr]
            if abs(bpm_tag - f.bpm) > 0.04 * f.bpm:  # type: ignore[union-attr]
                reasons.append(
                    f"BPM tag {bpm_tag:g} differs from the measured tempo, which is used instead"
                )
        else:
            t = curves_for(s).tempo
            k = tables.BPM_TAG_FACTOR * tempo_reliability(None)
            tw = tables.FEATURE_WEIGHTS["tempo"]
            sources.append(
                (
                    "BPM tag",
                    tw[0] * k,
                    tw[1] * k,
                    tw[2] * k,
                    curve_at(t[0], bpm_tag),
                    curve_at(t[1], bpm_tag),
                    curve_at(t[2], bpm_tag),
                )
            )
            lo, hi, aw = tables.AROUSAL_SCALES["tempo"]
            a_num += aw * k * min(1.0, max(0.0, (bpm_tag - lo) / (hi - lo)))
            a_den += aw * k
            reasons.append(tempo_reason(bpm_tag, s, "BPM tag"))

    if evidence.key:
        mode = key_mode(evidence.key)
        if mode is not None:
            v_num += tables.KEY_VALENCE_WEIGHT * tables.KEY_VALENCE[mode]
            v_den += tables.KEY_VALENCE_WEIGHT
            tone = "brighter, more positive" if mode == "major" else "darker, less positive"
            reasons.append(f"key {evidence.key.strip()} is {mode}: a {tone} valence")

    if evidence.genre and evidence.genre.strip():
        prior = genre_prior(evidence.genre)
        if prior is not None and prior.unknown:
            names = ", ".join(prior.unknown)
            reasons.append(f"genre {names} is not in calmtune's genre table, so it was ignored")
        if prior is not None and prior.strength > 0:
            if s.genre_weight <= 0:
                reasons.append("genre evidence is switched off in the settings (genre_weight 0)")
            else:
                w = prior.strength * s.genre_weight
                sources.append(("genre", w, w, w, prior.calm, prior.upbeat, prior.focus))
                a_num += w * prior.arousal
                a_den += w
                v_num += w * prior.valence
                v_den += w
                name = "; ".join(prior.matched)
                lean = _favours((prior.calm, prior.upbeat, prior.focus))
                if lean == "no clear mood":
                    reasons.append(f"genre {name} gives no clear lean")
                else:
                    weak = " (weak evidence on its own)" if prior.strength < tables.STRONG else ""
                    reasons.append(f"genre {name} favours {lean}{weak}")

    hits = word_hits(evidence.title, evidence.album)
    if hits:
        total = sum(h.weight for h in hits)
        scale = min(1.0, tables.WORDS_MAX_WEIGHT / total)
        w_sum = total * scale
        sc = [sum(h.prior[i] * h.weight for h in hits) / total for i in range(3)]
        sources.append(("title and album words", w_sum, w_sum, w_sum, sc[0], sc[1], sc[2]))
        for h in hits:
            a_num += h.weight * scale * h.prior[3]
            a_den += h.weight * scale
            v_num += h.weight * scale * h.prior[4]
            v_den += h.weight * scale
            reasons.append(f"{h.field} word '{h.word}' favours {_favours(h.prior[:3])}")

    calmtune_tag: Mood | None = None
    if user is None and evidence.tag_mood and evidence.tag_mood_by_calmtune:
        calmtune_tag = mood_from_word(evidence.tag_mood)
        if calmtune_tag is not None and has_audio:
            reasons.append(
                f"mood tag '{evidence.tag_mood.strip()}' written earlier by calmtune is "
                "recomputed from the measured audio"
            )
            calmtune_tag = None
        elif calmtune_tag is not None:
            w = tables.CALMTUNE_TAG_WEIGHT
            sources.append(
                ("calmtune's mood tag", w, w, w, *tables.MOOD_PROTOTYPE_SCORES[calmtune_tag])
            )
            a, v = tables.MOOD_PROTOTYPE_AROUSAL_VALENCE[calmtune_tag]
            a_num += w * a
            a_den += w
            v_num += w * v
            v_den += w
            reasons.append(
                f"mood tag '{evidence.tag_mood.strip()}' was written earlier by calmtune "
                f"({calmtune_tag.value}); no measurement here to overrule it"
            )

    # Scores: weighted mean with weight PRIOR_WEIGHT on "no evidence".
    n0 = n1 = n2 = 0.0
    d0 = d1 = d2 = tables.PRIOR_WEIGHT
    for _, w0, w1, w2, s0, s1, s2 in sources:
        n0 += w0 * s0
        n1 += w1 * s1
        n2 += w2 * s2
        d0 += w0
        d1 += w1
        d2 += w2
    scores = [n0 / d0, n1 / d1, n2 / d2]
    c, u, fo = scores
    best = 0 if c >= u and c >= fo else (2 if fo >= u else 1)  # ties: calm, then focus

    # Confidence: evidence for the best mood against evidence for another.
    support = against = 0.0
    for _, w0, w1, w2, s0, s1, s2 in sources:
        if best == 0:
            lead = s0 - (s1 if s1 > s2 else s2)
        elif best == 1:
            lead = s1 - (s0 if s0 > s2 else s2)
        else:
            lead = s2 - (s0 if s0 > s1 else s1)
        d = _strength_of_lead(lead)
        weight = (w0 + w1 + w2) / 3.0
        if d > 0:
            support += weight * d
        else:
            against -= weight * d * tables.OPPOSITION_FACTOR
    confidence = max(0.0, support - against) / (tables.CONFIDENCE_PRIOR + support + against)

    if user is not None:
        a, v = tables.MOOD_PROTOTYPE_AROUSAL_VALENCE[user]
        a_num += tables.USER_MOOD_AV_WEIGHT * a
        a_den += tables.USER_MOOD_AV_WEIGHT
        v_num += tables.USER_MOOD_AV_WEIGHT * v
        v_den += tables.USER_MOOD_AV_WEIGHT
        scores[_MOODS.index(user)] = 1.0
        mood, confidence, source = user, 1.0, MoodSource.USER
    elif not sources:
        mood, confidence, source = Mood.UNKNOWN, 0.0, MoodSource.INFERRED
        reasons.append(_NO_EVIDENCE)
    elif confidence < s.confidence_threshold or scores[best] <= 0.0:
        mood, source = Mood.UNKNOWN, MoodSource.INFERRED
        reasons.append(_unknown_reason(scores, confidence, s, has_audio))
    else:
        mood = _MOODS[best]
        source = MoodSource.CALMTUNE if calmtune_tag is mood else MoodSource.INFERRED
        if has_audio:
            _note_overruled(sources, best, reasons)

    return MoodScores(
        calm=round(scores[0], 3),
        upbeat=round(scores[1], 3),
        focus=round(scores[2], 3),
        arousal=round(a_num / a_den, 3) if a_den > 0 else None,
        valence=round(v_num / v_den, 3) if v_den > 0 else None,
        mood=mood,
        confidence=round(confidence, 3),
        source=source,
        reasons=reasons,
    )


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
    for label, _w0, _w1, _w2, *scores in sources[1:]:
        fav = max(range(3), key=scores.__getitem__)
        if fav != best and scores[fav] - scores[best] >= 0.1:
            reasons.append(
                f"the measured audio outranks the {label}, which suggested {_MOODS[fav].value}"
            )
