"""The one SQLite file: connection settings and migrations at open."""

from pathlib import Path

import sqlite_utils

from bot.db.migrations import migrate


def open_db(path: Path | str | None) -> sqlite_utils.Database:
    """Open (creating if needed) the database, in WAL mode, with migrations applied.

    ``None`` or ``":memory:"`` gives an in-memory database (tests).
    """
    if path is None or str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    migrate(db)
    return db
