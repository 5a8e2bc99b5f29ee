"""The incremental scanner: walk the roots, read what changed in parallel, write in batches.

A file whose size and mtime (nanoseconds) match the index is not opened again; neither is a broken
file that has not changed since it failed. Tags are read in worker processes; the main process
scores moods and writes batches of rows, each batch its own transaction, so a killed scan leaves a
consistent index that the next scan completes.
"""

import os
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any, NamedTuple

from calmtune.library.identity import Follower
from calmtune.library.index import Library, decode_path, encode_path
from calmtune.library.walk import FoundFile, WalkResult, walk_audio
from calmtune.models import MoodScores, TagInfo

BATCH_SIZE = 400
# Below this many files to read, a process pool costs more than it saves.
PARALLEL_THRESHOLD = 48


# NamedTuples and plain classes, not dataclasses, without ``from __future__ import annotations``:
# see library/walk.py for why and what it saved.


class ScanFailure(NamedTuple):
    path: str
    error: str


class ScanReport:
    __slots__ = (
        "added",
        "damaged",
        "failed",
        "missing_roots",
        "removed",
        "renamed",
        "roots",
        "unchanged",
        "updated",
    )

    def __init__(self, roots: list[str]) -> None:
        self.roots = roots
        self.added = 0
        self.updated = 0
        self.unchanged = 0
        self.removed = 0
        self.renamed = 0  # found under a new name by their audio (counted in "updated" too)
        self.failed: list[ScanFailure] = []
        # Indexed, but cut short or otherwise damaged (found when the file was read this time).
        self.damaged: list[ScanFailure] = []
        self.missing_roots: list[str] = []

    def to_json(self) -> dict:
        return {
            "roots": self.roots,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "renamed": self.renamed,
            "failed": [{"path": f.path, "error": f.error} for f in self.failed],
            "damaged": [{"path": f.path, "problem": f.error} for f in self.damaged],
        }


class ScanProgress(NamedTuple):
    """Sent to the caller as the scan goes: ``phase`` is "walking", "reading" or "done"."""

    phase: str
    done: int = 0
    total: int = 0


ProgressCallback = Callable[[ScanProgress], None]


ReadResult = tuple[str, TagInfo | None, MoodScores | None, str | None, str | None]


def read_one(path: str, mood_settings: Any = None) -> ReadResult:
    """Read one file's tags, check that it is whole, and score its mood from its tags. Runs in a
    worker process.

    Returns (path, tags, scores, None, damage), or (path, None, None, reason, None) for an
    unreadable file. A file cut short keeps the length that is really there, when its headers
    tell what part of the declared length that is.
    """
    from calmtune.errors import TagError
    from calmtune.library.scoring import score_track
    from calmtune.tags import read_tags
    from calmtune.tags.truncation import truncation

    try:
        tags = read_tags(path)
    except TagError as exc:
        return path, None, None, str(exc), None
    cut = truncation(path, tags.format)
    if cut is not None and cut.fraction is not None and tags.duration:
        tags = tags._replace(duration=tags.duration * cut.fraction)
    damage = cut.reason if cut is not None else None
    return path, tags, score_track(tags, None, None, mood_settings), None, damage


def scan(
    library: Library,
    roots: Iterable[str],
    *,
    jobs: int | None = None,
    on_progress: ProgressCallback | None = None,
    remember: bool = True,
) -> ScanReport:
    """Bring the index up to date with the files under ``roots`` (folders or files).

    With ``remember`` the folders among them become library roots (merged with the others, so
    none lies inside another); ``analyze PATH`` scans without remembering."""
    from calmtune.tags import AUDIO_EXTENSIONS

    progress = on_progress or (lambda _p: None)
    roots = list(dict.fromkeys(os.path.abspath(os.path.expanduser(r)) for r in roots))
    report = ScanReport(roots=roots)
    present_roots = [r for r in roots if os.path.exists(r)]
    report.missing_roots = [r for r in roots if r not in present_roots]
    for missing in report.missing_roots:
        report.failed.append(ScanFailure(missing, "library root does not exist (not mounted?)"))
    if remember:
        library.add_roots(r for r in present_roots if os.path.isdir(r))
    library.rescore_if_rules_changed()

    progress(ScanProgress("walking"))
    walked = WalkResult()
    for root in present_roots:
        walk_audio(root, AUDIO_EXTENSIONS, walked)
    report.failed.extend(ScanFailure(p.path, p.error) for p in walked.problems)

    known = library.file_states()
    known_failures = library.failure_states()
    to_read: list[FoundFile] = []
    # Walked paths are already absolute: encode them once, for the comparison and for removal.
    seen = [os.fsencode(found.path) for found in walked.files]
    for key, found in zip(seen, walked.files, strict=True):
        state = (found.size, found.mtime_ns)
        if known.get(key) == state:
            report.unchanged += 1
        elif key in known_failures and known_failures[key][:2] == state:
            report.failed.append(ScanFailure(found.path, known_failures[key][2]))
        else:
            to_read.append(found)

    gone = _vanished(present_roots, walked, seen, known, known_failures)
    changed = [key for key in (os.fsencode(f.path) for f in to_read) if key in known]
    follower = Follower(library, gone, changed)
    _read_and_store(library, to_read, jobs, report, progress, follower, known)
    report.renamed = follower.renamed
    report.removed = library.remove_paths(gone) if gone else 0
    progress(ScanProgress("done", len(to_read), len(to_read)))
    return report


def _read_and_store(
    library: Library,
    to_read: list[FoundFile],
    jobs: int | None,
    report: ScanReport,
    progress: ProgressCallback,
    follower: Follower,
    known: dict[bytes, tuple[int, int]],
) -> None:
    total = len(to_read)
    progress(ScanProgress("reading", 0, total))
    by_path = {f.path: f for f in to_read}
    batch: list[tuple] = []
    failures: list[tuple[str, int | None, int | None, str]] = []

    def flush() -> None:
        if batch:
            added, updated = library.upsert_scanned(batch)
            follower.apply()
            report.added += added
            report.updated += updated
            batch.clear()
        if failures:
            library.record_failures(failures)
            report.failed.extend(ScanFailure(p, e) for p, _, _, e in failures)
            failures.clear()

    reader = partial(read_one, mood_settings=library.mood_settings)
    results = _read_all(reader, [f.path for f in to_read], jobs)
    for done, (path, tags, scores, error, damage) in enumerate(results, 1):
        found = by_path[path]
        if tags is not None:
            key = os.fsencode(path)
            follower.consider(path, key, tags.format, is_new=key not in known)
            batch.append((path, found.size, found.mtime_ns, tags, scores, damage))
            if damage is not None:
                report.damaged.append(ScanFailure(path, damage))
        else:
            failures.append((path, found.size, found.mtime_ns, error or "unreadable"))
        if len(batch) + len(failures) >= BATCH_SIZE:
            flush()
        progress(ScanProgress("reading", done, total))
    flush()


def _read_all(
    reader: Callable[[str], ReadResult], paths: list[str], jobs: int | None
) -> Iterator[ReadResult]:
    """Yield read results, in a pool of worker processes when there is enough to do."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD:
        yield from map(reader, paths)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from calmtune.workers import die_with_parent

    # fork: workers inherit the already-imported modules, so they start in milliseconds.
    context = multiprocessing.get_context("fork")
    chunk = max(1, min(64, len(paths) // (jobs * 8)))
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        yield from pool.map(reader, paths, chunksize=chunk)


def _vanished(
    roots: list[str],
    walked: WalkResult,
    seen_keys: list[bytes],
    known: dict[bytes, tuple[int, int]],
    known_failures: dict[bytes, tuple],
) -> list[bytes]:
    """Indexed files under the scanned roots that were not seen this time (renamed, or gone).

    Files under a folder that could not be listed are kept: an unreadable folder or an unmounted
    drive is not a deletion.
    """
    seen = set(seen_keys)
    seen.update(encode_path(p.path) for p in walked.problems)
    scopes = [_scope(os.fsencode(r)) for r in roots]
    shielded = [_scope(os.fsencode(os.path.abspath(d))) for d in walked.unlisted_dirs]
    gone = [
        key
        for key in (*known, *known_failures)
        if key not in seen
        and any(_within(key, s) for s in scopes)
        and not any(_within(key, s) for s in shielded)
    ]
    return gone


def _scope(root: bytes) -> bytes:
    return root.rstrip(b"/")


def _within(key: bytes, scope: bytes) -> bool:
    return key == scope or key.startswith(scope + b"/")


__all__ = ["ScanFailure", "ScanProgress", "ScanReport", "decode_path", "read_one", "scan"]
