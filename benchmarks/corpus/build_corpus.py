"""Build the tempo evaluation corpus: real compositions rendered at tempi we set, so the tempo is exact.

    python benchmarks/corpus/build_corpus.py plan      # (re)write benchmarks/corpus/truth.csv
    python benchmarks/corpus/build_corpus.py render [--cache DIR] [--jobs 4] [--source NAME]

Three sources, each kept whole (one is never used to judge rules tuned on it alone):

- ``hydrogen``: the demo songs shipped with Hydrogen (Debian ``hydrogen``, ``hydrogen-drumkits``),
  each rendered headless by ``h2cli`` at eight tempi spread over 45-200 BPM by rewriting the song's
  ``<bpm>`` in a copy. Hydrogen's own humanisation (timing and velocity) stays on. The beat is the
  quarter note (Hydrogen's beat; every demo is in 4/4), except in a song written in double time
  (``HYDROGEN_DOUBLE_TIME``, with the musical reason in its rows), whose beat is the notated 8th.
- ``music21``: scores from the music21 corpus (Bach chorales; Haydn, Mozart and Beethoven string
  quartet movements; Irish and Scottish fiddle tunes from Ryan's Mammoth Collection and O'Neill's
  1850; a rag, a mazurka, a Lied), written to MIDI at a chosen tempo with a General MIDI instrument
  and rendered by ``fluidsynth`` with the FluidR3 soundfont, played as a plain performance would
  (``perform``: the score's dynamics plus metric accents by velocity, the same rule for every
  piece). ``pip install music21`` for the builder only.
- ``music21-deadpan``: the same pieces rendered with the score's dynamics only, every note of a
  passage at one velocity. No player sounds like that (running 8ths in a fiddle tune carry no
  sign of the beat), so it is reported beside ``music21``, not as a target.
- ``generator``: the project's generator (tests/music_synth.py), seeds that neither the estimator's
  development (seeds below 2000) nor the tests (5000 and up) use.

**What the tempo is.** The beat a listener taps at the written metre: the quarter note in 2/4, 3/4
and 4/4; the dotted quarter in 6/8, 9/8 and 12/8 (two, three and four beats a bar). Scores in other
metres (2/2, 3/8, 6/4, 3/2 ...) or that change metre in the excerpt are left out, so that every
truth is unambiguous by this one rule. Tempi were drawn log-uniformly from ranges a player would
use for each kind of piece (see ``MUSIC21_TEMPI``), before any estimate was looked at.

The plan (``truth.csv``: source, piece, file, bpm, metre, made) is committed; the audio is not.
``render`` reads the plan and writes 44.1 kHz WAV files into the cache folder (default
``$XDG_CACHE_HOME/calmtune/tempo-corpus``, outside the repository), skipping files already there.
A rendered file is checked against its plan: its length must match the tempo.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRUTH = HERE / "truth.csv"
FIELDS = ("source", "piece", "file", "bpm", "metre", "made")
SOURCES = ("hydrogen", "music21", "music21-deadpan", "generator")
RATE = 44100

HYDROGEN_SONGS = Path("/usr/share/hydrogen/data")
HYDROGEN_TEMPI = 8  # per song, spread over 45-200 BPM
HYDROGEN_RANGE = (45.0, 200.0)
# Songs h2cli renders as silence here (the kit's samples do not load headless): left out.
HYDROGEN_SILENT = {"Colombo-Acoustic-Drumkit-demo"}
# Songs written in double time: the beat a listener taps is the notated 8th, so the song is
# rendered at half the tempo in the truth. GM_kit_Jazzy's ride plays its "ding ding-a" swing
# figure and the pedal hi-hat closes on every off-8th: in swing the hat marks beats 2 and 4, so
# each notated 8th is a beat (at the notated <bpm> 100 a drummer counts 200).
HYDROGEN_DOUBLE_TIME = {
    "GM_kit_Jazzy": "written in double time: the ride's ding ding-a and the pedal hat on every "
    "off-8th (swing's 2 and 4) fall on notated 8ths, so the beat is the notated 8th"
}

SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
)
SIMPLE = {"2/4": 1.0, "3/4": 1.0, "4/4": 1.0}  # beat = quarter note (quarter lengths)
COMPOUND = {"6/8": 1.5, "9/8": 1.5, "12/8": 1.5}  # beat = dotted quarter
# Tempo ranges (beats per minute) by kind of piece and metre, as players take them.
MUSIC21_TEMPI = {
    "chorale": {"simple": (50.0, 100.0)},
    "classical": {"simple": (55.0, 170.0), "compound": (40.0, 110.0)},
    "folk": {"2/4": (60.0, 150.0), "3/4": (60.0, 160.0), "4/4": (55.0, 170.0),
             "compound": (45.0, 130.0)},
}  # fmt: skip
MUSIC21_COUNTS = {"chorale": 24, "classical": 20, "folk-simple": 24, "folk-compound": 32}
MIN_SECONDS, MAX_SECONDS = 20.0, 45.0  # excerpt length at the chosen tempo
# Metric accents of a plain performance (MIDI velocity added to the score's dynamics), decided
# before any estimate was looked at: the bar's first beat strongest, the other beats next, the
# beat's halves (simple metres) or thirds (compound) unaccented, anything finer softer; every note
# also varies at random (a player's unevenness).
ACCENT_BAR, ACCENT_BEAT, ACCENT_SUBDIVISION, ACCENT_FINER = 18, 10, 0, -6
ACCENT_SPREAD = 4.0  # standard deviation of the random variation (velocity steps)
# General MIDI programs: what each kind of piece is played on.
PROGRAMS = {
    "chorale": [52, 19, 48, 0, 20],  # choir, church organ, strings, piano, reed organ
    "classical": [40, 48, 0, 49],  # violin (per part: 40/40/41/42), strings, piano, slow strings
    "folk": [40, 73, 21, 0, 74, 24, 46, 22],  # fiddle, flute, accordion, piano, recorder, guitar,
}  # harp, harmonica  # fmt: skip

GENERATOR_SEEDS = range(2000, 2132)


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "calmtune" / "tempo-corpus"


# --- the plan ------------------------------------------------------------------------------------


def hydrogen_rows() -> list[dict]:
    songs = sorted(HYDROGEN_SONGS.glob("demo_songs/*.h2song"))
    songs += sorted(HYDROGEN_SONGS.glob("drumkits/*/*.h2song"))
    if not songs:
        sys.exit("no Hydrogen demo songs under /usr/share/hydrogen/data (apt-get install hydrogen)")
    low, high = HYDROGEN_RANGE
    rows = []
    for index, song in enumerate(songs):
        written = float(re.search(r"<bpm>([\d.]+)</bpm>", song.read_text()).group(1))
        if song.stem in HYDROGEN_SILENT:
            continue
        for k in range(HYDROGEN_TEMPI):
            # Each song covers the whole range; the songs' grids interleave.
            fraction = (k + index / len(songs)) / HYDROGEN_TEMPI
            bpm = round(low * (high / low) ** fraction, 1)
            notated, file, made = bpm, f"hydrogen/{song.stem}-{bpm:g}.wav", ""
            if song.stem in HYDROGEN_DOUBLE_TIME:
                notated = round(bpm / 2.0, 2)
                file = f"hydrogen/{song.stem}-{bpm:g}-double-time.wav"
                made = f"; {HYDROGEN_DOUBLE_TIME[song.stem]}"
            rows.append({
                "source": "hydrogen", "piece": song.stem, "file": file, "bpm": bpm, "metre": "4/4",
                "made": f"h2cli {song.relative_to(HYDROGEN_SONGS)} <bpm> {written:g}->{notated:g}"
                        f"{made}",
            })  # fmt: skip
    return rows


def _metre(score) -> str | None:
    """The score's one time signature, or None when it has none or changes it."""
    signatures = {ts.ratioString for ts in score.recurse().getElementsByClass("TimeSignature")}
    return signatures.pop() if len(signatures) == 1 else None


def _music21_candidates(kind: str, rng: random.Random) -> Iterator[tuple[str, object]]:
    """(name, score) pairs for one kind of piece, in a seeded order."""
    from music21 import corpus

    if kind == "chorale":
        names = [str(p) for p in corpus.getComposer("bach") if "bwv" in p.name]
    elif kind == "classical":
        names = [str(p) for c in ("haydn", "mozart", "beethoven") for p in corpus.getComposer(c)]
        names = [n for n in names if "movement" in n and n.endswith(".mxl")]
        names += [str(p) for c in ("joplin", "chopin", "schubert") for p in corpus.getComposer(c)]
    else:
        names = [str(p) for p in corpus.getComposer("ryansMammoth")]
        names += [str(p) for p in corpus.getComposer("oneills1850")]
    rng.shuffle(names)
    for name in names:
        try:
            parsed = corpus.parse(name)
        except Exception:  # a score music21 cannot read is simply not used
            continue
        scores = getattr(parsed, "scores", None) or [parsed]
        if len(scores) > 1:
            scores = rng.sample(list(scores), min(6, len(scores)))
        for number, score in enumerate(scores):
            label = name.split("corpus/")[-1]
            yield (f"{label}#{number}" if len(scores) > 1 else label), score


def _played_quarters(score) -> float:
    """Length in quarter notes with repeats played (as rendered)."""
    try:
        return float(score.expandRepeats().duration.quarterLength)
    except Exception:  # scores with inconsistent repeat marks play as written
        return float(score.duration.quarterLength)


def music21_rows() -> list[dict]:
    rng = random.Random(20261126)
    rows: list[dict] = []
    for group, count in MUSIC21_COUNTS.items():
        kind = group.split("-")[0]
        wanted = COMPOUND if group.endswith("compound") else SIMPLE
        taken = 0
        for name, score in _music21_candidates(kind, rng):
            metre = _metre(score)
            if metre not in wanted:
                continue
            family = "compound" if metre in COMPOUND else "simple"
            low, high = MUSIC21_TEMPI[kind].get(metre) or MUSIC21_TEMPI[kind][family]
            bpm = round(math.exp(rng.uniform(math.log(low), math.log(high))), 1)
            beat = wanted[metre]
            seconds = _played_quarters(score) / beat * 60.0 / bpm
            if seconds < MIN_SECONDS:
                continue
            program = rng.choice(PROGRAMS[kind])
            stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
            made = (f"{kind}; program {program}; beat {'dotted quarter' if beat == 1.5 else 'quarter'}"
                    f"; up to {MAX_SECONDS:g} s; fluidsynth FluidR3_GM")  # fmt: skip
            for source, folder, how in (("music21", "music21-performed", "metric accents"),
                                        ("music21-deadpan", "music21", "deadpan")):  # fmt: skip
                rows.append({
                    "source": source, "piece": name, "file": f"{folder}/{stem}-{bpm:g}.wav",
                    "bpm": bpm, "metre": metre, "made": f"{made}; {how}",
                })  # fmt: skip
            taken += 1
            if taken == count:
                break
    return rows


def generator_rows() -> list[dict]:
    sys.path.insert(0, str(HERE.parent.parent / "tests"))
    from music_synth import corpus_plan

    return [
        {"source": "generator", "piece": f"{style}-{seed}", "file": f"generator/{style}-{seed}.wav",
         "bpm": round(bpm, 2), "metre": metre, "made": f"tests/music_synth.py make_piece seed {seed}"}
        for seed, style, bpm, metre in corpus_plan(GENERATOR_SEEDS)
    ]  # fmt: skip


def write_plan(sources: list[str]) -> None:
    rows = [r for r in read_truth() if r["source"] not in sources] if TRUTH.exists() else []
    makers = {"hydrogen": hydrogen_rows, "music21": music21_rows, "generator": generator_rows}
    for source in sources:
        if source == "music21-deadpan":  # planned with music21, the same pieces
            continue
        made = makers[source]()
        if source == "music21":
            rows = [r for r in rows if r["source"] != "music21-deadpan"]
        print(f"{source}: {len(made)} pieces")
        rows += made
    rows.sort(key=lambda r: (SOURCES.index(r["source"]), r["file"]))
    with open(TRUTH, "w", newline="") as out:
        writer = csv.DictWriter(out, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {TRUTH} ({len(rows)} pieces)")


def read_truth(path: Path = TRUTH) -> list[dict]:
    with open(path, newline="") as handle:
        return [{**row, "bpm": float(row["bpm"])} for row in csv.DictReader(handle)]


# --- rendering -----------------------------------------------------------------------------------


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as handle:
        return handle.getnframes() / handle.getframerate()


HYDROGEN_MAX_SECONDS = 75.0  # longer songs are cut (whole patterns) to about this length
HYDROGEN_TICKS_PER_BEAT = 48


def _hydrogen_song(song: Path, bpm: float) -> tuple[bytes, float]:
    """The song file at ``bpm``, cut after the pattern that passes HYDROGEN_MAX_SECONDS, and the
    length its patterns take at that tempo (seconds; the render adds a release tail)."""
    import xml.etree.ElementTree as ET

    root = ET.parse(song).getroot()
    root.find("bpm").text = f"{bpm:g}"
    sizes = {p.findtext("name"): int(p.findtext("size")) for p in root.iter("pattern")}
    sequence = root.find("patternSequence")
    seconds = 0.0
    for group in list(sequence.findall("group")):
        if seconds >= HYDROGEN_MAX_SECONDS:
            sequence.remove(group)
            continue
        ticks = max((sizes.get(e.text, 0) for e in group.findall("patternID")), default=0)
        seconds += ticks / HYDROGEN_TICKS_PER_BEAT * 60.0 / bpm
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True), seconds


def _silent(path: Path) -> bool:
    import numpy as np

    with wave.open(str(path)) as handle:
        pcm = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    return pcm.size == 0 or int(np.abs(pcm).max()) < 32


def render_hydrogen(row: dict, target: Path) -> str:
    song = HYDROGEN_SONGS / row["made"].split()[1]
    notated = float(re.search(r"<bpm> [\d.]+->([\d.]+)", row["made"]).group(1))
    text, expected = _hydrogen_song(song, notated)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / song.name
        copy.write_bytes(text)
        out = Path(folder) / "out.wav"
        subprocess.run(
            ["h2cli", "-s", str(copy), "-o", str(out), "-r", str(RATE)],
            capture_output=True,
            timeout=900,
            check=False,
        )
        if not out.exists() or out.stat().st_size < 1000:
            return f"h2cli wrote nothing for {row['file']}"
        # The length must follow the tempo (patterns x ticks at this BPM, plus a release tail).
        seconds = wav_seconds(out)
        if _silent(out):
            return f"{row['file']}: h2cli rendered silence"
        if not expected - 0.2 <= seconds <= expected + 4.0:
            return f"{row['file']}: {seconds:.1f} s, expected {expected:.1f} s at {row['bpm']} BPM"
        shutil.move(out, target)
    return ""


def render_music21(row: dict, target: Path) -> str:
    from music21 import corpus, instrument, tempo

    name, _, number = row["piece"].partition("#")
    parsed = corpus.parse(name)
    score = parsed.scores[int(number)] if number else parsed
    beat = 1.5 if "dotted" in row["made"] else 1.0
    program = int(re.search(r"program (\d+)", row["made"]).group(1))
    quarter_bpm = row["bpm"] * beat
    with contextlib.suppress(Exception):  # inconsistent repeat marks: play as written
        score = score.expandRepeats()
    # Keep whole bars up to MAX_SECONDS at this tempo.
    bar = float(score.recurse().getElementsByClass("TimeSignature")[0].barDuration.quarterLength)
    bars = max(1, int(MAX_SECONDS * quarter_bpm / 60.0 / bar))
    parts = list(score.parts) if hasattr(score, "parts") and score.parts else [score]
    excerpt = score.measures(0, bars) if len(parts[0].getElementsByClass("Measure")) else score
    for element in list(excerpt.recurse().getElementsByClass(tempo.TempoIndication)):
        element.activeSite.remove(element)
    strings = {0: 40, 1: 40, 2: 41, 3: 42}
    for index, part in enumerate(excerpt.parts if excerpt.parts else [excerpt]):
        for old in list(part.recurse().getElementsByClass(instrument.Instrument)):
            old.activeSite.remove(old)
        this = strings.get(index, 42) if program == 40 and len(parts) > 1 else program
        part.insert(0, instrument.instrumentFromMidiProgram(this))
        part.insert(0, tempo.MetronomeMark(number=quarter_bpm))
    quarters = float(excerpt.duration.quarterLength)
    if "metric accents" in row["made"]:
        perform(excerpt, random.Random(row["file"]))
    with tempfile.TemporaryDirectory() as folder:
        midi = Path(folder) / "piece.mid"
        excerpt.write("midi", fp=str(midi))
        out = Path(folder) / "out.wav"
        font = next(f for f in SOUNDFONTS if os.path.exists(f))
        subprocess.run(
            [
                "fluidsynth",
                "-ni",
                "-q",
                "-g",
                "0.6",
                "-r",
                str(RATE),
                "-F",
                str(out),
                font,
                str(midi),
            ],
            capture_output=True,
            timeout=600,
            check=False,
        )
        if not out.exists():
            return f"fluidsynth wrote nothing for {row['file']}"
        expected = quarters * 60.0 / quarter_bpm
        seconds = wav_seconds(out)
        if not expected - 0.5 <= seconds <= expected + 6.0:  # a release tail may follow
            return f"{row['file']}: {seconds:.1f} s, expected {expected:.1f} s at {row['bpm']} BPM"
        shutil.move(out, target)
    return ""


def metric_accent(beat: float, compound: bool) -> int:
    """The velocity a plain performance adds to a note at music21 ``beat`` (1.0 = the bar's
    first beat, 2.5 = half-way through the second)."""
    fraction = beat - math.floor(beat)
    if fraction < 1e-6:
        return ACCENT_BAR if beat < 1.0 + 1e-6 else ACCENT_BEAT
    parts = 3 if compound else 2
    if abs(fraction * parts - round(fraction * parts)) < 1e-6:
        return ACCENT_SUBDIVISION
    return ACCENT_FINER


def perform(score, rng: random.Random) -> None:
    """Give every note the score's dynamics plus the metric accent of where it falls."""
    for note in list(score.recurse().notes):
        try:
            base = note.volume.getRealized() * 127.0  # the score's dynamics at this note
            beat = float(note.beat)
            compound = note.getContextByClass("TimeSignature").ratioString in COMPOUND
        except Exception:  # a note without a metre context keeps its velocity
            continue
        velocity = base + metric_accent(beat, compound) + rng.gauss(0.0, ACCENT_SPREAD)
        note.volume.velocity = int(min(127, max(1, round(velocity))))


def render_generator(row: dict, target: Path) -> str:
    sys.path.insert(0, str(HERE.parent.parent / "tests"))
    import numpy as np

    from music_synth import corpus_piece

    seed = int(row["made"].split()[-1])
    piece = corpus_piece(seed, rate=RATE)
    samples = piece.samples if piece.samples.ndim == 2 else piece.samples[:, None]
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    part = target.with_suffix(".part")
    with wave.open(str(part), "wb") as out:
        out.setnchannels(pcm.shape[1])
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    part.rename(target)
    return ""


def missing_tools(source: str) -> str:
    """Why ``source`` cannot be rendered on this machine, or '' when it can."""
    if source == "hydrogen" and shutil.which("h2cli") is None:
        return "h2cli is not installed (apt-get install hydrogen hydrogen-drumkits)"
    if source.startswith("music21"):
        if shutil.which("fluidsynth") is None:
            return "fluidsynth is not installed (apt-get install fluidsynth fluid-soundfont-gm)"
        if not any(os.path.exists(f) for f in SOUNDFONTS):
            return "no General MIDI soundfont (apt-get install fluid-soundfont-gm)"
        try:
            import music21  # noqa: F401
        except ImportError:
            return "music21 is not installed (pip install music21)"
    return ""


def render(cache: Path, jobs: int, sources: list[str]) -> int:
    rows = [r for r in read_truth() if r["source"] in sources]
    for source in sources:
        reason = missing_tools(source)
        if reason:
            print(f"{source}: skipped, {reason}")
            rows = [r for r in rows if r["source"] != source]
    todo = [r for r in rows if not (cache / r["file"]).exists()]
    print(
        f"{len(rows) - len(todo)} of {len(rows)} already rendered in {cache}; rendering {len(todo)}"
    )
    makers = {"hydrogen": render_hydrogen, "music21": render_music21,
              "music21-deadpan": render_music21, "generator": render_generator}  # fmt: skip

    def one(row: dict) -> str:
        target = cache / row["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            problem = makers[row["source"]](row, target)
        except Exception as err:  # report and go on with the rest
            problem = f"{row['file']}: {type(err).__name__}: {err}"
        print(problem or f"ok {row['file']}", flush=True)
        return problem

    # h2cli renders in real time while idle, so several run side by side; music21 is CPU-bound.
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        problems = [p for p in pool.map(one, todo) if p]
    print(f"done: {len(todo) - len(problems)} rendered, {len(problems)} failed")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["plan", "render"])
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--source", action="append", choices=SOURCES, help="default: all")
    args = parser.parse_args()
    sources = args.source or list(SOURCES)
    if args.action == "plan":
        write_plan(sources)
        return 0
    return render(args.cache, args.jobs, sources)


if __name__ == "__main__":
    raise SystemExit(main())
