"""Writing moods (and measured BPM / ReplayGain) from the index into the files, and back.

The ``calmtune tag`` command's logic, kept out of the CLI so it can be tested and reused: which
tracks to tag, what to write into each, the safe write (``calmtune.tags``), and the index update
in the same step, so the next scan does not see the file as changed by someone else.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from calmtune.errors import CalmtuneError, TagError
from calmtune.library.index import KEEP_USER_MOOD, KeepUserMood, Library
from calmtune.models import BPM_TAG_MIN_CONFIDENCE, Mood, MoodSource, Track
from calmtune.mood.vocabulary import mood_from_word

NO_ANALYSIS = "not analysed yet (run `calmtune analyze` first)"


@dataclass(frozen=True, slots=True)
class TagRequest:
    """What the user asked for. ``mood`` set: a manual mood; None: the inferred moods."""

    mood: Mood | None = None
    bpm: bool = False
    replaygain: bool = False
    force: bool = False
    dry_run: bool = False


@dataclass(slots=True)
class TagReport:
    """The outcome of a run, in the JSON shape of ``calmtune tag`` (docs/cli.md)."""

    written: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (path, what was left out)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, error)
    changes: list = field(default_factory=list)  # calmtune.tags.FieldChange
    dry_run: bool = False
    recovered: list = field(default_factory=list)  # calmtune.tags RecoveryNote: killed runs' writes

    def to_json(self) -> dict:
        return {
            "written": self.written,
            "unchanged": self.unchanged,
            "skipped": len(self.skipped),
            "failed": [{"path": p, "error": e} for p, e in self.failed],
            "changes": [c.as_dict() for c in self.changes],
            "notes": [{"path": p, "note": n} for p, n in self.notes],
            "dry_run": self.dry_run,
            "recovered": [{"path": n.path, "action": n.action} for n in self.recovered],
        }


def select_tracks(library: Library, paths: Iterable[str]) -> tuple[list[Track], list[str]]:
    """Indexed tracks at or under ``paths`` (all tracks when empty), and the paths that matched
    nothing. A file not yet indexed is read and indexed first, so ``tag FILE`` just works."""
    from calmtune.tags import read_tags

    wanted = [os.path.abspath(p) for p in paths]
    if not wanted:
        return list(library.iter_tracks(sort="path")), []
    tracks: dict[str, Track] = {}
    unmatched: list[str] = []
    for target in wanted:
        if os.path.isfile(target):
            track = library.get_track(target)
            if track is None:
                st = os.stat(target)
                library.upsert_scanned(
                    [(target, st.st_size, st.st_mtime_ns, read_tags(target), None)]
                )
                track = library.get_track(target)
            if track is not None:
                tracks[track.path] = track
            continue
        prefix = target.rstrip(os.sep) + os.sep
        found = [t for t in library.iter_tracks(sort="path") if t.path.startswith(prefix)]
        if not found:
            unmatched.append(target)
        tracks.update((t.path, t) for t in found)
    return [tracks[p] for p in sorted(tracks)], unmatched


def _inferred_without_user(library: Library, track: Track) -> Mood:
    """The mood calmtune infers when the user's own mood (index or file) is set aside (--force)."""
    tags = track.tags._replace(mood=None, mood_by_calmtune=False)
    return library.score(tags, track.features, None).mood


def _users_mood_in_file(track: Track) -> str | None:
    """The mood text the user set in the file (in calmtune or another tagger), if any. A mood
    another tagger wrote is the user's even in words calmtune does not map ("Melancholic").

    Read from the file as it is now, not from the index: another tagger may have set or changed
    the mood since the last scan, and the index's copy would let calmtune replace it."""
    from calmtune.tags import read_tags

    try:
        tags = read_tags(track.path)
    except TagError:
        tags = track.tags  # unreadable now: the write that follows fails with its own reason
    text = tags.mood
    if text and text.strip() and not tags.mood_by_calmtune:
        return text.strip()
    return None


def update_for(library: Library, track: Track, request: TagRequest, notes: list | None = None):
    """The ``TagUpdate`` for one track, or a string saying why it is skipped.

    ``notes`` collects (path, note) for parts of a request left out while the rest is written
    (an unsure tempo). Raises CalmtuneError when ``--bpm``/``--replaygain`` need an analysis
    the track lacks.
    """
    from calmtune.tags import TagUpdate

    fields: dict = {}
    users = _users_mood_in_file(track)
    if request.mood is not None:
        in_file = mood_from_word(users) if users else None
        # A mood the user set through calmtune is theirs to change here; one set in another
        # tagger is replaced only with --force.
        set_here = in_file is not None and track.user_mood == in_file.value
        if users and not request.force and not set_here and not _file_says_set_here(track.path):
            if in_file is request.mood:
                return f"the file's mood '{users}' already means {request.mood.value}"
            return f"the user set the mood '{users}' in the file (use --force to replace it)"
        fields.update(mood=request.mood, mood_source=MoodSource.USER)
    else:
        scores = track.scores
        user_set = users is not None or (scores is not None and scores.source is MoodSource.USER)
        if user_set and not request.force:
            return "the user set this mood (use --force to replace it)"
        if user_set:
            mood = _inferred_without_user(library, track)
        else:
            mood = scores.mood if scores is not None else Mood.UNKNOWN
        if mood is not Mood.UNKNOWN:
            fields.update(mood=mood, mood_source=MoodSource.WRITTEN_BY_CALMTUNE)
    if request.bpm or request.replaygain:
        f = track.features
        if f is None:
            raise CalmtuneError(NO_ANALYSIS)
        if request.bpm and f.bpm is not None and (track.tags.bpm is None or request.force):
            if f.bpm_confidence is None or f.bpm_confidence >= BPM_TAG_MIN_CONFIDENCE:
                fields["bpm"] = f.bpm
            elif notes is not None:
                notes.append((track.path, _unsure_tempo_note(f.bpm, f.bpm_confidence)))
        has_gain = track.tags.replaygain_track_gain is not None
        if request.replaygain and f.loudness_lufs is not None and (not has_gain or request.force):
            fields["replaygain_track_gain"] = f.replaygain_track_gain
            if f.peak_dbfs is not None:
                fields["replaygain_track_peak"] = round(10 ** (f.peak_dbfs / 20.0), 6)
    if not fields:
        return "no confident mood to write" if request.mood is None else "nothing to write"
    return TagUpdate(**fields)


def _file_says_set_here(path: str) -> bool:
    """The file's own record that the user set its mood through calmtune, asked when the index
    does not say so: a run killed after writing the file but before updating the index (or a
    scan since) leaves the index unaware of it, and calmtune must not then take its own write
    for another tagger's. The record is written with the mood, in the same file write."""
    from calmtune.tags import mood_set_by_user_here

    try:
        return mood_set_by_user_here(path)
    except TagError:
        return False  # unreadable now: keep the file as it is; the write would fail anyway


def _unsure_tempo_note(bpm: float, confidence: float) -> str:
    return (
        f"tempo {bpm:.0f} BPM not written: its confidence {confidence:.2f} is below "
        f"{BPM_TAG_MIN_CONFIDENCE:g}, too unsure for a tag other players read"
    )


def tag_tracks(
    library: Library,
    tracks: list[Track],
    request: TagRequest,
    on_progress: Callable[[int, int], None] | None = None,
    on_recovered: Callable[[object], None] | None = None,
) -> TagReport:
    """Tag each track, per-file failures collected (the run goes on), the index kept in step.

    First, writes a killed run left unfinished are rolled back; ``on_recovered`` hears of each
    (a ``calmtune.tags`` RecoveryNote) before any file is written."""
    from calmtune.tags import (
        TagWriter,
        cleanup_stale_temp_files,
        plan_tag_changes,
        recover_interrupted_writes,
    )

    report = TagReport(dry_run=request.dry_run)
    if (request.bpm or request.replaygain) and tracks and all(t.features is None for t in tracks):
        raise CalmtuneError(
            "--bpm and --replaygain write measured values, and none of these tracks is analysed yet",
            hint="run `calmtune analyze` first",
        )
    if not request.dry_run:
        report.recovered = recover_interrupted_writes()  # what a killed run left half-written
        for note in report.recovered:
            if on_recovered is not None:
                on_recovered(note)
        cleanup_stale_temp_files(t.path for t in tracks)
    by_path = {track.path: track for track in tracks}
    done = 0

    def progressed() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, len(tracks))

    def updates() -> Iterator[tuple[str, object]]:
        """(path, TagUpdate) per track to write; skips and failures are reported here."""
        for track in tracks:
            try:
                update = update_for(library, track, request, report.notes)
            except CalmtuneError as err:  # a track lacking the analysis it needs
                report.failed.append((track.path, str(err)))
                progressed()
                continue
            if isinstance(update, str):
                report.skipped.append((track.path, update))
                progressed()
                continue
            yield track.path, update

    def planned() -> Iterator[tuple[str, object]]:
        for path, update in updates():
            try:
                yield path, plan_tag_changes(path, update)
            except CalmtuneError as err:
                yield path, err

    # One writer for the run: one undo journal, files committed in groups (see calmtune.tags).
    with TagWriter() as writer:
        outcomes = planned() if request.dry_run else writer.write_many(updates())
        for path, outcome in outcomes:
            track = by_path[path]
            try:
                if isinstance(outcome, Exception):
                    raise outcome
                changes = outcome
                if not request.dry_run:
                    _record(library, track, request, changes)
                report.changes.extend(changes)
                if changes:
                    report.written += 1
                else:
                    report.unchanged += 1
            except CalmtuneError as err:  # TagError: this file was not written
                report.failed.append((track.path, str(err)))
            except OSError as err:  # the file vanished between the write and the index update
                report.failed.append((track.path, err.strerror or str(err)))
            finally:
                progressed()
    return report


def _record(library: Library, track: Track, request: TagRequest, changes: list) -> None:
    """Keep the index in step with a file just handled, in one transaction when it was written
    (its new tags and the user's mood together; see ``Library.update_after_tag_write``)."""
    from calmtune.tags import read_tags

    user_mood: Mood | KeepUserMood | None = KEEP_USER_MOOD
    if request.mood is not None:
        user_mood = request.mood
    elif request.force and track.user_mood is not None:
        user_mood = None  # --force replaces the user's
    if changes:
        st = os.stat(track.path)
        tags = read_tags(track.path)
        library.update_after_tag_write(
            track.path, tags, st.st_size, st.st_mtime_ns, user_mood=user_mood
        )
    elif not isinstance(user_mood, KeepUserMood):
        library.set_user_mood(track.path, user_mood)
