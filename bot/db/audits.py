"""Internal audits: the programme, findings per clause, issued reports (frozen versions)."""

import json
from dataclasses import dataclass

import sqlite_utils

from bot.db.tx import write


@dataclass(frozen=True)
class Audit:
    id: int
    org_id: int
    year: int
    number: int
    subject: str
    team_id: int | None
    clauses: list[str]
    planned_for: str
    auditor_id: int | None
    status: str
    started_at: str | None
    finished_at: str | None

    @property
    def reference(self) -> str:
        return f"IA-{self.year}-{self.number:02d}"


@dataclass(frozen=True)
class Finding:
    clause: str
    result: str
    note: str | None
    photos: list[list[str]]
    nc_id: int | None
    recorded_at: str


_COLUMNS = (
    "id, org_id, year, number, subject, team_id, clauses, planned_for, auditor_id, status,"
    " started_at, finished_at"
)


def _audit(row) -> Audit:
    return Audit(*row[:6], json.loads(row[6]), *row[7:])


def create(
    db: sqlite_utils.Database,
    org_id: int,
    year: int,
    subject: str,
    team_id: int | None,
    clauses: list[str],
    planned_for: str,
    auditor_id: int,
    created_by: int,
    now: str,
) -> Audit:
    """The next audit of the organization's year (IA-<year>-<number>, gap-free)."""
    with write(db):
        number = db.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM audits WHERE org_id = ? AND year = ?",
            [org_id, year],
        ).fetchone()[0]
        audit_id = db.execute(
            "INSERT INTO audits (org_id, year, number, subject, team_id, clauses, planned_for,"
            " auditor_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                org_id,
                year,
                number,
                subject,
                team_id,
                json.dumps(clauses),
                planned_for,
                auditor_id,
                created_by,
                now,
            ],
        ).lastrowid
    return get(db, audit_id)


def get(db: sqlite_utils.Database, audit_id: int) -> Audit | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM audits WHERE id = ?", [audit_id]).fetchone()
    return _audit(row) if row else None


def of_year(db: sqlite_utils.Database, org_id: int, year: int) -> list[Audit]:
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM audits WHERE org_id = ? AND year = ? ORDER BY planned_for, id",
        [org_id, year],
    ).fetchall()
    return [_audit(row) for row in rows]


def assigned(db: sqlite_utils.Database, auditor_id: int) -> list[Audit]:
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM audits WHERE auditor_id = ?"
        " AND status IN ('planned', 'in_progress') ORDER BY planned_for, id",
        [auditor_id],
    ).fetchall()
    return [_audit(row) for row in rows]


def set_status(
    db: sqlite_utils.Database, audit_id: int, old: tuple[str, ...], new: str, **moments: str
) -> bool:
    """Move the audit on, only from one of ``old`` (a double tap moves it once)."""
    sets = "".join(f", {column} = ?" for column in moments)
    return bool(
        db.execute(
            f"UPDATE audits SET status = ?{sets} WHERE id = ? AND status IN"
            f" ({', '.join('?' * len(old))})",
            [new, *moments.values(), audit_id, *old],
        ).rowcount
    )


def record(
    db: sqlite_utils.Database,
    audit_id: int,
    clause: str,
    result: str,
    note: str | None,
    photos: list[list[str]],
    now: str,
) -> None:
    db.execute(
        "INSERT INTO audit_findings (audit_id, clause, result, note, photos, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (audit_id, clause) DO UPDATE SET"
        " result = excluded.result, note = excluded.note, photos = excluded.photos,"
        " recorded_at = excluded.recorded_at",
        [audit_id, clause, result, note, json.dumps(photos), now],
    )


def findings(db: sqlite_utils.Database, audit_id: int) -> dict[str, Finding]:
    rows = db.execute(
        "SELECT clause, result, note, photos, nc_id, recorded_at FROM audit_findings"
        " WHERE audit_id = ?",
        [audit_id],
    ).fetchall()
    return {
        row[0]: Finding(row[0], row[1], row[2], json.loads(row[3] or "[]"), row[4], row[5])
        for row in rows
    }


def link_report(db: sqlite_utils.Database, audit_id: int, clause: str, nc_id: int) -> None:
    db.execute(
        "UPDATE audit_findings SET nc_id = ? WHERE audit_id = ? AND clause = ?",
        [nc_id, audit_id, clause],
    )
    db.execute(
        "UPDATE nonconformities SET source = 'internal_audit', audit_id = ?, clause = ?"
        " WHERE id = ?",
        [audit_id, clause, nc_id],
    )


def issue(db: sqlite_utils.Database, audit_id: int, body: dict, by: int, now: str) -> int:
    """Freeze the report as it is now: the next version (an issued one never changes)."""
    version = db.execute(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM audit_reports WHERE audit_id = ?", [audit_id]
    ).fetchone()[0]
    db.execute(
        "INSERT INTO audit_reports (audit_id, version, issued_at, issued_by, body)"
        " VALUES (?, ?, ?, ?, ?)",
        [audit_id, version, now, by, json.dumps(body, ensure_ascii=False)],
    )
    return version


def issued(db: sqlite_utils.Database, audit_id: int) -> tuple[int, str, dict] | None:
    """The latest issued version: (version, when, the frozen body)."""
    row = db.execute(
        "SELECT version, issued_at, body FROM audit_reports WHERE audit_id = ?"
        " ORDER BY version DESC LIMIT 1",
        [audit_id],
    ).fetchone()
    return (row[0], row[1], json.loads(row[2])) if row else None


def reports_per_team(db: sqlite_utils.Database, org_id: int, since: str) -> dict[int, int]:
    """Reports written since ``since`` by each team's members (the programme's suggestion)."""
    return dict(
        db.execute(
            "SELECT m.team_id, COUNT(*) FROM nonconformities n"
            " JOIN members m ON m.user_id = n.reporter_id AND m.org_id = n.org_id"
            " WHERE n.org_id = ? AND n.created_at >= ? AND m.team_id IS NOT NULL"
            " GROUP BY m.team_id",
            [org_id, since],
        ).fetchall()
    )
