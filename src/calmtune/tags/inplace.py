"""Patch files in place under the undo journal: the fast path of a tag write.

When the new tags fit the room a file keeps for them, a tag write changes a few hundred bytes
and not the file's length. calmtune then writes just those bytes into the file itself, through its
real path, so symbolic links and hard links stay what they are. For a group of files:

1. check each file still holds the bytes its edit was computed from;
2. save every file's old and new bytes in the journal, and sync it once (a group commit: one
   journal sync for the group, not one per file);
3. per file: write the new bytes, sync the file, read them back, and verify it (``verify``:
   tags as intended, audio payload unchanged); a file that fails gets its old bytes back;
4. clear the journal record.

If the old bytes cannot be put back, or the run is interrupted, every file of the group is
rolled back, so the group ends all old or all new. If even that fails, the record stays in the
journal and the next calmtune run restores the files.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from dataclasses import dataclass

from calmtune.errors import TagError
from calmtune.tags.journal import FilePatch, Journal, PatchRecord, restore, write_all
from calmtune.tags.overlay import Region

_OPEN_FLAGS = os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


@dataclass(slots=True)
class Patch:
    """One file's edit: its real path, its stat when the edit was computed, the changed
    regions, and the check of the patched file (raises TagError)."""

    path: str
    before: os.stat_result
    regions: list[Region]
    verify: Callable[[], None]


def _reason(err: BaseException) -> str:
    from calmtune.tags._mutagen import os_reason

    if isinstance(err, TagError):
        return str(err)
    if isinstance(err, OSError):
        return os_reason(err)
    return "the write was interrupted"


def _open_unchanged(patch: Patch) -> tuple[int, os.stat_result]:
    """Open the file for writing, refusing one that changed since the edit was computed.

    The file stays locked (``flock``, until closed) so that two calmtune runs never patch it at
    once; a run that finds it locked skips it rather than wait (two runs waiting on each
    other's files would wait forever)."""
    fd = os.open(patch.path, _OPEN_FLAGS)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise TagError(
                "another calmtune run is writing this file; run the command again"
            ) from err
        except OSError:
            pass  # a file system without locks (some network mounts): the checks below remain
        now = os.fstat(fd)
        same = (now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns) == (
            patch.before.st_dev,
            patch.before.st_ino,
            patch.before.st_size,
            patch.before.st_mtime_ns,
        )
        if not same or any(os.pread(fd, len(r.old), r.offset) != r.old for r in patch.regions):
            raise TagError("file changed while it was being tagged; run the command again")
    except BaseException:
        os.close(fd)
        raise
    return fd, now


def _write_and_verify(fd: int, patch: Patch) -> None:
    for region in patch.regions:
        write_all(fd, region.new, region.offset)
    os.fsync(fd)
    if any(os.pread(fd, len(r.new), r.offset) != r.new for r in patch.regions):
        raise TagError("verification failed: the patched bytes did not read back")
    patch.verify()


def patch_files(patches: list[Patch], journal: Journal) -> list[TagError | None]:
    """Patch each file safely; per file None (written and verified) or the TagError (the file
    holds its old bytes, or, if they could not be put back, the journal will restore it)."""
    errors: list[TagError | None] = [None] * len(patches)
    opened: list[tuple[int, Patch, int, os.stat_result]] = []
    try:
        for index, patch in enumerate(patches):
            try:
                fd, now = _open_unchanged(patch)
            except (OSError, TagError) as err:
                errors[index] = TagError(_reason(err))
            else:
                opened.append((index, patch, fd, now))
        if not opened:
            return errors
        record = PatchRecord(
            tuple(
                FilePatch(os.fsencode(p.path), st.st_dev, st.st_ino, st.st_size, tuple(p.regions))
                for _, p, _, st in opened
            )
        )
        try:
            journal.begin_patch(record)
        except TagError as err:  # nothing was touched yet
            for index, *_ in opened:
                errors[index] = err
            return errors
        done: list[tuple[int, Patch]] = []  # (fd, patch) of the files patched so far
        try:
            for index, patch, fd, _ in opened:
                done.append((fd, patch))
                try:
                    _write_and_verify(fd, patch)
                except (OSError, TagError) as err:  # this file alone: put it back
                    restore(fd, patch.regions)  # if that fails, the whole group is undone
                    done.pop()
                    errors[index] = TagError(_reason(err))
            try:
                journal.clear()
            except OSError:  # the files are written and verified: drop the record with its file
                journal.discard()
        except BaseException as err:  # a failed restore, a journal that stays, an interruption
            _undo_group(done, journal, err, errors, opened)
            if not isinstance(err, (OSError, TagError)):
                raise  # an interruption, or a bug: the files are back as they were
        return errors
    finally:
        for _, _, fd, _ in opened:
            os.close(fd)


def _undo_group(
    done: list[tuple[int, Patch]],
    journal: Journal,
    cause: BaseException,
    errors: list[TagError | None],
    opened: list[tuple[int, Patch, int, os.stat_result]],
) -> None:
    """Roll every patched file of the group back, so the group ends all old. If that fails,
    leave the record to the next run's recovery."""
    try:
        for fd, patch in done:
            restore(fd, patch.regions)
        journal.clear()
        message = _reason(cause)
    except OSError:
        journal.abandon()
        message = (
            f"{_reason(cause)}, and the old tags could not be put back yet "
            "(the next `calmtune tag` or `calmtune doctor` does it)"
        )
    for index, *_ in opened:
        errors[index] = errors[index] or TagError(message)
