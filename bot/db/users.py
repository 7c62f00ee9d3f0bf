"""Users: who talks to the bot, their language and time zone."""

from dataclasses import dataclass

import sqlite_utils

from bot import clock
from bot.db import storage
from bot.db.tx import write


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    username: str | None
    telegram_language: str | None
    language: str | None
    timezone: str | None
    active: bool


def _now() -> str:
    return clock.stamp()


def _from_row(row: dict) -> User:
    return User(
        id=row["id"],
        first_name=row["first_name"] or "",
        username=row["username"],
        telegram_language=row["telegram_language"],
        language=row["language"],
        timezone=row["timezone"],
        active=bool(row["active"]),
    )


def get(db: sqlite_utils.Database, user_id: int) -> User | None:
    # A plain query: ``db["users"]`` asks SQLite's schema whether it is a table each time.
    cursor = db.execute("SELECT * FROM users WHERE id = ?", [user_id])
    row = cursor.fetchone()
    if row is None:
        return None
    return _from_row(dict(zip([c[0] for c in cursor.description], row, strict=True)))


def seen(
    db: sqlite_utils.Database,
    user_id: int,
    first_name: str,
    username: str | None,
    telegram_language: str | None,
) -> User:
    """Record that the user is here (creating them on first contact); return them."""
    known = get(db, user_id)
    fresh = (first_name, username, telegram_language)
    if (
        known
        and known.active
        and (known.first_name, known.username, known.telegram_language) == fresh
    ):
        return known
    now = _now()
    with write(db):
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


def mark_onboarded(db: sqlite_utils.Database, user_id: int) -> None:
    db["users"].update(user_id, {"onboarded_at": _now(), "updated_at": _now()})


def onboarded(db: sqlite_utils.Database, user_id: int) -> bool:
    row = db.execute("SELECT onboarded_at FROM users WHERE id = ?", [user_id]).fetchone()
    return bool(row and row[0])


def export(db: sqlite_utils.Database, user_id: int) -> dict:
    """Everything stored about the user, as plain JSON-ready values."""

    def rows(sql: str) -> list[dict]:
        cursor = db.execute(sql, [user_id])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    profile = rows("SELECT * FROM users WHERE id = ?")
    return {
        "profile": profile[0] if profile else None,
        "membership": rows(
            "SELECT o.name AS organization, m.role, t.name AS team, m.joined_at FROM members m"
            " JOIN organizations o ON o.id = m.org_id LEFT JOIN teams t ON t.id = m.team_id"
            " WHERE m.user_id = ?"
        ),
        "invites_created": rows(
            "SELECT role, created_at, expires_at, uses, max_uses, revoked_at FROM invites"
            " WHERE created_by = ?"
        ),
        "groups_linked": rows(
            "SELECT title, language, linked_at FROM group_chats WHERE linked_by = ?"
        ),
        "reports_written": rows(
            "SELECT year, number, description, area, category, severity, status, created_at"
            " FROM nonconformities WHERE reporter_id = ? ORDER BY id"
        ),
        "daily_tips": rows(
            "SELECT subscribed, send_at, workdays_only, next_tip_at, updated_at"
            " FROM tip_subscriptions WHERE chat_id = ?"
        ),
        "quiz_answers": rows(
            "SELECT question_id, topic, chosen, correct, source, answered_at FROM quiz_answers"
            " WHERE user_id = ? ORDER BY id"
        ),
        "announcements": rows(
            "SELECT a.sent_at, COALESCE(a.text_en, a.text_zh) AS text, r.acknowledged_at"
            " FROM announcement_recipients r JOIN announcements a ON a.id = r.announcement_id"
            " WHERE r.user_id = ? ORDER BY a.id"
        ),
        # What half-finished screens hold (typed text, choices): kept until a dialog closes.
        "dialog_state": [
            {"key": key.split(":", 3)[-1], "state": state, "data": data}
            for key, state, data in db.execute(
                "SELECT key, state, data FROM fsm WHERE key LIKE ?", [f"fsm:{user_id}:{user_id}:%"]
            )
        ],
    }


def erase(db: sqlite_utils.Database, user_id: int) -> None:
    """Delete the user, their dialog state, tips and letters. What they did for their
    organization stays, with their id removed by the schema's ON DELETE rules."""
    with write(db):
        db.execute("DELETE FROM users WHERE id = ?", [user_id])
        # Keyed by chat id (a private chat's is the person's), so no foreign key removes them.
        for table in ("tip_subscriptions", "tips_seen", "outbox"):
            db.execute(f"DELETE FROM {table} WHERE chat_id = ?", [user_id])
    forget_dialogs(db, user_id)


def forget_dialogs(db: sqlite_utils.Database, user_id: int) -> None:
    """Drop the user's saved dialog state (keys are fsm:<chat>:<user>:…; a private chat's id
    is the user's)."""
    with write(db):
        db.execute("DELETE FROM fsm WHERE key LIKE ?", [f"fsm:{user_id}:{user_id}:%"])
    storage.forget_cached(db, f"fsm:{user_id}:{user_id}:")


def deactivate(db: sqlite_utils.Database, user_id: int) -> None:
    """They blocked the bot: send nothing until they write again (``seen`` reactivates)."""
    with write(db):
        db.execute("UPDATE users SET active = 0 WHERE id = ?", [user_id])
