"""Whole-file analysis speed and memory: calmtune against librosa + pyloudnorm on the same files.

    python benchmarks/bench_analysis.py [--files 20] [--seconds 180-300] [--dir DIR] [--long-minutes 0]

Writes music-like files (tests/music_synth.py; 44.1 kHz stereo, FLAC/MP3/Ogg in turn;
3-5 minutes each by default) once into --dir, then runs each side in its own subprocess so that
peak RSS is honest, both warmed up on the first file before the clock starts:

- calmtune: ``analyze_file`` (decode at the native rate, tempo, BS.1770 loudness, LRA, peak,
  onset density, brightness) for each file, one process;
- peer: ``librosa.load(sr=None, mono=False)`` (one decode at the native rate, no resampling),
  ``librosa.feature.tempo`` on the mono mix and ``pyloudnorm.Meter.integrated_loudness``.

``--long-minutes N`` also measures calmtune's peak RSS on one N-minute file (block-wise decoding
keeps it flat). librosa and pyloudnorm are benchmark-only dependencies: without them only
calmtune's side runs. Prints times, the ratio (target: calmtune at least 2x faster) and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import _common  # noqa: F401  (puts tests/ on sys.path: the music generator)

HERE = Path(__file__).resolve().parent

FORMATS = [("flac", {}), ("mp3", {"format": "MP3"}), ("ogg", {})]


def write_files(folder: Path, count: int, low: float, high: float) -> list[str]:
    import numpy as np
    import soundfile

    from music_synth import STYLES, make_piece

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    paths = []
    for index in range(count):
        seconds = float(rng.uniform(low, high))
        ext, kwargs = FORMATS[index % len(FORMATS)]
        path = folder / f"track{index:02d}-{int(seconds)}s.{ext}"
        paths.append(str(path))
        if path.exists():
            continue
        bpm = float(np.exp(rng.uniform(np.log(50), np.log(180))))
        piece = make_piece(bpm, STYLES[index % len(STYLES)], 500 + index, seconds, rate=44100)
        frames = piece.samples if piece.samples.ndim == 2 else np.stack([piece.samples] * 2, 1)
        tmp = path.with_suffix(".part")
        with soundfile.SoundFile(
            str(tmp), "w", 44100, 2, format=kwargs.get("format", ext.upper())
        ) as out:
            for start in range(0, len(frames), 8192):  # libsndfile may crash on one huge write
                out.write(frames[start : start + 8192])
        tmp.rename(path)
    return paths


def write_long_file(folder: Path, minutes: int) -> str:
    """One long FLAC: a 4-minute piece repeated, written block by block."""
    import numpy as np
    import soundfile

    from music_synth import make_piece

    path = folder / f"long-{minutes}min.flac"
    if path.exists():
        return str(path)
    piece = make_piece(68.0, "drums", 99, 240.0, rate=44100)
    frames = piece.samples if piece.samples.ndim == 2 else np.stack([piece.samples] * 2, 1)
    tmp = path.with_suffix(".part")
    with soundfile.SoundFile(str(tmp), "w", 44100, 2, format="FLAC") as out:
        for _ in range(int(np.ceil(minutes / 4))):
            for start in range(0, len(frames), 65536):
                out.write(frames[start : start + 65536])
    tmp.rename(path)
    return str(path)


def peak_rss_mb() -> float:
    """Peak RSS of this process. VmHWM, because ru_maxrss survives exec on Linux and would count
    the parent's memory at fork time."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def run_calmtune(paths: list[str]) -> dict:
    from calmtune.analysis import analyze_file

    analyze_file(paths[0])  # warm-up
    start = time.perf_counter()
    results = [analyze_file(path) for path in paths]
    elapsed = time.perf_counter() - start
    return {
        "seconds": elapsed,
        "rss_mb": peak_rss_mb(),
        "bpm": [r.bpm for r in results],
        "lufs": [r.loudness_lufs for r in results],
    }


def run_peer(paths: list[str]) -> dict:
    import warnings

    import librosa
    import pyloudnorm

    def one(path: str) -> tuple[float, float]:
        y, sr = librosa.load(path, sr=None, mono=False)
        tempo = float(librosa.feature.tempo(y=librosa.to_mono(y), sr=sr)[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lufs = float(pyloudnorm.Meter(sr).integrated_loudness(y.T if y.ndim == 2 else y))
        return tempo, lufs

    one(paths[0])  # warm-up (numba compiles librosa's kernels on first use)
    start = time.perf_counter()
    results = [one(path) for path in paths]
    elapsed = time.perf_counter() - start
    return {
        "seconds": elapsed,
        "rss_mb": peak_rss_mb(),
        "bpm": [r[0] for r in results],
        "lufs": [r[1] for r in results],
    }


def in_subprocess(side: str, paths: list[str]) -> dict | None:
    cmd = [sys.executable, __file__, "--worker", side, *paths]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{side}: failed\n{done.stderr.strip()[-2000:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--seconds", default="180-300", help="length or range, e.g. 240 or 180-300")
    parser.add_argument(
        "--dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "calmtune-bench-analysis")
    )
    parser.add_argument("--long-minutes", type=int, default=0)
    parser.add_argument("--worker", choices=["calmtune", "peer", "long"])
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    if args.worker:
        run = {"calmtune": run_calmtune, "peer": run_peer, "long": run_calmtune}[args.worker]
        print(json.dumps(run(args.paths)))
        return 0

    low, _, high = args.seconds.partition("-")
    low_s, high_s = float(low), float(high or low)
    folder = Path(args.dir) / f"{args.files}x{int(low_s)}-{int(high_s)}"
    print(f"files: {args.files} x {low_s:g}-{high_s:g} s, 44.1 kHz stereo, in {folder}")
    paths = write_files(folder, args.files, low_s, high_s)
    audio_seconds = sum(float(Path(p).stem.split("-")[-1].rstrip("s")) for p in paths)

    ours = in_subprocess("calmtune", paths)
    if ours is None:
        return 1
    print(
        f"calmtune   {ours['seconds']:7.2f} s  peak RSS {ours['rss_mb']:6.0f} MB  "
        f"({audio_seconds / ours['seconds']:.0f}x real time)"
    )
    try:
        import librosa  # noqa: F401
        import pyloudnorm  # noqa: F401
    except ImportError:
        print(
            "peer: librosa or pyloudnorm is not installed (`pip install librosa pyloudnorm`); skipped"
        )
    else:
        peer = in_subprocess("peer", paths)
        if peer is not None:
            print(f"librosa+pyloudnorm {peer['seconds']:7.2f} s  peak RSS {peer['rss_mb']:6.0f} MB")
            print(
                f"ratio: calmtune is {peer['seconds'] / ours['seconds']:.2f}x faster (target >= 2x)"
            )
            deltas = [
                abs(a - b) for a, b in zip(ours["lufs"], peer["lufs"], strict=True) if a is not None
            ]
            print(
                f"loudness: largest |calmtune - pyloudnorm| = {max(deltas):.3f} LU over {len(deltas)} files"
            )
    if args.long_minutes:
        long_path = write_long_file(Path(args.dir), args.long_minutes)
        long = in_subprocess("long", [long_path, long_path])
        if long is not None:
            print(
                f"long file: {args.long_minutes} min FLAC analysed in {long['seconds']:.1f} s, "
                f"peak RSS {long['rss_mb']:.0f} MB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
