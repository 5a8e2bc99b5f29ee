"""The project's one music generator: music-like signals with a known tempo, made with numpy.

Used by the tests, by ``benchmarks/`` (``_common.py`` puts this folder on ``sys.path``) and by the
tempo corpus (``benchmarks/corpus/``). Not a fixture tuned to the analyser: every piece draws its
tempo, instruments, levels, timing jitter, fills and background at random from its seed, in one of
several styles that real music uses:

- ``drums``: kick, snare backbeat and hi-hats (8ths, or 16ths on slow pieces), bass and pads;
- ``clicks``: a metronome with an accented downbeat in 3 or 4;
- ``pads``: soft legato synth notes with slow attacks changing on the beat, no percussion;
- ``waltz``: 3/4 oom-pah-pah, a bass note on one and softer chords on two and three;
- ``syncopated``: kicks and bass off the beat (16ths in slow grooves, 8ths in fast ones), snare on
  two and four, hats on the subdivisions;
- ``swing``: ride cymbal in swung 8ths (2:1), walking bass on every beat, hi-hat on two and four;
- ``four_floor``: a kick on every beat, an open hi-hat on every off-beat, sometimes a clap on two
  and four, a bass on the off-beats (house, chill-out);
- ``backbeat16``: kick on one and three (with syncopated extra kicks), snare on two and four,
  16th-note hats with accented 8ths, electric-piano chords (lo-fi, hip-hop);
- ``ballad``: a piano ballad without drums, the left hand in 8th-note arpeggios, a slow melody;
- ``ballad128``: a 12/8 ballad without drums: triplet arpeggios, three to a beat, a slow melody.

The beat (the tempo to find) is the quarter note, except in ``ballad128`` where it is the dotted
quarter (four to a 12/8 bar), the pulse a listener taps.

``mood_sketch`` renders the simpler pieces of ``benchmarks/evaluate_mood.py`` (a pad, melodic notes
at a set density, drums for the livelier classes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STYLES = ("drums", "clicks", "pads", "waltz", "syncopated", "swing")
NEW_STYLES = ("four_floor", "backbeat16", "ballad", "ballad128")
ALL_STYLES = STYLES + NEW_STYLES
# Tempo (BPM of the beat) each style is played at: the corpus draws log-uniformly in these.
STYLE_TEMPI = {
    "drums": (70.0, 200.0),
    "clicks": (40.0, 220.0),
    "pads": (40.0, 110.0),
    "waltz": (80.0, 200.0),
    "syncopated": (60.0, 170.0),
    "swing": (90.0, 220.0),
    "four_floor": (60.0, 140.0),
    "backbeat16": (55.0, 100.0),
    "ballad": (40.0, 90.0),
    "ballad128": (40.0, 75.0),
}
METRES = {"waltz": "3/4", "ballad128": "12/8"}
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
    # ballad128: ``beat`` is the dotted quarter, four to a bar.
    beats = int(seconds / beat) + 1
    chords = _chords(rng, beats // meter + 2)
    render = {
        "drums": _drums,
        "clicks": _clicks,
        "pads": _pads,
        "waltz": _waltz,
        "syncopated": _syncopated,
        "swing": _swing,
        "four_floor": _four_floor,
        "backbeat16": _backbeat16,
        "ballad": _ballad,
        "ballad128": _ballad128,
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


def _four_floor(c: _Canvas, beat, beats, meter, chords, bpm) -> None:
    hat_gain = c.rng.uniform(0.15, 0.35)
    clap = c.rng.random() < 0.6
    for i in range(beats):
        t = i * beat
        c.add(t, c.kick(), 1.0)
        c.add(t + beat / 2, c.hat(open_=True), hat_gain)
        if clap and i % 2 == 1:
            c.add(t, c.snare(), c.rng.uniform(0.3, 0.6))
        root = chords[i // meter][0] - 12
        c.add(t + beat / 2, c.tone(root, 0.4 * beat, 0.005, 0.15), 0.4)
    pad_gain = c.rng.uniform(0.04, 0.12)
    for bar, chord in enumerate(chords):
        for note in chord + 12:
            c.add(bar * meter * beat, c.tone(note, meter * beat, 0.4 * beat, None), pad_gain)


def _backbeat16(c: _Canvas, beat, beats, meter, chords, bpm) -> None:
    hat_gain = c.rng.uniform(0.1, 0.25)
    extras = [p for p in (3, 7, 10, 11, 14) if c.rng.random() < 0.35]  # 16ths in the bar
    for bar in range(beats // 4 + 1):
        t0 = bar * 4 * beat
        chord = chords[bar]
        for k in [0, 8, *extras]:
            c.add(t0 + k * beat / 4, c.kick(), 1.0 if k in (0, 8) else 0.7)
            c.add(t0 + k * beat / 4, c.tone(chord[0] - 12, beat / 2, 0.005, 0.25), 0.45)
        for s_ in (1, 3):
            c.add(t0 + s_ * beat, c.snare(), c.rng.uniform(0.6, 0.9))
        for e in range(16):
            c.add(t0 + e * beat / 4, c.hat(), hat_gain * (1.0 if e % 2 == 0 else 0.55))
        keys = c.rng.uniform(0.08, 0.15)
        for note in chord + 12:
            c.add(t0, c.tone(note, 2 * beat, 0.01, 1.2), keys)
            c.add(t0 + 2.5 * beat, c.tone(note, 1.5 * beat, 0.01, 0.8), keys * 0.8)


def _piano_melody(c: _Canvas, beat: float, beats: int, meter: int, chords, per_beat: float) -> None:
    """A slow right-hand melody: notes of one, two or three beats on the beat grid."""
    step, i = 0, 0
    gain = c.rng.uniform(0.25, 0.4)
    while i < beats:
        hold = int(c.rng.choice([1, 1, 2, 2, 3]))
        step = int(np.clip(step + c.rng.integers(-2, 3), 0, len(SCALE) - 1))
        root = chords[i // meter][0]
        accent = 1.0 if i % meter == 0 else 0.8
        c.add(i * beat, c.tone(root + 24 + SCALE[step], hold * beat, 0.01, 1.0), gain * accent)
        i += hold


def _ballad(c: _Canvas, beat, beats, meter, chords, bpm) -> None:
    left = c.rng.uniform(0.15, 0.3)
    for bar in range(beats // 4 + 1):
        chord = chords[bar]
        figure = [
            chord[0] - 12,
            chord[2] - 12,
            chord[0],
            chord[1],
            chord[2],
            chord[0],
            chord[2] - 12,
            chord[1],
        ]
        for e, note in enumerate(figure):
            # The player leans on the bass note and on the beats, a little.
            gain = left * (1.3 if e == 0 else 1.0 if e % 2 == 0 else 0.8)
            c.add((bar * 8 + e) * beat / 2, c.tone(note, beat, 0.005, 0.6), gain)
    _piano_melody(c, beat, beats, 4, chords, 1.0)


def _ballad128(c: _Canvas, beat, beats, meter, chords, bpm) -> None:
    left = c.rng.uniform(0.15, 0.3)
    for bar in range(beats // 4 + 1):
        chord = chords[bar]
        triplet = [chord[0] - 12, chord[2] - 12, chord[0] + c.rng.choice([3, 4])]
        for b in range(4):
            for e, note in enumerate(triplet):
                gain = left * (1.3 if b == 0 and e == 0 else 1.0 if e == 0 else 0.75)
                c.add((bar * 4 + b + e / 3) * beat, c.tone(note, beat / 2, 0.005, 0.5), gain)
    _piano_melody(c, beat, beats, 4, chords, 1.0)


def corpus_plan(seeds: range) -> list[tuple[int, str, float, str]]:
    """(seed, style, bpm, metre) of the corpus pieces: styles in turn, tempo log-uniform in the
    style's STYLE_TEMPI range."""
    plan = []
    for seed in seeds:
        style = ALL_STYLES[seed % len(ALL_STYLES)]
        low, high = STYLE_TEMPI[style]
        rng = np.random.default_rng(20_000 + seed)
        bpm = float(np.exp(rng.uniform(np.log(low), np.log(high))))
        plan.append((seed, style, bpm, METRES.get(style, "4/4")))
    return plan


def corpus_piece(seed: int, seconds: float = 30.0, rate: int = 22050) -> Piece:
    """The corpus piece of ``seed`` (see ``corpus_plan``)."""
    ((_, style, bpm, _metre),) = corpus_plan(range(seed, seed + 1))
    return make_piece(bpm, style, seed, seconds=seconds, rate=rate)


def tempo_set(seeds: range, rate: int = 22050, seconds: float = 30.0) -> list[Piece]:
    """One piece per seed: tempo log-uniform in 50-180 BPM, style cycling through STYLES."""
    pieces = []
    for seed in seeds:
        rng = np.random.default_rng(10_000 + seed)
        bpm = float(np.exp(rng.uniform(np.log(50.0), np.log(180.0))))
        style = STYLES[seed % len(STYLES)]
        pieces.append(make_piece(bpm, style, seed, seconds=seconds, rate=rate))
    return pieces


# --- the mood evaluation's pieces (benchmarks/evaluate_mood.py) ----------------------------------

MOOD_RATE = 22050
MOOD_SECONDS = 24.0


def _mood_tone(freq: float, dur: float, harmonics: int, attack: float, decay: float) -> np.ndarray:
    t = np.arange(int(dur * MOOD_RATE)) / MOOD_RATE
    wave_ = sum(np.sin(2 * np.pi * freq * k * t) / k**1.2 for k in range(1, harmonics + 1))
    env = np.minimum(1.0, t / max(attack, 1e-3)) * np.exp(-t / decay)
    return wave_ * env


def _noise_burst(rng: np.random.Generator, dur: float, decay: float, bright: bool) -> np.ndarray:
    n = int(dur * MOOD_RATE)
    noise = rng.standard_normal(n)
    if bright:
        noise = np.diff(noise, prepend=0.0)  # tilt toward highs, like a hi-hat
    return noise * np.exp(-np.arange(n) / MOOD_RATE / decay)


def mood_sketch(
    label: str,
    bpm: float,
    per_beat: float,
    harmonics: int,
    level_db: float,
    swing_db: float,
    seed: int,
) -> np.ndarray:
    """A piece built for a mood ``label`` (calm, focus, upbeat): mono float32 at MOOD_RATE.

    A legato pad changing chord every four beats; melodic notes ``per_beat`` on the beat grid
    (long and soft for calm); a kick on the beat for focus and upbeat, and snare and hats for
    upbeat; section levels swinging by ``swing_db``; scaled to ``level_db`` RMS dBFS.
    """
    rng = np.random.default_rng(seed)
    out = np.zeros(int(MOOD_SECONDS * MOOD_RATE) + MOOD_RATE)
    beat = 60.0 / bpm
    root = 110.0 * 2 ** (rng.integers(0, 12) / 12)
    scale = np.array([0, 2, 3, 5, 7, 8, 10, 12])

    def put(at: float, sound: np.ndarray, gain: float) -> None:
        start = int(at * MOOD_RATE)
        end = min(len(out), start + len(sound))
        if end > start:
            out[start:end] += gain * sound[: end - start]

    # a legato pad under everything, changing chord every four beats
    t = 0.0
    while t < MOOD_SECONDS:
        chord = root * 2 ** (scale[rng.integers(0, 5, size=3)] / 12)
        for f in chord:
            put(t, _mood_tone(f, 4 * beat + 0.5, 2, attack=1.0, decay=8.0), 0.12)
        t += 4 * beat

    # melodic onsets at the class's density
    step = beat / per_beat
    decay = 0.9 if label == "calm" else 0.25
    t = 0.0
    while t < MOOD_SECONDS:
        f = root * 2 * 2 ** (scale[rng.integers(0, len(scale))] / 12)
        attack = 0.03 if label == "calm" else 0.004
        put(t, _mood_tone(f, min(2.0, 4 * decay), harmonics, attack, decay), 0.35)
        t += step

    if label in ("focus", "upbeat"):
        kick = _mood_tone(55.0, 0.3, 1, 0.002, 0.08)
        for i in range(int(MOOD_SECONDS / beat)):
            put(i * beat, kick, 0.5 if label == "focus" else 0.9)
    if label == "upbeat":
        for i in range(int(MOOD_SECONDS / beat)):
            if i % 2 == 1:
                put(i * beat, _noise_burst(rng, 0.2, 0.06, False), 0.35)
        hat_step = beat / (4 if per_beat >= 3 else 2)
        for i in range(int(MOOD_SECONDS / hat_step)):
            put(i * hat_step, _noise_burst(rng, 0.06, 0.015, True), 0.25)

    out = out[: int(MOOD_SECONDS * MOOD_RATE)]
    # slow section changes in level (dynamics), then scale to the target RMS level
    sections = np.repeat(rng.uniform(-swing_db, swing_db, 6), len(out) // 6 + 1)
    out *= 10 ** (sections[: len(out)] / 20)
    rms = float(np.sqrt(np.mean(out**2))) or 1.0
    out *= 10 ** (level_db / 20) / rms
    out = np.tanh(out * 1.2) / 1.2 if label == "upbeat" else np.clip(out, -1, 1)
    return out.astype(np.float32)
