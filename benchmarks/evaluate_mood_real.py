"""Evaluate calmtune's calm score on real recordings labelled calm or intense by a person.

    python benchmarks/evaluate_mood_real.py [--set heldout|dev] [--labels FILE]
        [--limit N] [--keep DIR] [--json] [-v]

Two label sets, both from Debian's game soundtrack packages found with ``dpkg -L`` (members of the
pk3/zip archives some packages ship are read from inside them):

- ``heldout`` (default), ``benchmarks/data/soundtrack_moods.tsv``: ufoai-music, warzone2100-music,
  nexuiz-music, asc-music. The REPORT set: never used to set anything.
- ``dev``, ``benchmarks/data/dev_moods.tsv``: wesnoth-1.16-music, supertux-data, 0ad-data,
  singularity-music, megaglest-data, hedgewars-data. The development set the mood features and
  curves are studied on (``benchmarks/study_mood_features.py``).

Both were labelled from the track names and their use in the game before calmtune was run on them,
with the reason for each row. Tracks whose package is not installed are skipped.

Each track is decoded and written again as a plain WAV file named by a number only: no title, no
tags, no folder name, so calmtune sees nothing but the sound. Two copies are made:

- ``original``: the samples as the package ships them (its own mastering level);
- ``-14 LUFS``: gain to -14 LUFS integrated (measured with pyloudnorm, an independent meter), the
  level streaming services play at; where the gain would push peaks over -1 dBFS a look-ahead
  limiter holds them there, and the gain is corrected once more after limiting.

Each copy set goes through the real command line (``calmtune scan``, ``analyze``,
``tracks --json``) in a fresh calmtune home. The script prints, per level, the calm-score AUC (the
chance that a calm track gets a higher calm score than an intense one, ties counting half), the
confusion of the labels with calmtune's verdicts, and the same per package; then the calm session
``calmtune relax`` would plan from those tracks (``playlist build calm``, a fixed seed): how many
of its picks are labelled calm and how many intense, naming each intense one.

Not a test and not run by CI in full: it needs the soundtrack packages (about 300 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = {
    # held out: reported, never used to set anything
    "heldout": HERE / "data" / "soundtrack_moods.tsv",
    # development: features and curves are studied and set on this one
    "dev": HERE / "data" / "dev_moods.tsv",
}
LABELS = SETS["heldout"]
TARGET_LUFS = -14.0
CEILING_DBFS = -1.0
VERDICTS = ("calm", "focus", "upbeat", "unknown")
SESSION_SEED = 1  # the calm session is planned with this seed, so a rerun plans the same one


@dataclass
class Item:
    package: str
    path: str
    label: str
    reason: str
    source: Path | None = None  # the installed file (or its archive)
    member: str | None = None  # the member inside a pk3 or zip archive
    number: int = 0
    results: dict = field(default_factory=dict)  # level -> {"calm": score, "mood": verdict}


def read_labels(path: Path) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("package\t"):
            continue
        package, rel, label, reason = line.split("\t")
        if label in ("calm", "intense"):
            items.append(Item(package, rel, label, reason))
    return items


def package_files(package: str) -> list[str]:
    try:
        out = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return []
    return [p for p in out.stdout.splitlines() if os.path.isfile(p)] if out.returncode == 0 else []


def split_archive(path: str) -> tuple[str, str]:
    """("x/music.pk3", "sound/a.ogg") for a member of a pk3 or zip archive, else (path, "")."""
    for suffix in (".pk3/", ".zip/"):
        archive, found, member = path.partition(suffix)
        if found:
            return archive + suffix[:-1], member
    return path, ""


def locate(items: list[Item]) -> list[Item]:
    """Find each labelled file among its package's installed files (or inside a pk3/zip archive
    a package ships); drop what is missing."""
    found, missing = [], []
    listings: dict[str, list[str]] = {}
    for item in items:
        files = listings.setdefault(item.package, package_files(item.package))
        archive, member = split_archive(item.path)
        wanted = f"/{archive}" if member else f"/{item.path}"
        match = [f for f in files if f.endswith(wanted)]
        if len(match) != 1:
            missing.append(item)
            continue
        item.source = Path(match[0])
        item.member = member or None
        found.append(item)
    if missing:
        packages = sorted({i.package for i in missing})
        print(f"skipped {len(missing)} labelled tracks not installed ({', '.join(packages)})")
    return found


def decode(item: Item, scratch: Path):
    """(samples as float32 (frames, channels), rate) of one labelled track."""
    import soundfile

    source = item.source
    if item.member is not None:
        with zipfile.ZipFile(source) as archive:
            target = scratch / Path(item.member).name
            target.write_bytes(archive.read(item.member))
            source = target
    samples, rate = soundfile.read(str(source), dtype="float32", always_2d=True)
    if item.member is not None:
        source.unlink()
    return samples, rate


def limit_peaks(samples, rate: int, ceiling: float):
    """A look-ahead peak limiter: gain falls smoothly (5 ms blocks, attack before the peak,
    50 ms release) so that no sample exceeds ``ceiling`` (linear)."""
    import numpy as np

    block = max(1, int(0.005 * rate))
    frames = samples.shape[0]
    count = -(-frames // block)
    padded = np.zeros((count * block, samples.shape[1]), dtype=np.float32)
    padded[:frames] = samples
    peaks = np.abs(padded).reshape(count, block, -1).max(axis=(1, 2))
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    # Look ahead and behind one block, then release slowly (about 50 ms to recover).
    need = np.minimum(need, np.minimum(np.roll(need, 1), np.roll(need, -1)))
    release = np.exp(-1.0 / 10.0)
    gain = need.copy()
    for i in range(1, count):
        gain[i] = min(need[i], 1.0 - (1.0 - gain[i - 1]) * release)
    per_sample = np.interp(np.arange(frames), np.arange(count) * block + block / 2, gain)
    out = samples * per_sample[:, None].astype(np.float32)
    return np.clip(out, -ceiling, ceiling)


def to_target(samples, rate: int):
    """``samples`` at TARGET_LUFS integrated loudness, peaks held at CEILING_DBFS."""
    import numpy as np
    import pyloudnorm

    meter = pyloudnorm.Meter(rate)
    ceiling = 10 ** (CEILING_DBFS / 20)
    out = samples
    for _ in range(3):  # limiting lowers the loudness a little: correct and limit again
        loudness = meter.integrated_loudness(out.astype(np.float64))
        if abs(loudness - TARGET_LUFS) < 0.05:
            break
        out = out * np.float32(10 ** ((TARGET_LUFS - loudness) / 20))
        if np.abs(out).max() > ceiling:
            out = limit_peaks(out, rate, ceiling)
    return out, meter.integrated_loudness(out.astype(np.float64))


def write_sets(items: list[Item], root: Path) -> dict[str, Path]:
    """Write the anonymous WAV copies for each level; returns level -> folder.

    A copy already in ``root`` (from an earlier run with ``--keep``) is reused: the files are
    written under a temporary name and renamed, so one that exists is whole.
    """
    import soundfile

    folders = {"original": root / "original", "-14 LUFS": root / "lufs14"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    scratch = root / "scratch"
    scratch.mkdir(exist_ok=True)
    for number, item in enumerate(items, 1):
        item.number = number
        name = f"{number:03d}.wav"
        targets = [folders["original"] / name, folders["-14 LUFS"] / name]
        if all(t.exists() for t in targets):
            continue
        samples, rate = decode(item, scratch)
        levelled, _lufs = to_target(samples, rate)
        for target, data in zip(targets, (samples, levelled), strict=True):
            part = target.with_suffix(".part")
            soundfile.write(str(part), data, rate, subtype="FLOAT", format="WAV")
            part.rename(target)
        print(f"\r  prepared {number}/{len(items)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return folders


def run_calmtune(folder: Path, home: Path) -> tuple[dict[str, dict], dict]:
    """Scan, analyse and list ``folder`` with the real command line, in a fresh calmtune home
    (never a kept one: its stored moods may come from older rules); file name -> track JSON, and
    the calm session ``calmtune relax`` would play from these tracks (``playlist build calm``,
    SESSION_SEED), as its JSON document."""
    shutil.rmtree(home, ignore_errors=True)
    env = {**os.environ, "CALMTUNE_HOME": str(home)}
    base = [sys.executable, "-m", "calmtune"]
    for args in (["scan", str(folder), "--json"], ["analyze", "--json"]):
        subprocess.run([*base, *args], env=env, check=True, capture_output=True)
    out = subprocess.run(
        [*base, "tracks", "--json"], env=env, check=True, capture_output=True, text=True
    )
    session = subprocess.run(
        [*base, "playlist", "build", "calm", "--format", "json", "--seed", str(SESSION_SEED)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    # Exit 3 (docs/cli.md): nothing in the index fits the recipe; an empty session, not an error.
    planned = json.loads(session.stdout) if session.returncode == 0 else {"tracks": []}
    return {Path(t["path"]).name: t for t in json.loads(out.stdout)}, planned


def auc(items: list[Item], level: str) -> float:
    """P(calm score of a calm track > that of an intense one), ties counting half."""
    calm = [i.results[level]["calm"] for i in items if i.label == "calm"]
    intense = [i.results[level]["calm"] for i in items if i.label == "intense"]
    if not calm or not intense:
        return float("nan")
    wins = sum((c > x) + 0.5 * (c == x) for c in calm for x in intense)
    return wins / (len(calm) * len(intense))


def report(items: list[Item], level: str, verbose: bool) -> dict:
    table = {label: dict.fromkeys(VERDICTS, 0) for label in ("calm", "intense")}
    for item in items:
        table[item.label][item.results[level]["mood"]] += 1
    figures = {"auc": auc(items, level), "confusion": table, "packages": {}}
    print(f"\n{level}: calm-score AUC {figures['auc']:.3f}  (n = {len(items)}: "
          f"{sum(i.label == 'calm' for i in items)} calm, "
          f"{sum(i.label == 'intense' for i in items)} intense)")  # fmt: skip
    print(f"  {'label / verdict':<16}" + "".join(f"{v:>9}" for v in VERDICTS))
    for label, row in table.items():
        print(f"  {label:<16}" + "".join(f"{row[v]:>9}" for v in VERDICTS))
    print(f"  intense tracks labelled calm: {table['intense']['calm']}")
    for package in sorted({i.package for i in items}):
        subset = [i for i in items if i.package == package]
        calm_as_calm = sum(i.label == "calm" and i.results[level]["mood"] == "calm" for i in subset)
        intense_as_calm = sum(
            i.label == "intense" and i.results[level]["mood"] == "calm" for i in subset
        )
        n_calm = sum(i.label == "calm" for i in subset)
        value = auc(subset, level)
        figures["packages"][package] = {"auc": value, "n": len(subset)}
        shown = "  n/a" if value != value else f"{value:.3f}"
        print(f"  {package:<18} AUC {shown}  calm->calm {calm_as_calm}/{n_calm}  "
              f"intense->calm {intense_as_calm}/{len(subset) - n_calm}")  # fmt: skip
    if verbose:
        ranked = sorted(items, key=lambda i: -i.results[level]["calm"])
        for item in ranked:
            r = item.results[level]
            print(f"    {r['calm']:.3f} {r['mood']:<8} {item.label:<8} {item.package} {item.path}")
    return figures


def report_session(session: dict, by_number: dict[str, Item]) -> dict:
    """What ``calmtune relax`` would play from these tracks: its picks by label."""
    picks = [by_number[Path(t["path"]).name] for t in session["tracks"]]
    counts = {label: sum(i.label == label for i in picks) for label in ("calm", "intense")}
    minutes = session.get("duration_total", 0) / 60
    print(f"  calm session (playlist build calm --seed {SESSION_SEED}): {len(picks)} tracks, "
          f"{minutes:.0f} min: {counts['calm']} labelled calm, {counts['intense']} intense"
          + (" (short: the recipe could not fill it)" if session.get("short") else ""))  # fmt: skip
    for item in picks:
        if item.label == "intense":
            print(f"    intense track in the session: {item.package} {item.path}")
    return {"tracks": len(picks), **counts, "short": bool(session.get("short"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--set",
        choices=sorted(SETS),
        default="heldout",
        help="heldout: the report set (default); dev: the development set",
    )
    parser.add_argument("--labels", type=Path, help="another label file (overrides --set)")
    parser.add_argument("--limit", type=int, help="only the first N labelled tracks per label")
    parser.add_argument("--keep", metavar="DIR", help="write the copies here and keep them")
    parser.add_argument("--json", action="store_true", help="also print every track's result")
    parser.add_argument("-v", "--verbose", action="store_true", help="list tracks by calm score")
    parser.add_argument(
        "--prepare-only", action="store_true", help="write the copies into --keep DIR and stop"
    )
    args = parser.parse_args(argv)

    args.labels = args.labels or SETS[args.set]
    items = locate(read_labels(args.labels))
    if args.limit:
        calm = [i for i in items if i.label == "calm"][: args.limit]
        items = calm + [i for i in items if i.label == "intense"][: args.limit]
    if not items:
        print("no labelled track is installed: apt-get install " + " ".join(
            sorted({i.package for i in read_labels(args.labels)})))  # fmt: skip
        return 0
    if args.keep:
        root = Path(args.keep)
        root.mkdir(parents=True, exist_ok=True)
        return evaluate(items, root, args)
    with tempfile.TemporaryDirectory(prefix="calmtune-real-") as scratch:
        return evaluate(items, Path(scratch), args)


def evaluate(items: list[Item], root: Path, args: argparse.Namespace) -> int:
    print(f"real mood set: {len(items)} labelled tracks, copies in {root}")
    folders = write_sets(items, root)
    if args.prepare_only:
        return 0
    by_number = {f"{i.number:03d}.wav": i for i in items}
    summary = {}
    for level, folder in folders.items():
        tracks, session = run_calmtune(folder, root / f"home-{folder.name}")
        for name, track in tracks.items():
            item = by_number[name]
            item.results[level] = {
                "calm": track["scores"]["calm"],
                "mood": track["mood"],
                "confidence": track["mood_confidence"],
                "bpm": track["bpm"],
                "lufs": track["loudness_lufs"],
            }
        levels = [i.results[level]["lufs"] for i in items if i.results[level]["lufs"] is not None]
        print(f"\n{level}: integrated loudness as calmtune measured it, "
              f"{min(levels):.1f} to {max(levels):.1f} LUFS")  # fmt: skip
        summary[level] = report(items, level, args.verbose)
        summary[level]["session"] = report_session(session, by_number)
    if args.json:
        rows = [
            {"package": i.package, "path": i.path, "label": i.label, **i.results} for i in items
        ]
        print(json.dumps({"summary": summary, "tracks": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
