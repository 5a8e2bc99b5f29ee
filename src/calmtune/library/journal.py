"""The session journal: what was played, for how long, how it ended, and the stress ratings.

A session row is written when the session starts and updated as it goes, so a session killed
without warning still leaves an entry (ended_by "running", with what it had played).
"""

from __future__ import annotations

import os
import sqlite3
import time

from calmtune.library.db import write_transaction
from calmtune.models import EndedBy, SessionRecord


class Journal:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def start(
        self, recipe: str, *, stress_before: int | None = None, started: float | None = None
    ) -> int:
        with write_transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO sessions (started, recipe, stress_before) VALUES (?, ?, ?)",
                (started if started is not None else time.time(), recipe, stress_before),
            )
        return int(cur.lastrowid)

    def track_played(self, session_id: int, path: str, seconds: float) -> None:
        """Record (or extend) the latest track of a session; called when a track ends or stops."""
        key = os.fsencode(os.path.abspath(path))
        with write_transaction(self.conn):
            position = self.conn.execute(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM session_tracks WHERE session_id = ?",
                (session_id,),
            ).fetchone()[0]
            self.conn.execute(
                "INSERT INTO session_tracks VALUES (?, ?, ?, ?, ?)",
                (session_id, position, key, time.time(), seconds),
            )
            self.conn.execute(
                "UPDATE sessions SET listened_seconds = listened_seconds + ? WHERE id = ?",
                (seconds, session_id),
            )

    def finish(
        self,
        session_id: int,
        ended_by: EndedBy,
        *,
        stress_after: int | None = None,
        ended: float | None = None,
    ) -> None:
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

    def recently_played(self, sessions: int = 3) -> set[str]:
        """Paths played in the last ``sessions`` sessions: playlists avoid them when they can."""
        rows = self.conn.execute(
            "SELECT DISTINCT st.path FROM session_tracks st WHERE st.session_id IN "
            "(SELECT id FROM sessions ORDER BY started DESC LIMIT ?)",
            (sessions,),
        )
        return {os.fsdecode(r[0]) for r in rows}
