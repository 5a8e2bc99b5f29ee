"""The library index: tracks, their features and moods, and the library roots.

``Library`` is the only way the rest of calmtune reads or writes the index; no other package runs SQL.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calmtune.errors import LibraryError
from calmtune.library.db import check_writable, connect, damaged_error, write_transaction
from calmtune.library.expressions import CURRENT_FEATURES, CURRENT_LOUDNESS, EFFECTIVE_BPM
from calmtune.models import (
    ANALYSIS_VERSION,
    Features,
    Mood,
    MoodScores,
    MoodSource,
    TagInfo,
    Track,
)
from calmtune.safetext import escape_undecodable

if TYPE_CHECKING:
    from calmtune.query import Term

# Formats SDL_mixer decodes itself (pygame-ce); others need ffmpeg to be played.
NATIVE_PLAYABLE_FORMATS = frozenset({"mp3", "flac", "ogg", "opus", "wav", "aiff", "wv", "oggflac"})

# --sort names -> SQL ORDER BY; missing values (NULL) always sort last.
SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "path": ("t.path",),
    "title": ("t.title COLLATE NOCASE",),
    "artist": ("t.artist COLLATE NOCASE", "t.album COLLATE NOCASE", "t.tracknumber"),
    "album": ("t.album COLLATE NOCASE", "t.tracknumber"),
    "genre": ("t.genre COLLATE NOCASE",),
    "duration": ("t.duration",),
    "bpm": (EFFECTIVE_BPM,),
    "loudness": (CURRENT_LOUDNESS,),
    "mood": ("t.mood", "-t.mood_confidence"),
    "confidence": ("-t.mood_confidence",),
    "format": ("t.format",),
    "year": ("t.year",),
}

_TRACK_COLUMNS = """
    t.id, t.path, t.size, t.mtime_ns, t.format, t.duration, t.sample_rate, t.channels, t.bitrate,
    t.title, t.artist, t.album, t.albumartist, t.genre, t.tracknumber, t.tag_bpm, t.tag_key,
    t.tag_mood, t.tag_mood_by_calmtune, t.rg_track_gain, t.rg_track_peak, t.rg_album_gain,
    t.rg_album_peak, t.user_mood, t.mood, t.mood_source, t.mood_confidence, t.score_calm,
    t.score_upbeat, t.score_focus, t.arousal, t.valence, t.reasons, t.year, t.damage,
    f.size, f.mtime_ns, f.error, f.bpm, f.bpm_confidence, f.loudness_lufs, f.peak_dbfs,
    f.loudness_range, f.onset_density, f.brightness, f.onset_strength, f.spectral_flux,
    f.percussive_share, f.bass_share, f.tonal_clarity, f.low_percussive_share, f.roughness,
    f.texture_change, f.silent
"""
# The measured values, in ``Features`` order (silent last).
_FEATURE_COLUMNS = (
    "f.bpm, f.bpm_confidence, f.loudness_lufs, f.peak_dbfs, f.loudness_range, f.onset_density, "
    "f.brightness, f.onset_strength, f.spectral_flux, f.percussive_share, f.bass_share, "
    "f.tonal_clarity, f.low_percussive_share, f.roughness, f.texture_change, f.silent"
)
_TRACK_FROM = "FROM tracks t LEFT JOIN features f ON f.track_id = t.id"
# Which fields calmtune's tag reader fills: a row read by an older reader (a lower number) is read
# again by the next scan, so a field added later (1: the year) reaches tracks already indexed.
TAGS_VERSION = 1
# Consecutive ids read per seek when sampling a big library (see ``Library._sample_runs``).
SAMPLE_RUN = 8


class KeepUserMood:
    """The type of :data:`KEEP_USER_MOOD`."""


# ``update_after_tag_write(..., user_mood=KEEP_USER_MOOD)``: leave the user's mood as it is.
KEEP_USER_MOOD = KeepUserMood()


def encode_path(path: str) -> bytes:
    """The key a path is stored under: the file system's own bytes, absolute."""
    return os.fsencode(os.path.abspath(path))


def decode_path(raw: bytes) -> str:
    return os.fsdecode(raw)


def _ffmpeg_available() -> bool:
    import shutil

    return shutil.which("ffmpeg") is not None


class Library:
    """An open index. Use as a context manager, or call ``close``."""

    def __init__(self, conn: sqlite3.Connection, path: Path, mood_settings: Any = None) -> None:
        self.conn = conn
        self.path = path
        self.mood_settings = mood_settings
        self._ffmpeg: bool | None = None

    @classmethod
    def open(cls, path: Path, *, mood_settings: Any = None, create: bool = True) -> Library:
        """Open the index at ``path``. ``create=False`` (commands that only read): a missing
        index reads as an empty one, and nothing is created on disk."""
        return cls(connect(Path(path), create=create), Path(path), mood_settings)

    def require_writable(self) -> None:
        """Raise LibraryError unless writes to the index can be committed (read-only file or
        folder, full disk). Commands that change files call it before they change any."""
        check_writable(self.conn, self.path)

    def close(self) -> None:
        self.conn.close()

    @property
    def journal(self):
        """The listening-session journal stored in this index."""
        from calmtune.library.journal import Journal

        return Journal(self.conn)

    @property
    def preferences(self):
        """The listener's likes and bans (``calmtune like``, ``calmtune ban``)."""
        from calmtune.library.preferences import Preferences

        return Preferences(self.conn)

    @property
    def goals(self):
        """The listener's goals (``calmtune goal``)."""
        from calmtune.library.goals import Goals

        return Goals(self.conn)

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- roots -------------------------------------------------------------------------------

    def roots(self) -> list[str]:
        rows = self.conn.execute("SELECT path FROM roots ORDER BY path").fetchall()
        return [decode_path(r[0]) for r in rows]

    def add_roots(self, paths: Iterable[str]) -> list[str]:
        """Remember folders as library roots, merged so that none lies inside another: a folder
        inside a root adds nothing, a folder holding roots replaces them. Returns the roots."""
        now = time.time()
        with write_transaction(self.conn):
            stored = [r[0] for r in self.conn.execute("SELECT path FROM roots")]
            merged = merge_roots([*stored, *(encode_path(p) for p in paths)])
            gone = [key for key in stored if key not in merged]
            self.conn.executemany("DELETE FROM roots WHERE path = ?", [(k,) for k in gone])
            self.conn.executemany(
                "INSERT OR IGNORE INTO roots (path, added_at) VALUES (?, ?)",
                [(key, now) for key in merged],
            )
        return [decode_path(key) for key in merged]

    def forget_root(self, path: str) -> int:
        """Forget the library root ``path`` and drop the tracks under it from the index (the
        files are not touched). Returns how many tracks were dropped."""
        key = encode_path(path).rstrip(b"/") or b"/"
        with write_transaction(self.conn):
            if not self.conn.execute("DELETE FROM roots WHERE path = ?", (key,)).rowcount:
                raise LibraryError(
                    f"{path} is not a library root", hint="`calmtune roots` lists them"
                )
            low, high = _under(key)
            dropped = self.conn.execute(
                "DELETE FROM tracks WHERE path >= ? AND path < ?", (low, high)
            ).rowcount
            self.conn.execute("DELETE FROM scan_failures WHERE path >= ? AND path < ?", (low, high))
        return dropped

    def count_under(self, path: str) -> int:
        """How many indexed tracks lie under the folder ``path``."""
        low, high = _under(encode_path(path).rstrip(b"/") or b"/")
        return self.conn.execute(
            "SELECT count(*) FROM tracks WHERE path >= ? AND path < ?", (low, high)
        ).fetchone()[0]

    # -- reading tracks ----------------------------------------------------------------------

    def count(
        self, mood: str | None = None, *, at_most: int | None = None, query: Sequence[Term] = ()
    ) -> int:
        """How many tracks (of ``mood``, matching ``query``) the index holds. With ``at_most``,
        counting stops there: "are there more than N?" then costs N steps, not a walk over the
        whole mood."""
        where, params = self._where(mood, query)
        source = f"{_TRACK_FROM} {where}" if query else f"FROM tracks t {where}"
        if at_most is None:
            sql = f"SELECT count(*) {source}"
        else:
            sql = f"SELECT count(*) FROM (SELECT 1 {source} LIMIT ?)"
            params.append(at_most)
        return self.conn.execute(sql, params).fetchone()[0]

    def _where(self, mood: str | None, query: Sequence[Term]) -> tuple[str, list[Any]]:
        """``WHERE ...`` for one mood and the query terms (see ``library.query_sql``)."""
        conditions, params = ["1"], []
        if mood is not None:
            conditions.append("t.mood = ?")
            params.append(mood)
        if query:
            from calmtune.library.query_sql import register_functions, where_clause

            register_functions(self.conn)
            condition, values = where_clause(query)
            conditions.append(condition)
            params.extend(values)
        return f"WHERE {' AND '.join(conditions)}", params

    def damaged(self) -> list[tuple[str, str]]:
        """(path, why) for every indexed file that looks damaged (see ``tags.truncation``)."""
        rows = self.conn.execute(
            "SELECT path, damage FROM tracks WHERE damage IS NOT NULL ORDER BY path"
        )
        return [(decode_path(r[0]), r[1]) for r in rows]

    def count_untagged(self) -> int:
        """Tracks with a confident inferred mood not yet written into the file (``calmtune tag``)."""
        return self.conn.execute(
            "SELECT count(*) FROM tracks WHERE mood_source = 'inferred' AND mood != 'unknown'"
        ).fetchone()[0]

    def get_track(self, path: str) -> Track | None:
        row = self.conn.execute(
            f"SELECT {_TRACK_COLUMNS} {_TRACK_FROM} WHERE t.path = ?", (encode_path(path),)
        ).fetchone()
        return self._track_from_row(row) if row else None

    def tracks_under(self, path: str) -> list[tuple[int, str]]:
        """(id, path) of the indexed track at ``path``, or of every one inside the folder
        ``path``, by path."""
        key = encode_path(path)
        folder = key.rstrip(b"/") + b"/"
        upper = folder[:-1] + b"0"  # the byte after "/": the end of the folder's range
        rows = self.conn.execute(
            "SELECT id, path FROM tracks WHERE path = ? OR (path >= ? AND path < ?) ORDER BY path",
            (key, folder, upper),
        )
        return [(r[0], decode_path(r[1])) for r in rows]

    def iter_tracks(
        self,
        mood: str | None = None,
        sort: str = "artist",
        limit: int | None = None,
        *,
        query: Sequence[Term] = (),
        descending: bool = False,
    ) -> Iterator[Track]:
        """Tracks in the index, optionally of one mood and matching ``query`` (terms of
        ``calmtune.query``), sorted by a ``SORT_COLUMNS`` name. Unknown values sort last either
        way."""
        if sort not in SORT_COLUMNS:
            raise LibraryError(
                f"cannot sort by '{sort}'", hint=f"use one of {', '.join(SORT_COLUMNS)}"
            )
        direction = " DESC" if descending else ""
        order = ", ".join(f"({c}) IS NULL, {c}{direction}" for c in SORT_COLUMNS[sort])
        where, params = self._where(mood, query)
        sql = f"SELECT {_TRACK_COLUMNS} {_TRACK_FROM} {where} ORDER BY {order}, t.path"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        for row in self.conn.execute(sql, params):
            yield self._track_from_row(row)

    def track_rows(
        self,
        mood: str | None = None,
        *,
        sample: int | None = None,
        seed: int = 0,
        query: Sequence[Term] = (),
        include: Iterable[str] = (),
    ) -> list[tuple]:
        """Light rows for playlist selection, straight from SQL, in ``playlists.select.TrackRow``
        order: (path, duration, bpm, lufs, artist, albumartist, album, genre, mood, mood_source,
        score_calm, score_upbeat, score_focus, confidence, playable), sorted by path.

        ``bpm`` is the measured tempo, else the BPM tag; ``lufs`` the measured loudness, else the
        one implied by the ReplayGain tag (-18 - gain). Building a ``Track`` per file would cost
        ten times as much on a 100,000-track index.

        ``sample`` limits the rows to a pseudo-random subset of at most about that size, the same
        for the same ``seed`` and index, so a big library is not read whole. ``query`` keeps the
        tracks its terms match (``calmtune.query``). ``include`` names paths whose rows (of
        that mood, matching the query) join a sample: the tracks the listener's sessions know.
        """
        current = CURRENT_FEATURES
        sql = (
            f"SELECT t.path, t.duration, "
            f"{EFFECTIVE_BPM}, "
            f"CASE WHEN {current} AND f.loudness_lufs IS NOT NULL THEN f.loudness_lufs "
            f"ELSE -18.0 - t.rg_track_gain END, "
            "t.artist, t.albumartist, t.album, t.genre, t.mood, t.mood_source, "
            "COALESCE(t.score_calm, 0), COALESCE(t.score_upbeat, 0), COALESCE(t.score_focus, 0), "
            f"t.mood_confidence, t.format {_TRACK_FROM}"
        )
        where, params = self._where(mood, query)
        if sample is not None and self.count(mood, at_most=sample + 1, query=query) > sample:
            rows = self._sample_runs(f"{sql} {where}", params, sample, seed)
            if include:
                rows = self._with_paths(f"{sql} {where}", params, rows, include)
        else:
            rows = self.conn.execute(f"{sql} {where} ORDER BY t.path", params).fetchall()
        fsdecode, playable = os.fsdecode, self._playable
        return [(fsdecode(r[0]), *r[1:14], playable(r[14])) for r in rows]

    def _sample_runs(self, query: str, params: list, sample: int, seed: int) -> list[tuple]:
        """About ``sample`` rows of ``query`` as short runs of consecutive ids, each starting at a
        seeded random id.

        Each run is one seek on an index and reads neighbouring table pages, so 1,000 rows of a
        100,000-track index cost a few milliseconds; filtering every row of the mood by a hash of
        its id cost several times more. Runs are short so that one album, which a scan stores
        under consecutive ids, cannot fill the sample: the rows come from about sample/8 places.
        """
        import random

        top = self.conn.execute("SELECT max(id) FROM tracks").fetchone()[0] or 0
        rng = random.Random(seed)
        starts = sorted(rng.randrange(1, top + 1) for _ in range(-(-sample // SAMPLE_RUN)))
        run = f"{query} AND t.id >= ? ORDER BY t.id LIMIT {SAMPLE_RUN}"
        by_path: dict[bytes, tuple] = {}  # runs that overlap give a row twice
        for start in starts:
            for row in self.conn.execute(run, [*params, start]):
                by_path[row[0]] = row
        return [by_path[path] for path in sorted(by_path)]

    def _with_paths(
        self, query: str, params: list, rows: list[tuple], include: Iterable[str]
    ) -> list[tuple]:
        """``rows`` (sorted by path) and those of ``query`` at the ``include`` paths."""
        by_path = {row[0]: row for row in rows}
        keys = [encode_path(p) for p in include]
        for start in range(0, len(keys), 500):  # well under SQLite's variable limit
            chunk = keys[start : start + 500]
            sql = f"{query} AND t.path IN ({', '.join('?' * len(chunk))})"
            for row in self.conn.execute(sql, [*params, *chunk]):
                by_path[row[0]] = row
        return [by_path[path] for path in sorted(by_path)]

    def file_states(self) -> dict[bytes, tuple[int, int]]:
        """Every indexed path with its (size, mtime_ns): what a rescan compares against. A row an
        older tag reader filled gives mtime -1, so the rescan reads the file again."""
        sql = "SELECT path, size, CASE WHEN tags_version >= ? THEN mtime_ns ELSE -1 END FROM tracks"
        return {r[0]: (r[1], r[2]) for r in self.conn.execute(sql, (TAGS_VERSION,))}

    def failure_states(self) -> dict[bytes, tuple[int | None, int | None, str]]:
        rows = self.conn.execute("SELECT path, size, mtime_ns, error FROM scan_failures")
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def tracks_needing_analysis(self) -> list[Track]:
        """Tracks with no analysis result for their current file contents, or one measured by an
        older analysis that lacks features the mood engine now weighs (``ANALYSIS_VERSION``)."""
        sql = (
            f"SELECT {_TRACK_COLUMNS} {_TRACK_FROM} WHERE f.track_id IS NULL "
            "OR f.size != t.size OR f.mtime_ns != t.mtime_ns "
            f"OR (f.version < {ANALYSIS_VERSION} AND f.error IS NULL AND f.silent = 0) "
            "ORDER BY t.path"
        )
        return [self._track_from_row(r) for r in self.conn.execute(sql)]

    def _track_from_row(self, row: tuple) -> Track:
        try:
            return self._decode_track_row(row)
        except (ValueError, TypeError, AttributeError) as exc:
            raise damaged_error(self.path, f"a track row holds {type(exc).__name__}") from None

    def _decode_track_row(self, row: tuple) -> Track:
        (tid, raw_path, size, mtime_ns, fmt, duration, sample_rate, channels, bitrate, title,
         artist, album, albumartist, genre, tracknumber, tag_bpm, tag_key, tag_mood,
         tag_mood_by_calmtune, rg_tg, rg_tp, rg_ag, rg_ap, user_mood, mood, mood_source,
         confidence, s_calm, s_upbeat, s_focus, arousal, valence, reasons, year, damage, f_size,
         f_mtime, f_error) = row[:38]  # fmt: skip
        tags = TagInfo(
            format=fmt, duration=duration, sample_rate=sample_rate, channels=channels,
            bitrate=bitrate, title=title, artist=artist, album=album, albumartist=albumartist,
            genre=genre, tracknumber=tracknumber, bpm=tag_bpm, key=tag_key, mood=tag_mood,
            mood_by_calmtune=bool(tag_mood_by_calmtune), replaygain_track_gain=rg_tg,
            replaygain_track_peak=rg_tp, replaygain_album_gain=rg_ag, replaygain_album_peak=rg_ap,
            year=year,
        )  # fmt: skip
        features = None
        if f_size == size and f_mtime == mtime_ns and f_error is None:
            features = _features_from(row[38:])
        scores = MoodScores(
            calm=s_calm or 0.0, upbeat=s_upbeat or 0.0, focus=s_focus or 0.0, arousal=arousal,
            valence=valence, mood=Mood(mood), confidence=confidence,
            source=MoodSource(mood_source), reasons=_reasons(reasons),
        )  # fmt: skip
        track = Track(
            path=decode_path(raw_path), size=size, mtime_ns=mtime_ns, tags=tags,
            features=features, scores=scores, playable=self._playable(fmt), id=tid,
            user_mood=user_mood, damage=damage,
        )  # fmt: skip
        return track

    def _playable(self, fmt: str) -> bool:
        if fmt in NATIVE_PLAYABLE_FORMATS:
            return True
        if self._ffmpeg is None:
            self._ffmpeg = _ffmpeg_available()
        return self._ffmpeg

    # -- writing tracks ----------------------------------------------------------------------

    def score(self, tags: TagInfo, features: Features | None, user_mood: str | None) -> MoodScores:
        """The mood engine's verdict for one track's evidence."""
        from calmtune.library.scoring import score_track

        return score_track(tags, features, user_mood, self.mood_settings)

    def upsert_scanned(self, items: list[tuple]) -> tuple[int, int]:
        """Store freshly read files in one transaction. Returns (added, updated).

        Items are (path, size, mtime_ns, tags, scores) and, from a scan, the damage found (a
        reason, or None for a whole file).

        Each item may carry scores computed from its tags alone (the scanner's workers do that in
        parallel); a track whose user chose a mood in calmtune, or whose analysis still fits the
        file (its tags were read again, the audio is the same), is re-scored here with those.
        """
        keys = [encode_path(item[0]) for item in items]
        existing = self._known_tracks(keys)
        payloads = self._analysed_payloads([tid for tid, _mood, _id in existing.values()])
        now = time.time()
        inserts, updates, carried = [], [], []
        for key, (path, size, mtime_ns, tags, scores, *rest) in zip(keys, items, strict=True):
            damage = rest[0] if rest else None
            tid, user_mood, analysed = existing.get(key, (None, None, None))
            features = self._features_for(tid) if analysed == (size, mtime_ns) else None
            if (
                features is None
                and tid in payloads
                and _same_audio(path, tags.format, payloads[tid])
            ):
                # Only the tags changed (another tagger wrote them): the analysis holds.
                carried.append((size, mtime_ns, tid))
                features = self._features_for(tid)
            if scores is None or user_mood is not None or features is not None:
                scores = self.score(tags, features, user_mood)
            values = (*_tag_values(tags), *_score_values(scores), size, mtime_ns, now, damage)
            if tid is None:
                inserts.append((*values, key))
            else:
                updates.append((*values, tid))
        with write_transaction(self.conn):
            self.conn.executemany(
                "UPDATE features SET size = ?, mtime_ns = ? WHERE track_id = ?", carried
            )
            self.conn.executemany(
                f"INSERT INTO tracks ({_TAG_COLS}, {_SCORE_COLS}, size, mtime_ns, scanned_at, "
                "damage, path) VALUES "
                f"({_placeholders(_TAG_COLS, _SCORE_COLS, 'size, mtime_ns, scanned_at, damage, path')})",
                inserts,
            )
            self.conn.executemany(
                f"UPDATE tracks SET {_assignments(_TAG_COLS, _SCORE_COLS)}, size = ?, mtime_ns = ?, "
                "scanned_at = ?, damage = ? WHERE id = ?",
                updates,
            )
            self.conn.executemany("DELETE FROM scan_failures WHERE path = ?", [(k,) for k in keys])
        return len(inserts), len(updates)

    def _analysed_payloads(self, track_ids: list[int]) -> dict[int, bytes]:
        """The audio payload digests stored with the analyses of these tracks (where known)."""
        found: dict[int, bytes] = {}
        for start in range(0, len(track_ids), 500):
            chunk = track_ids[start : start + 500]
            rows = self.conn.execute(
                "SELECT track_id, payload FROM features WHERE payload IS NOT NULL AND error IS "
                f"NULL AND track_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            found.update((r[0], r[1]) for r in rows)
        return found

    def _known_tracks(
        self, keys: list[bytes]
    ) -> dict[bytes, tuple[int, str | None, tuple[int, int] | None]]:
        """For indexed paths: id, the user's mood, and the file identity (size, mtime_ns) the
        track's analysis was measured on (None: not analysed, or it failed)."""
        found: dict[bytes, tuple[int, str | None, tuple[int, int] | None]] = {}
        for start in range(0, len(keys), 500):  # stay well under SQLite's variable limit
            chunk = keys[start : start + 500]
            rows = self.conn.execute(
                f"SELECT t.path, t.id, t.user_mood, f.size, f.mtime_ns, f.error {_TRACK_FROM} "
                f"WHERE t.path IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for path, tid, user_mood, f_size, f_mtime, f_error in rows:
                analysed = (f_size, f_mtime) if f_size is not None and f_error is None else None
                found[path] = (tid, user_mood, analysed)
        return found

    def record_failures(self, items: list[tuple[str, int | None, int | None, str]]) -> None:
        """Remember files that could not be read, so an unchanged broken file is not re-read."""
        now = time.time()
        with write_transaction(self.conn):
            for path, size, mtime_ns, error in items:
                key = encode_path(path)
                self.conn.execute("DELETE FROM tracks WHERE path = ?", (key,))
                self.conn.execute(
                    "INSERT OR REPLACE INTO scan_failures VALUES (?, ?, ?, ?, ?)",
                    (key, size, mtime_ns, _text(error), now),
                )

    def remove_paths(self, keys: Iterable[bytes]) -> int:
        """Drop vanished files (tracks and remembered failures) by stored key."""
        keys = list(keys)
        removed = 0
        with write_transaction(self.conn):
            for key in keys:
                removed += self.conn.execute("DELETE FROM tracks WHERE path = ?", (key,)).rowcount
                self.conn.execute("DELETE FROM scan_failures WHERE path = ?", (key,))
        return removed

    def update_after_tag_write(
        self,
        path: str,
        tags: TagInfo,
        size: int,
        mtime_ns: int,
        *,
        user_mood: Mood | KeepUserMood | None = KEEP_USER_MOOD,
    ) -> None:
        """Record a file calmtune just re-tagged, so the next scan does not see it as changed,
        and (when given) the mood the user chose for it, in the same transaction: a kill between
        two would leave the user's mood recorded beside the file's old tags, and the next
        ``tag --mood`` would take calmtune's own write for another tagger's.

        Only tags changed, not audio, so an analysis result follows the file to its new identity.
        """
        key = encode_path(path)
        with write_transaction(self.conn):
            row = self.conn.execute(
                f"SELECT t.id, t.user_mood, t.size, t.mtime_ns, f.size, f.mtime_ns {_TRACK_FROM} "
                "WHERE t.path = ?",
                (key,),
            ).fetchone()
            if row is None:
                raise LibraryError(f"{path} is not in the index", hint="run `calmtune scan` first")
            tid, stored_mood, old_size, old_mtime, f_size, f_mtime = row
            if isinstance(user_mood, KeepUserMood):
                user_mood = stored_mood
            else:
                user_mood = None if user_mood is None else Mood(user_mood).value
            features = None
            if (f_size, f_mtime) == (old_size, old_mtime):
                self.conn.execute(
                    "UPDATE features SET size = ?, mtime_ns = ? WHERE track_id = ?",
                    (size, mtime_ns, tid),
                )
                features = self._features_for(tid)
            scores = self.score(tags, features, user_mood)
            values = _tag_values(tags) + _score_values(scores) + (size, mtime_ns, time.time())
            self.conn.execute(
                f"UPDATE tracks SET {_assignments(_TAG_COLS, _SCORE_COLS)}, size = ?, mtime_ns = ?, "
                "scanned_at = ?, user_mood = ? WHERE id = ?",
                (*values, user_mood, tid),
            )

    def set_user_mood(self, path: str, mood: Mood | None) -> MoodScores:
        """Set (or clear, with None) a mood the user chose in calmtune; it wins over inference."""
        track = self._require(path)
        value = None if mood is None else Mood(mood).value
        scores = self.score(track.tags, track.features, value)
        with write_transaction(self.conn):
            self.conn.execute(
                f"UPDATE tracks SET user_mood = ?, {_assignments(_SCORE_COLS)} WHERE id = ?",
                (value, *_score_values(scores), track.id),
            )
        return scores

    def store_features(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        features: Features | None,
        error: str | None,
    ) -> MoodScores | None:
        """Cache an analysis result (or its failure) for the file identity it was measured on,
        with the digest of its audio payload (so a later change of tags alone keeps it), and
        re-score the track's mood with it. Returns the new scores (None for a failure)."""
        track = self._require(path)
        f = features or Features()
        payload = _payload_digest(path, track.tags.format) if features is not None else None
        with write_transaction(self.conn):
            self.conn.execute(
                "INSERT OR REPLACE INTO features (track_id, size, mtime_ns, bpm, bpm_confidence, "
                "loudness_lufs, peak_dbfs, loudness_range, onset_density, brightness, "
                "onset_strength, spectral_flux, percussive_share, bass_share, tonal_clarity, "
                "low_percussive_share, roughness, texture_change, silent, error, analyzed_at, "
                "version, payload) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (track.id, size, mtime_ns, f.bpm, f.bpm_confidence, f.loudness_lufs, f.peak_dbfs,
                 f.loudness_range, f.onset_density, f.brightness, f.onset_strength,
                 f.spectral_flux, f.percussive_share, f.bass_share, f.tonal_clarity,
                 f.low_percussive_share, f.roughness, f.texture_change, int(f.silent),
                 _text(error), time.time(), ANALYSIS_VERSION, payload),
            )  # fmt: skip
            if features is None:
                return None
            current = (size, mtime_ns) == (track.size, track.mtime_ns)
            scores = self.score(track.tags, features if current else None, track.user_mood)
            self.conn.execute(
                f"UPDATE tracks SET {_assignments(_SCORE_COLS)} WHERE id = ?",
                (*_score_values(scores), track.id),
            )
        return scores

    # -- identity by audio content -----------------------------------------------------------

    def analysis_digests(self, keys: Iterable[bytes]) -> dict[bytes, tuple[str, bytes]]:
        """For stored paths whose analysis knows its audio digest: key -> (format, digest)."""
        found: dict[bytes, tuple[str, bytes]] = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):  # stay well under SQLite's variable limit
            chunk = keys[start : start + 500]
            rows = self.conn.execute(
                "SELECT t.path, t.format, f.payload FROM tracks t JOIN features f "
                "ON f.track_id = t.id WHERE f.payload IS NOT NULL AND f.error IS NULL "
                f"AND t.path IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            found.update((r[0], (r[1], r[2])) for r in rows)
        return found

    def rename_track(self, old_key: bytes, new_path: str) -> None:
        """Move a track (its analysis, the mood its user set, its row) to the file's new name."""
        new_key = encode_path(new_path)
        with write_transaction(self.conn):
            self.conn.execute("DELETE FROM tracks WHERE path = ?", (new_key,))
            self.conn.execute("UPDATE tracks SET path = ? WHERE path = ?", (new_key, old_key))
            self.conn.execute("DELETE FROM scan_failures WHERE path IN (?, ?)", (old_key, new_key))

    def carry_analysis(self, path: str, audio_digest: bytes) -> bool:
        """After a tag edit or a rename: if the file's audio is the audio its analysis was
        measured on, the analysis holds for the file as it is now, and the mood is re-scored with
        it. Returns whether it held."""
        key = encode_path(path)
        with write_transaction(self.conn):
            moved = self.conn.execute(
                "UPDATE features SET size = (SELECT size FROM tracks WHERE id = track_id), "
                "mtime_ns = (SELECT mtime_ns FROM tracks WHERE id = track_id) "
                "WHERE track_id = (SELECT id FROM tracks WHERE path = ?) AND payload = ? "
                "AND error IS NULL",
                (key, audio_digest),
            ).rowcount
        if moved:
            track = self._require(path)
            scores = self.score(track.tags, track.features, track.user_mood)
            with write_transaction(self.conn):
                self.conn.execute(
                    f"UPDATE tracks SET {_assignments(_SCORE_COLS)} WHERE id = ?",
                    (*_score_values(scores), track.id),
                )
        return bool(moved)

    def rescore_all(self) -> int:
        """Recompute every stored mood (after the mood settings changed). Returns the count."""
        tracks = list(self.iter_tracks(sort="path"))
        with write_transaction(self.conn):
            for track in tracks:
                scores = self.score(track.tags, track.features, track.user_mood)
                self.conn.execute(
                    f"UPDATE tracks SET {_assignments(_SCORE_COLS)} WHERE id = ?",
                    (*_score_values(scores), track.id),
                )
        return len(tracks)

    def rescore_if_rules_changed(self) -> int:
        """Re-score every track when the mood settings or calmtune's version differ from those the
        stored moods were computed with (a changed ``[mood]`` section must not leave stale moods).
        Returns how many tracks were re-scored."""
        from calmtune import __version__

        fingerprint = f"{__version__} {self.mood_settings!r}"
        if self.get_meta("mood_rules") == fingerprint:
            return 0
        count = self.rescore_all() if self.count() else 0
        self.set_meta("mood_rules", fingerprint)
        return count

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with write_transaction(self.conn):
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity check; empty when the index is sound."""
        try:
            rows = self.conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [r[0] for r in rows if r[0] != "ok"]

    def _features_for(self, track_id: int) -> Features | None:
        """The stored analysis of a track, whatever file identity it was measured on: for a
        caller that has just found the audio unchanged."""
        row = self.conn.execute(
            f"SELECT {_FEATURE_COLUMNS} FROM features f WHERE track_id = ? AND error IS NULL",
            (track_id,),
        ).fetchone()
        return _features_from(row) if row else None

    def _require(self, path: str) -> Track:
        track = self.get_track(path)
        if track is None:
            raise LibraryError(f"{path} is not in the index", hint="run `calmtune scan` first")
        return track


_TAG_COLS = (
    "format, duration, sample_rate, channels, bitrate, title, artist, album, albumartist, genre, "
    "tracknumber, tag_bpm, tag_key, tag_mood, tag_mood_by_calmtune, rg_track_gain, rg_track_peak, "
    "rg_album_gain, rg_album_peak, year, tags_version"
)
_SCORE_COLS = (
    "mood, mood_source, mood_confidence, score_calm, score_upbeat, score_focus, arousal, valence, "
    "reasons"
)


def _features_from(values: tuple) -> Features:
    """``Features`` from the ``_FEATURE_COLUMNS`` values of one row."""
    return Features(*values[:-1], silent=bool(values[-1]))


def _payload_digest(path: str, fmt: str) -> bytes | None:
    from calmtune.tags import audio_payload_digest

    return audio_payload_digest(path, fmt)


def _same_audio(path: str, fmt: str, stored: bytes) -> bool:
    """Whether the file's audio payload is still the one its analysis was measured on."""
    return _payload_digest(path, fmt) == stored


def merge_roots(keys: Iterable[bytes]) -> list[bytes]:
    """Root keys with duplicates and roots inside other roots removed, sorted."""
    merged: list[bytes] = []
    for key in sorted({k.rstrip(b"/") or b"/" for k in keys}):
        if not any(key == top or key.startswith(top.rstrip(b"/") + b"/") for top in merged):
            merged.append(key)
    return merged


def _under(folder: bytes) -> tuple[bytes, bytes]:
    """The range of stored paths inside ``folder``: ``folder/`` up to ``folder0`` ('0' follows
    '/' in byte order), so SQLite answers from the path index."""
    prefix = folder.rstrip(b"/") + b"/"
    return prefix, prefix[:-1] + b"0"


def _placeholders(*column_lists: str) -> str:
    return ", ".join("?" for cols in column_lists for _ in cols.split(","))


def _assignments(*column_lists: str) -> str:
    names = [c.strip() for cols in column_lists for c in cols.split(",")]
    return ", ".join(f"{n} = ?" for n in names)


def _text(value: str | None) -> str | None:
    """Text as SQLite can store it: a message naming a file whose name is not UTF-8 holds lone
    surrogates, which SQLite refuses; they are kept as visible ``\\xNN`` escapes."""
    return escape_undecodable(value) if value is not None else None


def _tag_values(t: TagInfo) -> tuple:
    return (
        t.format, t.duration, t.sample_rate, t.channels, t.bitrate, _text(t.title),
        _text(t.artist), _text(t.album), _text(t.albumartist), _text(t.genre), t.tracknumber,
        t.bpm, _text(t.key), _text(t.mood), int(t.mood_by_calmtune),
        t.replaygain_track_gain, t.replaygain_track_peak, t.replaygain_album_gain,
        t.replaygain_album_peak, t.year, TAGS_VERSION,
    )  # fmt: skip


def _reasons(stored: str | None) -> list[str]:
    return stored.split("\n") if stored else []


def _score_values(s: MoodScores) -> tuple:
    return (
        s.mood.value, s.source.value, s.confidence, s.calm, s.upbeat, s.focus, s.arousal,
        s.valence, _text(reasons_text(s.reasons)),
    )  # fmt: skip


def reasons_text(reasons: list[str]) -> str | None:
    """Reasons as stored: one per line. They are one-line sentences, so a line break that a tag
    brought into one (a genre name, say) becomes a space. Plain text rather than JSON spares
    every command that loads a track the json import."""
    return "\n".join(" ".join(reason.splitlines()) for reason in reasons) or None


__all__ = ["Library", "decode_path", "encode_path"]
