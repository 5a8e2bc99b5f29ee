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

BUSY_TIMEOUT_MS = 30_000
# The schema of an up-to-date index: the number of migrations (``PRAGMA user_version``), so such an
# index opens without loading them (0.5M instructions of a 275M `playlist build`, counted by
# `python benchmarks/bench_playlist.py --instructions`).
# tests/library/test_migrations.py keeps it equal to ``len(migrations.MIGRATIONS)``.
SCHEMA_VERSION = 12


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """Open and migrate the index at ``path``.

    ``create=False`` is for commands that only read: when there is no index yet, an empty one is
    made in memory, so a listing never creates a file or a folder (``--db /typo/x.db tracks``).
    """
    if not create and not path.exists():
        return _open(":memory:", path)
    if not create:
        try:
            return _open(str(path), path)
        except _ReadOnlyPlace:
            # The index's folder is read-only, so SQLite cannot make the shared-memory file
            # a WAL reader needs. Nobody without write access can change the index there
            # meanwhile, so it is read as an immutable snapshot.
            return _open(Path(path).absolute().as_uri() + "?immutable=1", path, snapshot=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(
            f"cannot create the index folder {path.parent}: {exc.strerror}"
        ) from None
    return _open(str(path), path)


class _ReadOnlyPlace(LibraryError):
    """The index sits in a folder this user cannot write."""


def _open(target: str, path: Path, *, snapshot: bool = False) -> sqlite3.Connection:
    try:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (see write_transaction).
        conn = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, uri=snapshot
        )
    except sqlite3.Error as exc:
        raise index_error(exc, path) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not snapshot:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a crash loses a batch
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            from calmtune.library.migrations import migrate

            migrate(conn)  # (also refuses an index newer than SCHEMA_VERSION)
    except sqlite3.Error as exc:
        conn.close()
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_READONLY_DIRECTORY":
            raise _ReadOnlyPlace(str(index_error(exc, path))) from None
        raise index_error(exc, path) from None
    except UnicodeDecodeError:  # SQLite's own message quoted damaged schema bytes
        conn.close()
        raise damaged_error(path, "its schema is not readable") from None
    except LibraryError:
        conn.close()
        raise
    return conn


def check_writable(conn: sqlite3.Connection, path: Path) -> None:
    """Raise LibraryError unless a write to the index can be committed.

    Called by commands that change files or the index before they change anything, so a
    read-only index (or a full disk) stops them with one line instead of half-way, with a tag
    written into a file and not recorded. The probe writes a row and rolls it back.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', '1')")
        finally:
            conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        raise index_error(exc, path) from None


def index_error(exc: BaseException, path: Path | str) -> LibraryError:
    """The one-line LibraryError, with its fix, for an error SQLite raised on the index."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return LibraryError(
            f"the index {path} is read-only, so nothing was changed",
            hint="make it and its folder writable (chmod u+w), or use another --db; "
            "`calmtune doctor` checks",
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or any(
        words in text for words in _DAMAGE_WORDS
    ):
        return damaged_error(path, text)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return LibraryError(f"the index {path} is busy", hint="another calmtune is writing; retry")
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return LibraryError(
            f"the disk holding the index {path} is full", hint="free some space and retry"
        )
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return LibraryError(
            f"cannot open the index {path} ({text})",
            hint="check that it and its folder can be read and written; `calmtune doctor` checks",
        )
    return LibraryError(f"the index {path} cannot be used ({text})", hint="run `calmtune doctor`")


# What SQLite says when the bytes of the index are damaged: broken pages, a schema that no longer
# parses or lacks a column calmtune made, text that is not UTF-8 where calmtune wrote UTF-8.
_DAMAGE_WORDS = (
    "malformed", "not a database", "database corrupt", "no such column", "no such table",
    "has no column", "Could not decode to UTF-8",
)  # fmt: skip


def damaged_error(path: Path | str, detail: str) -> LibraryError:
    """The index holds bytes or values no calmtune writes: damage on disk, or a foreign edit."""
    if len(detail) > 80:  # SQLite may quote the damaged value itself
        detail = detail[:77] + "..."
    return LibraryError(
        f"the index {path} is damaged ({detail})",
        hint="run `calmtune doctor --repair` to rebuild it from your music files",
    )


def database_file(conn: sqlite3.Connection) -> str:
    """The file behind ``conn``, for messages."""
    try:
        return conn.execute("PRAGMA database_list").fetchone()[2] or "(in memory)"
    except sqlite3.Error:
        return "(unknown)"


def as_index_error(exc: BaseException, path: Path | str) -> LibraryError | None:
    """The LibraryError for an exception that escaped a query, or None if it is not the index's.

    Besides SQLite's own errors: when damaged bytes land in a message SQLite writes, Python fails
    to decode the message and raises UnicodeDecodeError from the query itself; only this package
    runs queries, so such an error raised here means a damaged index."""
    if isinstance(exc, sqlite3.Error):
        return index_error(exc, path)
    if isinstance(exc, UnicodeDecodeError):
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None and Path(tb.tb_frame.f_code.co_filename).parent == Path(__file__).parent:
            return damaged_error(path, "it holds text that is not UTF-8")
    return None


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic write: BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise index_error(exc, database_file(conn)) from None
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
