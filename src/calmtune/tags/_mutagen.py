"""The one place calmtune talks to mutagen: open a file, get/set/delete raw keys, map errors.

Loaded on first use (never by ``calmtune/tags/__init__.py`` at import), so scanning processes
and ``calmtune --help`` do not pay for importing mutagen.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import struct
from collections.abc import Iterator
from typing import Any, BinaryIO

import mutagen
from mutagen.aac import AAC
from mutagen.ac3 import AC3
from mutagen.aiff import AIFF
from mutagen.asf import ASF, ASFUnicodeAttribute
from mutagen.dsdiff import DSDIFF
from mutagen.dsf import DSF
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TXXX, Frames
from mutagen.monkeysaudio import MonkeysAudio
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, AtomDataType, MP4FreeForm
from mutagen.musepack import Musepack
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggspeex import OggSpeex
from mutagen.oggvorbis import OggVorbis
from mutagen.optimfrog import OptimFROG
from mutagen.tak import TAK
from mutagen.trueaudio import TrueAudio
from mutagen.wave import WAVE
from mutagen.wavpack import WavPack

from calmtune.errors import TagError
from calmtune.tags.fields import Family, Key, Storage, owned_keys
from calmtune.tags.formats import FORMATS, FormatSpec
from calmtune.tags.payload import id3v2_length
from calmtune.userfiles import NotRegularFile, open_regular

# The generic ID3FileType/APEv2File, OggTheora (video) and SMF (MIDI) are left out on purpose.
_KINDS = (
    MP3, TrueAudio, OggSpeex, OggVorbis, OggFLAC, FLAC, AIFF, MP4, WavPack, Musepack,
    MonkeysAudio, OptimFROG, ASF, OggOpus, AAC, AC3, TAK, DSF, DSDIFF, WAVE,
)  # fmt: skip

# What broken files provoke inside mutagen besides MutagenError. Caught only at this boundary.
_BROKEN_FILE_ERRORS = (
    struct.error, ValueError, IndexError, KeyError, EOFError, OverflowError, UnicodeError,
    AssertionError, ZeroDivisionError, TypeError, MemoryError,
)  # fmt: skip


def os_reason(err: OSError) -> str:
    """A short reason for an OS error, with the fix where there is an obvious one."""
    if isinstance(err, NotRegularFile):
        return err.strerror
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if err.errno == errno.ENOENT:
        return "file not found (it vanished or was renamed)"
    if err.errno == errno.ENOSPC:
        return "disk full (no space left on device)"
    if err.errno == errno.EROFS:
        return "read-only file system"
    if err.errno == errno.EISDIR:
        return "is a folder, not a file"
    return f"cannot access file: {err.strerror or err}"


@contextlib.contextmanager
def guarded(what: str) -> Iterator[None]:
    """Turn anything a bad file makes mutagen raise into one TagError with a one-line reason."""
    try:
        yield
    except TagError:
        raise
    except OSError as err:  # before MutagenError: mutagen's errors may subclass OSError too
        if isinstance(err, mutagen.MutagenError):
            raise TagError(_mutagen_reason(what, err)) from err
        raise TagError(os_reason(err)) from err
    except mutagen.MutagenError as err:
        raise TagError(_mutagen_reason(what, err)) from err
    except _BROKEN_FILE_ERRORS as err:
        raise TagError(f"truncated or corrupt {what}: {type(err).__name__}: {err}") from err


def _mutagen_reason(what: str, err: Exception) -> str:
    cause = err.__cause__ or err.__context__
    if (
        isinstance(cause, OSError)
        and not isinstance(cause, mutagen.MutagenError)
        and cause.errno is not None
    ):
        return os_reason(cause)
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return f"truncated or corrupt {what}: {text}"


def _candidates(path: str, fobj: BinaryIO) -> list[type]:
    """mutagen types that may read ``path``, best first: content decides, the extension only
    breaks ties. (mutagen.File lets the name weigh more, so a FLAC named .mp3 fails as MP3.)
    A leading ID3v2 tag is skipped first, so FLAC and TTA files carrying one sniff right."""
    body = fobj.read(128)
    tag_length = id3v2_length(body)
    if tag_length:
        fobj.seek(tag_length)
        body = fobj.read(128)
    ranked = []
    for kind in _KINDS:
        content = kind.score("", fobj, body)
        named = kind.score(path, fobj, body) - content
        if tag_length and kind in (MP3, TrueAudio):
            content += 1  # the ID3 prefix itself is evidence for formats that carry one
        if content > 0 or named > 0:
            ranked.append((content, named, kind.__name__, kind))
    ranked.sort(reverse=True)
    return [kind for *_, kind in ranked]


def open_audio(path: str) -> tuple[Any, FormatSpec]:
    """Load ``path`` with the mutagen type its content says, or raise TagError.

    The file is opened once, through ``calmtune.userfiles`` (regular files only: a FIFO named
    ``p.mp3`` would block a plain open for ever), and every candidate type reads that handle.
    """
    with guarded("audio file"):
        fobj = open_regular(path)
    with fobj:
        with guarded("audio file"):
            kinds = _candidates(path, fobj)
        first_error: TagError | None = None
        for kind in kinds[:3]:
            spec = FORMATS[kind.__name__]
            try:
                with guarded(f"{spec.name.upper()} stream"):
                    fobj.seek(0)
                    return kind(fobj), spec
            except TagError as err:
                if isinstance(err.__cause__, OSError) and not isinstance(
                    err.__cause__, mutagen.MutagenError
                ):
                    raise
                first_error = first_error or err
    if first_error is not None:
        raise first_error
    raise TagError("not an audio file mutagen recognises")


def family_of(audio: Any, spec: FormatSpec) -> Family | None:
    """The tag family to use for this file: ID3 files keep their own version (2.3 stays 2.3)."""
    if spec.family in (Family.ID3V24, Family.ID3V23):
        tags = audio.tags
        if isinstance(tags, ID3) and tags.version[:2] == (2, 3):
            return Family.ID3V23
        return Family.ID3V24
    return spec.family


# ---- raw key access -------------------------------------------------------------------------


def _id3_frames(tags: Any, name: str) -> list[Any]:
    if name.startswith("TXXX:"):
        desc = name[5:].casefold()
        return [f for f in tags.getall("TXXX") if f.desc.casefold() == desc]
    return list(tags.getall(name))


def _mp4_names(tags: Any, name: str) -> list[str]:
    """MP4 freeform names are matched case-insensitively (``MOOD`` vs ``mood``)."""
    if name.startswith("----:"):
        folded = name.casefold()
        return [k for k in tags if k.casefold() == folded]
    return [name] if name in tags else []


def _asf_names(tags: Any, name: str) -> list[str]:
    folded = name.casefold()
    return [k for k in dict.fromkeys(tags.keys()) if k.casefold() == folded]


def get_raw(tags: Any, family: Family, key: Key) -> list[Any]:
    """The raw values under ``key`` (text, ints, pairs), in file order; [] when absent."""
    if tags is None:
        return []
    if family in (Family.ID3V24, Family.ID3V23):
        frames = _id3_frames(tags, key.name)
        if key.name == "TCON":  # "(17)" and "(17)Rock" are ID3v1 genre numbers: use names
            return [genre for frame in frames for genre in frame.genres]
        return [text for frame in frames for text in frame.text]
    if family in (Family.VORBIS, Family.OPUS, Family.APEV2):
        if key.name not in tags:
            return []
        value = tags[key.name]
        if family is Family.APEV2:
            return [str(v) for v in value] if hasattr(value, "__iter__") else [str(value)]
        return list(value)
    if family is Family.MP4:
        values: list[Any] = []
        for name in _mp4_names(tags, key.name):
            for v in tags[name]:
                values.append(bytes(v).decode("utf-8", "replace") if isinstance(v, bytes) else v)
        return values
    if family is Family.ASF:
        return [a.value for n in _asf_names(tags, key.name) for a in tags[n]]
    raise AssertionError(family)


def delete_raw(tags: Any, family: Family, key: Key) -> None:
    if family in (Family.ID3V24, Family.ID3V23):
        for frame in _id3_frames(tags, key.name):
            del tags[frame.HashKey]
    elif family in (Family.VORBIS, Family.OPUS, Family.APEV2):
        if key.name in tags:
            del tags[key.name]
    elif family is Family.MP4:
        for name in _mp4_names(tags, key.name):
            del tags[name]
    elif family is Family.ASF:
        for name in _asf_names(tags, key.name):
            del tags[name]


def set_raw(tags: Any, family: Family, key: Key, text: str) -> None:
    """Replace every value under ``key`` (in any spelling) with the one value ``text``."""
    delete_raw(tags, family, key)
    if family in (Family.ID3V24, Family.ID3V23):
        if key.name.startswith("TXXX:"):
            # UTF-8 here; mutagen re-encodes as UTF-16 when it saves a v2.3 tag.
            tags.add(TXXX(encoding=3, desc=key.name[5:], text=[text]))
        else:
            tags.add(Frames[key.name](encoding=3, text=[text]))
    elif family in (Family.VORBIS, Family.OPUS, Family.APEV2):
        tags[key.name] = [text] if family is not Family.APEV2 else text
    elif family is Family.MP4:
        if key.storage is Storage.MP4_INT:
            tags[key.name] = [int(text)]
        else:
            tags[key.name] = [MP4FreeForm(text.encode("utf-8"), dataformat=AtomDataType.UTF8)]
    elif family is Family.ASF:
        tags[key.name] = [ASFUnicodeAttribute(text)]


def foreign_snapshot(tags: Any, family: Family) -> list[tuple[str, str]]:
    """A comparable picture of every tag calmtune does not own, to prove a write kept them."""
    if tags is None:
        return []
    owned = owned_keys(family)
    items: list[tuple[str, str]] = []
    if family in (Family.ID3V24, Family.ID3V23):
        owned_names = {k.name.casefold() for k in owned}
        for frame in tags.values():
            name = f"TXXX:{frame.desc}" if frame.FrameID == "TXXX" else frame.FrameID
            if name.casefold() in owned_names:
                continue
            items.append((frame.HashKey, _digest(repr(frame))))
    else:
        owned_names = {k.name.casefold() for k in owned}
        keys = tags.keys() if family is not Family.VORBIS else [k for k, _ in tags]
        for name in dict.fromkeys(keys):
            if name.casefold() in owned_names:
                continue
            items.append((name.casefold(), _digest(repr(tags[name]))))
    return sorted(items)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
