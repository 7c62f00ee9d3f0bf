"""Users: who talks to the bot, their language and time zone."""

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    telegram_language: str | None
    language: str | None
    timezone: str | None
    active: bool


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _from_row(row: dict) -> User:
    return User(
        id=row["id"],
        first_name=row["first_name"] or "",
        telegram_language=row["telegram_language"],
        language=row["language"],
        timezone=row["timezone"],
        active=bool(row["active"]),
    )


def get(db: sqlite_utils.Database, user_id: int) -> User | None:
    rows = list(db["users"].rows_where("id = ?", [user_id]))
    return _from_row(rows[0]) if rows else None


def seen(
    db: sqlite_utils.Database,
    user_id: int,
    first_name: str,
    username: str | None,
    telegram_language: str | None,
) -> User:
    """Record that the user is here (creating them on first contact); return them."""
    known = get(db, user_id)
    fresh = (first_name, telegram_language)
    if known and known.active and (known.first_name, known.telegram_language) == fresh:
        return known
    now = _now()
    with db.conn:
        db.execute(
            "INSERT INTO users (id, first_name, username, telegram_language, active,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET first_name = excluded.first_name,"
            " username = excluded.username, telegram_language = excluded.telegram_language,"
            " active = 1, updated_at = excluded.updated_at",
            [user_id, first_name, username, telegram_language, now, now],
        )
    return get(db, user_id)


def set_language(db: sqlite_utils.Database, user_id: int, language: str) -> None:
    db["users"].update(user_id, {"language": language, "updated_at": _now()})


def set_timezone(db: sqlite_utils.Database, user_id: int, timezone: str) -> None:
    db["users"].update(user_id, {"timezone": timezone, "updated_at": _now()})
