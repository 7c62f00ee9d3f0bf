"""Transactions that are transactions.

With sqlite-utils 4.2, ``db.execute`` commits each write by itself unless a transaction is
open, and ``with db.conn:`` does not open one. ``write(db)`` does: ``BEGIN IMMEDIATE`` takes
the write lock before the first read, so a read-then-write (the next NC number) cannot race
another connection, and everything inside commits together or not at all. Nested blocks
become savepoints, so a repository function can be called alone or inside a service's
larger transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager

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
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")
