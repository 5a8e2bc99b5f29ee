"""Tempo, loudness and the other measured features -> per-mood scores, arousal and reasons.

Every curve is monotone where the therapy rules say so: slower, quieter, sparser, darker or more
even audio never scores lower on calm. The curves are built once per settings object.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from calmtune.models import Features
from calmtune.mood import tables
from calmtune.mood.settings import MoodSettings

Curve = tuple[tuple[float, float], ...]
Triple = tuple[Curve, Curve, Curve]  # calm, upbeat, focus


def at(curve: Curve, x: float) -> float:
    """Piecewise-linear value of ``curve`` at ``x``, flat beyond the first and last points."""
    x0, y0 = curve[0]
    if x <= x0:
        return y0
    for x1, y1 in curve[1:]:
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        x0, y0 = x1, y1
    return y0


@dataclass(frozen=True, slots=True)
class Curves:
    tempo: Triple
    loudness: Triple


@lru_cache(maxsize=32)
def curves_for(s: MoodSettings) -> Curves:
    """Tempo and loudness curves from the user's bands and thresholds."""
    calm_hi = s.calm_bpm[1]
    up_lo = s.upbeat_bpm[0]
    f_lo, f_hi = s.focus_bpm
    span = f_hi - f_lo
    tempo = (
        ((calm_hi, 1.0), (up_lo, 0.0)),
        ((calm_hi, 0.0), (up_lo, 1.0)),
        # focus peaks inside its band, away from the calm and upbeat ends
        (
            (f_lo - 15.0, 0.0),
            (f_lo, 0.5),
            (f_lo + 0.25 * span, 1.0),
            (f_hi - 0.15 * span, 1.0),
            (f_hi, 0.5),
            (f_hi + 25.0, 0.0),
        ),
    )
    q, loud = s.calm_loudness_lufs, s.upbeat_loudness_lufs
    loudness = (
        ((q, 1.0), (loud, 0.0)),
        ((q, 0.0), (loud, 1.0)),
        ((q - 10.0, 0.4), (q, 0.9), (loud, 0.9), (loud + 5.0, 0.3)),
    )
    return Curves(tempo, loudness)


def _value(x: float | None, low: float = -math.inf) -> float | None:
    """A usable measurement: finite and above ``low``; anything else counts as not measured."""
    if x is None or not math.isfinite(x) or x <= low:
        return None
    return float(x)


def _scaled(x: float, lo: float, hi: float) -> float:
    return min(1.0, max(0.0, (x - lo) / (hi - lo)))


class AudioVote:
    """Per-mood weighted sums (calm, upbeat, focus), arousal and valence sums, and reasons."""

    __slots__ = ("a_den", "a_num", "den", "num", "reasons", "v_den", "v_num")

    def __init__(self) -> None:
        self.num = (0.0, 0.0, 0.0)
        self.den = (0.0, 0.0, 0.0)
        self.a_num = self.a_den = self.v_num = self.v_den = 0.0
        self.reasons: list[str] = []


def tempo_reliability(confidence: float | None) -> float:
    """How much a measured tempo counts, from the estimator's own confidence."""
    c = _value(confidence)
    if c is None:
        return tables.TEMPO_RELIABILITY_UNKNOWN
    c = min(1.0, max(0.0, c))
    return tables.TEMPO_RELIABILITY_BASE + tables.TEMPO_RELIABILITY_SPAN * c


def tempo_reason(bpm: float, s: MoodSettings, what: str = "tempo") -> str:
    c_lo, c_hi = s.calm_bpm
    u_lo, u_hi = s.upbeat_bpm
    f_lo, f_hi = s.focus_bpm
    calm = f"calm band ({c_lo:g}-{c_hi:g})"
    upbeat = f"upbeat band ({u_lo:g}-{u_hi:g})"
    if bpm < c_lo:
        return f"{what} {bpm:.0f} BPM is below the {calm}: slow and sedative"
    if bpm <= c_hi:
        return f"{what} {bpm:.0f} BPM is in the {calm}"
    if bpm < u_lo:
        if f_lo <= bpm <= f_hi:
            return f"{what} {bpm:.0f} BPM is in the focus band ({f_lo:g}-{f_hi:g}), above calm"
        return f"{what} {bpm:.0f} BPM is between the {calm} and the {upbeat}"
    if bpm <= u_hi:
        return f"{what} {bpm:.0f} BPM is in the {upbeat}"
    return f"{what} {bpm:.0f} BPM is above the {upbeat}: stimulating"


def measured(features: Features | None) -> bool:
    """True when ``features`` holds at least one usable measurement of non-silent audio."""
    if features is None or features.silent:
        return False
    return any(
        _value(x) is not None
        for x in (
            features.bpm,
            features.loudness_lufs,
            features.onset_density,
            features.brightness,
            features.loudness_range,
        )
    )


def audio_vote(f: Features, s: MoodSettings) -> AudioVote:
    """Score the measured features. Call only when ``measured(f)`` is true.

    Written with plain local sums: the scanner calls this for every track of a big library.
    """
    vote = AudioVote()
    reasons = vote.reasons
    curves = curves_for(s)
    W = tables.FEATURE_WEIGHTS
    A = tables.AROUSAL_SCALES
    n0 = n1 = n2 = d0 = d1 = d2 = 0.0  # per-mood weighted score sums and weight sums
    a_num = a_den = 0.0

    bpm = _value(f.bpm, 0.0)
    if bpm is not None:
        k = tempo_reliability(f.bpm_confidence)
        t = curves.tempo
        c, u, fo = at(t[0], bpm), at(t[1], bpm), at(t[2], bpm)
        w0, w1, w2 = W["tempo"]
        n0 += k * w0 * c
        n1 += k * w1 * u
        n2 += k * w2 * fo
        d0 += k * w0
        d1 += k * w1
        d2 += k * w2
        lo, hi, aw = A["tempo"]
        scaled = _scaled(bpm, lo, hi)
        a_num += aw * k * scaled
        a_den += aw * k
        va, vb, vw = tables.TEMPO_VALENCE
        vote.v_num = vw * (va + vb * scaled)
        vote.v_den = vw
        reason = tempo_reason(bpm, s)
        conf = _value(f.bpm_confidence)
        if conf is not None:
            if conf < 0.5:
                reason += f" (tempo confidence {conf:.2f}, so it counts less)"
            # A steady beat helps focus only at a focus tempo: a dance beat is steady too.
            pw = W["pulse"][2]
            n2 += pw * at(tables.PULSE_CURVE, conf) * fo
            d2 += pw
            reasons.append(reason)
            if conf >= 0.7 and fo >= 0.5:
                reasons.append(f"steady pulse (tempo confidence {conf:.2f}) suits focus")
        else:
            reasons.append(reason)
    else:
        # Measured audio without a tempo: the analysis found no pulse. Focus music needs one.
        pw = W["pulse"][2]
        d2 += pw
        reasons.append("no steady pulse was found, which counts against focus")

    lufs = _value(f.loudness_lufs)
    if lufs is not None:
        t = curves.loudness
        w0, w1, w2 = W["loudness"]
        n0 += w0 * at(t[0], lufs)
        n1 += w1 * at(t[1], lufs)
        n2 += w2 * at(t[2], lufs)
        d0 += w0
        d1 += w1
        d2 += w2
        lo, hi, aw = A["loudness"]
        a_num += aw * _scaled(lufs, lo, hi)
        a_den += aw
        q, loud = s.calm_loudness_lufs, s.upbeat_loudness_lufs
        if lufs <= q:
            reasons.append(f"loudness {lufs:.1f} LUFS is quiet (calm at or below {q:g})")
        elif lufs >= loud:
            reasons.append(f"loudness {lufs:.1f} LUFS is loud (upbeat at or above {loud:g})")
        else:
            reasons.append(f"loudness {lufs:.1f} LUFS is moderate (between {q:g} and {loud:g})")

    density = _value(f.onset_density, -1e-9)
    if density is not None:
        t = tables.ONSET_DENSITY_CURVES
        w0, w1, w2 = W["onset_density"]
        n0 += w0 * at(t[0], density)
        n1 += w1 * at(t[1], density)
        n2 += w2 * at(t[2], density)
        d0 += w0
        d1 += w1
        d2 += w2
        lo, hi, aw = A["onset_density"]
        a_num += aw * _scaled(density, lo, hi)
        a_den += aw
        if density <= t[0][0][0]:
            kind = "sparse, few accents"
        elif density >= t[1][-1][0]:
            kind = "dense and busy"
        else:
            kind = "moderate"
        reasons.append(f"{density:.1f} onsets per second: {kind}")

    centroid = _value(f.brightness, 0.0)
    if centroid is not None:
        t = tables.BRIGHTNESS_CURVES
        w0, w1, w2 = W["brightness"]
        n0 += w0 * at(t[0], centroid)
        n1 += w1 * at(t[1], centroid)
        n2 += w2 * at(t[2], centroid)
        d0 += w0
        d1 += w1
        d2 += w2
        lo, hi, aw = A["brightness"]
        a_num += aw * _scaled(centroid, lo, hi)
        a_den += aw
        if centroid <= t[0][0][0]:
            reasons.append(f"spectral centroid {centroid:.0f} Hz: a dark, soft timbre")
        elif centroid >= t[1][-1][0]:
            reasons.append(f"spectral centroid {centroid:.0f} Hz: a bright timbre")

    lra = _value(f.loudness_range, -1e-9)
    if lra is not None:
        t = tables.LOUDNESS_RANGE_CURVES
        w0, w1, w2 = W["loudness_range"]
        n0 += w0 * at(t[0], lra)
        n1 += w1 * at(t[1], lra)
        n2 += w2 * at(t[2], lra)
        d0 += w0
        d1 += w1
        d2 += w2
        if lra <= t[0][0][0]:
            reasons.append(f"loudness range {lra:.1f} LU: even dynamics")
        elif lra >= t[2][-1][0]:
            reasons.append(f"loudness range {lra:.1f} LU: big dynamic swings, not sedative")

    vote.num = (n0, n1, n2)
    vote.den = (d0, d1, d2)
    vote.a_num, vote.a_den = a_num, a_den
    return vote
