"""Internal audits (ISO 9001 9.2, guided by ISO 19011): the year's programme, auditors who
never audit their own work, a checklist built from the clause map, findings per clause, and
every nonconformity found turned into a report in the usual workflow.

Who sees what: managers see and plan their organization's audits; an auditor sees and runs
only the audits assigned to them; nobody else sees any.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlite_utils

from bot import clock
from bot.db import audits as repo
from bot.db import content as content_repo
from bot.db import orgs as orgs_repo
from bot.db import readiness as readiness_repo
from bot.db.audits import Audit, Finding
from bot.db.tx import write
from bot.services import nc, orgs, people, text
from bot.services.orgs import NotAllowed

log = logging.getLogger(__name__)

RESULTS = ("conforming", "observation", "improvement", "minor", "major")
NONCONFORMING = ("minor", "major")
NEEDS_NOTE = ("observation", "improvement", "minor", "major")
MAX_SUBJECT = 80
MAX_CLAUSES = 30
ROADMAP_STEP = "internal-audit"
# A finding's report is filed under the category its clause is about.
CATEGORY_BY_CLAUSE = {
    "7.5": "documentation",
    "8.4": "supplier",
    "7.1.3": "equipment",
    "7.1.5": "equipment",
    "8.7": "product",
    "8.6": "product",
}


class NotIndependent(NotAllowed):
    """ISO 19011: auditors do not audit their own work."""


def plan(
    db: sqlite_utils.Database,
    actor_id: int,
    subject: str,
    team_id: int | None,
    clauses: list[str],
    day: date,
    auditor_id: int,
    today: date,
) -> Audit:
    """A new audit in the programme; managers only. The auditor must belong to the
    organization and not to the team audited (NotIndependent says so)."""
    member = orgs.require(db, actor_id, "manager")
    subject = text.clean_line(subject)[:MAX_SUBJECT]
    if not subject:
        raise ValueError("an audit needs a subject")
    clauses = [c for c in dict.fromkeys(clauses) if content_repo.get(db, "clause", c, "en")]
    if not clauses or len(clauses) > MAX_CLAUSES:
        raise ValueError("an audit needs clauses from the clause map")
    if day < today:
        raise ValueError("in the past")
    if team_id is not None and orgs_repo.team_name(db, member.org_id, team_id) is None:
        raise NotAllowed(f"team {team_id} is not the organization's")
    check_auditor(db, member.org_id, auditor_id, team_id)
    planned = repo.create(
        db,
        member.org_id,
        day.year,
        subject,
        team_id,
        clauses,
        day.isoformat(),
        auditor_id,
        actor_id,
        clock.stamp(),
    )
    log.info("audit %s planned by user %s for %s", planned.reference, actor_id, day.isoformat())
    return planned


def reassign(db: sqlite_utils.Database, actor_id: int, audit_id: int, auditor_id: int) -> Audit:
    """Another auditor for an audit not yet done (managers; the same independence rule)."""
    found = _managed(db, actor_id, audit_id)
    check_auditor(db, found.org_id, auditor_id, found.team_id)
    db.execute("UPDATE audits SET auditor_id = ? WHERE id = ?", [auditor_id, found.id])
    return repo.get(db, found.id)


def cancel(db: sqlite_utils.Database, actor_id: int, audit_id: int) -> bool:
    """Take an audit not yet done off the programme (its findings so far are kept)."""
    found = _managed(db, actor_id, audit_id)
    return repo.set_status(db, found.id, ("planned", "in_progress"), "cancelled")


def _managed(db: sqlite_utils.Database, actor_id: int, audit_id: int) -> Audit:
    member = orgs.require(db, actor_id, "manager")
    found = repo.get(db, audit_id)
    if found is None or found.org_id != member.org_id:
        raise NotAllowed(f"user {actor_id} may not change audit {audit_id}")
    if found.status not in ("planned", "in_progress"):
        raise NotAllowed(f"audit {audit_id} is {found.status}")
    return found


def check_auditor(db: sqlite_utils.Database, org_id: int, auditor_id: int, team_id) -> None:
    auditor = orgs_repo.membership(db, auditor_id)
    if auditor is None or auditor.org_id != org_id:
        raise NotAllowed(f"user {auditor_id} is not in organization {org_id}")
    if team_id is not None and auditor.team_id == team_id:
        raise NotIndependent(f"user {auditor_id} works in team {team_id}")


def independent(db: sqlite_utils.Database, org_id: int, auditor_id: int, team_id) -> bool:
    try:
        check_auditor(db, org_id, auditor_id, team_id)
    except NotAllowed:
        return False
    return True


def visible(db: sqlite_utils.Database, viewer_id: int, audit_id: int) -> Audit:
    """An audit the viewer may see: any of their organization's for a manager, their own
    assignment for an auditor."""
    found = repo.get(db, audit_id)
    member = orgs.membership(db, viewer_id)
    if found is None or member is None or member.org_id != found.org_id:
        raise NotAllowed(f"user {viewer_id} may not see audit {audit_id}")
    if member.role in ("manager", "admin") or found.auditor_id == viewer_id:
        return found
    raise NotAllowed(f"user {viewer_id} may not see audit {audit_id}")


def runnable(db: sqlite_utils.Database, actor_id: int, audit_id: int) -> Audit:
    """An audit the actor may carry out now: assigned to them, not finished."""
    found = visible(db, actor_id, audit_id)
    if found.auditor_id != actor_id or found.status not in ("planned", "in_progress"):
        raise NotAllowed(f"user {actor_id} may not run audit {audit_id} ({found.status})")
    return found


def checklist(db: sqlite_utils.Database, audit: Audit) -> list[str]:
    """The clauses to check, down to the finest level of the clause map, in order (one
    query: every screen of a running audit asks for it)."""
    below: dict[str, list[str]] = {}
    for clause, parent in db.execute(
        "SELECT id, parent FROM content_items WHERE kind = 'clause' ORDER BY position"
    ):
        below.setdefault(parent, []).append(clause)

    def leaves(clause: str) -> list[str]:
        return (
            [c for child in below[clause] for c in leaves(child)] if clause in below else [clause]
        )

    return list(dict.fromkeys(c for clause in audit.clauses for c in leaves(clause)))


def record(
    db: sqlite_utils.Database,
    actor_id: int,
    audit_id: int,
    clause: str,
    result: str,
    note: str | None,
    photos: list[list[str]] | None = None,
) -> Finding:
    """The auditor's finding on one clause (again: replaced); the audit is under way."""
    found = runnable(db, actor_id, audit_id)
    if clause not in checklist(db, found) or result not in RESULTS:
        raise ValueError(f"not a finding of {found.reference}: {clause} {result}")
    note = (note or "").strip() or None
    if result in NEEDS_NOTE and not note:
        raise ValueError("this finding needs a note")
    stamp = clock.stamp()
    with write(db):
        repo.set_status(db, found.id, ("planned",), "in_progress", started_at=stamp)
        repo.record(db, found.id, clause, result, note, photos or [], stamp)
    return repo.findings(db, found.id)[clause]


def findings(db: sqlite_utils.Database, viewer_id: int, audit_id: int) -> dict[str, Finding]:
    return repo.findings(db, visible(db, viewer_id, audit_id).id)


@dataclass(frozen=True)
class Finished:
    audit: Audit
    reports: list[nc.Nonconformity]  # one per nonconformity found
    version: int  # of the issued report


def finish(db: sqlite_utils.Database, actor_id: int, audit_id: int) -> Finished:
    """Close the audit: each nonconformity found becomes a report (source internal audit,
    with its clause; managers are told), and the audit report is issued — all in one
    transaction, once (finishing again finds it done)."""
    found = runnable(db, actor_id, audit_id)
    stamp = clock.stamp()
    reports = []
    with write(db):
        recorded = repo.findings(db, found.id)
        if any(clause not in recorded for clause in checklist(db, found)):
            raise ValueError(f"{found.reference}: every clause needs a finding first")
        for clause in checklist(db, found):
            finding = recorded.get(clause)
            if finding is None or finding.result not in NONCONFORMING or finding.nc_id:
                continue
            draft = {
                "description": f"[{found.reference} · {clause}] {finding.note}",
                "area": found.subject,
                "category": _category(clause),
                "severity": finding.result,
            }
            photos = [tuple(p) for p in finding.photos]
            submitted = nc.submit(db, actor_id, draft, photos, f"audit:{found.id}:{clause}")
            repo.link_report(db, found.id, clause, submitted.report.id)
            reports.append(submitted.report)
        repo.set_status(db, found.id, ("planned", "in_progress"), "done", finished_at=stamp)
        version = repo.issue(db, found.id, _body(db, found.id), actor_id, stamp)
        # The roadmap's step shows it: an internal audit has been carried out here.
        readiness_repo.set_step(db, found.org_id, ROADMAP_STEP, actor_id, stamp, status="done")
    log.info(
        "audit %s finished by user %s: %s reports raised", found.reference, actor_id, len(reports)
    )
    return Finished(repo.get(db, found.id), reports, version)


def _category(clause: str) -> str:
    for prefix, category in CATEGORY_BY_CLAUSE.items():
        if clause == prefix or clause.startswith(prefix + "."):
            return category
    return "process"


def _body(db: sqlite_utils.Database, audit_id: int) -> dict:
    """What the issued report says, frozen: later changes make a new version."""
    found = repo.get(db, audit_id)
    recorded = repo.findings(db, audit_id)
    rows = []
    for clause in checklist(db, found):
        finding = recorded.get(clause)
        report = nc.repo.get(db, finding.nc_id) if finding and finding.nc_id else None
        rows.append(
            {
                "clause": clause,
                "result": finding.result if finding else None,
                "note": finding.note if finding else None,
                "report": report.reference if report else None,
            }
        )
    return {
        "reference": found.reference,
        "subject": found.subject,
        "team": orgs_repo.team_name(db, found.org_id, found.team_id),
        "clauses": found.clauses,
        "auditor": people.name(db, found.auditor_id),
        "planned_for": found.planned_for,
        "started_at": found.started_at,
        "finished_at": found.finished_at,
        "findings": rows,
    }


def issued(db: sqlite_utils.Database, viewer_id: int, audit_id: int):
    return repo.issued(db, visible(db, viewer_id, audit_id).id)


# ----- the programme -------------------------------------------------------------------------
def state(audit: Audit, today: date) -> str:
    """planned · in_progress · done · cancelled, or overdue (planned and its day passed)."""
    if audit.status in ("planned", "in_progress") and date.fromisoformat(audit.planned_for) < today:
        return "overdue"
    return audit.status


def programme(db: sqlite_utils.Database, actor_id: int, today: date) -> list[Audit]:
    """This year's audits, and next year's already planned (planned in December for
    January), in the order of their days."""
    member = orgs.require(db, actor_id, "manager")
    return [
        *repo.of_year(db, member.org_id, today.year),
        *repo.of_year(db, member.org_id, today.year + 1),
    ]


def assigned(db: sqlite_utils.Database, auditor_id: int) -> list[Audit]:
    member = orgs.membership(db, auditor_id)
    return [a for a in repo.assigned(db, auditor_id) if member and a.org_id == member.org_id]


@dataclass(frozen=True)
class Suggestion:
    team_id: int
    team: str
    reports: int  # written by the team in the last 12 months
    per_year: int  # audits suggested
    planned: int  # audits of the team's work in the programme this year


def suggestions(db: sqlite_utils.Database, actor_id: int, now: datetime) -> list[Suggestion]:
    """How often to audit each team's work: more where more goes wrong (ISO 9001 9.2.2 a)
    asks the programme to weigh importance and past results). A suggestion to accept or
    change, most reports first."""
    member = orgs.require(db, actor_id, "manager")
    counts = repo.reports_per_team(db, member.org_id, clock.stamp(now - timedelta(days=365)))
    year = clock.today(orgs_repo.organization(db, member.org_id)["timezone"], now).year
    planned: dict[int, int] = {}
    for audit in repo.of_year(db, member.org_id, year):
        if audit.team_id is not None and audit.status != "cancelled":
            planned[audit.team_id] = planned.get(audit.team_id, 0) + 1
    found = []
    for team_id, name in orgs_repo.places(db, "teams", member.org_id):
        reports = counts.get(team_id, 0)
        per_year = 4 if reports >= 5 else 2 if reports >= 2 else 1
        found.append(Suggestion(team_id, name, reports, per_year, planned.get(team_id, 0)))
    return sorted(found, key=lambda s: (-s.reports, s.team))
