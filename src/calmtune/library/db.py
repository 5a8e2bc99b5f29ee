"""Opening the SQLite index: WAL, a busy timeout, migrations, and write transactions.

WAL lets a reader (``calmtune tracks``) run while a scan writes; ``BEGIN IMMEDIATE`` takes the write
lock up front so two writers queue on ``busy_timeout`` instead of failing half-way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from calmtune.errors import LibraryError
from calmtune.library.migrations import migrate

BUSY_TIMEOUT_MS = 30_000


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the index at ``path``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (see write_transaction).
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a crash loses at most a batch
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise LibraryError(
            f"cannot open the index {path}: {exc}",
            hint="run `calmtune doctor`; a corrupt index can be deleted and rebuilt with `calmtune scan`",
        ) from None
    except OSError as exc:
        raise LibraryError(
            f"cannot create the index folder {path.parent}: {exc.strerror}"
        ) from None
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic write: BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise LibraryError(
            f"the index is busy: {exc}", hint="another calmtune is writing; retry"
        ) from None
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
