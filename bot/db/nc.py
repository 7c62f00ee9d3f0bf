"""Nonconformity reports, their photos and their append-only history."""

from dataclasses import dataclass

import sqlite_utils

from bot.db import outbox
from bot.db.tx import write


@dataclass(frozen=True)
class Nonconformity:
    id: int
    org_id: int
    year: int
    number: int
    reporter_id: int | None
    description: str
    area: str | None
    category: str
    severity: str
    status: str
    containment: str | None
    root_cause: str | None
    action: str | None
    owner_id: int | None
    due_date: str | None
    duplicate_of: int | None
    reason: str | None
    created_at: str
    updated_at: str

    @property
    def reference(self) -> str:
        return f"NC-{self.year}-{self.number:04d}"


@dataclass(frozen=True)
class Event:
    at: str
    actor_id: int | None
    from_status: str | None
    to_status: str
    note: str | None


_COLUMNS = (
    "id, org_id, year, number, reporter_id, description, area, category, severity, status,"
    " containment, root_cause, action, owner_id, due_date, duplicate_of, reason, created_at,"
    " updated_at"
)
FIELDS = ("containment", "root_cause", "action", "owner_id", "due_date", "duplicate_of", "reason")


def create(
    db: sqlite_utils.Database,
    org_id: int,
    year: int,
    reporter_id: int,
    report: dict,
    photos: list[tuple[str, str]],
    key: str,
    now: str,
) -> tuple[int, bool]:
    """Store a report with the next number of its organization and year, its photos and its
    first history row, all or nothing: (id, True). The same ``key`` again: (first id, False)."""
    with write(db):
        known = db.execute("SELECT id FROM nonconformities WHERE idempotency_key = ?", [key])
        if row := known.fetchone():
            return row[0], False
        number = db.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM nonconformities"
            " WHERE org_id = ? AND year = ?",
            [org_id, year],
        ).fetchone()[0]
        cursor = db.execute(
            "INSERT INTO nonconformities (org_id, year, number, reporter_id, description, area,"
            " category, severity, status, idempotency_key, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?)",
            [
                org_id,
                year,
                number,
                reporter_id,
                report["description"],
                report.get("area"),
                report["category"],
                report["severity"],
                key,
                now,
                now,
            ],
        )
        nc_id = cursor.lastrowid
        for position, (file_id, unique_id, *kind) in enumerate(photos):
            db.execute(
                "INSERT INTO nc_photos (nc_id, position, file_id, file_unique_id, kind)"
                " VALUES (?, ?, ?, ?, ?)",
                [nc_id, position, file_id, unique_id, kind[0] if kind else "photo"],
            )
        db.execute(
            "INSERT INTO nc_history (nc_id, at, actor_id, from_status, to_status)"
            " VALUES (?, ?, ?, NULL, 'new')",
            [nc_id, now, reporter_id],
        )
    if photos:
        outbox.more_owed()  # photos to archive
    return nc_id, True


def get(db: sqlite_utils.Database, nc_id: int) -> Nonconformity | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM nonconformities WHERE id = ?", [nc_id]).fetchone()
    return Nonconformity(*row) if row else None


def by_number(db: sqlite_utils.Database, org_id: int, year: int, number: int):
    row = db.execute(
        f"SELECT {_COLUMNS} FROM nonconformities WHERE org_id = ? AND year = ? AND number = ?",
        [org_id, year, number],
    ).fetchone()
    return Nonconformity(*row) if row else None


def of_org(
    db: sqlite_utils.Database,
    org_id: int,
    statuses: tuple[str, ...] | None = None,
    severity: str | None = None,
    area: str | None = None,
) -> list[Nonconformity]:
    where, params = ["org_id = ?"], [org_id]
    if statuses:
        where.append(f"status IN ({', '.join('?' * len(statuses))})")
        params += list(statuses)
    if severity:
        where.append("severity = ?")
        params.append(severity)
    if area:
        where.append("area = ?")
        params.append(area)
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM nonconformities WHERE {' AND '.join(where)}"
        " ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 ELSE 2 END, id DESC",
        params,
    ).fetchall()
    return [Nonconformity(*row) for row in rows]


def of_reporter(db: sqlite_utils.Database, user_id: int) -> list[Nonconformity]:
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM nonconformities WHERE reporter_id = ? ORDER BY id DESC",
        [user_id],
    ).fetchall()
    return [Nonconformity(*row) for row in rows]


def involving(db: sqlite_utils.Database, org_id: int, user_id: int) -> list[Nonconformity]:
    """The organization's reports the user wrote or owns (an action, or an assignment)."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM nonconformities WHERE org_id = ?"
        " AND (reporter_id = ? OR owner_id = ?) ORDER BY id DESC",
        [org_id, user_id, user_id],
    ).fetchall()
    return [Nonconformity(*row) for row in rows]


def photos(db: sqlite_utils.Database, nc_id: int) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT file_id FROM nc_photos WHERE nc_id = ? ORDER BY position", [nc_id]
        )
    ]


def transition(
    db: sqlite_utils.Database,
    nc_id: int,
    from_status: str,
    to_status: str,
    actor_id: int,
    note: str | None,
    fields: dict,
    now: str,
) -> bool:
    """Move the report on, only if it is still in ``from_status`` (a double tap moves it once),
    and write the history row in the same transaction."""
    updates = {k: v for k, v in fields.items() if k in FIELDS}
    assignments = "".join(f", {k} = ?" for k in updates)
    with write(db):
        cursor = db.execute(
            f"UPDATE nonconformities SET status = ?, updated_at = ?{assignments}"
            " WHERE id = ? AND status = ?",
            [to_status, now, *updates.values(), nc_id, from_status],
        )
        if cursor.rowcount != 1:
            return False
        db.execute(
            "INSERT INTO nc_history (nc_id, at, actor_id, from_status, to_status, note)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [nc_id, now, actor_id, from_status, to_status, note],
        )
    return True


def history(db: sqlite_utils.Database, nc_id: int) -> list[Event]:
    rows = db.execute(
        "SELECT at, actor_id, from_status, to_status, note FROM nc_history WHERE nc_id = ?"
        " ORDER BY id",
        [nc_id],
    ).fetchall()
    return [Event(*row) for row in rows]


def photo_files(db: sqlite_utils.Database, nc_id: int) -> list[tuple[int, str, str | None]]:
    """(position, file id, local path) of the report's evidence."""
    return [(row[0], row[1], row[2]) for row in evidence(db, nc_id)]


def evidence(db: sqlite_utils.Database, nc_id: int) -> list[tuple[int, str, str | None, str]]:
    """(position, file id, local path, kind: photo | voice | video) of the report's evidence."""
    return [
        tuple(row)
        for row in db.execute(
            "SELECT position, file_id, local_path, kind FROM nc_photos WHERE nc_id = ?"
            " ORDER BY position",
            [nc_id],
        )
    ]


@dataclass(frozen=True)
class Unarchived:
    nc_id: int
    position: int
    file_id: str
    org_id: int
    reference: str
    attempts: int
    kind: str = "photo"


def unarchived(db: sqlite_utils.Database, now: str, limit: int = 50) -> list[Unarchived]:
    """Photos still owed to the evidence folder and due for a try, oldest first."""
    rows = db.execute(
        "SELECT p.nc_id, p.position, p.file_id, n.org_id, n.year, n.number, p.attempts, p.kind"
        " FROM nc_photos p JOIN nonconformities n ON n.id = p.nc_id"
        " WHERE p.local_path IS NULL AND (p.next_attempt_at IS NULL OR p.next_attempt_at <= ?)"
        " ORDER BY p.nc_id, p.position LIMIT ?",
        [now, limit],
    ).fetchall()
    return [Unarchived(r[0], r[1], r[2], r[3], f"NC-{r[4]}-{r[5]:04d}", r[6], r[7]) for r in rows]


def set_photo_path(db: sqlite_utils.Database, nc_id: int, position: int, path: str) -> None:
    db.execute(
        "UPDATE nc_photos SET local_path = ? WHERE nc_id = ? AND position = ?",
        [path, nc_id, position],
    )


def photo_failed(
    db: sqlite_utils.Database, nc_id: int, position: int, error: str, retry_at: str
) -> None:
    db.execute(
        "UPDATE nc_photos SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
        " WHERE nc_id = ? AND position = ?",
        [error[:300], retry_at, nc_id, position],
    )


def retry_now(db: sqlite_utils.Database) -> None:
    db.execute(
        "UPDATE nc_photos SET next_attempt_at = NULL"
        " WHERE local_path IS NULL AND next_attempt_at IS NOT NULL"
    )
