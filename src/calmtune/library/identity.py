"""A track's identity is its audio, not its name: analyses follow files that are renamed, moved or
re-tagged by another program.

The key is the digest of the audio payload (``tags.payload``: every byte that is not tag data),
stored with each analysis (``features.payload``). A tag edit at the same name is handled when
the row is stored (``Library.upsert_scanned``); this module follows renames and moves. A scan compares it only where it matters: for a file whose size or
modification time changed, and, when analysed files vanished, for new files of the same format.
An unchanged library is never hashed.
"""

from __future__ import annotations

from calmtune.library.index import Library


def audio_digest(path: str, fmt: str) -> bytes | None:
    """The audio payload digest of ``path``, as analyses store it (``Library.store_features``),
    or None when it cannot be had (then nothing follows the file, which is only a missed
    chance)."""
    from calmtune.tags import audio_payload_digest

    return audio_payload_digest(path, fmt)


class Follower:
    """During one scan: decides, per file read, whether an analysis follows it, and applies that
    once the file's new row is stored."""

    def __init__(self, library: Library, vanished: list[bytes], changed: list[bytes]) -> None:
        self.library = library
        digests = library.analysis_digests([*vanished, *changed]) if vanished or changed else {}
        gone = set(vanished)
        # (format, digest) -> stored path of a vanished analysed file
        self.vanished = {fd: key for key, fd in digests.items() if key in gone}
        self.changed = {key: fd[1] for key, fd in digests.items() if key not in gone}
        self.pending: list[tuple[str, bytes]] = []
        self.renamed = 0

    def consider(self, path: str, key: bytes, fmt: str, is_new: bool) -> None:
        """Call before the file's row is stored: a renamed file takes over its old row."""
        if key in self.changed:
            digest = audio_digest(path, fmt)
            if digest is not None and digest == self.changed[key]:
                self.pending.append((path, digest))
        elif is_new and self.vanished:
            digest = audio_digest(path, fmt)
            old_key = self.vanished.pop((fmt, digest), None) if digest is not None else None
            if old_key is not None:
                self.library.rename_track(old_key, path)
                self.pending.append((path, digest))
                self.renamed += 1

    def apply(self) -> None:
        """Call after the rows are stored: their analyses now hold for the files as they are."""
        for path, digest in self.pending:
            self.library.carry_analysis(path, digest)
        self.pending.clear()
