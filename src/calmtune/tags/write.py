"""Plan and perform tag writes through the field table, safely.

mutagen first saves the edit into memory (an ``EditedView`` of the file), which shows exactly
which bytes change. Then one of two paths writes it, each proving the result before it counts:
the written keys read back, every tag calmtune does not own is unchanged, the audio payload
bytes are identical.

- The new tags fit the room the file keeps for them (its length stays): ``inplace`` patches
  those bytes into the file under the undo journal. Links stay links; nothing else is written.
- They do not fit: ``safefile`` edits a copy in the same folder (with generous padding, so the
  next write patches in place) and renames it over the original. A file with hard links is
  refused on this path, since the rename would split them.

Every path is the file's real path: a symbolic link is followed to the file it names, which is
written, and the link is left as it is.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from calmtune.errors import TagError
from calmtune.models import MoodSource
from calmtune.tags import values
from calmtune.tags._mutagen import (
    delete_raw,
    family_of,
    foreign_snapshot,
    get_raw,
    guarded,
    open_audio,
    os_reason,
    set_raw,
)
from calmtune.tags.fields import Family, Key, Storage, table_for, write_key
from calmtune.tags.formats import WRITABLE_FORMATS
from calmtune.tags.inplace import Patch, patch_files
from calmtune.tags.journal import Journal, default_journal_dir
from calmtune.tags.overlay import EditedView, NotInPlace, Region
from calmtune.tags.payload import PayloadError, payload_digest, same_payload
from calmtune.tags.provenance import (
    BY_CALMTUNE,
    BY_USER,
    format_provenance,
    parse_provenance,
)
from calmtune.tags.read import read_raw_text
from calmtune.tags.safefile import commit, fsync_folder, temp_copy, temp_path_for
from calmtune.tags.update import FieldChange, TagUpdate

_GAIN_FIELDS = ("replaygain_track_gain", "replaygain_album_gain")
_PEAK_FIELDS = ("replaygain_track_peak", "replaygain_album_peak")


def _texts(update: TagUpdate, family: Family) -> dict[str, str]:
    """field -> the text calmtune writes, for the fields this family can hold."""
    wanted: dict[str, str] = {}
    if update.mood is not None:
        wanted["mood"] = update.mood.value.capitalize()  # "Calm", as taggers show moods
    if update.bpm is not None:
        wanted["bpm"] = values.format_bpm(update.bpm)
    if update.key is not None:
        wanted["key"] = update.key.strip()
    for field in _GAIN_FIELDS:
        gain = getattr(update, field)
        if gain is not None:
            key = write_key(family, field)
            r128 = key is not None and key.storage is Storage.R128
            wanted[field] = values.format_r128(gain) if r128 else values.format_gain(gain)
    for field in _PEAK_FIELDS:
        peak = getattr(update, field)
        if peak is not None:
            wanted[field] = values.format_peak(peak)
    return {f: t for f, t in wanted.items() if write_key(family, f) is not None}


def _provenance_text(tags: Any, family: Family, update: TagUpdate, texts: dict[str, str]) -> str:
    entries = dict(parse_provenance(read_raw_text(tags, family, "provenance")))
    for field, text in texts.items():
        source = (
            BY_USER if field == "mood" and update.mood_source is MoodSource.USER else BY_CALMTUNE
        )
        entries[field] = (source, text)
    return format_provenance(entries)


def _is_exactly(tags: Any, family: Family, field: str, text: str) -> bool:
    """True when the field's write key holds exactly ``text`` and no alias key holds anything."""
    target = write_key(family, field)
    for key in table_for(family)[field]:
        raw = [str(v) for v in get_raw(tags, family, key)]
        if raw != ([text] if key == target else []):
            return False
    return True


def _planned(path: str, tags: Any, family: Family, update: TagUpdate) -> list[FieldChange]:
    texts = _texts(update, family)
    if texts:
        texts["provenance"] = _provenance_text(tags, family, update, texts)
    return [
        FieldChange(path, field, read_raw_text(tags, family, field), text)
        for field, text in texts.items()
        if not _is_exactly(tags, family, field, text)
    ]


def _writable_family(audio: Any, spec: Any) -> Family:
    if spec.name not in WRITABLE_FORMATS or spec.family is None:
        raise TagError(f"writing tags to {spec.name} files is not supported")
    family = family_of(audio, spec)
    assert family is not None
    return family


def plan_tag_changes(path: str, update: TagUpdate) -> list[FieldChange]:
    """The changes :func:`write_tags` would make, read from the file, nothing written."""
    audio, spec = open_audio(path)
    family = _writable_family(audio, spec)
    with guarded(f"{spec.name.upper()} file"):
        return _planned(path, audio.tags, family, update)


# Room left for later tags when a file is rewritten (the copy path): calmtune's own keys take a
# few hundred bytes, so the next several writes patch in place. Files keep larger padding they had.
COPY_PADDING = 8192


def _apply(audio: Any, family: Family, changes: list[FieldChange]) -> None:
    """Put the changes into the loaded tags (in memory; nothing is saved here)."""
    if audio.tags is None:
        audio.add_tags()
    for change in changes:
        target = write_key(family, change.field)
        assert target is not None
        for key in table_for(family)[change.field]:
            if key != target:
                delete_raw(audio.tags, family, key)
        set_raw(audio.tags, family, target, change.new)


def _save(audio: Any, family: Family, target: Any, padding: Any) -> None:
    """mutagen's save into ``target`` (a path or a file object), with calmtune's options."""
    options: dict[str, Any] = {}
    if family is Family.ID3V23:
        options["v2_version"] = 3  # a v2.3 file stays v2.3 (mutagen would upgrade it)
    elif family is Family.ID3V24:
        options["v2_version"] = 4
    if family is not Family.APEV2:  # APEv2 has no padding: its tag sits at the end, as it is
        options["padding"] = padding
    audio.save(target, **options)


def _keep_padding(info: Any) -> int:
    """The patch path keeps the file's length: use just the room there is, or give up."""
    if info.padding < 0:
        raise NotInPlace("the new tags need more room than the file keeps for them")
    return info.padding


def _generous_padding(info: Any) -> int:
    return max(info.padding, COPY_PADDING)


class _Expected:
    """What the written file must show, taken from the original before the edit."""

    def __init__(self, audio: Any, spec: Any, family: Family, changes: list[FieldChange]) -> None:
        self.kind = type(audio)
        self.spec = spec
        self.family = family
        self.changes = changes
        self.foreign = foreign_snapshot(audio.tags, family)

    def check_tags(self, path: str) -> None:
        """Load ``path`` afresh: same tag version, new keys exact, foreign tags unchanged."""
        after = self.kind(path)
        if family_of(after, self.spec) is not self.family:
            raise TagError("verification failed: the tag version changed")
        for change in self.changes:
            if not _is_exactly(after.tags, self.family, change.field, change.new):
                raise TagError(f"verification failed: {change.field} did not read back as written")
        if foreign_snapshot(after.tags, self.family) != self.foreign:
            raise TagError("verification failed: a tag calmtune does not own was altered")


def _edit_in_memory(path: str, audio: Any, family: Family) -> list[Region] | None:
    """Save the edited tags into a view of the file; the changed regions, or None when the
    file's length would have to change (the tags do not fit)."""
    with open(path, "rb") as base, EditedView(base) as view:
        try:
            _save(audio, family, view, _keep_padding)
        except NotInPlace:
            return None
        return view.changes()


def _check_patched_payload(path: str, fmt: str, regions: list[Region]) -> None:
    """The audio payload of the patched file is byte for byte the original's."""
    touched = [(r.offset, r.end) for r in regions]
    with open(path, "rb") as new, open(path, "rb") as base:
        old = EditedView(base, tuple((r.offset, r.old) for r in regions))
        try:
            same = same_payload(old, new, fmt, touched)
        except PayloadError as err:
            raise TagError(f"verification failed: {err}") from err
    if not same:
        raise TagError("verification failed: the audio data changed")


def _check_writable(path: str) -> os.stat_result:
    try:
        st = os.stat(path)
    except OSError as err:
        raise TagError(os_reason(err)) from err
    if not stat.S_ISREG(st.st_mode):
        raise TagError("not a regular file")
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise TagError("permission denied: the file is read-only")
    return st


def _check_unchanged(path: str, original: os.stat_result) -> None:
    """Refuse to replace a file that vanished or that another program changed meanwhile."""
    try:
        now = os.stat(path)
    except FileNotFoundError as err:
        raise TagError("file vanished while it was being tagged") from err
    if (now.st_size, now.st_mtime_ns, now.st_ino) != (
        original.st_size,
        original.st_mtime_ns,
        original.st_ino,
    ):
        raise TagError("file changed while it was being tagged; run the command again")


# Files patched per group commit (one journal sync for the group); small enough that a kill
# rolls back little, large enough that the journal sync is a small share of the files' syncs.
GROUP_SIZE = 32

Outcome = list[FieldChange] | TagError


class _Pending(NamedTuple):
    """A file whose edit is computed and waits for its group to be patched."""

    changes: list[FieldChange]
    patch: Patch


class TagWriter:
    """Writes tags into files, safely; a bulk run writes through one writer::

        with TagWriter() as writer:
            for path, outcome in writer.write_many((p, update) for p in paths):
                ...  # outcome: the changes made ([] if none were needed), or a TagError

    One undo journal (in calmtune's state folder) serves the run. Files that patch in place
    are committed in groups, one journal sync per group; each outcome is yielded once its file
    is written, synced and verified. Each folder where a file was replaced by a rewritten copy
    is synced once, when the writer closes.
    """

    def __init__(self, journal_dir: str | os.PathLike[str] | None = None) -> None:
        folder = Path(journal_dir) if journal_dir is not None else default_journal_dir()
        self._journal = Journal(folder)
        self._replaced_in: set[str] = set()

    def __enter__(self) -> TagWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Sync the folders of replaced files and remove the journal file."""
        try:
            for folder in sorted(self._replaced_in):
                fsync_folder(folder)
            self._replaced_in.clear()
        finally:
            self._journal.close()

    def write(self, path: str, update: TagUpdate) -> list[FieldChange]:
        """Write ``update`` into ``path`` and return the changes ([] when already so).

        Raises TagError, the file untouched, for unreadable, unsupported, read-only or vanished
        files, a full disk, a hard-linked file whose tags no longer fit, or a failed check.
        """
        [(_, outcome)] = self.write_many([(path, update)])
        if isinstance(outcome, TagError):
            raise outcome
        return outcome

    def write_many(self, jobs: Iterable[tuple[str, TagUpdate]]) -> Iterator[tuple[str, Outcome]]:
        """Write each ``(path, update)``; yields ``(path, outcome)`` in the jobs' order."""
        group: list[tuple[str, Outcome | _Pending]] = []
        inodes: set[tuple[int, int]] = set()
        for path, update in jobs:
            try:
                # The file a symbolic link names is written; the link stays as it is.
                real = os.path.realpath(path) if os.path.islink(path) else path
                original = _check_writable(real)
            except TagError as err:
                group.append((path, err))
                continue
            inode = (original.st_dev, original.st_ino)
            if inode in inodes:  # the same file again (another link to it): after this group
                yield from self._commit(group)
                group, inodes = [], set()
            item = self._start(path, real, original, update)
            if isinstance(item, _Pending):
                inodes.add(inode)
            group.append((path, item))
            if len(group) >= GROUP_SIZE:
                yield from self._commit(group)
                group, inodes = [], set()
        yield from self._commit(group)

    def _start(
        self, path: str, real: str, original: os.stat_result, update: TagUpdate
    ) -> Outcome | _Pending:
        """Read, plan and compute the edit in memory; a copy-path write is done right here."""
        try:
            audio, spec = open_audio(real)
            family = _writable_family(audio, spec)
            with guarded(f"{spec.name.upper()} file"):
                changes = _planned(path, audio.tags, family, update)
                if not changes:
                    return []
                expected = _Expected(audio, spec, family, changes)
                _apply(audio, family, changes)
                regions = _edit_in_memory(real, audio, family)
                if regions is None:
                    self._write_copy(real, original, expected)
                    return changes
        except TagError as err:
            return err

        def verify() -> None:
            with guarded(f"{spec.name.upper()} file"):
                expected.check_tags(real)
                _check_patched_payload(real, spec.name, regions)

        return _Pending(changes, Patch(real, original, regions, verify))

    def _commit(self, group: list[tuple[str, Outcome | _Pending]]) -> Iterator[tuple[str, Outcome]]:
        pending = [item for _, item in group if isinstance(item, _Pending)]
        errors = patch_files([p.patch for p in pending], self._journal) if pending else []
        failed = {id(p): err for p, err in zip(pending, errors, strict=True)}
        for path, item in group:
            if isinstance(item, _Pending):
                yield path, failed[id(item)] or item.changes
            else:
                yield path, item

    def _write_copy(self, real: str, original: os.stat_result, expected: _Expected) -> None:
        """Edit a copy with room to spare, prove it right, and rename it over the original."""
        if original.st_nlink > 1:
            raise TagError(
                f"the new tags do not fit in the room this file keeps for them, and it has "
                f"{original.st_nlink} hard links, which a rewritten copy would split "
                "(nothing written)"
            )
        try:
            before = payload_digest(real, expected.spec.name)
        except PayloadError as err:
            raise TagError(
                f"cannot check the audio data of this {expected.spec.name} file: {err}"
            ) from err
        tmp = temp_path_for(real)
        self._journal.begin_copy(tmp)
        try:
            with temp_copy(real, tmp):
                copy = expected.kind(tmp)
                _apply(copy, expected.family, expected.changes)
                _save(copy, expected.family, tmp, _generous_padding)
                expected.check_tags(tmp)
                try:
                    same_audio = payload_digest(tmp, expected.spec.name) == before
                except PayloadError as err:
                    raise TagError(f"verification failed: {err}") from err
                if not same_audio:
                    raise TagError("verification failed: the audio data changed")
                _check_unchanged(real, original)
                commit(tmp, real, original)
                self._replaced_in.add(os.path.dirname(real))
        finally:
            self._forget_copy(tmp)

    def _forget_copy(self, tmp: str) -> None:
        """Drop the record of a finished copy; keep it for the next run if the temp is left."""
        try:
            if os.path.lexists(tmp):
                self._journal.abandon()  # the next run's recovery removes the temp
            else:
                self._journal.clear()
        except OSError:  # a record naming a temp that is gone is harmless
            self._journal.abandon()


def write_tags(path: str, update: TagUpdate) -> list[FieldChange]:
    """One safe write (a bulk run uses :meth:`TagWriter.write_many`)."""
    with TagWriter() as writer:
        return writer.write(path, update)


__all__ = ["Key", "TagWriter", "plan_tag_changes", "write_tags"]
