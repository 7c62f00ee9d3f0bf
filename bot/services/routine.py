"""What the scheduler's tick does: find due work in our own tables and owe it in the outbox.

Every step is idempotent: a tip is keyed ``tip:{chat}:{local date}``, a morning
``morning:{zone}:{local date}`` (in ``jobs_done``), a reminder by what it reminds of. Ticking
twice, or after a restart, owes nothing twice. After downtime the mornings catch up (a
reminder at 11:00 is still useful) but never in quiet hours (22:00–07:00): a morning missed
entirely is covered by the next one, which lists everything still due.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlite_utils

from bot import clock
from bot.db import outbox
from bot.db.tx import write
from bot.services import nc, objectives, qms_calendar, reviews, team_quiz, tips

log = logging.getLogger(__name__)
MORNING = time(8, 0)
LAST_TICK = "scheduler.last_tick"


@dataclass(frozen=True)
class Tick:
    tips: int = 0
    skipped: int = 0
    reminders: int = 0

    @property
    def owed(self) -> int:
        return self.tips + self.reminders

    def __add__(self, other: "Tick") -> "Tick":
        return Tick(
            self.tips + other.tips, self.skipped + other.skipped, self.reminders + other.reminders
        )


def steps(db: sqlite_utils.Database, fallback_zone: str, now: datetime) -> Iterator[Tick]:
    """The tick's work as short transactions, each step's counts yielded: the bot answers
    people between two steps (100,000 tips due at 08:30 are owed a batch at a time)."""
    while True:
        enqueued = tips.enqueue_due(db, now, fallback_zone)
        yield Tick(enqueued.owed, enqueued.skipped)
        if enqueued.owed + enqueued.skipped < tips.BATCH:
            break
    yield Tick(reminders=tips.ask_new_members(db, now, fallback_zone))
    yield Tick(reminders=team_quiz.run_due_challenges(db, now, fallback_zone))
    for zone in _zones(db, fallback_zone):
        yield Tick(reminders=morning(db, zone, now))
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [LAST_TICK, clock.stamp(now)],
    )


def tick(db: sqlite_utils.Database, fallback_zone: str, now: datetime | None = None) -> Tick:
    """All of the tick's steps at once (tests, the console's ``:tick``)."""
    return sum(steps(db, fallback_zone, now or clock.now()), Tick())


def last_tick(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [LAST_TICK]).fetchone()
    return row[0] if row else None


def _zones(db: sqlite_utils.Database, fallback: str) -> list[str]:
    """Every zone a person or an organization lives in: a morning is per zone. (A person's
    own zone counts even if they are in no organization: that morning finds nobody.)"""
    rows = db.execute(
        "SELECT DISTINCT timezone FROM users WHERE timezone IS NOT NULL"
        " UNION SELECT DISTINCT timezone FROM organizations"
    ).fetchall()
    return sorted({row[0] or fallback for row in rows})


def _morning_people(db: sqlite_utils.Database, zone: str, today: date) -> list[tuple]:
    """(user, org, manager?) of the active members in ``zone`` (their own, else their
    organization's) who may have something this morning: the managers, and the owners of
    actions due. Not every member: a morning costs what it sends, not the workforce."""
    living_here = (
        " JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.org_id"
        " WHERE u.active = 1 AND COALESCE(u.timezone, o.timezone) = ?"
    )
    return db.execute(
        "SELECT m.user_id, m.org_id, 1 FROM members m"
        + living_here
        + " AND m.role IN ('manager', 'admin')"
        " UNION SELECT m.user_id, m.org_id, 0 FROM nonconformities n"
        " JOIN members m ON m.user_id = n.owner_id AND m.org_id = n.org_id"
        + living_here
        + " AND n.status = 'planned' AND n.due_date <= ? AND m.role = 'worker'"
        " ORDER BY 1",
        [zone, zone, (today + timedelta(days=nc.DUE_SOON)).isoformat()],
    ).fetchall()


def due_actions(db: sqlite_utils.Database, org_id: int, today: date, owner: int | None = None):
    """(id, due date) of the planned actions due within two days or overdue, soonest first."""
    sql = (
        "SELECT id, due_date FROM nonconformities WHERE org_id = ? AND status = 'planned'"
        " AND due_date IS NOT NULL AND due_date <= ?"
    )
    params: list = [org_id, (today + timedelta(days=nc.DUE_SOON)).isoformat()]
    if owner is not None:
        sql += " AND owner_id = ?"
        params.append(owner)
    return db.execute(sql + " ORDER BY due_date, id", params).fetchall()


def morning(db: sqlite_utils.Database, zone: str, now: datetime) -> int:
    """The morning's reminders for the people in ``zone``, once per local date."""
    local = clock.local(now, zone)
    if local.time() < MORNING or tips.quiet(local.time()):
        return 0
    key = f"morning:{zone}:{local.date().isoformat()}"
    owed = 0
    stamp = clock.stamp(now)
    with write(db):
        fresh = db.execute(
            "INSERT INTO jobs_done (key, done_at) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
            [key, stamp],
        ).rowcount
        if not fresh:
            return 0
        today = local.date()
        day = today.isoformat()
        org_due: dict[int, bool] = {}
        for user_id, org_id, manager in _morning_people(db, zone, today):
            if manager and org_id not in org_due:
                org_due[org_id] = bool(due_actions(db, org_id, today))
            if manager and org_due[org_id]:
                owed += outbox.notice(
                    db, f"due:{user_id}:{day}", user_id, "actions.due", {"day": day}, stamp
                )
            elif due_actions(db, org_id, today, owner=user_id):
                owed += outbox.notice(
                    db, f"due-mine:{user_id}:{day}", user_id, "actions.mine", {"day": day}, stamp
                )
            if manager and today.weekday() == 0:
                owed += _digest(db, user_id, today, stamp)
            if manager:
                owed += qms_calendar.remind(db, org_id, user_id, today, stamp)
        owed += _audit_reminders(db, zone, today, stamp)
        for decision_id, owner_id in reviews.due_decisions(db, zone, today):
            params = {"decision": decision_id}
            key = f"review-decision:{decision_id}:{day}"
            owed += outbox.notice(db, key, owner_id, "review.decision", params, stamp)
        for objective_id, owner_id, period in objectives.due_questions(db, zone, today):
            params = {"objective": objective_id, "period": period}
            key = f"objective:{objective_id}:{period}"
            owed += outbox.notice(db, key, owner_id, "objective.value", params, stamp)
        if today.weekday() == 0:
            for chat_id in _digest_groups(db, zone):
                owed += _digest(db, chat_id, today, stamp)
    if owed:
        log.info("morning in %s: %s reminders owed", zone, owed)
    return owed


def _digest(db: sqlite_utils.Database, chat_id: int, monday: date, stamp: str) -> int:
    """The week's digest and its chart, two letters one after the other, once a week."""
    week = monday.isocalendar()
    key = f"{chat_id}:{week.year}-W{week.week:02d}"
    params = {"day": monday.isoformat()}
    owed = outbox.notice(db, f"digest:{key}", chat_id, "digest", params, stamp)
    return owed + outbox.notice(db, f"digest-chart:{key}", chat_id, "digest.chart", params, stamp)


def _digest_groups(db: sqlite_utils.Database, zone: str) -> list[int]:
    """The linked groups of the organizations in ``zone`` that get the weekly digest."""
    rows = db.execute(
        "SELECT g.chat_id FROM group_chats g JOIN organizations o ON o.id = g.org_id"
        " WHERE o.timezone = ? AND g.active = 1 AND g.digest = 1 ORDER BY g.chat_id",
        [zone],
    ).fetchall()
    return [row[0] for row in rows]


def _audit_reminders(db: sqlite_utils.Database, zone: str, today: date, stamp: str) -> int:
    """Auditors living in ``zone`` are reminded of their audits 7 and 1 days before and on
    the day (managers see them on the QMS calendar)."""
    rows = db.execute(
        "SELECT a.id, a.auditor_id, a.planned_for FROM audits a"
        " JOIN users u ON u.id = a.auditor_id JOIN organizations o ON o.id = a.org_id"
        " WHERE a.status IN ('planned', 'in_progress') AND u.active = 1"
        " AND COALESCE(u.timezone, o.timezone) = ? AND a.planned_for BETWEEN ? AND ?",
        [zone, today.isoformat(), (today + timedelta(days=7)).isoformat()],
    ).fetchall()
    owed = 0
    for audit_id, auditor_id, day in rows:
        mark = qms_calendar.milestone((date.fromisoformat(day) - today).days)
        params = {"audit": audit_id, "day": day}
        key = f"audit:{audit_id}:{day}:{mark}"
        owed += outbox.notice(db, key, auditor_id, "audit.reminder", params, stamp)
    return owed
