"""Music-like test signals with a known tempo, generated with numpy from a seed.

Not a fixture tuned to the analyser: every piece draws its tempo, instruments, levels, timing jitter,
fills and background at random from its seed, in one of several styles that real music uses:

- ``drums``: kick, snare backbeat and hi-hats (8ths, or 16ths on slow pieces), bass and pads;
- ``clicks``: a metronome with an accented downbeat in 3 or 4;
- ``pads``: soft legato synth notes with slow attacks changing on the beat, no percussion;
- ``waltz``: 3/4 oom-pah-pah, a bass note on one and softer chords on two and three;
- ``syncopated``: kicks and bass off the beat (16ths in slow grooves, 8ths in fast ones), snare on
  two and four, hats on the subdivisions;
- ``swing``: ride cymbal in swung 8ths (2:1), walking bass on every beat, hi-hat on two and four.

The beat (the tempo to find) is the quarter note in every style. Used by the tests and by
``benchmarks/bench_tempo.py`` and ``benchmarks/bench_analysis.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STYLES = ("drums", "clicks", "pads", "waltz", "syncopated", "swing")
SCALE = np.array([0, 2, 3, 5, 7, 8, 10, 12, 14, 15])  # natural minor, two octaves of steps


@dataclass(frozen=True)
class Piece:
    bpm: float
    style: str
    seed: int
    samples: np.ndarray  # (frames,) or (frames, 2) float32
    rate: int


def midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69.0) / 12.0)


class _Canvas:
    def __init__(self, seconds: float, rate: int, rng: np.random.Generator) -> None:
        self.rate = rate
        self.rng = rng
        self.out = np.zeros(int(seconds * rate) + rate, dtype=np.float64)
        self.jitter = rng.uniform(0.0, 0.008)  # humanised timing, seconds (std)

    def add(self, at: float, sound: np.ndarray, gain: float) -> None:
        at += self.rng.normal(0.0, self.jitter)
        start = max(0, int(at * self.rate))
        end = min(len(self.out), start + len(sound))
        if end > start:
            self.out[start:end] += gain * sound[: end - start]

    def time(self, seconds: float) -> np.ndarray:
        return np.arange(int(seconds * self.rate)) / self.rate

    # Instruments -------------------------------------------------------------------------------
    def kick(self) -> np.ndarray:
        t = self.time(0.35)
        sweep = 45.0 + 80.0 * np.exp(-t / 0.03)
        return np.sin(2 * np.pi * np.cumsum(sweep) / self.rate) * np.exp(-t / 0.12)

    def snare(self) -> np.ndarray:
        t = self.time(0.2)
        noise = self.rng.standard_normal(len(t))
        body = np.sin(2 * np.pi * 185.0 * t)
        return (0.6 * noise + 0.5 * body) * np.exp(-t / 0.05)

    def hat(self, open_: bool = False) -> np.ndarray:
        t = self.time(0.25 if open_ else 0.06)
        noise = np.diff(self.rng.standard_normal(len(t) + 1))  # differencing tilts it bright
        return 0.5 * noise * np.exp(-t / (0.08 if open_ else 0.015))

    def click(self, accent: bool) -> np.ndarray:
        t = self.time(0.03)
        return np.sin(2 * np.pi * (1760.0 if accent else 1320.0) * t) * np.exp(-t / 0.008)

    def tone(self, note: float, seconds: float, attack: float, decay: float | None) -> np.ndarray:
        """A harmonic tone: slow ``attack`` for pads, exponential ``decay`` for plucks."""
        t = self.time(seconds)
        f = midi_hz(note)
        wave = sum(np.sin(2 * np.pi * f * k * t) / k**1.5 for k in range(1, 5) if f * k < 9000)
        env = np.minimum(1.0, t / max(attack, 1e-3))
        if decay is not None:
            env = env * np.exp(-t / decay)
        release = min(len(t), int(0.05 * self.rate))
        env[-release:] *= np.linspace(1.0, 0.0, release)
        return wave * env


def _chords(rng: np.random.Generator, bars: int) -> list[np.ndarray]:
    roots = rng.choice([0, 3, 5, 7, 8, 10], size=bars)
    return [48 + r + np.array([0, 3, 7]) for r in roots]


def make_piece(
    bpm: float, style: str, seed: int, seconds: float = 30.0, rate: int = 22050
) -> Piece:
    """Render one piece; the same (bpm, style, seed) always gives the same samples."""
    rng = np.random.default_rng(seed)
    canvas = _Canvas(seconds, rate, rng)
    beat = 60.0 / bpm
    meter = 3 if style == "waltz" or (style == "clicks" and rng.random() < 0.4) else 4
    beats = int(seconds / beat) + 1
    chords = _chords(rng, beats // meter + 2)
    render = {
        "drums": _drums,
        "clicks": _clicks,
        "pads": _pads,
        "waltz": _waltz,
        "syncopated": _syncopated,
        "swing": _swing,
    }[style]
    render(canvas, beat, beats, meter, chords, bpm)
    # A quiet bed (room noise, a drone) so that nothing is digitally clean.
    bed = rng.uniform(0.002, 0.02) * rng.standard_normal(len(canvas.out))
    out = canvas.out + bed
    out = out[: int(seconds * rate)]
    out *= rng.uniform(0.2, 0.8) / max(1e-9, np.max(np.abs(out)))
    if rng.random() < 0.5:
        pan = rng.uniform(0.6, 1.0)
        out = np.stack([out, pan * out + 0.01 * rng.standard_normal(len(out))], axis=1)
    return Piece(bpm, style, seed, out.astype(np.float32), rate)


def _bass_and_pads(
    c: _Canvas, beat: float, beats: int, meter: int, chords, bass_every: int
) -> None:
    pad_gain = c.rng.uniform(0.05, 0.2)
    for bar, chord in enumerate(chords):
        start = bar * meter * beat
        if start > beats * beat:
            break
        for note in chord + 12:
            c.add(start, c.tone(note, meter * beat, attack=0.3 * beat, decay=None), pad_gain)
        for b in range(0, meter, bass_every):
            c.add(start + b * beat, c.tone(chord[0] - 12, beat * bass_every, 0.01, 0.4), 0.5)


def _drums(c: _Canvas, beat, beats, meter, chords, bpm) -> None:
    sub = 4 if bpm < 75 and c.rng.random() < 0.5 else (2 if bpm < 150 else 1)
    hat_gain = c.rng.uniform(0.15, 0.35)
    snare_gain = c.rng.uniform(0.5, 0.9)
    for i in range(beats):
        t = i * beat
        if i % 2 == 0:
            c.add(t, c.kick(), 1.0)
        else:
            c.add(t, c.snare(), snare_gain)
        if c.rng.random() < 0.15:  # an extra kick on the "and"
            c.add(t + beat / 2, c.kick(), 0.6)
        for s in range(sub):
            c.add(t + s * beat / sub, c.hat(), hat_gain * (1.0 if s == 0 else 0.7))
    _bass_and_pads(c, beat, beats, meter, chords, bass_every=2)


def _clicks(c: _Canvas, beat, beats, meter, chords, bpm) -> None:
    for i in range(beats):
        c.add(i * beat, c.click(i % meter == 0), 1.0 if i % meter == 0 else 0.6)


def _pads(c: _Canvas, beat, beats, meter, chords, bpm) -> None:
    attack = c.rng.uniform(0.06, 0.2)
    step = 0
    i = 0
    while i < beats:
        hold = 2 if c.rng.random() < 0.1 else 1
        step = int(np.clip(step + c.rng.integers(-2, 3), 0, len(SCALE) - 1))
        root = chords[i // meter][0]
        note = root + 12 + SCALE[step]
        c.add(i * beat, c.tone(note, hold * beat + 0.15, attack=attack, decay=None), 0.3)
        c.add(i * beat, c.tone(note - 12, hold * beat + 0.15, attack=attack, decay=None), 0.1)
        i += hold
    pad_gain = c.rng.uniform(0.03, 0.1)
    for bar, chord in enumerate(chords):
        for note in chord:
            c.add(bar * meter * beat, c.tone(note, meter * beat + 0.3, 0.5, None), pad_gain)


def _waltz(c: _Canvas, beat, beats, meter, chords, bpm) -> None:
    chord_gain = c.rng.uniform(0.15, 0.3)
    for i in range(beats):
        chord = chords[i // 3]
        if i % 3 == 0:
            c.add(i * beat, c.tone(chord[0] - 12, beat, 0.005, 0.3), 0.8)
            if c.rng.random() < 0.6:
                c.add(i * beat, c.tone(chord[2] + 12, 2 * beat, 0.01, 0.6), 0.25)
        else:
            for note in chord:
                c.add(i * beat, c.tone(note, 0.6 * beat, 0.005, 0.15), chord_gain)


def _syncopated(c: _Canvas, beat, beats, meter, chords, bpm) -> None:
    # Syncopation sits one level under the beat: 16ths in slow grooves, 8ths in fast ones.
    unit = 0.25 if bpm < 100 else 0.5
    hat_gain = c.rng.uniform(0.15, 0.3)
    kicks = [0, 3, 5] if c.rng.random() < 0.5 else [0, 3, 6, 11]
    for bar in range(beats // 4 + 1):
        t0 = bar * 4 * beat
        for k in kicks:
            c.add(t0 + k * unit * beat, c.kick(), 1.0)
            c.add(t0 + k * unit * beat, c.tone(chords[bar][0] - 12, unit * beat, 0.005, 0.2), 0.4)
        for s in (1, 3):
            c.add(t0 + s * beat, c.snare(), 0.8)
        for e in range(int(4 / unit)):
            c.add(t0 + e * unit * beat, c.hat(open_=e % 2 == 1), hat_gain)


def _swing(c: _Canvas, beat, beats, meter, chords, bpm) -> None:
    ride_gain = c.rng.uniform(0.15, 0.3)
    for i in range(beats):
        t = i * beat
        chord = chords[i // 4]
        walk = chord[0] - 12 + SCALE[c.rng.integers(0, 5)]
        c.add(t, c.tone(walk, beat, 0.005, 0.35), 0.7)
        c.add(t, c.hat(open_=True), ride_gain)
        if i % 2 == 1:
            c.add(t, c.hat(), ride_gain * 1.2)
            c.add(t + 2 * beat / 3, c.hat(open_=True), ride_gain * 0.7)
        if c.rng.random() < 0.2:
            for note in chord + 12:
                c.add(t + 2 * beat / 3, c.tone(note, beat / 3, 0.005, 0.1), 0.12)


def tempo_set(seeds: range, rate: int = 22050, seconds: float = 30.0) -> list[Piece]:
    """One piece per seed: tempo log-uniform in 50-180 BPM, style cycling through STYLES."""
    pieces = []
    for seed in seeds:
        rng = np.random.default_rng(10_000 + seed)
        bpm = float(np.exp(rng.uniform(np.log(50.0), np.log(180.0))))
        style = STYLES[seed % len(STYLES)]
        pieces.append(make_piece(bpm, style, seed, seconds=seconds, rate=rate))
    return pieces
