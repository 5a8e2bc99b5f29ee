"""Which periodicity is the beat: the evidence for each metrical level of a piece.

A periodicity comb finds a family of related pulses (8ths, beats, half bars, bars) but not which of
them a listener taps. This module lists the candidate levels of a family (its tempo times powers of
two and three) and measures, for each, evidence that holds across kinds of music:

- how strongly the whole envelope and the low (kick, bass, chord roots), mid (chords, snare) and
  high (hats) bands repeat at that period;
- the accent pattern when the envelope is folded at that period: how strong the half-beats and
  third-beats are against the beats, in the low, mid and high bands (hats subdivide in the
  treble; kick and bass mark beats below), whether every other beat is weaker, whether kick and
  snare take alternate beats, and how much weaker the pulse gets two and three times faster;
- the tempo itself, weakly: listeners tap near 100 BPM when the music leaves the choice open.

``tempo.py`` weighs these features with fixed weights (``LEVEL_WEIGHTS``) and turns the scores into
a probability for each level: its confidence says how clear the choice was.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

LOW_LEVEL, HIGH_LEVEL = 40.0, 240.0  # BPM range of the candidate levels
# Multiples of a tempo that can be another level of the same metre: x2, x3 and their products.
LEVEL_RATIOS = tuple(sorted({2.0**k * 3.0**m for k in range(-3, 4) for m in (-1, 0, 1)}))
PREFERRED_BPM = 100.0  # the centre of the weak tempo preference (log scale)

BANDS = ("full", "low", "mid", "high", "snare")  # the onset envelopes folded at each level
FEATURES = (
    "salience",  # comb salience of the full band at this level, relative to the best level
    "low_salience",  # the same in the low band (0 when the low band has no pulse)
    "beat_strength",  # log of the folded beat strength over the strongest level's, full band
    "low_beat_strength",  # the same in the low band (0 when the low band has no pulse)
    "half_low_mid",  # half-beat over beat strength, the stronger of the low and mid bands
    "half_high",  # the same in the high band (hats and cymbals subdivide)
    "subdivided",  # the beat's subdivision, in two or in three, whichever is stronger (full band)
    "mixed_grid",  # the weaker of the two: both present means a level across the metre
    "alternation",  # weaker of even/odd beats over the stronger, full band (1 = all equal)
    "backbeat",  # low band (kick) and snare band on alternate beats: a drum kit's beat
    "backbeat_half",  # the same between beats and half-beats: the beat is twice as fast
    "drop_faster",  # beat strength here minus at twice the tempo: the half-beats are weaker
    "gain_slower",  # beat strength at half the tempo minus here: every other beat is stronger
    "tempo_far",  # (log2(bpm / PREFERRED_BPM))^2: distance from the comfortable tapping rate
    "tempo_log",  # log2(bpm / PREFERRED_BPM): leaning slower or faster
    "mid_salience",  # comb salience of the mid band (chords, snare) relative to its best level
    "high_salience",  # the same in the high band (hats, cymbals, bright attacks)
    "mid_beat_strength",  # log of the folded mid-band beat strength over its strongest level's
    "drop_faster3",  # beat strength here minus at three times the tempo (compound metres)
    "gain_slower3",  # beat strength at a third of the tempo minus here (bars of three)
    "snare_alternation",  # snare band: how much stronger on one of even/odd beats (0..1)
    "snare_half",  # snare band: half-beat over beat strength (a snare on the half: too slow)
    "kick_half",  # low band: half-beat over beat strength
)


def candidate_levels(bpm: float) -> list[float]:
    """The tempi related to ``bpm`` by factors of two and three, within LOW_LEVEL..HIGH_LEVEL."""
    levels = sorted(bpm * r for r in LEVEL_RATIOS if LOW_LEVEL <= bpm * r <= HIGH_LEVEL)
    kept: list[float] = []
    for level in levels:
        if not kept or level / kept[-1] > 1.03:
            kept.append(level)
    return kept


def fold_phase(env: np.ndarray, frame_rate: float, bpm: float) -> int | None:
    """The phase (frames) at which ``env`` folded at the period of ``bpm`` is strongest."""
    period = 60.0 * frame_rate / bpm
    count = int((len(env) - 1) / period) - 1
    if count < 4:
        return None
    beats = np.arange(count) * period
    phases = np.arange(math.ceil(period))
    positions = np.rint(phases[:, None] + beats[None, :]).astype(int)
    return int(np.argmax(env[np.clip(positions, 0, len(env) - 1)].mean(axis=1)))


def fold(env: np.ndarray, frame_rate: float, bpm: float, phase: int) -> dict[str, float]:
    """Mean strength of ``env`` (above its median) at the beats of ``bpm`` from ``phase``, at
    the half-beats and thirds, and at the even and odd beats."""
    period = 60.0 * frame_rate / bpm
    count = int((len(env) - 1 - phase) / period)
    beats = np.arange(count) * period
    base = float(np.median(env))

    def at(fraction: float) -> np.ndarray:
        idx = np.rint(phase + beats + fraction * period).astype(int)
        return np.maximum(env[np.clip(idx, 0, len(env) - 1)] - base, 0.0)

    on = at(0.0)
    even, odd = float(np.mean(on[0::2])), float(np.mean(on[1::2]))
    return {
        "beat": float(np.mean(on)),
        "half": float(np.mean(at(0.5))),
        "third": max(float(np.mean(at(1 / 3))), float(np.mean(at(2 / 3)))),
        "strong": max(even, odd),
        "weak": min(even, odd),
        "even": even,
        "odd": odd,
    }


def _ratio(part: float, whole: float) -> float:
    return min(1.0, part / whole) if whole > 1e-12 else 0.0


def level_features(
    bands: dict[str, np.ndarray],
    frame_rate: float,
    levels: list[float],
    salience: dict[str, Callable[[float], float]],
    low_pulse: bool,
) -> np.ndarray:
    """(levels, FEATURES) evidence for each candidate level (see FEATURES). ``bands`` holds the
    smoothed onset envelopes "full", "low", "mid" and "high"; ``salience`` the comb salience of
    each band as a function of the tempo (0 for a band without a pulse)."""

    def relative(band: str) -> np.ndarray:
        values = np.array([max(0.0, salience[band](b)) for b in levels])
        return values / max(1e-9, float(values.max()))

    full_sal, low_sal = relative("full"), relative("low")
    mid_sal, high_sal = relative("mid"), relative("high")
    phases = [fold_phase(bands["full"], frame_rate, bpm) for bpm in levels]
    folds = []
    for bpm, phase in zip(levels, phases, strict=True):
        if phase is None:
            folds.append(None)
            continue
        folds.append({name: fold(bands[name], frame_rate, bpm, phase) for name in BANDS})
    top = max((f["full"]["beat"] for f in folds if f), default=0.0)
    low_top = max((f["low"]["beat"] for f in folds if f), default=0.0)
    mid_top = max((f["mid"]["beat"] for f in folds if f), default=0.0)
    rows = []
    for index, bpm in enumerate(levels):
        f = folds[index]
        far = math.log2(bpm / PREFERRED_BPM)
        tail = [mid_sal[index], high_sal[index]]
        if f is None:  # too slow to fold even four times: unlikely
            rows.append([0.0, 0.0, -5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0,
                         far * far, far, *tail, -5.0, 0.0, 0.0, 0.0, 0.0, 0.0])  # fmt: skip
            continue
        low_on = low_pulse and low_top > 0
        rows.append([
            full_sal[index],
            low_sal[index] if low_pulse else 0.0,
            _log_ratio(f["full"]["beat"], top),
            _log_ratio(f["low"]["beat"], low_top) if low_on else 0.0,
            max(_ratio(f["low"]["half"], f["low"]["beat"]), _ratio(f["mid"]["half"], f["mid"]["beat"])),
            _ratio(f["high"]["half"], f["high"]["beat"]),
            max(_ratio(f["full"]["half"], f["full"]["beat"]), _ratio(f["full"]["third"], f["full"]["beat"])),
            min(_ratio(f["full"]["half"], f["full"]["beat"]), _ratio(f["full"]["third"], f["full"]["beat"])),
            _ratio(f["full"]["weak"], f["full"]["strong"]),
            _opposed(f["low"]["even"], f["low"]["odd"], f["snare"]["even"], f["snare"]["odd"]),
            _opposed(f["low"]["beat"], f["low"]["half"], f["snare"]["beat"], f["snare"]["half"]),
            0.0,
            0.0,
            far * far,
            far,
            *tail,
            _log_ratio(f["mid"]["beat"], mid_top),
            0.0,
            0.0,
            _contrast(f["snare"]["even"], f["snare"]["odd"]),
            _ratio(f["snare"]["half"], f["snare"]["beat"]),
            _ratio(f["low"]["half"], f["low"]["beat"]) if low_on else 0.0,
        ])  # fmt: skip
    table = np.array(rows, dtype=np.float64)
    strength = table[:, FEATURES.index("beat_strength")]
    for index, bpm in enumerate(levels):
        # Missing neighbours (outside the range): as if folding there changed nothing.
        for ratio, drop, gain in ((2.0, "drop_faster", "gain_slower"),
                                  (3.0, "drop_faster3", "gain_slower3")):  # fmt: skip
            faster = _level_index(levels, ratio * bpm)
            slower = _level_index(levels, bpm / ratio)
            if faster is not None:
                table[index, FEATURES.index(drop)] = strength[index] - strength[faster]
            if slower is not None:
                table[index, FEATURES.index(gain)] = strength[slower] - strength[index]
    return table


def _level_index(levels: list[float], bpm: float) -> int | None:
    for index, level in enumerate(levels):
        if abs(level / bpm - 1.0) <= 0.03:
            return index
    return None


def _log_ratio(part: float, whole: float) -> float:
    return max(-5.0, math.log(max(part, 1e-12) / whole)) if whole > 0 else 0.0


def _contrast(a: float, b: float) -> float:
    """How different two strengths are, 0 (equal) to 1 (one of them is silent)."""
    return abs(a - b) / (a + b) if a + b > 1e-12 else 0.0


def _opposed(low_a: float, low_b: float, mid_a: float, mid_b: float) -> float:
    """How clearly the low band is strong where the mid band is weak and the other way round
    (0..1): a kick on one position and a snare on the other."""
    if min(low_a + low_b, mid_a + mid_b) <= 1e-12:
        return 0.0
    low = (low_a - low_b) / (low_a + low_b)
    mid = (mid_b - mid_a) / (mid_a + mid_b)
    return max(0.0, low * mid)
