"""Playlists saved by name (``playlist build --save NAME``), kept as ``NAME.m3u8`` in the
``playlists`` folder next to the settings file, so ``calmtune play NAME`` finds them and any other
player can open them too."""

from __future__ import annotations

import re
from pathlib import Path

SUFFIX = ".m3u8"
# Letters, digits, spaces, '.', '-' and '_', not starting with a dot: a plain file name that can
# never climb out of the folder or hide itself.
_NAME = r"^\w[\w .-]{0,99}$"


def saved_dir(config_dir: Path | None = None) -> Path:
    """The folder saved playlists live in (``<config dir>/playlists``)."""
    if config_dir is None:
        from calmtune.config import Paths

        config_dir = Paths.discover().config_dir
    return Path(config_dir) / "playlists"


def valid_name(name: str) -> bool:
    return re.match(_NAME, name) is not None and not name.endswith(".")


def saved_path(name: str, config_dir: Path | None = None) -> Path | None:
    """The saved playlist called ``name``, or ``None`` when there is none (or the name is not
    one a playlist can be saved under)."""
    if not valid_name(name):
        return None
    path = saved_dir(config_dir) / f"{name}{SUFFIX}"
    return path if path.is_file() else None


def saved_playlists(config_dir: Path | None = None) -> list[tuple[str, Path]]:
    """Every saved playlist as (name, path), by name."""
    folder = saved_dir(config_dir)
    if not folder.is_dir():
        return []
    found = [
        (p.name[: -len(SUFFIX)], p)
        for p in folder.iterdir()
        if p.name.endswith(SUFFIX) and not p.name.startswith(".") and p.is_file()
    ]
    return sorted(found)
