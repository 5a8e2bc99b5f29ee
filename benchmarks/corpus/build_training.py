"""Build the TRAINING set of the tempo level chooser: seeded pieces rendered through fluidsynth.

    python benchmarks/corpus/build_training.py [--count 600] [--first-seed 0] [--jobs 2]
                                               [--seconds 30] [--cache DIR]

A tempo level chooser fitted on these pieces only (commit 2b9bbf5, measured and not landed; see
docs/testing.md) never sees the evaluation corpus (``build_corpus.py``: Hydrogen songs, music21
scores, the project's generator). Nothing here comes from those
sources: the notes are written by this script from a seed, as plain MIDI (no library), and
rendered by ``fluidsynth`` with the installed General MIDI soundfont.

Each seed decides, log-uniformly or uniformly as stated:

- the metre: 2/4, 3/4, 4/4 (beat = quarter note) or 6/8, 9/8, 12/8 (beat = dotted quarter);
- the tempo of the beat: log-uniform over 40-220 BPM (the truth), constant (no rubato);
- the kind: ``chorale`` (block chords on beats and half bars), ``tune`` (a running melody in
  8ths and 16ths, alone or over a light bass), ``accompanied`` (a melody over an accompaniment
  pattern: block chords, broken chords, oom-pah, arpeggios), ``band`` (melody, bass, chords and a
  drum kit);
- instruments among General MIDI programs (piano, organ, guitars, strings, winds, brass, synths);
- swing (simple metres, off-8ths late by a third), drums or none, a little timing and velocity
  spread, and metric accents by velocity as a player gives them.

Seeds from ``GROOVE_FIRST_SEED`` (``--grooves``) are drum grooves in 4/4, 12/8 or 3/4 as kits are
played in songs (``Piece.groove_kit``), alone or with bass and chords.

Writes ``<cache>/<kind>-<seed>.wav`` (44.1 kHz) and ``<cache>/truth.csv`` (source, piece, file,
bpm, metre, made) into ``$XDG_CACHE_HOME/calmtune/tempo-training-v2`` by default, skipping files
already rendered, so a rerun with the same arguments gives the same set.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_corpus import FIELDS, RATE, SOUNDFONTS  # noqa: E402

TICKS = 480  # per quarter note
METRES = {  # name: (beats per bar, quarter notes per beat, beat divides in)
    "2/4": (2, 1.0, 2),
    "3/4": (3, 1.0, 2),
    "4/4": (4, 1.0, 2),
    "6/8": (2, 1.5, 3),
    "9/8": (3, 1.5, 3),
    "12/8": (4, 1.5, 3),
}
KINDS = ("chorale", "tune", "accompanied", "band")
GROOVE_FIRST_SEED = 10_000  # seeds from here are drum grooves (``--grooves``)
GROOVES = ("backbeat", "backbeat", "four on the floor", "hip-hop", "shuffle", "waltz")
TEMPO_RANGE = (40.0, 220.0)
MELODY = (0, 6, 11, 19, 22, 24, 40, 41, 56, 60, 65, 68, 71, 73, 74, 80, 81, 105)
HARMONY = (0, 1, 4, 5, 16, 19, 24, 25, 26, 46, 48, 49, 52, 61, 88, 89)
BASS = (32, 33, 34, 35, 38, 42, 43, 58, 70)
MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)
PROGRESSIONS = ((0, 3, 4, 0), (0, 5, 3, 4), (0, 4, 5, 3), (0, 3, 0, 4), (5, 3, 0, 4), (0, 1, 4, 0))
KICK, SNARE, HAT, OPEN_HAT, RIDE, STICK, CRASH = 36, 38, 42, 46, 51, 37, 49


def default_cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "calmtune" / "tempo-training-v2"


class Piece:
    """Notes (start and length in beats, pitch, velocity, channel) and the channels' programs."""

    def __init__(self, seed: int, seconds: float) -> None:
        rng = random.Random(seed)
        self.rng = rng
        self.seed = seed
        self.metre = rng.choice(tuple(METRES))
        self.per_bar, self.quarters, self.divide = METRES[self.metre]
        low, high = TEMPO_RANGE
        self.bpm = round(math.exp(rng.uniform(math.log(low), math.log(high))), 1)
        self.kind = "groove" if seed >= GROOVE_FIRST_SEED else KINDS[seed % len(KINDS)]
        self.groove = rng.choice(GROOVES) if self.kind == "groove" else ""
        if self.groove:  # the metre follows the groove
            self.metre = {"shuffle": "12/8", "waltz": "3/4"}.get(self.groove, "4/4")
            self.per_bar, self.quarters, self.divide = METRES[self.metre]
        self.swing = self.divide == 2 and rng.random() < 0.25
        self.drums = self.kind in ("band", "groove") or (
            self.kind == "accompanied" and rng.random() < 0.3
        )
        self.bars = max(2, math.ceil(seconds * self.bpm / 60.0 / self.per_bar))
        self.key = rng.randrange(48, 60)
        self.scale = MAJOR if rng.random() < 0.65 else MINOR
        self.progression = rng.choice(PROGRESSIONS)
        self.spread = rng.uniform(0.0, 0.012)  # timing spread, seconds
        self.notes: list[tuple[float, float, int, int, int]] = []
        self.programs: dict[int, int] = {}

    # -- pitches and accents --

    def pitch(self, degree: int, octave: int = 0) -> int:
        return self.key + 12 * (octave + degree // 7) + self.scale[degree % 7]

    def chord(self, bar: int) -> int:
        return self.progression[bar % len(self.progression)]

    def accent(self, position: float) -> int:
        """Velocity added by a player at ``position`` beats into the bar: the bar's start, the
        other beats, the subdivisions."""
        if abs(position) < 1e-6:
            return 18
        if abs(position - round(position)) < 1e-6:
            return 10
        return -6 if abs(position * 2 - round(position * 2)) > 1e-6 or self.divide == 3 else 0

    def add(self, start: float, length: float, pitch: int, velocity: int, channel: int) -> None:
        velocity += self.accent(start % self.per_bar) + self.rng.randint(-4, 4)
        self.notes.append((start, length, pitch, max(1, min(127, velocity)), channel))

    def sub(self, index: int) -> float:
        """The start (in beats) of the ``index``-th subdivision of a beat, swung if so."""
        beat, part = divmod(index, self.divide)
        if self.swing and part == 1:
            return beat + 2.0 / 3.0
        return beat + part / self.divide

    # -- parts --

    def melody(self, channel: int, base: int, busy: float) -> None:
        """A stepwise melody; ``busy`` is the chance a subdivision starts a note."""
        degree = self.rng.randrange(0, 7)
        total = self.bars * self.per_bar * self.divide
        starts = [i for i in range(total) if i % self.divide == 0 or self.rng.random() < busy]
        for here, after in zip(starts, [*starts[1:], total], strict=True):
            degree = max(-3, min(12, degree + self.rng.choice((-2, -1, -1, 0, 1, 1, 2))))
            start = self.sub(here)
            self.add(start, max(0.1, self.sub(after) - start) * 0.9, self.pitch(degree, 1),
                     base, channel)  # fmt: skip

    def running(self, channel: int, base: int) -> None:
        """A fiddle-tune line: every subdivision (sometimes split in two) has a note."""
        degree = self.rng.randrange(0, 7)
        split = self.divide == 2 and self.rng.random() < 0.3
        total = self.bars * self.per_bar * self.divide
        for index in range(total):
            degree = max(-2, min(11, degree + self.rng.choice((-2, -1, 1, 2, -1, 1, 3, -3))))
            start = self.sub(index)
            length = self.sub(index + 1) - start
            pieces = 2 if split and self.rng.random() < 0.35 else 1
            for part in range(pieces):
                self.add(start + part * length / pieces, length / pieces * 0.85,
                         self.pitch(degree + part, 1), base, channel)  # fmt: skip

    def bass(self, channel: int, base: int) -> None:
        style = self.rng.choice(("roots", "every beat", "walking"))
        for bar in range(self.bars):
            root = self.pitch(self.chord(bar), -1)
            for beat in range(self.per_bar):
                start = bar * self.per_bar + beat
                if style == "roots" and beat % 2:
                    continue
                pitch = root
                if style == "walking" and beat:
                    pitch = self.pitch(self.chord(bar) + self.rng.choice((2, 4, 1, -1)), -1)
                long = 2.0 if style == "roots" and self.per_bar > 2 else 1.0
                self.add(start, long * 0.9, pitch, base, channel)

    def offbeat_bass(self, channel: int, base: int) -> None:
        """A bass note on every off-beat, between the kicks (house, chill-out)."""
        for bar in range(self.bars):
            root = self.pitch(self.chord(bar), -1)
            for beat in range(self.per_bar):
                self.add(bar * self.per_bar + beat + 0.5, 0.4, root, base, channel)

    def chords(self, channel: int, base: int, style: str) -> None:
        for bar in range(self.bars):
            degree = self.chord(bar)
            tones = [self.pitch(degree + k) for k in (0, 2, 4)]
            for beat in range(self.per_bar):
                start = bar * self.per_bar + beat
                if style == "block":
                    for tone in tones:
                        self.add(start, 0.9, tone, base, channel)
                elif style == "oom-pah":
                    if beat == 0:
                        self.add(start, 0.9, tones[0] - 12, base, channel)
                    else:
                        for tone in tones[1:]:
                            self.add(start, 0.8, tone, base - 10, channel)
                elif style == "broken":  # one chord tone per subdivision
                    for part in range(self.divide):
                        here = self.sub(beat * self.divide + part) + bar * self.per_bar
                        tone = tones[(beat * self.divide + part) % 3]
                        self.add(here, 0.9 / self.divide, tone, base - 6, channel)
                elif style == "half bar" and beat % 2 == 0:
                    for tone in tones:
                        self.add(start, 1.8 if beat + 1 < self.per_bar else 0.9, tone, base,
                                 channel)  # fmt: skip

    def chorale(self, channel: int, base: int) -> None:
        """Four voices moving together, a chord on every beat, sometimes held two beats."""
        for bar in range(self.bars):
            degree = self.chord(bar)
            beat = 0
            while beat < self.per_bar:
                hold = 2 if beat + 1 < self.per_bar and self.rng.random() < 0.25 else 1
                step = self.rng.choice((0, 0, 2, 4, 5)) if beat else 0
                start = bar * self.per_bar + beat
                for voice, octave in ((0, -1), (2, 0), (4, 0), (7, 0)):
                    self.add(start, hold * 0.95, self.pitch(degree + step + voice, octave),
                             base, channel)  # fmt: skip
                beat += hold

    def kit(self, base: int) -> None:
        """A drum kit as drummers play one: the snare on the backbeat (in triple metres a
        stick or the hats after the downbeat), a kick pattern (on the strong beats, with a
        syncopated push, or on every beat), hats or ride on every beat, every subdivision, every
        half-subdivision or the off-beats, ghost notes, and a tom fill every fourth bar."""
        rng = self.rng
        cymbal = rng.choice((HAT, HAT, HAT, RIDE, OPEN_HAT))
        cymbal_steps = rng.choice((1, self.divide, self.divide, 2 * self.divide, "off"))
        kick_style = rng.choice(("strong", "strong", "push", "floor"))
        ghosts = rng.random() < 0.3
        fills = rng.random() < 0.5
        for bar in range(self.bars):
            first = bar * self.per_bar
            if fills and bar % 4 == 3:  # a fill: toms on every subdivision of the last beats
                for index in range(self.divide * 2):
                    here = first + self.per_bar - 2 + self.sub(index)
                    self.add(here, 0.1, rng.choice((41, 43, 45, 47, 48, 50)), base, 9)
            for beat in range(self.per_bar):
                start = first + beat
                if fills and bar % 4 == 3 and beat >= self.per_bar - 2:
                    continue
                if self.per_bar == 3:
                    kick = beat == 0 or kick_style == "floor"
                    if beat:
                        self.add(start, 0.2, rng.choice((STICK, SNARE)), base - 8, 9)
                else:
                    kick = beat % 2 == 0 or kick_style == "floor"
                    if beat % 2:
                        self.add(start, 0.2, SNARE, base, 9)
                if kick:
                    self.add(start, 0.2, KICK, base + 6, 9)
                if kick_style == "push" and beat % 2 == 1 and rng.random() < 0.6:
                    self.add(start + self.sub(self.divide - 1), 0.2, KICK, base, 9)
                if cymbal_steps == "off":
                    self.add(start + self.sub(1 if self.divide == 2 else 2),
                             0.1, cymbal, base - 15, 9)  # fmt: skip
                else:
                    for part in range(cymbal_steps):
                        here = start + (part / cymbal_steps if cymbal_steps > self.divide
                                        else self.sub(part * self.divide // cymbal_steps))  # fmt: skip
                        self.add(here, 0.1, cymbal, base - 20, 9)
                if ghosts and rng.random() < 0.4:
                    here = start + self.sub(rng.randrange(1, self.divide))
                    self.add(here, 0.1, SNARE, base - 45, 9)

    def groove_kit(self, base: int) -> None:
        """A drum machine or drummer's groove as kits are played in songs: ``backbeat`` (kick
        on 1 and 3 with pushes, snare on 2 and 4), ``four on the floor`` (kick on every beat,
        snare or clap on 2 and 4 or none, open hats on the off-beats, sometimes the only hats),
        ``hip-hop`` (a syncopated kick,
        snare on 2 and 4), ``shuffle`` (12/8: triplet hats or ride), ``waltz`` (kick on 1,
        snare or hats on 2 and 3); hats in 8ths, 16ths (up to 12 a second) or quarters, soft or
        as loud as the snare, an open hat now and then; ghost notes; a fill every 4 or 8 bars
        with a crash after it; human timing and velocity."""
        rng, divide = self.rng, self.divide
        sixteenths = divide == 2 and self.bpm * 4 / 60 <= 12 and rng.random() < 0.4
        steps = divide * (2 if sixteenths else 1)
        if rng.random() < 0.15:
            steps = 1
        cymbal = rng.choice((HAT, HAT, HAT, RIDE))
        cymbal_level = rng.randint(-26, -4)
        snare = rng.choice((SNARE, SNARE, SNARE, 40, 39))  # snare, electric snare, clap
        ghosts = rng.random() < 0.4
        fill_every = rng.choice((0, 4, 8, 8))
        pattern = [rng.random() < 0.5 for _ in range(4 * divide)]  # hip-hop kick pushes
        floor = self.groove == "four on the floor"
        with_snare = not floor or rng.random() < 0.6
        if floor and divide == 2 and rng.random() < 0.5:
            steps = 0  # only the open hats on the off-beats
        for bar in range(self.bars):
            first = bar * self.per_bar
            fill = fill_every and bar % fill_every == fill_every - 1
            if fill_every and bar % fill_every == 0 and bar:
                self.add(first, 1.0, CRASH, base, 9)
            for beat in range(self.per_bar):
                start = first + beat
                if fill and beat >= self.per_bar - 1:
                    for index in range(divide * 2):
                        here = start + index / (divide * 2)
                        self.add(here, 0.1, rng.choice((41, 43, 45, 47, 48, 50, snare)),
                                 base - 5 * (index % 2), 9)  # fmt: skip
                    continue
                if self.groove == "waltz":
                    if beat == 0:
                        self.add(start, 0.2, KICK, base + 6, 9)
                    else:
                        self.add(start, 0.2, snare if rng.random() < 0.7 else STICK, base - 6, 9)
                else:
                    if self.groove == "four on the floor" or beat % 2 == 0:
                        self.add(start, 0.2, KICK, base + 6, 9)
                    if beat % 2 == 1 and with_snare:
                        self.add(start, 0.2, snare, base + 2, 9)
                    if self.groove in ("backbeat", "hip-hop"):
                        for part in range(1, divide * 2):  # pushes between the beats
                            chance = 0.15 if self.groove == "backbeat" else 0.5
                            if pattern[(beat * divide * 2 + part) % len(pattern)] and (
                                rng.random() < chance
                            ):
                                self.add(start + part / (divide * 2), 0.2, KICK, base - 4, 9)
                    if self.groove == "four on the floor" and divide == 2:
                        self.add(start + 0.5, 0.2, OPEN_HAT, base - 12, 9)
                for part in range(steps):
                    here = start + (
                        part / steps if steps > divide else self.sub(part * divide // steps)
                    )
                    accent = 0 if part == 0 else -8 if part * 2 == steps else -14
                    open_hat = cymbal == HAT and part and rng.random() < 0.04
                    self.add(here, 0.1, OPEN_HAT if open_hat else cymbal,
                             base + cymbal_level + accent, 9)  # fmt: skip
                if ghosts and rng.random() < 0.4:
                    self.add(start + self.sub(rng.randrange(1, divide)), 0.1, snare, base - 45, 9)

    def compose(self) -> None:
        rng = self.rng
        if self.kind == "groove":  # drums alone (as Hydrogen's songs), or with bass and chords
            if rng.random() < 0.5:
                self.programs[1] = rng.choice(HARMONY)
                self.chords(1, rng.randint(40, 65), rng.choice(("block", "half bar", "broken")))
                self.programs[2] = rng.choice(BASS)
                if self.groove == "four on the floor" and rng.random() < 0.6:
                    self.offbeat_bass(2, rng.randint(60, 85))  # house: the bass between kicks
                else:
                    self.bass(2, rng.randint(60, 85))
            self.groove_kit(rng.randint(75, 105))
            return
        if self.kind == "chorale":
            self.programs[0] = rng.choice((19, 20, 48, 49, 52, 0, 16, 61))
            self.chorale(0, rng.randint(55, 80))
        elif self.kind == "tune":
            self.programs[0] = rng.choice(MELODY)
            self.running(0, rng.randint(60, 90))
            if rng.random() < 0.5:
                self.programs[1] = rng.choice(BASS + HARMONY)
                self.bass(1, rng.randint(50, 75))
        else:
            self.programs[0] = rng.choice(MELODY)
            self.melody(0, rng.randint(65, 95), rng.uniform(0.1, 0.6))
            self.programs[1] = rng.choice(HARMONY)
            style = rng.choice(("block", "oom-pah", "broken", "half bar"))
            self.chords(1, rng.randint(45, 75), style)
            if self.kind == "band" or rng.random() < 0.5:
                self.programs[2] = rng.choice(BASS)
                self.bass(2, rng.randint(60, 90))
            if self.drums:
                self.kit(rng.randint(70, 100))

    def made(self) -> str:
        parts = [f"build_training.py seed {self.seed}", self.kind]
        parts.append("programs " + "/".join(str(p) for p in self.programs.values()))
        parts.append("drums" if self.drums else "no drums")
        if self.groove:
            parts.append(self.groove)
        if self.swing:
            parts.append("swing")
        return "; ".join(parts)

    def midi(self) -> bytes:
        """A type-0 Standard MIDI File of the notes at the piece's tempo."""
        seconds_per_beat = 60.0 / self.bpm
        tick_per_beat = TICKS * self.quarters
        events: list[tuple[int, int, bytes]] = []
        micro = round(60_000_000 / (self.bpm * self.quarters))  # per quarter note
        events.append((0, 0, b"\xff\x51\x03" + micro.to_bytes(3, "big")))
        for channel, program in self.programs.items():
            events.append((0, 1, bytes([0xC0 | channel, program])))
        for start, length, pitch, velocity, channel in self.notes:
            humanised = channel != 9 or self.kind == "groove"
            jitter = self.rng.gauss(0.0, self.spread) / seconds_per_beat if humanised else 0.0
            on = max(0, round((start + jitter) * tick_per_beat))
            off = max(on + 1, round((start + jitter + length) * tick_per_beat))
            events.append((on, 3, bytes([0x90 | channel, pitch, velocity])))
            events.append((off, 2, bytes([0x80 | channel, pitch, 0])))
        end = round(self.bars * self.per_bar * tick_per_beat)
        events.append((end + TICKS * 2, 4, b"\xff\x2f\x00"))
        events.sort(key=lambda e: (e[0], e[1]))
        track, now = bytearray(), 0
        for tick, _, data in events:
            track += _varlen(tick - now) + data
            now = tick
        header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS)
        return header + b"MTrk" + struct.pack(">I", len(track)) + bytes(track)


def _varlen(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def render(piece: Piece, target: Path) -> str:
    font = next((f for f in SOUNDFONTS if os.path.exists(f)), None)
    if font is None or shutil.which("fluidsynth") is None:
        return "fluidsynth and a General MIDI soundfont are needed (apt-get install fluidsynth fluid-soundfont-gm)"
    with tempfile.TemporaryDirectory() as folder:
        midi = Path(folder) / "piece.mid"
        midi.write_bytes(piece.midi())
        out = Path(folder) / "out.wav"
        command = ["fluidsynth", "-ni", "-q", "-g", "0.5", "-r", str(RATE), "-F", str(out), font]
        subprocess.run([*command, str(midi)], capture_output=True, timeout=600, check=False)
        if not out.exists():
            return f"fluidsynth wrote nothing for {target.name}"
        shutil.move(out, target)
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--grooves", type=int, default=400, help="drum grooves (seeds 10000 on)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=default_cache())
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    pieces = []
    seeds = [*range(args.first_seed, args.first_seed + args.count)]
    seeds += range(GROOVE_FIRST_SEED, GROOVE_FIRST_SEED + args.grooves)
    for seed in seeds:
        piece = Piece(seed, args.seconds)
        piece.compose()
        pieces.append(piece)

    def one(piece: Piece) -> str:
        target = args.cache / f"{piece.kind}-{piece.seed}.wav"
        return "" if target.exists() else render(piece, target)

    failures = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for done, message in enumerate(pool.map(one, pieces), 1):
            if message:
                failures += 1
                print(message, file=sys.stderr)
            if done % 50 == 0:
                print(f"{done}/{len(pieces)}", flush=True)
    with (args.cache / "truth.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        for piece in pieces:
            name = f"{piece.kind}-{piece.seed}"
            writer.writerow({"source": "training", "piece": name, "file": f"{name}.wav",
                             "bpm": piece.bpm, "metre": piece.metre, "made": piece.made()})  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
