"""The outbox: messages owed, each once (a unique key), until Telegram has them."""

from dataclasses import dataclass

import sqlite_utils

from bot.db.tx import write


@dataclass(frozen=True)
class Letter:
    id: int
    chat_id: int
    text: str
    reply_markup: str | None
    attempts: int


def add(
    db: sqlite_utils.Database, key: str, chat_id: int, text: str, markup: str | None, now: str
) -> bool:
    """False if a message with this key was already owed (or sent): never twice."""
    with write(db):
        cursor = db.execute(
            "INSERT INTO outbox (dedupe_key, chat_id, text, reply_markup, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(dedupe_key) DO NOTHING",
            [key, chat_id, text, markup, now],
        )
    return cursor.rowcount == 1


def pending(db: sqlite_utils.Database, limit: int = 100) -> list[Letter]:
    rows = db.execute(
        "SELECT id, chat_id, text, reply_markup, attempts FROM outbox"
        " WHERE sent_at IS NULL AND dropped = 0 ORDER BY id LIMIT ?",
        [limit],
    ).fetchall()
    return [Letter(*row) for row in rows]


def sent(db: sqlite_utils.Database, letter_id: int, now: str) -> None:
    with write(db):
        db.execute("UPDATE outbox SET sent_at = ? WHERE id = ?", [now, letter_id])


def failed(db: sqlite_utils.Database, letter_id: int, error: str, drop: bool) -> None:
    with write(db):
        db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, dropped = ? WHERE id = ?",
            [error[:300], int(drop), letter_id],
        )
