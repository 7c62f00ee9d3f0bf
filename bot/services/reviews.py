"""Management reviews (ISO 9001 9.3): the pack of inputs 9.3.2 a)–f) — filled from what the
bot knows (reports, corrective actions, objectives, audits, readiness, earlier decisions) and
completed by the manager for what it cannot know (context changes, customer feedback,
resources, risks) — the decisions 9.3.3 a)–c), each with an owner and a due date and followed
up like corrective actions, and the minutes, issued and frozen (a change is a new version).
Managers only.
"""

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from bot import clock
from bot.db import orgs as orgs_repo
from bot.db import outbox
from bot.db import readiness as readiness_repo
from bot.db.tx import write
from bot.services import objectives, orgs, people, readiness, text
from bot.services.orgs import NotAllowed

log = logging.getLogger(__name__)

# What the manager is asked for, in the order of 9.3.2 (the rest the bot fills in).
ASKED = ("context", "customers", "processes", "monitoring", "resources", "risks", "improvement")
KINDS = ("improvement", "change", "resources")  # 9.3.3 a), b), c)
MAX_ANSWER = 2000
MAX_DECISION = 500


class TooEarly(ValueError):
    """Minutes are issued on or after the day the review is held."""


@dataclass(frozen=True)
class Review:
    id: int
    org_id: int
    year: int
    number: int
    held_on: str
    since: str
    answers: dict
    status: str

    @property
    def reference(self) -> str:
        return f"MR-{self.year}-{self.number:02d}"


@dataclass(frozen=True)
class Decision:
    id: int
    review_id: int
    kind: str
    text: str
    owner_id: int | None
    due_date: str
    status: str


def _review(row) -> Review:
    return Review(*row[:6], json.loads(row[6] or "{}"), row[7])


_COLUMNS = "id, org_id, year, number, held_on, since, answers, status"


def start(db: sqlite_utils.Database, actor_id: int, held_on: date) -> Review:
    """A new review, covering the time since the last one (or the last twelve months)."""
    member = orgs.require(db, actor_id, "manager")
    with write(db):
        last = db.execute(  # a draft started by mistake does not shorten the next review
            "SELECT MAX(held_on) FROM reviews WHERE org_id = ? AND held_on < ?"
            " AND status = 'issued'",
            [member.org_id, held_on.isoformat()],
        ).fetchone()[0]
        since = last or (held_on - timedelta(days=365)).isoformat()
        number = db.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM reviews WHERE org_id = ? AND year = ?",
            [member.org_id, held_on.year],
        ).fetchone()[0]
        review_id = db.execute(
            "INSERT INTO reviews (org_id, year, number, held_on, since, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                member.org_id,
                held_on.year,
                number,
                held_on.isoformat(),
                since,
                actor_id,
                clock.stamp(),
            ],
        ).lastrowid
    return get(db, actor_id, review_id)


def get(db: sqlite_utils.Database, actor_id: int, review_id: int) -> Review:
    member = orgs.require(db, actor_id, "manager")
    row = db.execute(
        f"SELECT {_COLUMNS} FROM reviews WHERE id = ? AND org_id = ?", [review_id, member.org_id]
    ).fetchone()
    if row is None:
        raise NotAllowed(f"user {actor_id} may not see review {review_id}")
    return _review(row)


def of_org(db: sqlite_utils.Database, actor_id: int) -> list[Review]:
    member = orgs.require(db, actor_id, "manager")
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM reviews WHERE org_id = ? ORDER BY held_on DESC, id DESC",
        [member.org_id],
    ).fetchall()
    return [_review(row) for row in rows]


def answer(db: sqlite_utils.Database, actor_id: int, review_id: int, key: str, typed: str):
    """The manager's words for one input the bot cannot know (empty: none)."""
    found = get(db, actor_id, review_id)
    if key not in ASKED:
        raise ValueError(key)
    answers = {**found.answers, key: text.clean(typed).strip()[:MAX_ANSWER]}
    db.execute(
        "UPDATE reviews SET answers = ? WHERE id = ?",
        [json.dumps(answers, ensure_ascii=False), found.id],
    )


def decide(
    db: sqlite_utils.Database,
    actor_id: int,
    review_id: int,
    kind: str,
    typed: str,
    owner_id: int,
    due: date,
    today: date,
) -> Decision:
    """A decision or action of the review (9.3.3), with an owner in the organization."""
    found = get(db, actor_id, review_id)
    owner = orgs_repo.membership(db, owner_id)
    words = text.clean(typed).strip()[:MAX_DECISION]
    if kind not in KINDS or not words or due < today:
        raise ValueError("a decision needs its kind, words and a date not in the past")
    if owner is None or owner.org_id != found.org_id:
        raise NotAllowed(f"user {owner_id} is not in the organization")
    with write(db):  # the owner is told in the same transaction
        decision_id = db.execute(
            "INSERT INTO review_decisions (review_id, kind, text, owner_id, due_date)"
            " VALUES (?, ?, ?, ?, ?)",
            [found.id, kind, words, owner_id, due.isoformat()],
        ).lastrowid
        outbox.notice(
            db,
            f"review-decision:{decision_id}:new",
            owner_id,
            "review.decision",
            {"decision": decision_id, "new": True},
            clock.stamp(),
        )
    return decision(db, decision_id)


def decision(db: sqlite_utils.Database, decision_id: int) -> Decision | None:
    row = db.execute(
        "SELECT id, review_id, kind, text, owner_id, due_date, status FROM review_decisions"
        " WHERE id = ?",
        [decision_id],
    ).fetchone()
    return Decision(*row) if row else None


def decisions(db: sqlite_utils.Database, review_id: int) -> list[Decision]:
    rows = db.execute(
        "SELECT id, review_id, kind, text, owner_id, due_date, status FROM review_decisions"
        " WHERE review_id = ? ORDER BY id",
        [review_id],
    ).fetchall()
    return [Decision(*row) for row in rows]


def mark_done(db: sqlite_utils.Database, actor_id: int, decision_id: int) -> bool:
    """The owner (or a manager) marks a decision done; True if it moved."""
    found = decision(db, decision_id)
    member = orgs.membership(db, actor_id)
    org_id = db.execute(
        "SELECT org_id FROM reviews WHERE id = ?", [found.review_id if found else 0]
    ).fetchone()
    if found is None or member is None or org_id is None or member.org_id != org_id[0]:
        raise NotAllowed(f"user {actor_id} may not close decision {decision_id}")
    if actor_id != found.owner_id and member.role not in ("manager", "admin"):
        raise NotAllowed(f"user {actor_id} may not close decision {decision_id}")
    return bool(
        db.execute(
            "UPDATE review_decisions SET status = 'done', done_at = ? WHERE id = ?"
            " AND status = 'open'",
            [clock.stamp(), decision_id],
        ).rowcount
    )


def still_member(db: sqlite_utils.Database, user_id: int, found: Decision) -> bool:
    row = db.execute("SELECT org_id FROM reviews WHERE id = ?", [found.review_id]).fetchone()
    member = orgs.membership(db, user_id)
    return bool(row and member and member.org_id == row[0])


def due_decisions(db: sqlite_utils.Database, zone: str, today: date) -> list[tuple[int, int]]:
    """(decision, owner) of open decisions due within two days or overdue, owners in ``zone``."""
    return db.execute(
        "SELECT d.id, d.owner_id FROM review_decisions d JOIN reviews r ON r.id = d.review_id"
        " JOIN users u ON u.id = d.owner_id JOIN organizations o ON o.id = r.org_id"
        " JOIN members m ON m.user_id = d.owner_id AND m.org_id = r.org_id"
        " WHERE d.status = 'open' AND u.active = 1 AND COALESCE(u.timezone, o.timezone) = ?"
        " AND d.due_date <= ?",
        [zone, (today + timedelta(days=2)).isoformat()],
    ).fetchall()


# ----- the pack ------------------------------------------------------------------------------
def pack(db: sqlite_utils.Database, actor_id: int, review_id: int) -> dict:
    """Every input of 9.3.2 a)–f) the bot can fill, for the review's period (the same numbers
    go into the minutes, the XLSX and, frozen, the issued version)."""
    found = get(db, actor_id, review_id)
    org = orgs_repo.organization(db, found.org_id)
    zone = ZoneInfo(org["timezone"])
    since = clock.stamp(datetime.combine(date.fromisoformat(found.since), time(0), tzinfo=zone))
    until = clock.stamp(
        datetime.combine(
            date.fromisoformat(found.held_on) + timedelta(days=1), time(0), tzinfo=zone
        )
    )
    org_id = found.org_id
    reports = db.execute(
        "SELECT id, year, number, category, area, severity, status, created_at, due_date,"
        " source FROM nonconformities WHERE org_id = ? AND created_at >= ? AND created_at < ?",
        [org_id, since, until],
    ).fetchall()
    by_month: dict[str, int] = {}
    by_area: dict[str, int] = {}
    by_category: dict[str, int] = {}
    complaints = sum(r[3] == "complaint" and r[9] == "report" for r in reports)
    for _id, _y, _n, category, area, _sev, _status, created, _due, _source in reports:
        month = clock.local(created, org["timezone"]).strftime("%Y-%m")
        by_month[month] = by_month.get(month, 0) + 1
        by_area[area or ""] = by_area.get(area or "", 0) + 1
        by_category[category] = by_category.get(category, 0) + 1
    open_now = sum(r[6] not in ("closed", "rejected", "duplicate") for r in reports)
    held = date.fromisoformat(found.held_on)
    overdue = sum(
        r[6] == "planned" and r[8] is not None and r[8] < held.isoformat() for r in reports
    )
    earlier = db.execute(
        "SELECT d.kind, d.text, d.owner_id, d.due_date, d.status, r.year, r.number"
        " FROM review_decisions d JOIN reviews r ON r.id = d.review_id"
        " WHERE r.org_id = ? AND r.held_on < ? ORDER BY r.held_on, d.id",
        [org_id, found.held_on],
    ).fetchall()
    audits = db.execute(
        "SELECT a.id, a.year, a.number, a.subject, a.finished_at,"
        " SUM(f.result = 'minor'), SUM(f.result = 'major'), SUM(f.result = 'observation'),"
        " SUM(f.result = 'improvement') FROM audits a"
        " LEFT JOIN audit_findings f ON f.audit_id = a.id"
        " WHERE a.org_id = ? AND a.status = 'done' AND a.finished_at >= ? AND a.finished_at < ?"
        " GROUP BY a.id ORDER BY a.finished_at",
        [org_id, since, until],
    ).fetchall()
    improvements = db.execute(
        "SELECT a.year, a.number, f.clause, f.note FROM audit_findings f"
        " JOIN audits a ON a.id = f.audit_id WHERE a.org_id = ? AND f.result = 'improvement'"
        " AND f.recorded_at >= ? AND f.recorded_at < ?",
        [org_id, since, until],
    ).fetchall()
    goals = []
    for goal in db.execute(
        "SELECT id FROM objectives WHERE org_id = ? AND closed_at IS NULL ORDER BY id", [org_id]
    ).fetchall():
        found_goal = objectives.get(db, goal[0])
        values = objectives.values(db, found_goal.id)
        goals.append(
            {
                "title": found_goal.title,
                "target": found_goal.target,
                "unit": found_goal.unit,
                "better": found_goal.better,
                "values": values[-12:],
                "met": objectives.met(found_goal, values[-1][1]) if values else None,
            }
        )
    latest = readiness.latest_results(db, actor_id).get("all")
    overall = readiness.result(db, actor_id, latest.id).overall if latest else None
    return {
        "reference": found.reference,
        "held_on": found.held_on,
        "since": found.since,
        "organization": org["name"],
        "a_earlier": [
            {
                "review": f"MR-{y}-{n:02d}",
                "kind": kind,
                "text": words,
                "owner": people.name(db, owner),
                "due": due,
                "status": status,
            }
            for kind, words, owner, due, status, y, n in earlier
        ],
        "c1_complaints": complaints,
        "c2_objectives": goals,
        "c3_product_process": {k: by_category.get(k, 0) for k in ("product", "process")},
        "c4_reports": {
            "total": len(reports),
            "open": open_now,
            "overdue": overdue,
            "by_month": sorted(by_month.items()),
            "by_area": sorted(by_area.items(), key=lambda i: (-i[1], i[0])),
            "by_category": sorted(by_category.items(), key=lambda i: (-i[1], i[0])),
        },
        "c5_readiness": overall,
        "c6_audits": [
            {
                "audit": f"IA-{y}-{n:02d}",
                "subject": subject,
                "finished": finished,
                "minor": minor or 0,
                "major": major or 0,
                "observations": obs or 0,
                "improvements": imp or 0,
            }
            for _id, y, n, subject, finished, minor, major, obs, imp in audits
        ],
        "c7_suppliers": by_category.get("supplier", 0),
        "f_from_audits": [
            {"audit": f"IA-{y}-{n:02d}", "clause": clause, "note": note}
            for y, n, clause, note in improvements
        ],
        "answers": found.answers,
        "decisions": [
            {
                "kind": d.kind,
                "text": d.text,
                "owner": people.name(db, d.owner_id),
                "due": d.due_date,
                "status": d.status,
            }
            for d in decisions(db, found.id)
        ],
    }


def issue(db: sqlite_utils.Database, actor_id: int, review_id: int) -> int:
    """Freeze the minutes as they are now: the next version, unless nothing changed since
    the last (then that one). An issued version never changes; the roadmap's
    management-review step shows done. Not before the day the review is held."""
    found = get(db, actor_id, review_id)
    org = orgs_repo.organization(db, found.org_id)
    if date.fromisoformat(found.held_on) > clock.today(org["timezone"]):
        raise TooEarly(found.held_on)
    stamp = clock.stamp()
    with write(db):  # one at a time: a double tap issues once
        body = json.loads(json.dumps(pack(db, actor_id, review_id)))  # as stored: no tuples
        latest = issued(db, actor_id, review_id)
        if latest and latest[2] == body:
            return latest[0]  # nothing changed since: the same version again
        version = (latest[0] if latest else 0) + 1
        db.execute(
            "INSERT INTO review_minutes (review_id, version, issued_at, issued_by, body)"
            " VALUES (?, ?, ?, ?, ?)",
            [found.id, version, stamp, actor_id, json.dumps(body, ensure_ascii=False)],
        )
        db.execute("UPDATE reviews SET status = 'issued' WHERE id = ?", [found.id])
        readiness_repo.set_step(
            db, found.org_id, "management-review", actor_id, stamp, status="done"
        )
    log.info("management review %s: minutes v%s issued by user %s", found.id, version, actor_id)
    return version


def issued(db: sqlite_utils.Database, actor_id: int, review_id: int):
    """(version, issued at, the frozen body) of the latest issued minutes, or None."""
    found = get(db, actor_id, review_id)
    row = db.execute(
        "SELECT version, issued_at, body FROM review_minutes WHERE review_id = ?"
        " ORDER BY version DESC LIMIT 1",
        [found.id],
    ).fetchone()
    return (row[0], row[1], json.loads(row[2])) if row else None
