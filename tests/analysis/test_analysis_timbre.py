"""Bass share, low percussive share and tonal clarity (analysis version 3), roughness (version 4),
texture change (version 5), and the level-relative floor they and the other texture measures rest
on. Real signals through the real analyser."""

from __future__ import annotations

import numpy as np
import pytest

from calmtune.analysis import analyze_samples
from calmtune.analysis.floors import RunningFloor

RATE = 44100


def _tone(freq: float, seconds: float = 6.0, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _noise(seconds: float = 6.0, amp: float = 0.1, seed: int = 1) -> np.ndarray:
    return (amp * np.random.default_rng(seed).standard_normal(int(RATE * seconds))).astype(
        np.float32
    )


def _kicks(seconds: float = 6.0, every: float = 0.5) -> np.ndarray:
    """A 55 Hz thump that decays in 80 ms, every ``every`` seconds."""
    out = np.zeros(int(RATE * seconds), dtype=np.float32)
    t = np.arange(int(0.3 * RATE)) / RATE
    hit = (0.8 * np.sin(2 * np.pi * 55 * t) * np.exp(-t / 0.08)).astype(np.float32)
    for start in range(0, len(out) - len(hit), int(every * RATE)):
        out[start : start + len(hit)] += hit
    return out


def test_bass_share_follows_where_the_power_is() -> None:
    low = analyze_samples(_tone(60.0) + _tone(1000.0, amp=0.03), RATE)
    high = analyze_samples(_tone(1000.0) + _tone(60.0, amp=0.03), RATE)
    assert low.bass_share > 0.9
    assert high.bass_share < 0.1


def test_low_percussive_share_sees_kicks_not_a_held_bass_note() -> None:
    kicks = analyze_samples(_kicks() + _tone(440.0, amp=0.05), RATE)
    held = analyze_samples(_tone(55.0) + _tone(440.0, amp=0.05), RATE)
    assert kicks.low_percussive_share > 0.2
    assert held.low_percussive_share < 0.02


def test_tonal_clarity_is_high_for_tones_and_low_for_noise() -> None:
    chord = analyze_samples(_tone(220.0) + _tone(277.2) + _tone(329.6), RATE)
    noise = analyze_samples(_noise(), RATE)
    assert chord.tonal_clarity > noise.tonal_clarity + 15.0
    assert noise.tonal_clarity < 10.0  # white noise is flat: its peaks barely lead its valleys


def test_roughness_is_zero_for_one_tone_and_high_for_a_semitone_clash() -> None:
    single = analyze_samples(_tone(440.0), RATE)
    fifth = analyze_samples(_tone(440.0) + _tone(660.0), RATE)
    clash = analyze_samples(_tone(440.0) + _tone(466.2), RATE)  # a minor second: beats at 26 Hz
    assert single.roughness == pytest.approx(0.0, abs=1e-4)
    assert fifth.roughness < 0.002
    assert clash.roughness > 0.03  # the curve peaks near a quarter of a critical band


def _chord(freqs: tuple[float, ...], seconds: float, amp: float = 0.15) -> np.ndarray:
    """Notes with a few harmonics each, so the chord fills bands as an instrument would."""
    t = np.arange(int(RATE * seconds)) / RATE
    out = np.zeros_like(t)
    for f in freqs:
        for k in (1, 2, 3):
            out += amp / k * np.sin(2 * np.pi * f * k * t)
    return out.astype(np.float32)


PROGRESSION = ((220.0, 277.2, 329.6), (293.7, 370.0, 440.0), (246.9, 311.1, 370.0),
               (329.6, 415.3, 493.9))  # fmt: skip


def test_texture_change_is_high_when_the_harmony_moves_and_low_for_a_held_loop() -> None:
    # Chords changing every 2.5 s, against one bar of the same chords played as a 2 s loop.
    moving = np.concatenate([_chord(c, 2.5) for c in PROGRESSION] * 3)
    bar = np.concatenate([_chord(c, 0.5) for c in PROGRESSION])
    loop = np.concatenate([bar] * 15)
    held = _chord(PROGRESSION[0], 30.0)
    moving_f, loop_f, held_f = (analyze_samples(x, RATE) for x in (moving, loop, held))
    assert moving_f.texture_change > 8.0  # the curve's calm end (tables.TEXTURE_CHANGE_CURVES)
    assert loop_f.texture_change < 1.0  # the loop repeats every 2 s, so 4 s later it is the same
    assert held_f.texture_change < 1.0


def test_texture_change_leaves_out_loudness_and_short_clips() -> None:
    # A held chord swelling by 30 dB and back: every band moves alike, the texture does not.
    chord = _chord(PROGRESSION[0], 30.0)
    swell = np.concatenate([np.linspace(-30.0, 0.0, len(chord) // 2), np.linspace(0.0, -30.0,
                            len(chord) - len(chord) // 2)])  # fmt: skip
    swelling = analyze_samples(chord * (10 ** (swell / 20)).astype(np.float32), RATE)
    assert swelling.texture_change < 1.0
    assert analyze_samples(chord[: RATE * 3], RATE).texture_change is None  # under 4 s


@pytest.mark.parametrize("gain_db", [-12.0, -30.0])
def test_softer_copy_of_a_track_with_silences_measures_the_same(gain_db: float) -> None:
    # Notes with near-silent gaps and a faint noise bed: where an absolute floor would decide.
    track = np.concatenate([_tone(330.0, 1.0) + _noise(1.0, 0.002), _noise(0.7, 0.0005)] * 4)
    track = np.concatenate([track, _kicks(3.0) + _noise(3.0, 0.002)])
    a = analyze_samples(track, RATE)
    b = analyze_samples(track * np.float32(10 ** (gain_db / 20)), RATE)
    for name in ("bass_share", "low_percussive_share", "tonal_clarity", "roughness", "percussive_share",
                 "spectral_flux", "onset_strength", "onset_density", "texture_change"):  # fmt: skip
        assert getattr(b, name) == pytest.approx(getattr(a, name), rel=1e-3, abs=1e-3), name
    assert a.loudness_lufs - b.loudness_lufs == pytest.approx(-gain_db, abs=0.05)


def test_running_floor_follows_the_loudest_level_so_far() -> None:
    floor = RunningFloor(range_db=80.0)
    quiet = floor.apply(np.array([[-100.0, -190.0]], dtype=np.float32))
    assert quiet.tolist() == [[-100.0, -180.0]]  # nothing heard yet but this frame
    loud = floor.apply(np.array([[-150.0, -170.0], [-10.0, -200.0], [-150.0, -95.0]]))
    # The first frame keeps the floor of what came before it; the loud one lifts it to -90.
    assert loud.tolist() == [[-150.0, -170.0], [-10.0, -90.0], [-90.0, -90.0]]
    assert floor.floor() == -90.0
