"""How well each measured feature, and the calm score, tells calm from intense on a labelled set.

    python benchmarks/study_mood_features.py [--set dev|heldout] [--gain DB] [--jobs N] [-v]

For developing the mood features on the DEVELOPMENT set (``--set dev``, the default,
``benchmarks/data/dev_moods.tsv``); the held-out set is for ``evaluate_mood_real.py``'s report
only. Each labelled track is decoded (``evaluate_mood_real.decode``), brought to -14 LUFS with
``evaluate_mood_real.to_target`` (``--gain DB`` adds a further gain, peak-limited, to check that
nothing moves with the level), measured in-process with ``analyze_samples`` and classified from the
audio alone. Printed: per feature, its AUC for "calm tracks measure lower than intense ones"
(1.0: every calm track lower; 0.0: every calm track higher; 0.5: no use), with the calm and intense
medians; then the calm-score AUC and the verdicts; with ``-v`` every track.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaluate_mood_real as real


def measure(job: tuple[real.Item, float, str]) -> dict:
    import numpy as np

    from calmtune.analysis import analyze_samples
    from calmtune.mood import classify
    from calmtune.mood.evidence import MoodEvidence

    item, gain_db, scratch = job
    samples, rate = real.decode(item, Path(scratch))
    samples, _lufs = real.to_target(samples, rate)
    if gain_db:
        samples = samples * np.float32(10 ** (gain_db / 20))
        ceiling = 10 ** (real.CEILING_DBFS / 20)
        if np.abs(samples).max() > ceiling:
            samples = real.limit_peaks(samples, rate, ceiling)
    features = analyze_samples(samples, rate)
    scores = classify(MoodEvidence(features=features))
    row = {k: v for k, v in features._asdict().items() if isinstance(v, float)}
    row["calm_score"] = scores.calm
    row["mood"] = scores.mood.value
    row["confidence"] = scores.confidence
    return row


def auc_lower(calm: list[float], intense: list[float]) -> float:
    """P(a calm track's value < an intense track's), ties counting half."""
    wins = sum((c < x) + 0.5 * (c == x) for c in calm for x in intense)
    return wins / (len(calm) * len(intense))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=sorted(real.SETS), default="dev")
    parser.add_argument("--gain", type=float, default=0.0, help="extra gain in dB after -14 LUFS")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--save", type=Path, help="write every track's figures here (JSON)")
    args = parser.parse_args(argv)
    items = real.locate(real.read_labels(real.SETS[args.set]))
    if not items:
        print("no labelled track is installed")
        return 0
    with tempfile.TemporaryDirectory(prefix="calmtune-study-") as scratch:
        jobs = [(item, args.gain, scratch) for item in items]
        with ProcessPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(measure, jobs))
    labels = [item.label for item in items]
    if args.save:
        for row, item in zip(rows, items, strict=True):
            row.update(label=item.label, package=item.package, path=item.path)
        args.save.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    names = sorted({k for row in rows for k, v in row.items() if isinstance(v, float)})
    print(f"{args.set} set: {labels.count('calm')} calm, {labels.count('intense')} intense")
    print(f"{'feature':<22}{'AUC calm<intense':>18}{'calm median':>14}{'intense median':>16}")
    for name in names:
        calm = [r[name] for r, lab in zip(rows, labels, strict=True) if lab == "calm" and name in r]
        intense = [
            r[name] for r, lab in zip(rows, labels, strict=True) if lab == "intense" and name in r
        ]
        if not calm or not intense:
            continue
        print(f"{name:<22}{auc_lower(calm, intense):>18.3f}"
              f"{statistics.median(calm):>14.3f}{statistics.median(intense):>16.3f}")  # fmt: skip
    calm = [r["calm_score"] for r, lab in zip(rows, labels, strict=True) if lab == "calm"]
    intense = [r["calm_score"] for r, lab in zip(rows, labels, strict=True) if lab == "intense"]
    print(f"\ncalm-score AUC (calm ranked above intense): {1.0 - auc_lower(calm, intense):.3f}")
    for label in ("calm", "intense"):
        verdicts = [r["mood"] for r, lab in zip(rows, labels, strict=True) if lab == label]
        counts = ", ".join(f"{v} {verdicts.count(v)}" for v in real.VERDICTS)
        print(f"  {label:<8} -> {counts}")
    if args.verbose:
        order = sorted(range(len(rows)), key=lambda i: -rows[i]["calm_score"])
        keys = [n for n in names if n not in ("calm_score", "confidence")]
        print("  calm  mood     label    " + " ".join(f"{k[:8]:>8}" for k in keys))
        for i in order:
            r = rows[i]
            values = " ".join(f"{r.get(k, float('nan')):>8.3f}" for k in keys)
            print(f"  {r['calm_score']:.3f} {r['mood']:<8} {labels[i]:<8} {values} "
                  f"{items[i].package}:{Path(items[i].path).stem}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
