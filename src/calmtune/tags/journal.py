"""The undo journal of tag writes, in calmtune's state folder (never in the music folder).

Before calmtune patches a file in place it saves, in its journal, the bytes it will overwrite
(and the bytes it will write), with the file's real path, device and inode, and checksums, and
syncs the journal to disk. Only then is the file touched. When the write is done and verified the
record is cleared. A record found later therefore means a write that never finished: the next
``calmtune tag`` (or ``calmtune doctor``) puts the old bytes back. That is SQLite's rollback
journal, applied to tags.

A record is also kept (unsynced) while a rewritten copy is being made, naming the temporary file,
so a kill at any moment leaves nothing behind for long: the next run removes the copy.

Each running calmtune has its own journal file, locked (``flock``) while the process lives. The
lock is how a later run tells a live writer's journal from a dead one's: the kernel drops it when
the process dies, however it dies.

Policy when a record is found: the file is rolled back to its old bytes, even when it already
holds the new bytes whole, because the write was never verified. Rolling back is always possible
and always the same rule. A file that was removed, replaced, or changed by another program since
is left as it is.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from calmtune.tags.overlay import Region
from calmtune.tags.safefile import fsync_folder, is_temp_name

_MAGIC = b"calmtune tag journal 1\n"
_NAME = re.compile(r"^\d+-[0-9a-f]{8}\.journal$")
_PREALLOCATE = 1 << 16  # bytes of zeros a new journal starts with; most records fit in them


def default_journal_dir() -> Path:
    """``tag-journal`` in calmtune's state folder (``$CALMTUNE_HOME/state`` when that is set)."""
    from calmtune.config import Paths

    return Paths.discover().state_dir / "tag-journal"


def write_all(fd: int, data: bytes, offset: int) -> None:
    """``os.pwrite`` until all of ``data`` is written (a write may be short)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


# -- records ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilePatch:
    """One file of a patch: where it is, what it is, and per region its old and new bytes."""

    path: bytes  # the real path, as the file system spells it (any bytes, not only UTF-8)
    dev: int
    ino: int
    size: int
    regions: tuple[Region, ...]


@dataclass(frozen=True, slots=True)
class PatchRecord:
    """In-place patches in progress: the files of one group commit (often just one)."""

    files: tuple[FilePatch, ...]


@dataclass(frozen=True, slots=True)
class CopyRecord:
    """A rewritten copy in progress: the temporary file to remove if the run dies."""

    temp: bytes


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode(record: PatchRecord | CopyRecord) -> bytes:
    """Magic line, a JSON header line, then (patches) every old region, then every new one."""
    if isinstance(record, CopyRecord):
        header: dict = {"kind": "copy", "temp": record.temp.hex()}
        return _MAGIC + json.dumps(header).encode() + b"\n"
    regions = [r for f in record.files for r in f.regions]
    old = b"".join(r.old for r in regions)
    new = b"".join(r.new for r in regions)
    header = {
        "kind": "patch",
        "files": [
            {
                "path": f.path.hex(),
                "dev": f.dev,
                "ino": f.ino,
                "size": f.size,
                "regions": [[r.offset, len(r.old)] for r in f.regions],
            }
            for f in record.files
        ],
        "old_sha256": _sha256(old),
        "new_sha256": _sha256(new),
    }
    return _MAGIC + json.dumps(header).encode() + b"\n" + old + new


def decode(data: bytes) -> PatchRecord | CopyRecord | None:
    """The record in ``data``, or None when there is none or it is incomplete.

    An incomplete record is one a kill cut short while it was being written; the files it
    names were not touched yet, because patching starts only once its record is synced. Bytes
    after a record belong to an older, longer one and are ignored."""
    if not data.startswith(_MAGIC) or b"\n" not in data[len(_MAGIC) :]:
        return None
    line, _, body = data[len(_MAGIC) :].partition(b"\n")
    try:
        header = json.loads(line)
        if header["kind"] == "copy":
            return CopyRecord(bytes.fromhex(header["temp"]))
        spans = [
            [(int(offset), int(length)) for offset, length in f["regions"]] for f in header["files"]
        ]
        total = sum(length for file_spans in spans for _, length in file_spans)
        old, new = body[:total], body[total : 2 * total]
        if len(new) != total or _sha256(old) != header["old_sha256"]:
            return None
        if _sha256(new) != header["new_sha256"]:
            return None
        files, pos = [], 0
        for f, file_spans in zip(header["files"], spans, strict=True):
            regions = []
            for offset, length in file_spans:
                regions.append(Region(offset, old[pos : pos + length], new[pos : pos + length]))
                pos += length
            path = bytes.fromhex(f["path"])
            files.append(
                FilePatch(path, int(f["dev"]), int(f["ino"]), int(f["size"]), tuple(regions))
            )
        return PatchRecord(tuple(files))
    except (ValueError, KeyError, TypeError):
        return None


def _same_file(path: str, fd: int) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


# -- the journal of this process ------------------------------------------------------------------


class Journal:
    """This process's journal file: no record, or the record of the one write in progress.

    The file is created on first use, locked for the life of the process, reused for every write
    (one sync per patch, no new name to sync each time) and removed by :meth:`close`. A file
    that does not start with the magic line holds no record.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fd: int | None = None
        self._path = ""

    def _open(self) -> int:
        if self._fd is not None:
            return self._fd
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        while True:
            path = os.path.join(self.folder, f"{os.getpid()}-{secrets.token_hex(4)}.journal")
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                # A run recovering journals may have taken this one for a dead run's and
                # removed it between the open and the lock: then start again with a new name.
                if _same_file(path, fd):
                    break
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(path)
                os.close(fd)
                raise
            os.close(fd)
        self._fd, self._path = fd, path
        # Records are written over each other and cleared by zeroing, never by truncating: a
        # file that keeps its size and blocks is synced without a file system metadata commit.
        write_all(fd, bytes(_PREALLOCATE), 0)
        os.fdatasync(fd)
        fsync_folder(self.folder, strict=True)  # the record must be found after a power cut
        fsync_folder(self.folder.parent, strict=True)
        return fd

    def _put(self, record: PatchRecord | CopyRecord, *, sync: bool) -> None:
        try:
            fd = self._open()
            write_all(fd, encode(record), 0)
            if sync:
                os.fdatasync(fd)
        except OSError as err:  # say which folder: "disk full" alone would blame the music
            from calmtune.errors import TagError
            from calmtune.tags._mutagen import os_reason

            raise TagError(
                f"cannot write calmtune's tag journal in {self.folder}: {os_reason(err)}"
            ) from err

    def begin_patch(self, record: PatchRecord) -> None:
        """Save the record of a patch and sync it: only then may the file be touched.
        Raises TagError naming the journal folder when it cannot be written."""
        self._put(record, sync=True)

    def begin_copy(self, temp: str) -> None:
        """Note the temporary copy about to be made (not synced: a kill keeps the page cache,
        and after a power cut a leftover copy is only wasted space, found by the folder scan).
        Raises TagError naming the journal folder when it cannot be written."""
        self._put(CopyRecord(os.fsencode(temp)), sync=False)

    def clear(self) -> None:
        """The write is finished (or undone): forget its record by zeroing its first bytes.
        Not synced; if a power cut brings the record back, the next run rolls back a write
        that had in fact finished."""
        if self._fd is not None:
            write_all(self._fd, bytes(len(_MAGIC)), 0)

    def discard(self) -> None:
        """Remove the journal file, record and all (clearing the record failed). A later write
        in this run starts a new journal file. Raises OSError if the file cannot be removed."""
        if self._fd is not None:
            os.unlink(self._path)
            os.close(self._fd)
            self._fd = None

    def abandon(self) -> None:
        """Leave the current record on disk for the next run to recover (a rollback failed).
        The lock is released, and a later write in this run starts a new journal file."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        """Remove the journal file; kept when it still holds a record (recovered next run)."""
        if self._fd is None:
            return
        try:
            if not os.pread(self._fd, len(_MAGIC), 0).startswith(_MAGIC):
                os.unlink(self._path)
        except OSError:
            pass  # an empty journal left behind is removed by the next run's recovery
        finally:
            os.close(self._fd)
            self._fd = None


# -- recovery -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecoveryNote:
    """What recovery did about one interrupted write: ``f"{path}: {action}"`` is one line."""

    path: str
    action: str
    retry: bool = False  # it could not be done now; the journal is kept for the next run


ROLLED_BACK = "rolled back an interrupted tag write (the old tags are back)"
REMOVED_COPY = "removed the temporary copy of an interrupted tag write"
_LEFT_ALONE = "left an interrupted tag write alone: "


def restore(fd: int, regions: tuple[Region, ...] | list[Region]) -> None:
    """Put the old bytes back, sync, and check they read back. Raises OSError if it cannot."""
    for region in regions:
        write_all(fd, region.old, region.offset)
    os.fsync(fd)
    for region in regions:
        if os.pread(fd, len(region.old), region.offset) != region.old:
            raise OSError(errno.EIO, "the old bytes did not read back")


def _only_old_or_new(current: bytes, region: Region) -> bool:
    """True when each byte is the old or the new one: a patch cut short, no other program."""
    if current in (region.old, region.new):
        return True
    return all(c in (o, n) for c, o, n in zip(current, region.old, region.new, strict=True))


def _recover_file(record: FilePatch) -> RecoveryNote | None:
    """Roll one file of an interrupted patch back. None when it was never touched."""
    path = os.fsdecode(record.path)
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(record.path, flags)
    except FileNotFoundError:
        return RecoveryNote(path, _LEFT_ALONE + "the file was removed since")
    except OSError as err:
        if err.errno == errno.ELOOP:  # a symbolic link stands at the real path now
            return RecoveryNote(path, _LEFT_ALONE + "another file stands at this path now")
        raise
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a patching run holds it
        except BlockingIOError:
            action = "an interrupted tag write waits: a calmtune run is writing this file now"
            return RecoveryNote(path, action, retry=True)
        except OSError:
            pass  # a file system without locks: the byte checks below still decide
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (record.dev, record.ino):
            return RecoveryNote(path, _LEFT_ALONE + "another file stands at this path now")
        if st.st_size != record.size:
            return RecoveryNote(path, _LEFT_ALONE + "another program changed the file since")
        current = [os.pread(fd, len(r.old), r.offset) for r in record.regions]
        if all(c == r.old for c, r in zip(current, record.regions, strict=True)):
            return None
        if not all(_only_old_or_new(c, r) for c, r in zip(current, record.regions, strict=True)):
            return RecoveryNote(path, _LEFT_ALONE + "another program changed the file since")
        restore(fd, record.regions)
        return RecoveryNote(path, ROLLED_BACK)
    finally:
        os.close(fd)


def _recover_copy(record: CopyRecord) -> RecoveryNote | None:
    if not is_temp_name(os.path.basename(os.fsdecode(record.temp))):
        return None  # never remove a file calmtune did not name
    try:
        os.unlink(record.temp)
    except FileNotFoundError:
        return None
    return RecoveryNote(os.fsdecode(record.temp), REMOVED_COPY)


def recover(folder: Path | None = None) -> list[RecoveryNote]:
    """Roll back every write a dead calmtune left unfinished; what was done, one note each.

    Journals of running calmtune processes are skipped (they hold their lock). A journal is
    removed once handled; it is kept when its file cannot be restored now (for example a
    read-only mount), with a ``retry`` note, so a later run tries again.
    """
    folder = folder or default_journal_dir()
    try:
        names = sorted(n for n in os.listdir(folder) if _NAME.match(n))
    except FileNotFoundError:
        return []
    except OSError as err:
        return [_cannot_read_journal(folder, err)]
    notes = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        except OSError as err:
            notes.append(_cannot_read_journal(path, err))
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a running calmtune's journal
            if os.fstat(fd).st_nlink == 0:
                continue  # another run recovered it while we waited for the lock
            found = _recover_record(decode(_read_all(fd)))
            notes.extend(found)
            if not any(note.retry for note in found):
                os.unlink(path)
        finally:
            os.close(fd)
    return notes


def _cannot_read_journal(where: str | os.PathLike[str], err: OSError) -> RecoveryNote:
    from calmtune.tags._mutagen import os_reason

    action = f"could not read calmtune's tag journal: {os_reason(err)} (tried again next run)"
    return RecoveryNote(os.fspath(where), action, retry=True)


def _recover_record(record: PatchRecord | CopyRecord | None) -> list[RecoveryNote]:
    if record is None:
        return []
    if isinstance(record, CopyRecord):
        return [note for note in [_attempt(_recover_copy, record, record.temp)] if note]
    notes = [_attempt(_recover_file, f, f.path) for f in record.files]
    return [note for note in notes if note is not None]


def _attempt(recover_one, record, path: bytes) -> RecoveryNote | None:
    try:
        return recover_one(record)
    except OSError as err:
        from calmtune.tags._mutagen import os_reason

        action = (
            f"could not undo an interrupted tag write yet: {os_reason(err)} (tried again next run)"
        )
        return RecoveryNote(os.fsdecode(path), action, retry=True)


def _read_all(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    chunks, offset = [], 0
    while offset < size:
        chunk = os.pread(fd, size - offset, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)
