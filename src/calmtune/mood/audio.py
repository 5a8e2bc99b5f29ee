"""Tempo, loudness and the other measured features -> per-mood scores, arousal and reasons.

Every curve is monotone where the therapy rules say so: slower, quieter, sparser, darker or more
even audio never scores lower on calm. The curves are built once per settings object.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

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
    sums = _Sums()

    bpm = _value(f.bpm, 0.0)
    if bpm is not None:
        k = tempo_reliability(f.bpm_confidence)
        *_, fo = sums.add("tempo", curves.tempo, bpm, reliability=k)
        va, vb, vw = tables.TEMPO_VALENCE
        vote.v_num = vw * (va + vb * _scaled(bpm, *tables.AROUSAL_SCALES["tempo"][:2]))
        vote.v_den = vw
        reason = tempo_reason(bpm, s)
        conf = _value(f.bpm_confidence)
        if conf is not None:
            if conf < 0.5:
                reason += f" (tempo confidence {conf:.2f}, so it counts less)"
            # A steady beat helps focus only at a focus tempo: a dance beat is steady too.
            sums.add_focus("pulse", at(tables.PULSE_CURVE, conf) * fo)
            reasons.append(reason)
            if conf >= 0.7 and fo >= 0.5:
                reasons.append(f"steady pulse (tempo confidence {conf:.2f}) suits focus")
        else:
            reasons.append(reason)
    else:
        # Measured audio without a tempo: the analysis found no pulse. Focus music needs one.
        sums.add_focus("pulse", 0.0)
        reasons.append("no steady pulse was found, which counts against focus")

    lufs = _value(f.loudness_lufs)
    if lufs is not None:
        sums.add("loudness", curves.loudness, lufs)
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
        sums.add("onset_density", t, density)
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
        sums.add("brightness", t, centroid)
        if centroid <= t[0][0][0]:
            reasons.append(f"spectral centroid {centroid:.0f} Hz: a dark, soft timbre")
        elif centroid >= t[1][-1][0]:
            reasons.append(f"spectral centroid {centroid:.0f} Hz: a bright timbre")

    lra = _value(f.loudness_range, -1e-9)
    if lra is not None:
        t = tables.LOUDNESS_RANGE_CURVES
        sums.add("loudness_range", t, lra)
        if lra <= t[0][0][0]:
            reasons.append(f"loudness range {lra:.1f} LU: even dynamics")
        elif lra >= t[2][-1][0]:
            reasons.append(f"loudness range {lra:.1f} LU: big dynamic swings, not sedative")

    vote.num = (sums.n0, sums.n1, sums.n2)
    vote.den = (sums.d0, sums.d1, sums.d2)
    vote.a_num, vote.a_den = sums.a_num, sums.a_den
    return vote


class _Sums:
    """Weighted per-mood score and weight sums, and the arousal sums, over the features."""

    __slots__ = ("a_den", "a_num", "d0", "d1", "d2", "n0", "n1", "n2")

    def __init__(self) -> None:
        self.n0 = self.n1 = self.n2 = self.d0 = self.d1 = self.d2 = 0.0
        self.a_num = self.a_den = 0.0

    def add(
        self, feature: str, curves: Any, value: float, reliability: float = 1.0
    ) -> tuple[float, float, float]:
        """Add one feature's calm/upbeat/focus curve values (and its arousal, if it has a
        scale), weighted by ``tables.FEATURE_WEIGHTS`` times ``reliability``; return the values."""
        c, u, fo = at(curves[0], value), at(curves[1], value), at(curves[2], value)
        w0, w1, w2 = tables.FEATURE_WEIGHTS[feature]
        k = reliability
        self.n0 += k * w0 * c
        self.n1 += k * w1 * u
        self.n2 += k * w2 * fo
        self.d0 += k * w0
        self.d1 += k * w1
        self.d2 += k * w2
        scale = tables.AROUSAL_SCALES.get(feature)
        if scale is not None:
            lo, hi, aw = scale
            self.a_num += aw * k * _scaled(value, lo, hi)
            self.a_den += aw * k
        return c, u, fo

    def add_focus(self, feature: str, score: float) -> None:
        """A feature that speaks only to focus (the steadiness of the pulse)."""
        w = tables.FEATURE_WEIGHTS[feature][2]
        self.n2 += w * score
        self.d2 += w
