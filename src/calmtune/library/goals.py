"""The listener's goals (``calmtune goal``): one of each kind per recipe, or for any recipe."""

from __future__ import annotations

import sqlite3
import time

from calmtune.insights import Goal, GoalKind
from calmtune.library.db import write_transaction

ANY_RECIPE = ""


class Goals:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def set(self, kind: GoalKind, target: float, recipe: str | None = None) -> Goal:
        """Set (or replace) the goal of this kind for ``recipe``."""
        goal = Goal(GoalKind(kind), float(target), recipe or None, time.time())
        with write_transaction(self.conn):
            self.conn.execute(
                "INSERT OR REPLACE INTO goals (kind, recipe, target, set_at) VALUES (?, ?, ?, ?)",
                (goal.kind.value, recipe or ANY_RECIPE, goal.target, goal.set_at),
            )
        return goal

    def clear(self, kind: GoalKind | None = None) -> int:
        """Remove the goals of one kind, or all of them; returns how many went."""
        with write_transaction(self.conn):
            if kind is None:
                return self.conn.execute("DELETE FROM goals").rowcount
            return self.conn.execute(
                "DELETE FROM goals WHERE kind = ?", (GoalKind(kind).value,)
            ).rowcount

    def all(self) -> list[Goal]:
        rows = self.conn.execute(
            "SELECT kind, target, recipe, set_at FROM goals ORDER BY kind, recipe"
        )
        return [Goal(GoalKind(k), t, r or None, at) for k, t, r, at in rows]
