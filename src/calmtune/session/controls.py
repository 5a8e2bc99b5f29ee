"""The playback keys (docs/cli.md, "Sessions and playback") as commands. Pure: the key reader
lives in ``calmtune.ui.keys``.

The desktop's media controls (MPRIS, ``calmtune.desktop``) send the same commands, plus three
that have no key: play, pause and setting the volume to a level. MPRIS has no like or ban, so
those two come from the keys only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Command(StrEnum):
    TOGGLE_PAUSE = "toggle_pause"
    NEXT = "next"
    PREVIOUS = "previous"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    FINISH = "finish"  # finish after this track (toggles)
    QUIT = "quit"
    PLAY = "play"  # resume when paused (media controls)
    PAUSE = "pause"  # pause when playing (media controls)
    SET_VOLUME = "set_volume"  # to ``Request.value`` percent (media controls)
    LIKE = "like"  # like the playing track for every recipe (toggles)
    BAN = "ban"  # ban the playing track from the session's recipe, and skip it


class Request(NamedTuple):
    """A command from outside the key reader, with its value (SET_VOLUME: percent 0-100)."""

    command: Command
    value: int | None = None


KEYS: dict[str, Command] = {
    " ": Command.TOGGLE_PAUSE,
    "n": Command.NEXT,
    "p": Command.PREVIOUS,
    "+": Command.VOLUME_UP,
    "=": Command.VOLUME_UP,  # the unshifted "+" key on most layouts
    "-": Command.VOLUME_DOWN,
    "f": Command.FINISH,
    "q": Command.QUIT,
    "l": Command.LIKE,
    "b": Command.BAN,
}

HINT = "space pause · n next · p previous · +/- vol · l like · b ban · f finish · q quit"


def command_for(key: str) -> Command | None:
    """The command a key stands for; capitals work too (caps lock on)."""
    return KEYS.get(key) or KEYS.get(key.lower())
