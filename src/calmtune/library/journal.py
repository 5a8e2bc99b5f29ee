"""The session journal: what was played, for how long, how it ended, and the stress ratings.

A session row is written when the session starts and updated as it goes, so a session killed
without warning still leaves an entry (ended_by "running", with what it had played). Each play of
a track is one listening event (``session_tracks``): written when the track starts, closed with
its outcome when it ends (docs/design.md, "Listening events").
"""

from __future__ import annotations

import os
import sqlite3
import time
from typing import TYPE_CHECKING

from calmtune.library.db import write_transaction
from calmtune.safetext import escape_undecodable

if TYPE_CHECKING:
    from calmtune.listening import EndedBy, ListeningSummary, PlayOutcome, SessionRecord


class Journal:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def start(
        self, recipe: str, *, stress_before: int | None = None, started: float | None = None
    ) -> int:
        with write_transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO sessions (started, recipe, stress_before) VALUES (?, ?, ?)",
                (
                    started if started is not None else time.time(),
                    escape_undecodable(recipe),  # a recipe file's name may not be UTF-8
                    stress_before,
                ),
            )
        return int(cur.lastrowid)

    def track_started(
        self,
        session_id: int,
        path: str,
        *,
        track_id: int | None = None,
        replay: bool = False,
        started: float | None = None,
    ) -> int:
        """Record that a track started (its listening event, outcome still open); returns the
        event's position in the session, for :meth:`track_ended`. Written at once, so a session
        killed without warning loses at most how its current track ended."""
        key = os.fsencode(os.path.abspath(path))
        with write_transaction(self.conn):
            position = self.conn.execute(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM session_tracks WHERE session_id = ?",
                (session_id,),
            ).fetchone()[0]
            self.conn.execute(
                "INSERT INTO session_tracks (session_id, position, path, played_at, seconds, "
                "track_id, replay) VALUES (?, ?, ?, ?, 0, ?, ?)",
                (
                    session_id,
                    position,
                    key,
                    started if started is not None else time.time(),
                    track_id,
                    int(replay),
                ),
            )
        return int(position)

    def track_ended(
        self, session_id: int, position: int, seconds: float, outcome: PlayOutcome
    ) -> None:
        """Close a listening event: how long it was heard and how it ended."""
        from calmtune.listening import PlayOutcome

        with write_transaction(self.conn):
            self.conn.execute(
                "UPDATE session_tracks SET seconds = ?, outcome = ? "
                "WHERE session_id = ? AND position = ?",
                (seconds, PlayOutcome(outcome).value, session_id, position),
            )
            self.conn.execute(
                "UPDATE sessions SET listened_seconds = listened_seconds + ? WHERE id = ?",
                (seconds, session_id),
            )

    def track_played(
        self,
        session_id: int,
        path: str,
        seconds: float,
        outcome: PlayOutcome | str = "finished",
        *,
        track_id: int | None = None,
        replay: bool = False,
        started: float | None = None,
    ) -> None:
        """Record a whole play at once (imports, generated journals and tests)."""
        position = self.track_started(
            session_id, path, track_id=track_id, replay=replay, started=started
        )
        self.track_ended(session_id, position, seconds, outcome)

    def listening(self, track_id: int) -> ListeningSummary:
        """How the listener treated one track over every session (``calmtune show``)."""
        import statistics  # only show needs these; a playlist build reads the journal too

        from calmtune.listening import ListeningSummary, PlayOutcome

        rows = self.conn.execute(
            "SELECT outcome, replay, seconds, played_at FROM session_tracks WHERE track_id = ?",
            (track_id,),
        ).fetchall()
        counts = dict.fromkeys(PlayOutcome, 0)
        unknown = replayed = 0
        skipped_after = []
        for outcome, replay, seconds, _played_at in rows:
            replayed += replay
            if outcome is None:
                unknown += 1
                continue
            counts[PlayOutcome(outcome)] += 1
            if outcome == PlayOutcome.SKIPPED:
                skipped_after.append(seconds)
        return ListeningSummary(
            plays=len(rows),
            finished=counts[PlayOutcome.FINISHED],
            skipped=counts[PlayOutcome.SKIPPED],
            cut=counts[PlayOutcome.CUT],
            back=counts[PlayOutcome.BACK],
            replayed=replayed,
            unknown=unknown,
            skipped_after=statistics.median(skipped_after) if skipped_after else None,
            last_played=max((r[3] for r in rows), default=None),
        )

    def finish(
        self,
        session_id: int,
        ended_by: EndedBy,
        *,
        stress_after: int | None = None,
        ended: float | None = None,
    ) -> None:
        from calmtune.listening import EndedBy

        with write_transaction(self.conn):
            self.conn.execute(
                "UPDATE sessions SET ended = ?, ended_by = ?, stress_after = COALESCE(?, stress_after) "
                "WHERE id = ?",
                (
                    ended if ended is not None else time.time(),
                    EndedBy(ended_by).value,
                    stress_after,
                    session_id,
                ),
            )

    def set_stress_after(self, session_id: int, rating: int) -> None:
        with write_transaction(self.conn):
            self.conn.execute(
                "UPDATE sessions SET stress_after = ? WHERE id = ?", (rating, session_id)
            )

    def sessions(self, limit: int | None = None) -> list[SessionRecord]:
        """Sessions, newest first."""
        from calmtune.listening import EndedBy, SessionRecord

        sql = (
            "SELECT id, started, ended, recipe, ended_by, stress_before, stress_after, "
            "listened_seconds FROM sessions ORDER BY started DESC, id DESC"
        )
        params: tuple = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        records = []
        for sid, started, ended, recipe, ended_by, before, after, listened in self.conn.execute(
            sql, params
        ):
            tracks = [
                os.fsdecode(r[0])
                for r in self.conn.execute(
                    "SELECT path FROM session_tracks WHERE session_id = ? ORDER BY position", (sid,)
                )
            ]
            records.append(
                SessionRecord(
                    id=sid,
                    started=started,
                    ended=ended,
                    recipe=recipe,
                    ended_by=EndedBy(ended_by),
                    stress_before=before,
                    stress_after=after,
                    tracks=tracks,
                    listened_seconds=listened,
                )
            )
        return records

    def tallies(self, recipe: str) -> list[tuple]:
        """What the listening events say about each indexed track, for ``recipe``'s playlists
        (``playlists.preference.Tally``): (path, artist key, heard to the end or replayed in
        ``recipe``'s sessions, skipped there, the same two in other sessions, plays anywhere).
        The artist key is the one the planner spaces artists by (artist, else album artist,
        case-folded). One grouped query over the plays: a few thousand rows after years."""
        rows = self.conn.execute(
            "SELECT t.path, COALESCE(t.artist, t.albumartist), "
            "SUM(CASE WHEN s.recipe = ?1 THEN COALESCE(st.outcome = 'finished', 0) + st.replay ELSE 0 END), "
            "SUM(CASE WHEN s.recipe = ?1 THEN st.outcome = 'skipped' ELSE 0 END), "
            "SUM(CASE WHEN s.recipe != ?1 THEN COALESCE(st.outcome = 'finished', 0) + st.replay ELSE 0 END), "
            "SUM(CASE WHEN s.recipe != ?1 THEN st.outcome = 'skipped' ELSE 0 END), "
            "COUNT(*) "
            "FROM session_tracks st JOIN sessions s ON s.id = st.session_id "
            "JOIN tracks t ON t.id = st.track_id GROUP BY st.track_id",
            (recipe,),
        )
        return [
            (
                os.fsdecode(path),
                (artist.casefold().strip() or None) if artist else None,
                int(s_here or 0),
                int(f_here or 0),
                int(s_other or 0),
                int(f_other or 0),
                plays,
            )
            for path, artist, s_here, f_here, s_other, f_other, plays in rows
        ]

    def recently_played(self, sessions: int = 3) -> set[str]:
        """Paths played in the last ``sessions`` sessions: playlists avoid them when they can."""
        rows = self.conn.execute(
            "SELECT DISTINCT st.path FROM session_tracks st WHERE st.session_id IN "
            "(SELECT id FROM sessions ORDER BY started DESC LIMIT ?)",
            (sessions,),
        )
        return {os.fsdecode(r[0]) for r in rows}
