"""Announcements and their recipients: who was told what, and when each one confirmed it.

A recipient's delivery time is the outbox's: the row keyed ``ann:{id}:{user}`` says when
Telegram took the message.
"""

from dataclasses import dataclass

import sqlite_utils

from bot.db.tx import write

COLUMNS = (
    "id, org_id, team_id, team_name, author_id, text_en, text_zh, to_groups, sent_at, reminders"
)


@dataclass(frozen=True)
class Announcement:
    id: int
    org_id: int
    team_id: int | None
    team_name: str | None  # None: the whole organization
    author_id: int | None
    text_en: str | None
    text_zh: str | None
    to_groups: bool
    sent_at: str
    reminders: int  # rounds of reminders sent so far


@dataclass(frozen=True)
class Recipient:
    user_id: int | None  # None: the person erased their data since
    name: str
    role: str
    team_name: str | None
    delivered_at: str | None
    acknowledged_at: str | None
    member: bool  # still in the announcement's organization


def _announcement(row) -> Announcement:
    return Announcement(*row[:7], bool(row[7]), *row[8:])


def create(
    db: sqlite_utils.Database,
    org_id: int,
    team: tuple[int, str] | None,
    author_id: int,
    texts: dict[str, str],
    to_groups: bool,
    form_key: str,
    now: str,
) -> tuple[int, bool]:
    """The announcement's id, and False if this form was sent before (nothing new written)."""
    with write(db):
        cursor = db.execute(
            "INSERT INTO announcements (org_id, team_id, team_name, author_id, text_en, text_zh,"
            " to_groups, form_key, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(org_id, form_key) DO NOTHING",
            [
                org_id,
                team[0] if team else None,
                team[1] if team else None,
                author_id,
                texts.get("en"),
                texts.get("zh"),
                int(to_groups),
                form_key,
                now,
            ],
        )
        if cursor.rowcount == 1:
            return cursor.lastrowid, True
        row = db.execute(
            "SELECT id FROM announcements WHERE org_id = ? AND form_key = ?", [org_id, form_key]
        ).fetchone()
    return row[0], False


def audience(
    db: sqlite_utils.Database, org_id: int, team_id: int | None
) -> list[tuple[int, str, str | None]]:
    """(user id, role, team name) of the organization's members, or of one team's."""
    return db.execute(
        "SELECT m.user_id, m.role, t.name FROM members m LEFT JOIN teams t ON t.id = m.team_id"
        " WHERE m.org_id = ? AND (? IS NULL OR m.team_id = ?) ORDER BY m.user_id",
        [org_id, team_id, team_id],
    ).fetchall()


def add_recipients(
    db: sqlite_utils.Database, announcement_id: int, people: list[tuple[int, str, str | None]]
) -> None:
    with write(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO announcement_recipients (announcement_id, user_id, role,"
            " team_name) VALUES (?, ?, ?, ?)",
            [(announcement_id, *person) for person in people],
        )


def groups(db: sqlite_utils.Database, org_id: int, team_id: int | None) -> list[int]:
    """The active linked group chats of that audience: the organization's own (no team), or
    the team's."""
    return [
        row[0]
        for row in db.execute(
            "SELECT chat_id FROM group_chats WHERE org_id = ? AND active = 1"
            " AND team_id IS ? ORDER BY chat_id",
            [org_id, team_id],
        )
    ]


def get(db: sqlite_utils.Database, announcement_id: int) -> Announcement | None:
    row = db.execute(
        f"SELECT {COLUMNS} FROM announcements WHERE id = ?", [announcement_id]
    ).fetchone()
    return _announcement(row) if row else None


def summaries(db: sqlite_utils.Database, org_id: int) -> list[tuple[Announcement, int, int]]:
    """The organization's announcements, newest first, each with (recipients, acknowledged)."""
    rows = db.execute(
        f"SELECT {', '.join('a.' + c.strip() for c in COLUMNS.split(','))},"
        " (SELECT COUNT(*) FROM announcement_recipients r WHERE r.announcement_id = a.id),"
        " (SELECT COUNT(acknowledged_at) FROM announcement_recipients r"
        "  WHERE r.announcement_id = a.id)"
        " FROM announcements a WHERE a.org_id = ? ORDER BY a.id DESC",
        [org_id],
    ).fetchall()
    return [(_announcement(row[:10]), row[10], row[11]) for row in rows]


def counts(db: sqlite_utils.Database, announcement_id: int) -> tuple[int, int]:
    """(recipients, acknowledged)."""
    row = db.execute(
        "SELECT COUNT(*), COUNT(acknowledged_at) FROM announcement_recipients"
        " WHERE announcement_id = ?",
        [announcement_id],
    ).fetchone()
    return row[0], row[1]


def recipients(db: sqlite_utils.Database, announcement_id: int) -> list[Recipient]:
    """Everyone it was sent to: those who acknowledged first (in that order), then the rest
    by name."""
    rows = db.execute(
        "SELECT r.user_id, COALESCE(u.first_name, ''), r.role, r.team_name, o.sent_at,"
        " r.acknowledged_at, m.user_id IS NOT NULL"
        " FROM announcement_recipients r JOIN announcements a ON a.id = r.announcement_id"
        " LEFT JOIN users u ON u.id = r.user_id"
        " LEFT JOIN members m ON m.user_id = r.user_id AND m.org_id = a.org_id"
        " LEFT JOIN outbox o ON o.dedupe_key = 'ann:' || r.announcement_id || ':' || r.user_id"
        " WHERE r.announcement_id = ?"
        " ORDER BY r.acknowledged_at IS NULL, r.acknowledged_at,"
        " u.first_name COLLATE NOCASE, r.id",
        [announcement_id],
    ).fetchall()
    return [Recipient(*row[:6], member=bool(row[6])) for row in rows]


def acknowledged_at(
    db: sqlite_utils.Database, announcement_id: int, user_id: int
) -> tuple[bool, str | None]:
    """(is a recipient, when they acknowledged or None)."""
    row = db.execute(
        "SELECT acknowledged_at FROM announcement_recipients"
        " WHERE announcement_id = ? AND user_id = ?",
        [announcement_id, user_id],
    ).fetchone()
    return (row is not None, row[0] if row else None)


def acknowledge(db: sqlite_utils.Database, announcement_id: int, user_id: int, now: str) -> bool:
    """False if they had acknowledged it already (the first time stays on record)."""
    with write(db):
        cursor = db.execute(
            "UPDATE announcement_recipients SET acknowledged_at = ?"
            " WHERE announcement_id = ? AND user_id = ? AND acknowledged_at IS NULL",
            [now, announcement_id, user_id],
        )
    return cursor.rowcount == 1


def start_round(db: sqlite_utils.Database, announcement_id: int, seen: int) -> bool:
    """Start reminder round ``seen + 1``, unless someone (or a double tap) already did."""
    with write(db):
        cursor = db.execute(
            "UPDATE announcements SET reminders = reminders + 1 WHERE id = ? AND reminders = ?",
            [announcement_id, seen],
        )
    return cursor.rowcount == 1


def not_acknowledged(db: sqlite_utils.Database, announcement_id: int) -> list[int]:
    """Recipients still in the organization who have not acknowledged it."""
    return [
        row[0]
        for row in db.execute(
            "SELECT r.user_id FROM announcement_recipients r"
            " JOIN announcements a ON a.id = r.announcement_id"
            " JOIN members m ON m.user_id = r.user_id AND m.org_id = a.org_id"
            " WHERE r.announcement_id = ? AND r.acknowledged_at IS NULL ORDER BY r.user_id",
            [announcement_id],
        )
    ]
