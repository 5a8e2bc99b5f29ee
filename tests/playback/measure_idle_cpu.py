"""Measure the player's CPU use while it plays (not a test; run by hand).

    SDL_AUDIODRIVER=dummy /usr/bin/time -f "%e s, %U user, %S sys, %M KB" \\
        python tests/playback/measure_idle_cpu.py 20 [FILE]

Plays FILE (default: the built-in soundscape, rendered to a temp cache) on repeat for the given
seconds with the engine ticking at its normal rate, then prints CPU seconds (all threads, so the
SDL audio thread and the decoder count too) as a share of one core, and the peak RSS.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time

from calmtune.playback import TICK_SECONDS, Player, PlayItem
from calmtune.playback.soundscape import ensure_soundscape


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    if len(sys.argv) > 2:
        item = PlayItem(sys.argv[2], repeat=True)
    else:
        path = ensure_soundscape(tempfile.mkdtemp(prefix="calmtune-measure-"), 60)
        item = PlayItem(str(path), duration=60.0, repeat=True)
    cpu0, wall0 = time.process_time(), time.monotonic()
    with Player([item]) as engine:
        engine.play(fade_in=2.0)
        while time.monotonic() - wall0 < seconds:
            engine.tick()
            time.sleep(TICK_SECONDS)
        engine.stop(fade=0)
        engine.tick()
        driver = engine.driver
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"driver {driver}: {wall:.1f} s played, {cpu:.2f} s CPU "
        f"= {100 * cpu / wall:.2f}% of one core; peak RSS {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
