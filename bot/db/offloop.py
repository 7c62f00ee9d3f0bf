"""Database work that may wait for SQLite's write lock, done off the event loop.

The bot's main connection serves the event loop and waits at most ``LOOP_BUSY_MS`` for the
lock (bot/db/__init__.py): while another process holds it (a backup, an operator's
``sqlite3`` shell), a person's tap must not freeze everyone else's. What must not fail for
that — the dialog state saved after each update, a report being submitted — goes through
``Writer.run``: one thread with its own connection that waits up to ``WRITER_BUSY_MS``.
A ``Database(path)`` connection may only be used by the thread that opened it, so the
writer opens its own, in its thread. An in-memory database (tests, the console) has no
second connection to open: there the work runs inline, as before.
"""

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

import sqlite_utils

LOOP_BUSY_MS = 100
WRITER_BUSY_MS = 60_000

P = ParamSpec("P")
R = TypeVar("R")


def held_by_another(error: sqlite3.OperationalError) -> bool:
    """SQLite refused because another connection holds the lock."""
    return "locked" in str(error) or "busy" in str(error)


def file_of(db: sqlite_utils.Database) -> str | None:
    """The database's file, or None for an in-memory one."""
    for _seq, name, path in db.conn.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return path or None
    return None


class Writer:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.path = file_of(db)
        self._pool: ThreadPoolExecutor | None = None
        self._own: sqlite_utils.Database | None = None  # used in the writer's thread only
        self._quick: sqlite_utils.Database | None = None  # the loop's, never waits

    def _open(self, busy_ms: int) -> sqlite_utils.Database:
        connection = sqlite_utils.Database(self.path)
        connection.conn.isolation_level = None  # as the main connection (bot/db/__init__.py)
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute(f"PRAGMA busy_timeout = {busy_ms}")
        connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    def _connection(self) -> sqlite_utils.Database:
        if self._own is None:
            self._own = self._open(WRITER_BUSY_MS)
        return self._own

    async def run(self, fn: Callable[..., R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(db, *args, **kwargs)`` with the writer's connection, in its thread; inline
        with the main connection for an in-memory database."""
        if self.path is None:
            return fn(self.db, *args, **kwargs)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="db-writer")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, lambda: fn(self._connection(), *args, **kwargs)
        )

    async def run_quick(self, fn: Callable[..., R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``run`` for work that is usually free to go: tried at once on the event loop with a
        connection that never waits for the lock (no hand-over to a thread), and handed to
        the writer only when another connection holds the lock. ``fn`` must be one statement
        or one ``write`` transaction: refused by the lock, it has done nothing."""
        if self.path is None:
            return fn(self.db, *args, **kwargs)
        if self._quick is None:
            self._quick = self._open(0)
        try:
            return fn(self._quick, *args, **kwargs)
        except sqlite3.OperationalError as error:
            if not held_by_another(error):
                raise
        return await self.run(fn, *args, **kwargs)

    def close(self) -> None:
        if self._quick is not None:
            self._quick.close()
            self._quick = None
        if self._pool is not None:
            self._pool.submit(self._close_own).result()
            self._pool.shutdown()
            self._pool = None

    def _close_own(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None
