"""What a linked group receives: the team's new reports at or above a severity the manager
chooses (their photos only if the manager allows it: they may show people), a
daily team tip at a chosen time in the group's language(s), and the weekly digest summary
(on unless turned off). Announcements reach groups from their own module."""

import sqlite_utils

from bot.db import outbox
from bot.db.nc import Nonconformity
from bot.db.tx import write
from bot.services import groups, tips

RANK = {"minor": 0, "major": 1, "critical": 2}


def set_reports(
    db: sqlite_utils.Database, user_id: int, chat_id: int, severity: str | None
) -> bool:
    """From ``severity`` up (None: no reports); False if the group is not linked. A manager
    of the group's organization only (NotAllowed otherwise)."""
    if severity is not None and severity not in RANK:
        raise ValueError(severity)
    if groups._managed(db, user_id, chat_id) is None:
        return False
    db.execute("UPDATE group_chats SET report_severity = ? WHERE chat_id = ?", [severity, chat_id])
    return True


def set_photos(db: sqlite_utils.Database, user_id: int, chat_id: int, allowed: bool) -> bool:
    """Whether reports shown here bring their photos; False if not linked."""
    return _set(db, user_id, chat_id, "report_photos", int(allowed))


def set_digest(db: sqlite_utils.Database, user_id: int, chat_id: int, on: bool) -> bool:
    """The weekly digest summary here on Monday mornings, or not; False if not linked."""
    return _set(db, user_id, chat_id, "digest", int(on))


def _set(db: sqlite_utils.Database, user_id: int, chat_id: int, column: str, value) -> bool:
    if groups._managed(db, user_id, chat_id) is None:
        return False
    db.execute(f"UPDATE group_chats SET {column} = ? WHERE chat_id = ?", [value, chat_id])
    return True


def report_severity(db: sqlite_utils.Database, chat_id: int) -> str | None:
    row = db.execute(
        "SELECT report_severity FROM group_chats WHERE chat_id = ?", [chat_id]
    ).fetchone()
    return row[0] if row else None


def set_tips(
    db: sqlite_utils.Database,
    user_id: int,
    chat_id: int,
    on: bool,
    send_at: str | None,
    fallback_zone: str,
) -> tips.Subscription | None:
    """The group's daily team tip on (every workday at ``send_at``, default 08:30) or off."""
    if groups._managed(db, user_id, chat_id) is None:
        return None
    return tips.choose(db, chat_id, fallback_zone, subscribed=on, send_at=send_at)


def photos_allowed(db: sqlite_utils.Database, chat_id: int) -> bool:
    row = db.execute(
        "SELECT report_photos FROM group_chats WHERE chat_id = ?", [chat_id]
    ).fetchone()
    return bool(row and row[0])


def digest_on(db: sqlite_utils.Database, chat_id: int) -> bool:
    row = db.execute("SELECT digest FROM group_chats WHERE chat_id = ?", [chat_id]).fetchone()
    return bool(row and row[0])


def owe_new_report(db: sqlite_utils.Database, report: Nonconformity, team_id: int | None, now):
    """Inside the report's transaction: each linked group of the organization (the whole
    organization's, or the reporter's team's) that wants reports this severe is owed one."""
    with write(db):
        rows = db.execute(
            "SELECT chat_id, report_severity, report_photos FROM group_chats"
            " WHERE org_id = ? AND active = 1 AND report_severity IS NOT NULL"
            " AND (team_id IS NULL OR team_id IS ?)",
            [report.org_id, team_id],
        ).fetchall()
        for chat_id, threshold, photos in rows:
            if RANK[report.severity] < RANK.get(threshold, 3):
                continue
            key, params = f"nc:{report.id}:group:{chat_id}", {"nc": report.id}
            outbox.notice(db, key, chat_id, "nc.group", params, now)
            if photos:  # checked again when sent: a manager may have changed their mind
                outbox.notice(db, f"{key}:photos", chat_id, "nc.group.photos", params, now)
