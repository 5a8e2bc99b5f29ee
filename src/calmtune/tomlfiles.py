"""Reading the TOML files calmtune takes from users (settings, recipes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class InvalidToml(ValueError):
    """The text is not valid TOML; the message is tomllib's, ending in "(at line N, column M)"."""


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed contents of the UTF-8 TOML file at ``path``, and its text (for messages that
    quote line numbers). Raises ``OSError`` (also for a FIFO, a device or a file over
    ``userfiles.TEXT_FILE_LIMIT``), ``UnicodeDecodeError`` or ``InvalidToml``."""
    from calmtune.userfiles import TEXT_FILE_LIMIT, read_bounded

    text = read_bounded(path, TEXT_FILE_LIMIT).decode("utf-8")
    import tomllib  # only once there is a file to parse: most users have no settings file

    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise InvalidToml(str(exc)) from None
