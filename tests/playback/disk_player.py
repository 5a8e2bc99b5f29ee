"""Run one playback scenario through the real player and mixer; used by the disk-driver tests.

Run in a subprocess, because SDL reads SDL_AUDIODRIVER / SDL_DISKAUDIOFILE when the device opens
and pygame's mixer is process-global. Usage: ``python disk_player.py scenario.json``.

The scenario says what to play and which commands to give at which wall-clock second after
``play``. Events are written as JSON lines to ``scenario["events"]``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from calmtune.errors import CalmtuneError
from calmtune.playback import TICK_SECONDS, Ending, Player, PlayerState, PlayItem, PygameOutput


def main() -> int:
    scenario = json.loads(Path(sys.argv[1]).read_text())
    items = [PlayItem(**item) for item in scenario["items"]]
    actions = sorted(scenario.get("actions", []), key=lambda a: a["at"])
    print("python stderr still reaches the terminal", file=sys.stderr)
    try:
        # Nine of these play side by side on a test machine: blocks a little longer than the
        # default keep a busy machine from opening gaps (commands act up to 0.8 s later).
        output = PygameOutput(native_log=scenario.get("native_log"), block_seconds=0.4)
        engine = Player(
            items,
            output=output,
            volume=scenario.get("volume", 100),
            native_log=scenario.get("native_log"),
            # By default nothing is attenuated (the loudest target), so levels read as written.
            target_lufs=scenario.get("target_lufs", -10.0),
            crossfade=scenario.get("crossfade", 0.0),
            end_fade=scenario.get("end_fade", 0.0),
        )
        engine.open()
    except CalmtuneError as err:
        print(json.dumps({"error": str(err), "exit_code": err.exit_code}))
        return err.exit_code
    events = []
    try:
        ending = Ending(**scenario["ending"]) if "ending" in scenario else None
        engine.play(fade_in=scenario.get("fade_in", 0.0), ending=ending)
        started = time.monotonic()
        deadline = started + scenario.get("timeout", 30)
        while engine.state is not PlayerState.FINISHED and time.monotonic() < deadline:
            while actions and time.monotonic() - started >= actions[0]["at"]:
                action = actions.pop(0)
                getattr(engine, action["do"])(**action.get("args", {}))
            for event in engine.tick():
                events.append(
                    {
                        "kind": event.kind.value,
                        "index": event.index,
                        "reason": event.reason,
                        "ended": event.ended and event.ended.value,
                        "finished": event.finished and event.finished.value,
                        "volume": event.volume,
                    }
                )
            time.sleep(TICK_SECONDS)
        underruns = engine.output.underruns
    finally:
        engine.close()
    events.append({"kind": "underruns", "count": underruns, "index": None})
    Path(scenario["events"]).write_text("".join(json.dumps(e) + "\n" for e in events))
    return 0


if __name__ == "__main__":
    sys.exit(main())
