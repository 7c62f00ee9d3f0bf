"""Quality objectives (ISO 9001 6.2): measurable, with a target, an owner, a due date and a
rhythm. At the start of each week, month or quarter the owner is asked for the value of the
period just ended (the scheduler's tick owes the question; the outbox sends it); the trend
shows whether the objective is on track."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from bot import clock
from bot.db import orgs as orgs_repo
from bot.db.tx import write
from bot.services import orgs, text
from bot.services.orgs import NotAllowed

EVERY = ("week", "month", "quarter")
MAX_TITLE = 100
MAX_UNIT = 12
NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


@dataclass(frozen=True)
class Objective:
    id: int
    org_id: int
    title: str
    target: float
    unit: str
    better: str
    owner_id: int | None
    due_date: str
    every: str
    created_at: str


_COLUMNS = "id, org_id, title, target, unit, better, owner_id, due_date, every, created_at"


def parse_number(typed: str) -> float | None:
    """ "98.5", "98,5", "９８．５" → 98.5; None if it is not a number."""
    cleaned = unicodedata.normalize("NFKC", typed).strip().replace(" ", "").rstrip("%")
    if THOUSANDS.match(cleaned):  # 1,000 or 12,500: a thousands separator, not a decimal
        cleaned = cleaned.replace(",", "")
    if not NUMBER.match(cleaned) or len(cleaned) > 15:
        return None
    return float(cleaned.replace(",", "."))


def add(
    db: sqlite_utils.Database,
    actor_id: int,
    title: str,
    target: float,
    unit: str,
    better: str,
    owner_id: int,
    due: date,
    every: str,
    today: date,
) -> Objective:
    """A new objective; managers only. The owner must be a member of the organization."""
    member = orgs.require(db, actor_id, "manager")
    title = text.clean_line(title)[:MAX_TITLE]
    unit = text.clean_line(unit)[:MAX_UNIT]
    owner = orgs_repo.membership(db, owner_id)
    if not title or better not in ("higher", "lower") or every not in EVERY or due < today:
        raise ValueError("an objective needs a title, a direction, a rhythm and a future date")
    if owner is None or owner.org_id != member.org_id:
        raise NotAllowed(f"user {owner_id} is not in the organization")
    with write(db):
        objective_id = db.execute(
            "INSERT INTO objectives (org_id, title, target, unit, better, owner_id, due_date,"
            " every, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                member.org_id,
                title,
                target,
                unit,
                better,
                owner_id,
                due.isoformat(),
                every,
                actor_id,
                clock.stamp(),
            ],
        ).lastrowid
    return get(db, objective_id)


def get(db: sqlite_utils.Database, objective_id: int) -> Objective | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM objectives WHERE id = ?", [objective_id]).fetchone()
    return Objective(*row) if row else None


def of_org(db: sqlite_utils.Database, viewer_id: int) -> list[Objective]:
    """The organization's open objectives: anyone in it may read them (7.3 awareness)."""
    member = orgs.require(db, viewer_id, "worker")
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM objectives WHERE org_id = ? AND closed_at IS NULL"
        " ORDER BY due_date, id",
        [member.org_id],
    ).fetchall()
    return [Objective(*row) for row in rows]


def visible(db: sqlite_utils.Database, viewer_id: int, objective_id: int) -> Objective:
    found = get(db, objective_id)
    member = orgs.membership(db, viewer_id)
    if found is None or member is None or member.org_id != found.org_id:
        raise NotAllowed(f"user {viewer_id} may not see objective {objective_id}")
    return found


def may_enter(db: sqlite_utils.Database, user_id: int, found: Objective) -> bool:
    member = orgs.membership(db, user_id)
    return bool(
        member
        and member.org_id == found.org_id
        and (found.owner_id == user_id or member.role in ("manager", "admin"))
    )


def enter(
    db: sqlite_utils.Database, actor_id: int, objective_id: int, period: str, value: float
) -> None:
    """The value of one period (again: replaced); the owner or a manager."""
    found = visible(db, actor_id, objective_id)
    if not may_enter(db, actor_id, found):
        raise NotAllowed(f"user {actor_id} may not enter values of objective {objective_id}")
    if not PERIOD.match(period):
        raise ValueError(f"not a period: {period!r}")
    db.execute(
        "INSERT INTO objective_values (objective_id, period, value, entered_by, entered_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (objective_id, period) DO UPDATE SET"
        " value = excluded.value, entered_by = excluded.entered_by,"
        " entered_at = excluded.entered_at",
        [objective_id, period, value, actor_id, clock.stamp()],
    )


def close(db: sqlite_utils.Database, actor_id: int, objective_id: int) -> bool:
    """Close an objective (reached, or replaced): no more questions; its values stay."""
    member = orgs.require(db, actor_id, "manager")
    return bool(
        db.execute(
            "UPDATE objectives SET closed_at = ? WHERE id = ? AND org_id = ? AND closed_at IS NULL",
            [clock.stamp(), objective_id, member.org_id],
        ).rowcount
    )


def values(db: sqlite_utils.Database, objective_id: int) -> list[tuple[str, float]]:
    """(period, value), oldest first."""
    return db.execute(
        "SELECT period, value FROM objective_values WHERE objective_id = ? ORDER BY period",
        [objective_id],
    ).fetchall()


def met(found: Objective, value: float) -> bool:
    return value >= found.target if found.better == "higher" else value <= found.target


# ----- periods ---------------------------------------------------------------------------
PERIOD = re.compile(r"^\d{4}-(W\d{2}|\d{2}|Q[1-4])$")


def period_of(day: date, every: str) -> str:
    if every == "week":
        week = day.isocalendar()
        return f"{week.year}-W{week.week:02d}"
    if every == "month":
        return f"{day.year}-{day.month:02d}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def last_period(today: date, every: str) -> str:
    """The period just ended (the one whose value is asked for)."""
    if every == "week":
        return period_of(today - timedelta(days=7), every)
    if every == "month":
        return period_of(today.replace(day=1) - timedelta(days=1), every)
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return period_of(start - timedelta(days=1), every)


def due_questions(db: sqlite_utils.Database, zone: str, today: date) -> list[tuple[int, int, str]]:
    """(objective, owner, period) of the open objectives whose owner lives in ``zone`` and
    whose period just ended has no value yet (and had begun when the objective was set)."""
    rows = db.execute(
        "SELECT j.id, j.owner_id, j.every, j.created_at FROM objectives j"
        " JOIN users u ON u.id = j.owner_id JOIN organizations o ON o.id = j.org_id"
        " WHERE j.closed_at IS NULL AND u.active = 1 AND COALESCE(u.timezone, o.timezone) = ?",
        [zone],
    ).fetchall()
    due = []
    for objective_id, owner_id, every, created_at in rows:
        period = last_period(today, every)
        created = clock.local(created_at, zone).date()
        if period_of(created, every) > period:
            continue  # set up after that period: its first question comes next period
        known = db.execute(
            "SELECT 1 FROM objective_values WHERE objective_id = ? AND period = ?",
            [objective_id, period],
        ).fetchone()
        if not known:
            due.append((objective_id, owner_id, period))
    return due
