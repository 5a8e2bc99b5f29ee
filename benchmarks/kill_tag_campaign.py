"""A kill -9 campaign against ``calmtune tag``: is every file whole after every kill?

Builds a library of every format calmtune writes (MP3 with ID3v2.4 and v2.3, FLAC, Ogg Vorbis,
Opus, M4A, WAV, AIFF, WMA, WavPack, TTA; a third of them with no padding left, so their first
write rewrites a copy), then runs ``calmtune tag --mood ...`` over it again and again, sending
SIGKILL at a random moment once each run has started writing. After each kill and recovery
(``calmtune doctor``, or the next ``calmtune tag`` run) every file must hold exactly its old or
its new bytes and decode to the original audio, with no journal or temporary file left. The
checks are in tests/tagkill.py, shared with the test suite's short form.

Not a benchmark: it reports counts, not times, and exits 1 if any check failed.

    python benchmarks/kill_tag_campaign.py                # 50 kills, 3 copies of each format
    python benchmarks/kill_tag_campaign.py --kills 3 --copies 1   # CI's tiny run
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--copies", type=int, default=3, help="files of each format")
    parser.add_argument("--seconds", type=float, default=2.0, help="audio length of each file")
    parser.add_argument("--seed", type=int, default=20260116)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="calmtune-kill-") as tmp:
        os.environ["CALMTUNE_HOME"] = os.path.join(tmp, "home")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")  # doctor's device probe, no sound
        from tagkill import make_library, run_campaign

        music = Path(tmp) / "music"
        files = make_library(music, args.copies, args.seconds)
        subprocess.run(
            [sys.executable, "-m", "calmtune", "scan", str(music)], check=True, capture_output=True
        )
        campaign = run_campaign(music, files, args.kills, args.seed, log=lambda line: None)

    print(
        f"kill -9 campaign: {len(files)} files ({args.copies} of each of 11 formats), "
        f"seed {args.seed}"
    )
    print(f"  kills                                : {campaign.kills}")
    print(f"  of which with a write in flight      : {campaign.records_at_kill}")
    print(f"  runs that finished before their kill : {campaign.finished_first}")
    print(f"  files rolled back by a recovery      : {campaign.rolled_back}")
    print(f"  temporary copies removed by recovery : {campaign.temps_removed}")
    print(f"  problems                             : {len(campaign.problems)}")
    for problem in campaign.problems:
        print(f"    {problem}")
    sys.exit(1 if campaign.problems else 0)


if __name__ == "__main__":
    main()
