"""The listener's explicit preferences: tracks liked or banned, for every recipe or for one.

One verdict per track and scope (a recipe, or every recipe): liking a track banned in the same
scope lifts the ban. Where both apply, a ban wins: a track banned from ``calm`` stays out of calm
playlists even when it is liked everywhere (docs/music.md, "What calms you").
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from calmtune.library.db import write_transaction

if TYPE_CHECKING:
    from calmtune.listening import Verdict

EVERY_RECIPE = ""  # the scope of a verdict that holds for every recipe


class Preferences:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def set(self, track_ids: Iterable[int], verdict: Verdict, recipe: str | None = None) -> int:
        """Like or ban tracks in one scope; returns how many verdicts changed."""
        from calmtune.listening import Verdict

        scope = recipe or EVERY_RECIPE
        now = time.time()
        changed = 0
        with write_transaction(self.conn):
            for track_id in track_ids:
                changed += self.conn.execute(
                    "INSERT INTO preferences (track_id, recipe, verdict, set_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (track_id, recipe) DO UPDATE SET "
                    "verdict = excluded.verdict, set_at = excluded.set_at "
                    "WHERE verdict != excluded.verdict",
                    (track_id, scope, Verdict(verdict).value, now),
                ).rowcount
        return changed

    def clear(self, track_ids: Iterable[int], verdict: Verdict, recipe: str | None = None) -> int:
        """Undo a like or a ban in one scope; returns how many were lifted."""
        from calmtune.listening import Verdict

        scope = recipe or EVERY_RECIPE
        removed = 0
        with write_transaction(self.conn):
            for track_id in track_ids:
                removed += self.conn.execute(
                    "DELETE FROM preferences WHERE track_id = ? AND recipe = ? AND verdict = ?",
                    (track_id, scope, Verdict(verdict).value),
                ).rowcount
        return removed

    def verdict(self, track_id: int, recipe: str | None = None) -> Verdict | None:
        """What holds for the track in ``recipe``'s playlists: a ban in either scope wins, then a
        like in either scope."""
        from calmtune.listening import Verdict

        rows = self.conn.execute(
            "SELECT verdict FROM preferences WHERE track_id = ? AND recipe IN (?, ?)",
            (track_id, EVERY_RECIPE, recipe or EVERY_RECIPE),
        ).fetchall()
        found = {Verdict(r[0]) for r in rows}
        if Verdict.BAN in found:
            return Verdict.BAN
        return Verdict.LIKE if found else None

    def is_liked(self, track_id: int) -> bool:
        """Liked for every recipe (what the live view's ``l`` toggles)."""
        row = self.conn.execute(
            "SELECT 1 FROM preferences WHERE track_id = ? AND recipe = ? AND verdict = 'like'",
            (track_id, EVERY_RECIPE),
        ).fetchone()
        return row is not None

    def paths(self, recipe: str | None) -> tuple[set[str], set[str]]:
        """(liked, banned) paths for ``recipe``'s playlists, as ``verdict`` decides each."""
        rows = self.conn.execute(
            "SELECT t.path, p.verdict FROM preferences p JOIN tracks t ON t.id = p.track_id "
            "WHERE p.recipe IN (?, ?)",
            (EVERY_RECIPE, recipe or EVERY_RECIPE),
        )
        liked: set[str] = set()
        banned: set[str] = set()
        for raw, verdict in rows:
            (banned if verdict == "ban" else liked).add(os.fsdecode(raw))
        return liked - banned, banned

    def listing(self) -> list[tuple[str, Verdict, str | None]]:
        """Every verdict as (path, verdict, recipe or None for every recipe), by path, then
        scope. Plain tuples, and ``Verdict`` imported where it is used: a playlist build reads
        this module too (``paths``), and defining a record costs about 1M instructions."""
        from calmtune.listening import Verdict

        rows = self.conn.execute(
            "SELECT t.path, p.verdict, p.recipe FROM preferences p "
            "JOIN tracks t ON t.id = p.track_id ORDER BY t.path, p.recipe"
        )
        return [(os.fsdecode(r[0]), Verdict(r[1]), r[2] or None) for r in rows]
