"""Plan and perform a tag write through the field table, safely (see ``safefile``).

The write edits a temp copy with mutagen, then proves the copy right before it replaces the
original: the written keys read back, every tag calmtune does not own is unchanged, and the audio
payload bytes are identical. Only then does a rename swap the files.
"""

from __future__ import annotations

import os
import stat
from typing import Any

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
from calmtune.tags.payload import PayloadError, payload_digest
from calmtune.tags.provenance import (
    BY_CALMTUNE,
    BY_USER,
    format_provenance,
    parse_provenance,
)
from calmtune.tags.read import read_raw_text
from calmtune.tags.safefile import commit, temp_copy
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


def _apply(audio: Any, family: Family, changes: list[FieldChange]) -> None:
    if audio.tags is None:
        audio.add_tags()
    for change in changes:
        target = write_key(family, change.field)
        assert target is not None
        for key in table_for(family)[change.field]:
            if key != target:
                delete_raw(audio.tags, family, key)
        set_raw(audio.tags, family, target, change.new)
    if family is Family.ID3V23:
        audio.save(v2_version=3)  # a v2.3 file stays v2.3 (mutagen would upgrade it)
    elif family is Family.ID3V24:
        audio.save(v2_version=4)
    else:
        audio.save()


def _verify(tmp: str, kind: type, family: Family, changes: list[FieldChange], before: Any) -> None:
    """Prove the temp copy right: new keys exact, foreign tags and audio bytes unchanged."""
    after = kind(tmp)
    if family_of(after, before.spec) is not family:
        raise TagError("verification failed: the tag version changed")
    for change in changes:
        if not _is_exactly(after.tags, family, change.field, change.new):
            raise TagError(f"verification failed: {change.field} did not read back as written")
    if foreign_snapshot(after.tags, family) != before.foreign:
        raise TagError("verification failed: a tag calmtune does not own was altered")
    try:
        same_audio = payload_digest(tmp, before.spec.name) == before.payload
    except PayloadError as err:
        raise TagError(f"verification failed: {err}") from err
    if not same_audio:
        raise TagError("verification failed: the audio data changed")


class _Before:
    """What the original looked like, to compare the edited copy against."""

    def __init__(self, path: str, audio: Any, spec: Any, family: Family) -> None:
        self.spec = spec
        self.foreign = foreign_snapshot(audio.tags, family)
        try:
            self.payload = payload_digest(path, spec.name)
        except PayloadError as err:
            raise TagError(f"cannot check the audio data of this {spec.name} file: {err}") from err


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


def write_tags(path: str, update: TagUpdate, *, sync_folder: bool = True) -> list[FieldChange]:
    """Write ``update`` into ``path`` safely and return the changes ([] when already so).

    A bulk run may pass ``sync_folder=False`` and call ``fsync_folders`` once at the end.

    Raises TagError (the original file untouched) for unreadable, unsupported, read-only or
    vanished files, a full disk, or a copy that fails verification.
    """
    original = _check_writable(path)
    audio, spec = open_audio(path)
    family = _writable_family(audio, spec)
    with guarded(f"{spec.name.upper()} file"):
        changes = _planned(path, audio.tags, family, update)
        if not changes:
            return []
        before = _Before(path, audio, spec, family)
        with temp_copy(path) as tmp:
            copy = type(audio)(tmp)
            _apply(copy, family, changes)
            _verify(tmp, type(audio), family, changes, before)
            _check_unchanged(path, original)
            commit(tmp, path, original, sync_folder=sync_folder)
    return changes


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


__all__ = ["Key", "plan_tag_changes", "write_tags"]
