"""Measured sound -> per-mood scores, arousal and reasons; the tempo curves and their wording.

Every curve is monotone where the therapy rules say so: slower, sparser, softer in attack, less
percussive, less restless, darker or more even audio never scores lower on calm. The curves that
depend on the settings are built once per settings object.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from calmtune.models import TRUSTED_TEMPO_CONFIDENCE, Features
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


@lru_cache(maxsize=32)
def curves_for(s: MoodSettings) -> Curves:
    """The tempo curves from the user's tempo bands."""
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
    return Curves(tempo)


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
    low, full = TRUSTED_TEMPO_CONFIDENCE, tables.TEMPO_FULL_WEIGHT_CONFIDENCE
    return min(1.0, max(0.0, (c - low) / (full - low)))


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
            features.onset_strength,
            features.spectral_flux,
            features.percussive_share,
            features.bass_share,
            features.low_percussive_share,
            features.tonal_clarity,
            features.roughness,
            features.texture_change,
        )
    )


def _describe_density(x: float) -> str:
    t = tables.ONSET_DENSITY_CURVES
    kind = "sparse, few accents" if x <= t[0][0][0] else "moderate"
    if x >= t[1][-1][0]:
        kind = "dense and busy"
    return f"{x:.1f} onsets per second: {kind}"


def _describe_strength(x: float) -> str | None:
    t = tables.ONSET_STRENGTH_CURVES
    if x <= t[0][0][0]:
        return f"soft attacks (onsets rise {x:.1f} dB): legato, few accents"
    if x >= t[1][-1][0]:
        return f"hard attacks (onsets rise {x:.1f} dB): strong accents"
    return None


def _describe_percussive(x: float) -> str | None:
    t = tables.PERCUSSIVE_SHARE_CURVES
    if x <= t[0][0][0]:
        return f"{x:.0%} of the sound in percussive hits: sustained tones"
    if x >= t[1][-1][0]:
        return f"{x:.0%} of the sound in percussive hits: drum-driven"
    return None


def _describe_flux(x: float) -> str | None:
    t = tables.SPECTRAL_FLUX_CURVES
    if x <= t[0][0][0]:
        return f"spectral flux {x:.2f} dB: a slowly changing, even sound"
    if x >= t[1][-1][0]:
        return f"spectral flux {x:.2f} dB: a restless, fast-changing sound"
    return None


def _describe_brightness(x: float) -> str | None:
    t = tables.BRIGHTNESS_CURVES
    if x <= t[0][0][0]:
        return f"spectral centroid {x:.0f} Hz: a dark, soft timbre"
    if x >= t[1][-1][0]:
        return f"spectral centroid {x:.0f} Hz: a bright timbre"
    return None


def _describe_range(x: float) -> str | None:
    t = tables.LOUDNESS_RANGE_CURVES
    if x <= t[0][0][0]:
        return f"loudness range {x:.1f} LU: even dynamics"
    if x >= t[2][-1][0]:
        return f"loudness range {x:.1f} LU: big dynamic swings, not sedative"
    return None


def _describe_bass(x: float) -> str | None:
    t = tables.BASS_SHARE_CURVES
    if x <= t[0][0][0]:
        return f"{x:.0%} of the power under 150 Hz: a light low end"
    if x >= t[1][-1][0]:
        return f"{x:.0%} of the power under 150 Hz: a heavy low end (drums, timpani, low brass)"
    return None


def _describe_low_hits(x: float) -> str | None:
    t = tables.LOW_PERCUSSIVE_SHARE_CURVES
    if x <= t[0][0][0]:
        return f"{x:.0%} of the sound in low hits: no pounding bass or drums"
    if x >= t[1][-1][0]:
        return f"{x:.0%} of the sound in low hits: pounding drums or bass"
    return None


def _describe_clarity(x: float) -> str | None:
    t = tables.TONAL_CLARITY_CURVES
    if x >= t[0][-1][0]:
        return f"tonal clarity {x:.0f} dB: clear, pure tones"
    if x <= t[1][0][0]:
        return f"tonal clarity {x:.0f} dB: a noisy, dense sound"
    return None


def _describe_roughness(x: float) -> str | None:
    t = tables.ROUGHNESS_CURVES
    if x <= t[0][0][0]:
        return f"roughness {x:.4f}: consonant, the tones do not clash"
    if x >= t[0][-1][0]:
        return f"roughness {x:.4f}: dissonant, clashing tones (tension)"
    return None


def _describe_change(x: float) -> str | None:
    t = tables.TEXTURE_CHANGE_CURVES
    if x >= t[0][-1][0]:
        return f"texture change {x:.1f} dB: the harmony and voicing keep moving"
    if x <= t[0][0][0]:
        return f"texture change {x:.1f} dB: one texture held bar after bar (a driving, repeated pattern)"
    return None


# (feature, its curves, describe(value) -> a reason or None), in the order reasons are listed.
_SOUND = (
    ("onset_density", tables.ONSET_DENSITY_CURVES, _describe_density),
    ("onset_strength", tables.ONSET_STRENGTH_CURVES, _describe_strength),
    ("percussive_share", tables.PERCUSSIVE_SHARE_CURVES, _describe_percussive),
    ("spectral_flux", tables.SPECTRAL_FLUX_CURVES, _describe_flux),
    ("brightness", tables.BRIGHTNESS_CURVES, _describe_brightness),
    ("loudness_range", tables.LOUDNESS_RANGE_CURVES, _describe_range),
    ("bass_share", tables.BASS_SHARE_CURVES, _describe_bass),
    ("low_percussive_share", tables.LOW_PERCUSSIVE_SHARE_CURVES, _describe_low_hits),
    ("tonal_clarity", tables.TONAL_CLARITY_CURVES, _describe_clarity),
    ("roughness", tables.ROUGHNESS_CURVES, _describe_roughness),
    ("texture_change", tables.TEXTURE_CHANGE_CURVES, _describe_change),
)


def audio_vote(f: Features, s: MoodSettings) -> AudioVote:
    """Score the measured sound (everything but the tempo, which ``classify`` weighs on its own).

    Call only when ``measured(f)`` is true. Every feature but the absolute loudness is the same at
    any playback gain; the loudness is a very weak cue (``tables.FEATURE_WEIGHTS``).
    """
    vote = AudioVote()
    reasons = vote.reasons
    sums = _Sums()
    for name, curves, describe in _SOUND:
        value = _value(getattr(f, name), -1e-9)
        if value is None:
            continue
        sums.add(name, curves, value)
        reason = describe(value)
        if reason:
            reasons.append(reason)

    lufs = _value(f.loudness_lufs)
    if lufs is not None:
        # Arousal only: the level is the mastering's and the player's, not the music's mood.
        q, loud, weight = tables.AROUSAL_SCALES["loudness"]
        sums.a_num += weight * _scaled(lufs, q, loud)
        sums.a_den += weight
        if lufs <= s.calm_loudness_lufs or lufs >= s.upbeat_loudness_lufs:
            kind = "quiet" if lufs <= s.calm_loudness_lufs else "loud"
            reasons.append(
                f"loudness {lufs:.1f} LUFS is {kind}, but mastering and playback set the level, "
                "so it does not decide the mood"
            )

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
        if feature in tables.AGAINST_CALM_ONLY:
            # Evidence against calm only: a value that reads calm adds no calm weight at all.
            w0 *= 1.0 - c
        elif feature in tables.CALM_WEIGHT_AGAINST:
            # Full calm weight where it reads calm, a smaller one where it reads not calm.
            w0 = w0 * c + tables.CALM_WEIGHT_AGAINST[feature] * (1.0 - c)
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
