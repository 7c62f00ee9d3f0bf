"""The organization's QMS calendar: internal audits, management reviews, certification
audits, certificate expiry, training, and the roadmap's target dates.

Dates are days in the organization's time zone. Roadmap steps with a target date, and the
internal audits planned, appear here as they are (read, never copied, so they cannot
disagree).
Managers are reminded 30, 7 and 1 days before and on the day; after downtime only the
latest reminder due is sent, once.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from bot import clock
from bot.db import orgs as orgs_repo
from bot.db import outbox
from bot.db.tx import write
from bot.services.orgs import NotAllowed

KINDS = (
    "internal_audit",
    "management_review",
    "surveillance_audit",
    "recertification",
    "certificate_expiry",
    "training",
    "custom",
)
# Roadmap steps that are calendar events of a known kind; other steps are "roadmap".
ROADMAP_KINDS = {
    "internal-audit": "internal_audit",
    "management-review": "management_review",
    "surveillance": "surveillance_audit",
    "recertification": "recertification",
}
REMIND_BEFORE = (0, 1, 7, 30)  # days
MAX_TITLE = 100
MAX_EVENTS = 200  # per organization: a calendar, not a database


@dataclass(frozen=True)
class Event:
    id: str  # "12" for a calendar row, "roadmap:stage-2" for a roadmap step
    kind: str
    title: str | None
    day: date
    step: str | None = None  # the roadmap step, for its title in the reader's language


def _manager_org(db: sqlite_utils.Database, actor_id: int) -> int:
    member = orgs_repo.membership(db, actor_id)
    if member is None or member.role not in ("manager", "admin"):
        raise NotAllowed("managers only")
    return member.org_id


def upcoming(db: sqlite_utils.Database, org_id: int, today: date) -> list[Event]:
    """Today's and later events, soonest first (roadmap steps not yet done included)."""
    rows = db.execute(
        "SELECT id, kind, title, day FROM calendar_events WHERE org_id = ? AND day >= ?",
        [org_id, today.isoformat()],
    ).fetchall()
    events = [Event(str(i), kind, title, date.fromisoformat(day)) for i, kind, title, day in rows]
    for step, day in db.execute(
        "SELECT step_id, target_date FROM roadmap WHERE org_id = ? AND status != 'done'"
        " AND target_date >= ?",
        [org_id, today.isoformat()],
    ):
        kind = ROADMAP_KINDS.get(step, "roadmap")
        events.append(Event(f"roadmap:{step}", kind, None, date.fromisoformat(day), step))
    events += [e for e in _audits(db, org_id) if e.day >= today]
    return sorted(events, key=lambda e: (e.day, e.id))


def _audits(db: sqlite_utils.Database, org_id: int) -> list[Event]:
    """The internal audit programme's audits not yet done (planned in the audit screens)."""
    rows = db.execute(
        "SELECT id, year, number, subject, planned_for FROM audits WHERE org_id = ?"
        " AND status IN ('planned', 'in_progress')",
        [org_id],
    ).fetchall()
    return [
        Event(f"audit:{i}", "internal_audit", f"IA-{y}-{n:02d} {subject}", date.fromisoformat(d))
        for i, y, n, subject, d in rows
    ]


def add(
    db: sqlite_utils.Database, actor_id: int, kind: str, day: date, title: str | None, today: date
) -> Event:
    """A new event (managers only; not in the past; the kind one of ours)."""
    org_id = _manager_org(db, actor_id)
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if day < today:
        raise ValueError("in the past")
    title = (title or "").strip()[:MAX_TITLE] or None
    with write(db):
        if db["calendar_events"].count_where("org_id = ?", [org_id]) >= MAX_EVENTS:
            db.execute(
                "DELETE FROM calendar_events WHERE org_id = ? AND day < ?",
                [org_id, today.isoformat()],
            )
        cursor = db.execute(
            "INSERT INTO calendar_events (org_id, kind, title, day, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [org_id, kind, title, day.isoformat(), actor_id, clock.stamp()],
        )
    return Event(str(cursor.lastrowid), kind, title, day)


def remove(db: sqlite_utils.Database, actor_id: int, event_id: str) -> bool:
    """Delete one of the organization's own events (roadmap dates change in the roadmap)."""
    org_id = _manager_org(db, actor_id)
    if not event_id.isdigit():
        return False
    with write(db):
        return bool(
            db.execute(
                "DELETE FROM calendar_events WHERE id = ? AND org_id = ?", [int(event_id), org_id]
            ).rowcount
        )


def get(db: sqlite_utils.Database, org_id: int, event_id: str) -> Event | None:
    if event_id.startswith("roadmap:"):
        step = event_id.removeprefix("roadmap:")
        row = db.execute(
            "SELECT target_date FROM roadmap WHERE org_id = ? AND step_id = ?"
            " AND target_date IS NOT NULL",
            [org_id, step],
        ).fetchone()
        if row is None:
            return None
        return Event(
            event_id, ROADMAP_KINDS.get(step, "roadmap"), None, date.fromisoformat(row[0]), step
        )
    if event_id.startswith("audit:"):
        return next((e for e in _audits(db, org_id) if e.id == event_id), None)
    if not event_id.isdigit():
        return None
    row = db.execute(
        "SELECT id, kind, title, day FROM calendar_events WHERE id = ? AND org_id = ?",
        [int(event_id), org_id],
    ).fetchone()
    return Event(str(row[0]), row[1], row[2], date.fromisoformat(row[3])) if row else None


def milestone(days_left: int) -> int | None:
    """Which reminder is due with ``days_left`` to go: the nearest of 30, 7, 1, 0 days."""
    return next((m for m in REMIND_BEFORE if days_left <= m), None)


def remind(db: sqlite_utils.Database, org_id: int, user_id: int, today: date, now: str) -> int:
    """Owe ``user_id`` the reminders due today for the organization's events."""
    owed = 0
    horizon = today + timedelta(days=max(REMIND_BEFORE))
    for event in upcoming(db, org_id, today):
        if event.day > horizon:
            break
        left = (event.day - today).days
        mark = milestone(left)
        owed += outbox.notice(
            db,
            f"cal:{org_id}:{event.id}:{event.day.isoformat()}:{mark}:{user_id}",
            user_id,
            "calendar",
            {"event": event.id, "day": event.day.isoformat()},
            now,
        )
    return owed
