"""Transactions that are transactions.

With sqlite-utils 4.2, ``db.execute`` commits each write by itself unless a transaction is
open, and using the connection as a context manager does not open one. ``write(db)`` does:
``BEGIN IMMEDIATE`` takes the write lock before the first read, so a read-then-write (the next
NC number) cannot race another connection, and everything inside commits together or not at
all. Nested blocks
become savepoints, so a repository function can be called alone or inside a service's
larger transaction.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import sqlite_utils


@contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    if db.conn.in_transaction:
        with db.atomic():  # a savepoint inside the caller's transaction
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.conn.execute("COMMIT")
    except BaseException:  # a failed COMMIT (disk full, I/O) too: never stay inside it
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise


P = ParamSpec("P")
R = TypeVar("R")


def atomic(fn: Callable[P, R]) -> Callable[P, R]:
    """A service operation whose first argument is the database, done all or nothing."""

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with write(args[0]):
            return fn(*args, **kwargs)

    return run
