"""The one SQLite file: connection settings and migrations at open."""

import sqlite3
from pathlib import Path

import sqlite_utils

from bot.db.migrations import migrate
from bot.startup import StartupError, absolute

# What SQLite says when the file itself is the problem, and what the operator should hear.
# Any other error (a migration's own bug, say) keeps its traceback.
FILE_PROBLEMS = {
    "file is not a database": "is not a SQLite database (damaged, or another kind of file)",
    "malformed": "is damaged (database disk image is malformed): restore it from a backup",
    "readonly": "is read-only: the bot must write the file and create files next to it",
    "unable to open": "cannot be opened or created: check that its folder is writable",
    "locked": "is locked by another process (a second bot on the same file?)",
    "disk I/O error": "cannot be read or written (disk I/O error)",
    "disk is full": "cannot grow: the disk is full",
}


def open_db(path: Path | str | None) -> sqlite_utils.Database:
    """Open (creating if needed) the database, in WAL mode, with migrations applied.

    ``None`` or ``":memory:"`` gives an in-memory database (tests). A file that cannot be
    used (not a database, read-only, its folder not writable) is a ``StartupError`` naming it.
    """
    if path is None or str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
        _configure(db)
        migrate(db)
        return db
    try:
        absolute(path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        _configure(db)
        _prove_writable(db)
        migrate(db)
    except OSError as error:
        folder = absolute(path).parent
        raise StartupError(
            f"database {absolute(path)}: its folder {folder} cannot be created "
            f"({error.strerror or error})"
        ) from error
    except sqlite3.DatabaseError as error:
        for symptom, meaning in FILE_PROBLEMS.items():
            if symptom in str(error):
                raise StartupError(f"database {absolute(path)} {meaning}") from error
        raise
    return db


def _configure(db: sqlite_utils.Database) -> None:
    # Autocommit: a lone write is its own transaction without Python's implicit BEGIN and
    # COMMIT around it; what must be all or nothing opens its own (bot/db/tx.py).
    db.conn.isolation_level = None
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")


def _prove_writable(db: sqlite_utils.Database) -> None:
    """Write the header's user_version back unchanged: a read-only file (or a WAL file in a
    read-only folder) opens and reads fine, and would otherwise fail at the first report."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    db.execute(f"PRAGMA user_version = {int(version)}")
