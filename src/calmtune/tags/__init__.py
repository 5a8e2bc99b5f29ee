"""Audio file tags: the only package that imports mutagen.

``import calmtune.tags`` is cheap: it loads the field table and the extension list, and mutagen
only when a function here is first called. Public API:

- :data:`AUDIO_EXTENSIONS`, :data:`WRITABLE_FORMATS`
- :func:`read_tags` -> ``TagInfo``
- :class:`TagUpdate`, :class:`FieldChange`, :func:`plan_tag_changes`, :func:`write_tags`
- :func:`cleanup_stale_temp_files`, :func:`fsync_folders`
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from os import PathLike

from calmtune.models import TagInfo
from calmtune.tags.formats import AUDIO_EXTENSIONS, WRITABLE_FORMATS
from calmtune.tags.update import FieldChange, TagUpdate

__all__ = [
    "AUDIO_EXTENSIONS",
    "WRITABLE_FORMATS",
    "FieldChange",
    "TagUpdate",
    "cleanup_stale_temp_files",
    "fsync_folders",
    "plan_tag_changes",
    "read_tags",
    "write_tags",
]


def read_tags(path: str) -> TagInfo:
    """Read tags and stream info. Raises ``TagError`` with a one-line reason for a bad file."""
    from calmtune.tags.read import read_tags as _read_tags

    return _read_tags(str(path))


def plan_tag_changes(path: str, update: TagUpdate) -> list[FieldChange]:
    """The changes ``write_tags`` would make, without writing (for ``--dry-run``)."""
    from calmtune.tags.write import plan_tag_changes as _plan

    return _plan(str(path), update)


def write_tags(path: str, update: TagUpdate, *, sync_folder: bool = True) -> list[FieldChange]:
    """Write ``update`` into the file safely; returns the changes made ([] if none were needed).

    Raises ``TagError`` (the file untouched) when it cannot. For a bulk run pass
    ``sync_folder=False`` and call :func:`fsync_folders` with the paths once at the end.
    """
    from calmtune.tags.write import write_tags as _write

    return _write(str(path), update, sync_folder=sync_folder)


def fsync_folders(paths: Iterable[str | PathLike[str]]) -> None:
    """fsync the folders holding ``paths`` (once each), making earlier renames durable."""
    from calmtune.tags.safefile import fsync_folder

    for folder in sorted({os.path.dirname(os.fspath(p)) for p in paths}):
        fsync_folder(folder)


def cleanup_stale_temp_files(places: Iterable[str | PathLike[str]]) -> list[str]:
    """Remove temp files an interrupted calmtune write left in these folders (or files' folders)."""
    from calmtune.tags.safefile import cleanup_stale_temp_files as _cleanup

    return _cleanup(places)
