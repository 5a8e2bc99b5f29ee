"""Audio file tags: the only package that imports mutagen.

``import calmtune.tags`` is cheap: it loads the extension list, and the field table, the update
records and mutagen only when first used (a no-change rescan needs the extensions alone: the rest
was 20.8M of its 423M instructions, ``benchmarks/bench_scan.py --instructions``). Public API:

- :data:`AUDIO_EXTENSIONS`, :data:`WRITABLE_FORMATS`
- :func:`read_tags` -> ``TagInfo``; :func:`read_cover` -> the embedded cover image
- :func:`mood_set_by_user_here`: does the file say the user set its mood through calmtune?
- :class:`TagUpdate`, :class:`FieldChange`, :func:`plan_tag_changes`
- :class:`TagWriter` (a bulk run), :func:`write_tags` (one file): safe writes
- :func:`recover_interrupted_writes`, :func:`cleanup_stale_temp_files`: what killed runs left
- :func:`audio_payload_digest`: a digest of the audio bytes alone (tags excluded)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from os import PathLike
from typing import TYPE_CHECKING, Any

from calmtune.models import TagInfo
from calmtune.tags.extensions import AUDIO_EXTENSIONS

if TYPE_CHECKING:
    from calmtune.tags.formats import WRITABLE_FORMATS
    from calmtune.tags.journal import RecoveryNote
    from calmtune.tags.update import FieldChange, TagUpdate
    from calmtune.tags.write import TagWriter

__all__ = [
    "AUDIO_EXTENSIONS",
    "WRITABLE_FORMATS",
    "FieldChange",
    "TagUpdate",
    "TagWriter",
    "audio_payload_digest",
    "cleanup_stale_temp_files",
    "fsync_folders",
    "mood_set_by_user_here",
    "plan_tag_changes",
    "read_cover",
    "read_tags",
    "recover_interrupted_writes",
    "write_tags",
]


def __getattr__(name: str) -> Any:
    # Loaded when first asked for: TagWriter lives with the writer, which imports mutagen; the
    # others are the field table and the update records, which a scan does not need.
    if name == "TagWriter":
        from calmtune.tags.write import TagWriter

        return TagWriter
    if name == "WRITABLE_FORMATS":
        from calmtune.tags.formats import WRITABLE_FORMATS

        return WRITABLE_FORMATS
    if name in ("FieldChange", "TagUpdate"):
        from calmtune.tags import update

        return getattr(update, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_tags(path: str) -> TagInfo:
    """Read tags and stream info. Raises ``TagError`` with a one-line reason for a bad file."""
    from calmtune.tags.read import read_tags as _read_tags

    return _read_tags(str(path))


def mood_set_by_user_here(path: str) -> bool:
    """True when the file's own provenance record says the user set its current mood through
    calmtune (``tag --mood``). Raises ``TagError`` for an unreadable file."""
    from calmtune.tags.read import mood_set_by_user_here as _set_here

    return _set_here(str(path))


def read_cover(path: str) -> tuple[bytes, str] | None:
    """The embedded front cover as (image bytes, MIME type), or None. Raises ``TagError``."""
    from calmtune.tags.cover import read_cover as _read_cover

    return _read_cover(str(path))


def plan_tag_changes(path: str, update: TagUpdate) -> list[FieldChange]:
    """The changes ``write_tags`` would make, without writing (for ``--dry-run``)."""
    from calmtune.tags.write import plan_tag_changes as _plan

    return _plan(str(path), update)


def write_tags(path: str, update: TagUpdate) -> list[FieldChange]:
    """Write ``update`` into the file safely; returns the changes made ([] if none were needed).

    Raises ``TagError`` (the file untouched) when it cannot. A bulk run uses :class:`TagWriter`.
    """
    from calmtune.tags.write import write_tags as _write

    return _write(str(path), update)


def recover_interrupted_writes(
    journal_dir: str | PathLike[str] | None = None,
) -> list[RecoveryNote]:
    """Roll back every tag write a killed calmtune left unfinished (see ``tags.journal``), and
    remove its temporary copies. Returns one note per file handled (``str(note.path)``,
    ``note.action``); writes of calmtune runs still going are left to them."""
    from pathlib import Path

    from calmtune.tags.journal import recover

    return recover(Path(journal_dir) if journal_dir is not None else None)


def fsync_folders(paths: Iterable[str | PathLike[str]]) -> None:
    """fsync the folders holding ``paths`` (once each), making earlier renames durable."""
    from calmtune.tags.safefile import fsync_folder

    for folder in sorted({os.path.dirname(os.fspath(p)) for p in paths}):
        fsync_folder(folder)


def cleanup_stale_temp_files(places: Iterable[str | PathLike[str]]) -> list[str]:
    """Remove temp files an interrupted calmtune write left in these folders (or files' folders)."""
    from calmtune.tags.safefile import cleanup_stale_temp_files as _cleanup

    return _cleanup(places)


def audio_payload_digest(path: str, fmt: str) -> bytes | None:
    """A digest of the file's audio payload, every byte that is not tag data, or ``None`` when
    the format has no payload parser or the file cannot be walked. Equal digests mean only the
    tags differ, so measurements of the audio still hold."""
    from calmtune.tags.payload import PayloadError, payload_digest, supports

    if not supports(fmt):
        return None
    try:
        return payload_digest(str(path), fmt)
    except (PayloadError, OSError):
        return None
