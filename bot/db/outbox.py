"""The outbox: messages owed, each once (a unique key), until Telegram has them.

A row holds either a ready ``text`` (and buttons), or a notice: a ``kind`` and its
``params``, rendered in the recipient's language when it is sent.
"""

import json
from dataclasses import dataclass

import sqlite_utils

from bot.db.tx import write

# Bumped whenever work is owed (a letter, a photo to archive): the update middleware compares
# it before and after an update to wake the sender only when there is something to do.
owed = 0


def more_owed() -> None:
    global owed
    owed += 1


@dataclass(frozen=True)
class Letter:
    id: int
    chat_id: int
    text: str
    reply_markup: str | None
    attempts: int
    kind: str | None = None
    params: dict | None = None


def add(
    db: sqlite_utils.Database,
    key: str,
    chat_id: int,
    text: str,
    markup: str | None,
    now: str,
    kind: str | None = None,
    params: dict | None = None,
) -> bool:
    """False if a message with this key was already owed (or sent): never twice."""
    with write(db):
        cursor = db.execute(
            "INSERT INTO outbox (dedupe_key, chat_id, text, reply_markup, created_at, kind, params)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dedupe_key) DO NOTHING",
            [key, chat_id, text, markup, now, kind, json.dumps(params) if params else None],
        )
    if cursor.rowcount == 1:
        more_owed()
    return cursor.rowcount == 1


def notice(
    db: sqlite_utils.Database, key: str, user_id: int, kind: str, params: dict, now: str
) -> bool:
    """Owe ``user_id`` a notice of ``kind``; its words are chosen when it is sent."""
    return add(db, key, user_id, "", None, now, kind, params)


def pending(db: sqlite_utils.Database, now: str, limit: int = 100, after: int = 0) -> list[Letter]:
    """What is owed and due (not waiting out a pause after a failure), oldest first;
    ``after`` continues from a letter already read."""
    rows = db.execute(
        "SELECT id, chat_id, text, reply_markup, attempts, kind, params FROM outbox"
        " WHERE sent_at IS NULL AND dropped = 0 AND id > ?"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?",
        [after, now, limit],
    ).fetchall()
    return [Letter(*row[:6], json.loads(row[6]) if row[6] else None) for row in rows]


def waiting(db: sqlite_utils.Database, now: str) -> dict[int, int]:
    """Chats with a letter waiting out a pause after a failure → the first such letter:
    the letters after it to the same chat wait too, so a chat reads them in order."""
    return dict(
        db.execute(
            "SELECT chat_id, MIN(id) FROM outbox WHERE sent_at IS NULL AND dropped = 0"
            " AND next_attempt_at > ? GROUP BY chat_id",
            [now],
        ).fetchall()
    )


def move_chat(db: sqlite_utils.Database, old_id: int, new_id: int) -> None:
    """Letters still owed to a group that became a supergroup go to its new id."""
    db.execute(
        "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND sent_at IS NULL AND dropped = 0",
        [new_id, old_id],
    )


def retry_now(db: sqlite_utils.Database) -> None:
    """At start: whatever waits out a pause is tried again at once."""
    db.execute(
        "UPDATE outbox SET next_attempt_at = NULL"
        " WHERE sent_at IS NULL AND dropped = 0 AND next_attempt_at IS NOT NULL"
    )


def any_pending(db: sqlite_utils.Database) -> bool:
    return bool(
        db.execute("SELECT 1 FROM outbox WHERE sent_at IS NULL AND dropped = 0 LIMIT 1").fetchone()
    )


def delivered(db: sqlite_utils.Database, key_prefix: str) -> tuple[int, int, int]:
    """(sent, given up, owed in all) of the messages whose key starts with ``key_prefix``."""
    row = db.execute(
        "SELECT COUNT(sent_at), COALESCE(SUM(dropped), 0), COUNT(*) FROM outbox"
        " WHERE dedupe_key >= ? AND dedupe_key < ?",
        [key_prefix, key_prefix + "\uffff"],
    ).fetchone()
    return row[0], row[1], row[2]


def sent(db: sqlite_utils.Database, letter_id: int, now: str) -> None:
    db.execute("UPDATE outbox SET sent_at = ? WHERE id = ?", [now, letter_id])


def failed(
    db: sqlite_utils.Database, letter_id: int, error: str, drop: bool, retry_at: str | None = None
) -> None:
    """Not sent: try again at ``retry_at``, or give it up (``drop``). A letter given up has
    no next attempt, so ``next_attempt_at`` keeps the moment it was given up (``retry_at``)."""
    db.execute(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, dropped = ?,"
        " next_attempt_at = ? WHERE id = ?",
        [error[:300], int(drop), retry_at, letter_id],
    )


def created_at(db: sqlite_utils.Database, letter_id: int) -> str:
    return db.execute("SELECT created_at FROM outbox WHERE id = ?", [letter_id]).fetchone()[0]


@dataclass(frozen=True)
class Backlog:
    """How the sending goes, for the bot's administrators."""

    owed: int  # letters not sent yet (and not given up)
    oldest: str | None  # when the oldest of them was written
    sent_last_hour: int
    given_up_last_day: int


def backlog(db: sqlite_utils.Database, hour_ago: str, day_ago: str) -> Backlog:
    owed, oldest = db.execute(
        "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE sent_at IS NULL AND dropped = 0"
    ).fetchone()
    sent = db.execute("SELECT COUNT(*) FROM outbox WHERE sent_at >= ?", [hour_ago]).fetchone()
    given_up = db.execute(
        "SELECT COUNT(*) FROM outbox WHERE dropped = 1 AND next_attempt_at >= ?", [day_ago]
    ).fetchone()
    return Backlog(owed, oldest, sent[0], given_up[0])


def oldest_due(db: sqlite_utils.Database, now: str) -> str | None:
    """Since when the longest-waiting letter that could go now has been waiting (written,
    or its pause after a failure over); None when nothing is due."""
    return db.execute(
        "SELECT MIN(COALESCE(next_attempt_at, created_at)) FROM outbox"
        " WHERE sent_at IS NULL AND dropped = 0 AND COALESCE(next_attempt_at, created_at) <= ?",
        [now],
    ).fetchone()[0]


def last_scheduler_tick(db: sqlite_utils.Database) -> str | None:
    """When the scheduler last ran (it writes ``scheduler.last_tick`` in ``meta``)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'scheduler.last_tick'").fetchone()
    return row[0] if row else None
