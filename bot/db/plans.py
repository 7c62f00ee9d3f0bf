"""Which statements read a whole table: the check that the scheduler's tick finds its work
through indexes, whatever the number of people (bench/scheduler.py, tests/test_tick_plan.py)."""

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import sqlite_utils

QUERY = re.compile(r"\s*(SELECT|UPDATE|DELETE|INSERT\s.*\sSELECT)", re.I | re.S)


def template(sql: str) -> str:
    """A statement with its values taken out: the same query with other values is one."""
    return re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", sql)


@contextmanager
def traced(db: sqlite_utils.Database) -> Iterator[dict[str, str]]:
    """The queries run meanwhile on ``db``'s connection: template → one as it was run."""
    statements: dict[str, str] = {}
    db.conn.set_trace_callback(
        lambda sql: QUERY.match(sql) and statements.setdefault(template(sql), sql)
    )
    try:
        yield statements
    finally:
        db.conn.set_trace_callback(None)


def full_scans(db: sqlite_utils.Database, statements: Iterable[str]) -> list[str]:
    """The statements whose plan reads a whole table (SQLite's "SCAN t" without an index)."""
    found = []
    for sql in statements:
        for row in db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall():
            detail = row[-1]
            if detail.startswith("SCAN ") and "USING" not in detail:
                found.append(f"{detail} in: {template(sql)[:160]}")
    return found
