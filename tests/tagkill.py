"""A kill -9 campaign against ``calmtune tag``: shared by the test (a few kills) and by
``benchmarks/kill_tag_campaign.py`` (the full campaign).

A library holds files of every format calmtune writes, some with no padding left (their first
write takes the copy path; WavPack always does). Each round runs a real ``calmtune tag --mood M``
in a subprocess and SIGKILLs it at a random moment once it has started writing. Then:

- every file must hold exactly the bytes it had, or exactly the bytes a complete write of M
  produces (computed beforehand on a scratch copy: mutagen's output is deterministic), and
  decode to the original audio;
- no journal and no temporary file may be left.

These checks are made after a recovery: on odd rounds ``calmtune doctor`` does it, on even
rounds the next ``calmtune tag`` run does it at its start (then each file may hold any state the
recovered run could have left, and the next check covers both rounds).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audiofiles import ALL_FORMATS, decode, make_tagged_file

MOODS = ("calm", "focus", "upbeat")


@dataclass
class Campaign:
    kills: int = 0  # the process was still running when SIGKILL was sent
    finished_first: int = 0  # runs that ended before the kill (not counted as kills)
    records_at_kill: int = 0  # kills that found a journal record of a write in progress
    rolled_back: int = 0  # files rolled back by a recovery
    temps_removed: int = 0
    problems: list[str] = field(default_factory=list)


def strip_padding(path: Path) -> None:
    import mutagen
    from mutagen.apev2 import APEv2
    from mutagen.id3 import ID3

    audio = mutagen.File(path)
    if isinstance(audio.tags, ID3):
        audio.save(padding=lambda info: 0, v2_version=audio.tags.version[1])
    elif not isinstance(audio.tags, APEv2):
        audio.save(padding=lambda info: 0)


def make_library(folder: Path, copies: int, seconds: float) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(copies):
        for fmt in ALL_FORMATS:
            path = make_tagged_file(
                folder / f"{i:02d}_{fmt}", fmt, seconds=seconds, title=f"t{i}", genre="Ambient"
            )
            if i % 3 == 1:
                strip_padding(path)
            files.append(path)
    return files


def _journal_dir() -> Path:
    from calmtune.config import Paths

    return Paths.discover().state_dir / "tag-journal"


def _journal_present() -> bool:
    try:
        return any(os.scandir(_journal_dir()))
    except FileNotFoundError:
        return False


def _journal_records() -> int:
    """Complete journal records on disk; call it once the writer is dead so nothing moves."""
    from calmtune.tags.journal import decode as decode_record

    folder = _journal_dir()
    if not folder.exists():
        return 0
    return sum(decode_record((folder / n).read_bytes()) is not None for n in os.listdir(folder))


def _leftovers(folder: Path) -> list[str]:
    temps = [n for n in os.listdir(folder) if "calmtune-tmp" in n]
    journals = os.listdir(_journal_dir()) if _journal_dir().exists() else []
    return temps + journals


def _written(data: bytes, suffix: str, mood: str, scratch: Path) -> bytes:
    """The bytes a complete ``calmtune tag --mood`` leaves in a file that held ``data``."""
    from calmtune.models import Mood, MoodSource
    from calmtune.tags import TagUpdate, write_tags

    path = scratch / f"reference{suffix}"
    path.write_bytes(data)
    write_tags(str(path), TagUpdate(mood=Mood(mood), mood_source=MoodSource.USER))
    result = path.read_bytes()
    path.unlink()
    return result


def _calmtune(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "calmtune", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _kill_when_writing(proc: subprocess.Popen, rng: random.Random, campaign: Campaign) -> None:
    """SIGKILL the run at a random moment after it starts writing (or let it finish)."""
    running = False
    try:
        deadline = time.monotonic() + 60  # a safety net only; nothing is asserted on time
        while proc.poll() is None and not _journal_present() and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.3))
        running = proc.poll() is None
    finally:
        proc.send_signal(signal.SIGKILL)
        _out, err = proc.communicate()
    _count_recovery(err, campaign)  # lines the run printed about the previous round
    if running:
        # Counted after the kill: a live writer finishes and removes its journal between
        # our listing the folder and reading a file (CI once failed on exactly that).
        campaign.records_at_kill += _journal_records() > 0
        campaign.kills += 1
    else:
        campaign.finished_first += 1


def _count_recovery(text: str, campaign: Campaign) -> None:
    campaign.rolled_back += text.count("rolled back")
    campaign.temps_removed += text.count("temporary copy")


def run_campaign(folder: Path, files: list[Path], kills: int, seed: int, log=print) -> Campaign:
    """SIGKILL ``calmtune tag`` at least ``kills`` times over ``files`` (already indexed)."""
    campaign = Campaign()
    rng = random.Random(seed)
    scratch = folder.parent / f"{folder.name}-reference"
    scratch.mkdir(exist_ok=True)
    audio = {p: decode(p) for p in files}
    possible = {p: {p.read_bytes()} for p in files}  # what each file may hold after a recovery
    round_ = 0
    while campaign.kills < kills:
        round_ += 1
        mood = MOODS[round_ % 3]
        possible = {
            p: states | {_written(s, p.suffix, mood, scratch) for s in states}
            for p, states in possible.items()
        }
        _kill_when_writing(_calmtune("tag", str(folder), "--mood", mood), rng, campaign)
        if round_ % 2:  # recovered now by doctor; else by the next tag run, checked after it
            doctor = subprocess.run(
                [sys.executable, "-m", "calmtune", "doctor", "--json"],
                capture_output=True,
                text=True,
            )
            checks = {c["name"]: c for c in json.loads(doctor.stdout)}
            _count_recovery(checks["tag writes"]["detail"], campaign)
            _check(folder, files, audio, possible, campaign, f"round {round_}")
        log(f"round {round_}: {campaign.kills} kills so far")
    final_mood = MOODS[(round_ + 1) % 3]
    possible = {
        p: {_written(s, p.suffix, final_mood, scratch) for s in states}
        for p, states in possible.items()
    }
    final = _calmtune("tag", str(folder), "--mood", final_mood, "--json")
    out, err = final.communicate()
    _count_recovery(err, campaign)
    if final.returncode != 0 or json.loads(out or "{}").get("failed") != []:
        campaign.problems.append(f"the final run failed: {err.strip() or out}")
    _check(folder, files, audio, possible, campaign, "final run")
    shutil.rmtree(scratch)
    return campaign


def _check(folder, files, audio, possible, campaign: Campaign, when: str) -> None:
    for path in files:
        data = path.read_bytes()
        if data not in possible[path]:
            campaign.problems.append(f"{when}: {path.name} is neither the old nor the new file")
            continue
        if not np.array_equal(decode(path), audio[path]):
            campaign.problems.append(f"{when}: {path.name} does not decode to the same audio")
        possible[path] = {data}
    leftovers = _leftovers(folder)
    if leftovers:
        campaign.problems.append(f"{when}: left behind: {', '.join(leftovers)}")
