"""Helpers for the tests of what a planned session sounds like: a generated library of short,
tagged tracks whose loudness is known, a whole ``relax`` session run through ``session.listen``
on the null output with a clock the test owns (minutes of session in seconds of test), and the
PCM it rendered, measured.

Not a test module (no ``test_`` prefix); the test files here import it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from calmtune.playback import NullOutput

RATE = 44100  # the output's rate
FILE_RATE = 11025  # the files' own: the player resamples them, as it does real music
WINDOW = 0.1  # seconds per measured window
SILENT_PEAK = 10 ** (-60 / 20)  # a window whose peak stays under -60 dBFS is silence


class Spec(NamedTuple):
    name: str
    seconds: float
    bpm: float
    lufs: float  # the level the file is written at (BS.1770, measured after writing)
    mood: str = "Relaxed"
    genre: str = "Ambient"
    artist: str = "Artist"
    album: str = "Album"
    tag_loudness: bool = True  # write ReplayGain so the index knows the loudness


def loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness of a mono or stereo float signal (calmtune's own BS.1770 meter, which
    agrees with pyloudnorm within 0.1 LU, see tests/analysis)."""
    from calmtune.analysis.loudness import integrated_loudness

    if samples.ndim == 1:
        samples = np.repeat(samples[:, None], 2, axis=1)
    return float(integrated_loudness(samples.astype(np.float64), rate))


def write_track(folder: Path, spec: Spec, index: int) -> tuple[Path, float]:
    """A mono FLAC: a steady soft chord scaled to ``spec.lufs`` (steady, so that any stretch of it
    measures as loud as the whole). Returns its path and the loudness measured on what was
    written."""
    import mutagen.flac
    import soundfile as sf

    t = np.arange(int(spec.seconds * FILE_RATE)) / FILE_RATE
    base = 110.0 * 2 ** ((index % 12) / 12)
    signal = sum(np.sin(2 * np.pi * base * k * t) / k for k in (1, 1.5, 2))
    excerpt = round(min(spec.seconds, 20.0) * FILE_RATE)  # steady: 20 s measure the whole
    signal *= 10 ** ((spec.lufs - loudness(signal[:excerpt], FILE_RATE)) / 20)
    assert np.max(np.abs(signal)) < 1.0, "too loud to write without clipping"
    path = folder / f"{spec.name}.flac"
    sf.write(path, signal.astype(np.float32), FILE_RATE, subtype="PCM_16")
    measured, _ = sf.read(path, dtype="float64", frames=excerpt)
    actual = loudness(measured, FILE_RATE)
    tags = mutagen.flac.FLAC(path)
    tags["TITLE"] = spec.name
    tags["ARTIST"] = spec.artist
    tags["ALBUM"] = spec.album
    tags["GENRE"] = spec.genre
    tags["BPM"] = str(round(spec.bpm))
    tags["MOOD"] = spec.mood
    if spec.tag_loudness:
        tags["REPLAYGAIN_TRACK_GAIN"] = f"{-18.0 - actual:.2f} dB"
    tags.save()
    return path, actual


def write_library(folder: Path, specs: Iterable[Spec]) -> dict[str, float]:
    """Every spec as a file in ``folder``; returns each path's measured loudness."""
    folder.mkdir(parents=True, exist_ok=True)
    return {str(p): lufs for p, lufs in (write_track(folder, s, i) for i, s in enumerate(specs))}


def calm_specs(
    count: int,
    seconds: tuple[float, float],
    *,
    lufs: tuple[float, float] = (-30.0, -12.0),
    seed: int = 1,
) -> list[Spec]:
    """Calm tracks (tempo 56-88 BPM, loudness in ``lufs``) over a dozen artists and albums."""
    rng = np.random.default_rng(seed)
    return [
        Spec(
            name=f"calm{i:03d}",
            seconds=float(rng.uniform(*seconds)),
            bpm=float(rng.uniform(56, 88)),
            lufs=float(rng.uniform(*lufs)),
            artist=f"Artist {i % 12}",
            album=f"Album {i % 17}",
        )
        for i in range(count)
    ]


def mixed_specs() -> list[Spec]:
    """Calm tracks from very quiet to loud masters, and upbeat and focus ones around them; some
    of the others carry no loudness at all."""
    rng = np.random.default_rng(20)
    specs = []
    for i in range(72):
        mood = ("Relaxed", "Energetic", "Study")[i % 3]
        specs.append(
            Spec(
                name=f"mixed{i:03d}",
                seconds=float(rng.uniform(40, 70)),
                bpm=float(rng.uniform(55, 90) if mood == "Relaxed" else rng.uniform(95, 150)),
                lufs=float(rng.uniform(-36, -12)),
                mood=mood,
                genre={"Relaxed": "Ambient", "Energetic": "Dance", "Study": "Classical"}[mood],
                artist=f"Artist {i % 9}",
                album=f"Album {i % 13}",
                tag_loudness=mood == "Relaxed" or i % 2 == 0,
            )
        )
    return specs


class MeteringOutput(NullOutput):
    """The null output, keeping only each window's peak and mean square (a 25-minute session's
    whole PCM would take half a gigabyte), and, when asked, the PCM itself."""

    def __init__(self, now, *, keep_pcm: bool = False) -> None:
        super().__init__(RATE, now=now, record=keep_pcm)
        self._size = round(WINDOW * RATE)
        self._carry = np.zeros((0, 2), dtype=np.float32)
        self.peaks: list[float] = []

    def write(self, block: np.ndarray) -> None:
        super().write(block)
        data = np.concatenate([self._carry, block])
        whole = len(data) // self._size * self._size
        if whole:
            windows = np.abs(data[:whole]).reshape(-1, self._size * 2)
            self.peaks.extend(windows.max(axis=1).tolist())
        self._carry = data[whole:]

    def silent_windows(self, start: float, end: float) -> int:
        first, last = round(start / WINDOW), round(end / WINDOW)
        return sum(1 for p in self.peaks[first:last] if p < SILENT_PEAK)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Starts:
    """A reporter that notes when (session seconds) each item starts."""

    def __init__(self) -> None:
        self.at: list[tuple[float, str]] = []

    def track_started(self, snapshot) -> None:
        self.at.append((snapshot.elapsed, snapshot.now.path if snapshot.now else ""))

    def track_skipped(self, path: str, reason: str) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def refresh(self, snapshot) -> None:
        pass


class Person:
    def __init__(self, reporter: Starts) -> None:
        self.lines: list[str] = []
        self._reporter = reporter

    def say(self, text: str) -> None:
        self.lines.append(text)

    def warn(self, text: str) -> None:
        self.lines.append("warning: " + text)

    def ask_rating(self, question: str) -> int | None:
        return None

    @contextlib.contextmanager
    def display(self, *, live: bool, breathe: bool):
        yield self._reporter, None


class Heard(NamedTuple):
    code: int
    output: MeteringOutput
    timing: object  # SessionTiming
    notes: list[str]
    starts: list[tuple[float, str]]
    planned: list[str]  # the paths the planner chose, in order
    bed_lufs: float | None


def relax(home: Path, duration: float, *, seed: int, keep_pcm: bool = False) -> Heard:
    """``calmtune relax -d DURATION --seed SEED`` as the command builds it, on the null output."""
    from calmtune.library import Library
    from calmtune.playlists.recipe import get_recipe
    from calmtune.session.listen import SessionRequest, listen, recipe_playable
    from calmtune.session.rules import session_timing

    recipe = get_recipe("calm")
    timing = session_timing(recipe=recipe, playback={}, session={}, duration=duration)
    clock = Clock()
    output = MeteringOutput(clock, keep_pcm=keep_pcm)
    library = Library.open(home / "library.db")
    built = []

    def build(_stress):
        playable = recipe_playable(
            library,
            recipe,
            session="relax",
            cache_dir=home / "cache",
            playback={},
            duration=timing.music_end,
            seed=seed,
        )
        built.append(playable)
        return playable

    request = SessionRequest(
        build=build,
        timing=lambda _p: timing,
        open_journal=lambda: library.journal,
        state_dir=home / "state",
        cache_dir=home / "cache",
        playback={},
        output=output,
        sleep=clock.sleep,
    )
    starts = Starts()
    person = Person(starts)
    try:
        code = listen(request, person)
    finally:
        library.close()
    playable = built[0]
    notes = [line for line in person.lines if "note:" in line]
    return Heard(
        code,
        output,
        timing,
        notes,
        starts.at,
        [item.path for item in playable.items],
        playable.bed_lufs,
    )


def unplanned_silence(heard: Heard) -> float:
    """The share of the session that is silent before its closing fade begins (the fade ends in
    the recipe's closing silence; its last seconds are planned to be inaudible)."""
    timing = heard.timing
    silent = heard.output.silent_windows(0.0, timing.closing_starts)
    return silent * WINDOW / timing.duration
