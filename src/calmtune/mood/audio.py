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
    """Accumulates weighted per-mood scores, arousal and valence from measured features."""

    __slots__ = ("a_den", "a_num", "den", "num", "reasons", "v_den", "v_num")

    def __init__(self) -> None:
        self.num = [0.0, 0.0, 0.0]
        self.den = [0.0, 0.0, 0.0]
        self.a_num = self.a_den = self.v_num = self.v_den = 0.0
        self.reasons: list[str] = []

    def add(self, weights: tuple[float, float, float], scores: tuple[float, ...], k: float) -> None:
        for i in range(3):
            w = weights[i] * k
            self.num[i] += w * scores[i]
            self.den[i] += w

    def arousal(self, feature: str, x: float, k: float = 1.0) -> None:
        lo, hi, w = tables.AROUSAL_SCALES[feature]
        self.a_num += w * k * _scaled(x, lo, hi)
        self.a_den += w * k


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
    """Score the measured features. Call only when ``measured(f)`` is true."""
    vote = AudioVote()
    reasons = vote.reasons
    curves = curves_for(s)
    weights = tables.FEATURE_WEIGHTS

    bpm = _value(f.bpm, 0.0)
    if bpm is not None:
        k = tempo_reliability(f.bpm_confidence)
        t = curves.tempo
        vote.add(weights["tempo"], (at(t[0], bpm), at(t[1], bpm), at(t[2], bpm)), k)
        vote.arousal("tempo", bpm, k)
        lo, hi, _ = tables.AROUSAL_SCALES["tempo"]
        a, b, vw = tables.TEMPO_VALENCE
        vote.v_num += vw * (a + b * _scaled(bpm, lo, hi))
        vote.v_den += vw
        reason = tempo_reason(bpm, s)
        conf = _value(f.bpm_confidence)
        if conf is not None and conf < 0.5:
            reason += f" (tempo confidence {conf:.2f}, so it counts less)"
        reasons.append(reason)
        if conf is not None:
            # A steady beat helps focus only at a focus tempo: a dance beat is steady too.
            focus_tempo = at(t[2], bpm)
            pulse = at(tables.PULSE_CURVE, conf) * focus_tempo
            vote.add(weights["pulse"], (0.0, 0.0, pulse), 1.0)
            if conf >= 0.7 and focus_tempo >= 0.5:
                reasons.append(f"steady pulse (tempo confidence {conf:.2f}) suits focus")

    lufs = _value(f.loudness_lufs)
    if lufs is not None:
        t = curves.loudness
        vote.add(weights["loudness"], (at(t[0], lufs), at(t[1], lufs), at(t[2], lufs)), 1.0)
        vote.arousal("loudness", lufs)
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
        vote.add(weights["onset_density"], (at(t[0], density), at(t[1], density), at(t[2], density)), 1.0)  # fmt: skip
        vote.arousal("onset_density", density)
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
        vote.add(weights["brightness"], (at(t[0], centroid), at(t[1], centroid), at(t[2], centroid)), 1.0)  # fmt: skip
        vote.arousal("brightness", centroid)
        if centroid <= t[0][0][0]:
            reasons.append(f"spectral centroid {centroid:.0f} Hz: a dark, soft timbre")
        elif centroid >= t[1][-1][0]:
            reasons.append(f"spectral centroid {centroid:.0f} Hz: a bright timbre")

    lra = _value(f.loudness_range, -1e-9)
    if lra is not None:
        t = tables.LOUDNESS_RANGE_CURVES
        vote.add(weights["loudness_range"], (at(t[0], lra), at(t[1], lra), at(t[2], lra)), 1.0)
        if lra <= t[0][0][0]:
            reasons.append(f"loudness range {lra:.1f} LU: even dynamics")
        elif lra >= t[2][-1][0]:
            reasons.append(f"loudness range {lra:.1f} LU: big dynamic swings, not sedative")
    return vote
