"""Which periodicity is the beat: the evidence for each metrical level of a piece.

A periodicity comb finds a family of related pulses (8ths, beats, half bars, bars) but not which of
them a listener taps. This module lists the candidate levels of a family (its tempo times powers of
two and three) and measures, for each, evidence that holds across kinds of music:

- how strongly the whole envelope and the low band (kick, bass, chord roots) repeat at that period;
- the accent pattern when the envelope is folded at that period: how strong the half-beats and
  third-beats are against the beats, in the low, mid and high bands (hats subdivide in the
  treble; kick and bass mark beats below), whether every other beat is weaker, whether kick and
  snare take alternate beats, and how much weaker the pulse gets one level faster;
- the same accent pattern in the *strong* low, mid and high envelopes, where a band's rise counts
  only as far as the band comes near its own loudest level (``spectral.STRONG_SPAN_DB``): a dB
  rise from silence is as large for a hat's faint low end as for the kick, so only these say
  where the kick, the snare and the hats fall. At the beat of a groove every beat carries a kick
  or a snare in the strong low band; one level faster, every other "beat" is an empty off-beat;
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
    "backbeat",  # low band (kick) and mid band (snare) on alternate beats: a drum kit's beat
    "backbeat_half",  # the same between beats and half-beats: the beat is twice as fast
    "drop_faster",  # beat strength here minus at twice the tempo: the half-beats are weaker
    "gain_slower",  # beat strength at half the tempo minus here: every other beat is stronger
    "tempo_far",  # (log2(bpm / PREFERRED_BPM))^2: distance from the comfortable tapping rate
    "tempo_log",  # log2(bpm / PREFERRED_BPM): leaning slower or faster
    # Per strong band (low, mid, high; neutral 0, 1, 0 when the strong envelopes are not given):
    "strong_low_half",  # half-beat over beat strength
    "strong_low_alternation",  # weaker of even/odd beats over the stronger
    "strong_low_beat",  # log of the folded beat strength over the strongest level's
    "strong_mid_half",
    "strong_mid_alternation",
    "strong_mid_beat",
    "strong_high_half",
    "strong_high_alternation",
    "strong_high_beat",
)
STRONG_BANDS = ("strong_low", "strong_mid", "strong_high")


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
    salience: Callable[[float], float],
    low_salience: Callable[[float], float],
    low_pulse: bool,
) -> np.ndarray:
    """(levels, FEATURES) evidence for each candidate level (see FEATURES). ``bands`` holds the
    smoothed onset envelopes "full", "low", "mid" and "high", and may hold the strong band
    envelopes named in STRONG_BANDS."""
    full_sal = np.array([max(0.0, salience(b)) for b in levels])
    low_sal = np.array([max(0.0, low_salience(b)) for b in levels])
    phases = [fold_phase(bands["full"], frame_rate, bpm) for bpm in levels]
    folds = []
    for bpm, phase in zip(levels, phases, strict=True):
        if phase is None:
            folds.append(None)
            continue
        folds.append({name: fold(env, frame_rate, bpm, phase) for name, env in bands.items()})
    top = max((f["full"]["beat"] for f in folds if f), default=0.0)
    low_top = max((f["low"]["beat"] for f in folds if f), default=0.0)
    strong_top = {
        name: max((f[name]["beat"] for f in folds if f and name in f), default=0.0)
        for name in STRONG_BANDS
    }
    rows = []
    for index, bpm in enumerate(levels):
        f = folds[index]
        far = math.log2(bpm / PREFERRED_BPM)
        if f is None:  # too slow to fold even four times: unlikely
            rows.append(
                [0.0, 0.0, -5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, far * far, far]
                + [0.0, 1.0, -5.0] * len(STRONG_BANDS)
            )
            continue
        low_on = low_pulse and low_top > 0
        rows.append([
            full_sal[index] / max(1e-9, full_sal.max()),
            low_sal[index] / max(1e-9, low_sal.max()) if low_pulse else 0.0,
            _log_ratio(f["full"]["beat"], top),
            _log_ratio(f["low"]["beat"], low_top) if low_on else 0.0,
            max(_ratio(f["low"]["half"], f["low"]["beat"]), _ratio(f["mid"]["half"], f["mid"]["beat"])),
            _ratio(f["high"]["half"], f["high"]["beat"]),
            max(_ratio(f["full"]["half"], f["full"]["beat"]), _ratio(f["full"]["third"], f["full"]["beat"])),
            min(_ratio(f["full"]["half"], f["full"]["beat"]), _ratio(f["full"]["third"], f["full"]["beat"])),
            _ratio(f["full"]["weak"], f["full"]["strong"]),
            _opposed(f["low"]["even"], f["low"]["odd"], f["mid"]["even"], f["mid"]["odd"]),
            _opposed(f["low"]["beat"], f["low"]["half"], f["mid"]["beat"], f["mid"]["half"]),
            0.0,
            0.0,
            far * far,
            far,
            *_strong_pattern(f, strong_top),
        ])  # fmt: skip
    table = np.array(rows, dtype=np.float64)
    strength = table[:, FEATURES.index("beat_strength")]
    for index, bpm in enumerate(levels):
        faster = _level_index(levels, 2.0 * bpm)
        slower = _level_index(levels, 0.5 * bpm)
        # Missing neighbours (outside the range): as if folding there changed nothing.
        table[index, FEATURES.index("drop_faster")] = (
            strength[index] - strength[faster] if faster is not None else 0.0
        )
        table[index, FEATURES.index("gain_slower")] = (
            strength[slower] - strength[index] if slower is not None else 0.0
        )
    return table


def _strong_pattern(f: dict[str, dict[str, float]], top: dict[str, float]) -> list[float]:
    """The strong-band features of one level (see FEATURES); neutral when they are not given."""
    out: list[float] = []
    for name in STRONG_BANDS:
        if name not in f or top[name] <= 0.0:
            out += [0.0, 1.0, 0.0]
            continue
        band = f[name]
        out += [_ratio(band["half"], band["beat"]), _ratio(band["weak"], band["strong"]),
                _log_ratio(band["beat"], top[name])]  # fmt: skip
    return out


def _level_index(levels: list[float], bpm: float) -> int | None:
    for index, level in enumerate(levels):
        if abs(level / bpm - 1.0) <= 0.03:
            return index
    return None


def _log_ratio(part: float, whole: float) -> float:
    return max(-5.0, math.log(max(part, 1e-12) / whole)) if whole > 0 else 0.0


def _opposed(low_a: float, low_b: float, mid_a: float, mid_b: float) -> float:
    """How clearly the low band is strong where the mid band is weak and the other way round
    (0..1): a kick on one position and a snare on the other."""
    if min(low_a + low_b, mid_a + mid_b) <= 1e-12:
        return 0.0
    low = (low_a - low_b) / (low_a + low_b)
    mid = (mid_b - mid_a) / (mid_a + mid_b)
    return max(0.0, low * mid)
