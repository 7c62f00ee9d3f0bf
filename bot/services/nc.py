"""Nonconformities (ISO 9001 8.7) and their corrective action (10.2), as a workflow.

new → contained → under analysis → action planned → action done → verified effective → closed;
from new, contained or analysis also rejected (with a reason) or duplicate of another report;
an action found not effective goes back to analysis. Every step is a history row: who, when,
from, to and a note. Managers move reports on; the action's owner may also mark it done.
The reporter sees their own reports; only the organization's managers see all of them.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import sqlite_utils

from bot import clock
from bot.db import nc as repo
from bot.db import orgs as org_repo
from bot.db import outbox, users
from bot.db.nc import Event, Nonconformity
from bot.db.tx import write
from bot.services import group_feeds, orgs, text
from bot.services.orgs import NotAllowed

log = logging.getLogger(__name__)

CATEGORIES = (
    "product",
    "process",
    "supplier",
    "complaint",
    "equipment",
    "safety",
    "documentation",
    "other",
)
SEVERITIES = ("minor", "major", "critical")
MAX_DESCRIPTION = 20_000
MAX_AREA = 64
MAX_PHOTOS = 10
OPEN = ("new", "contained", "analysis", "planned", "done", "verified")
ASSIGNABLE = ("new", "contained", "analysis")  # before an action is planned
TRANSITIONS = {
    "new": ("contained", "analysis", "rejected", "duplicate"),
    "contained": ("analysis", "rejected", "duplicate"),
    "analysis": ("planned", "rejected", "duplicate"),
    "planned": ("done",),
    "done": ("verified", "analysis"),  # not effective: back to analysis
    "verified": ("closed",),
    "closed": (),
    "rejected": (),
    "duplicate": (),
}


def _now() -> str:
    return clock.stamp()


# Words are records here: store them whole. The cap only stops a runaway paste; a text over
# it is kept in the form and the person is told how much to cut.
MAX_TEXT = 20_000
TextProblem = Literal["empty", "too_long"]


def clean_text(typed: str, limit: int = MAX_TEXT) -> tuple[str, TextProblem | None]:
    """Typed words as they will be stored, and what stops that: nothing visible, or more
    than ``limit`` characters."""
    cleaned = text.clean(typed)
    if not text.visible(cleaned):
        return cleaned, "empty"
    if len(cleaned) > limit:
        return cleaned, "too_long"
    return cleaned, None


def clean_description(typed: str) -> tuple[str, TextProblem | None]:
    return clean_text(typed, MAX_DESCRIPTION)


def report(
    db: sqlite_utils.Database,
    user_id: int,
    draft: dict,
    photos: list[tuple[str, str]],
    key: str,
    now: datetime | None = None,
) -> Nonconformity:
    return submit(db, user_id, draft, photos, key, now).report


@dataclass(frozen=True)
class Submitted:
    report: Nonconformity
    created: bool  # False: this form was submitted before; nothing new was written
    notified: int  # how many managers are owed the news (in the same transaction)


def submit(
    db: sqlite_utils.Database,
    user_id: int,
    draft: dict,
    photos: list[tuple[str, str]],
    key: str,
    now: datetime | None = None,
) -> Submitted:
    """Record a report, the notices its managers are owed and the photos to archive, in one
    transaction: whatever happens next (a crash, Telegram down), nobody is left untold. The
    same ``key`` (one per filled-in form) saves it once, however often it is submitted."""
    member = orgs.membership(db, user_id)
    if member is None:
        raise NotAllowed(f"user {user_id} is in no organization")
    description, problem = clean_description(str(draft.get("description", "")))
    if (
        problem
        or draft.get("category") not in CATEGORIES
        or draft.get("severity") not in SEVERITIES
    ):
        raise NotAllowed(f"incomplete report from {user_id}")
    area = text.clean_line(str(draft.get("area") or "")) or None
    org = org_repo.organization(db, member.org_id)
    moment = now or clock.now()
    year = moment.astimezone(ZoneInfo(org["timezone"])).year
    stamp = clock.stamp(moment)
    with write(db):
        nc_id, created = repo.create(
            db,
            member.org_id,
            year,
            user_id,
            {
                "description": description,
                "area": area[:MAX_AREA] if area else None,
                "category": draft["category"],
                "severity": draft["severity"],
            },
            photos[:MAX_PHOTOS],
            f"{user_id}:{key}",
            stamp,
        )
        found = repo.get(db, nc_id)
        told = audience(db, found).user_ids
        if created:
            for manager_id in told:
                outbox.notice(
                    db, f"nc:{nc_id}:new:{manager_id}", manager_id, "nc.new", {"nc": nc_id}, stamp
                )
            group_feeds.owe_new_report(db, found, member.team_id, stamp)
    if created:
        log.info(
            "report %s submitted by user %s: %s managers to tell",
            found.reference,
            user_id,
            len(told),
        )
    return Submitted(found, created, len(told))


def notified(db: sqlite_utils.Database, nc_id: int) -> tuple[int, int, int]:
    """(told, could not be reached, owed in all) of the managers owed a new report's news."""
    return outbox.delivered(db, f"nc:{nc_id}:new:")


def visible(db: sqlite_utils.Database, viewer_id: int, nc_id: int) -> Nonconformity:
    """A report the viewer may see: their own, one they own the action of, or any of their
    organization's if they manage it."""
    found = repo.get(db, nc_id)
    if found is None:
        raise NotAllowed(f"no report {nc_id}")
    viewer = orgs.membership(db, viewer_id)
    if viewer is None or viewer.org_id != found.org_id:  # left, or never belonged
        raise NotAllowed(f"user {viewer_id} may not see report {nc_id}")
    if viewer_id in (found.reporter_id, found.owner_id) or viewer.role in ("manager", "admin"):
        return found
    raise NotAllowed(f"user {viewer_id} may not see report {nc_id}")


def may_manage(db: sqlite_utils.Database, user_id: int, found: Nonconformity) -> bool:
    member = orgs.membership(db, user_id)
    return bool(member and member.org_id == found.org_id and member.role in ("manager", "admin"))


Moved = Literal["moved", "stale", "missing"]


def move(
    db: sqlite_utils.Database,
    actor_id: int,
    nc_id: int,
    to: str,
    note: str | None = None,
    **fields,
) -> Moved:
    """Move a report on. NotAllowed for a step the caller may not take or the workflow does
    not allow; "stale" if someone (or a double tap) moved it first; "missing" if a field the
    step needs is absent."""
    found = visible(db, actor_id, nc_id)
    manager = may_manage(db, actor_id, found)
    owner_marks_done = to == "done" and found.owner_id == actor_id
    if found.status == "done" and to == "done" and found.owner_id == actor_id:
        return "stale"
    if not (manager or owner_marks_done):
        raise NotAllowed(f"user {actor_id} may not move report {nc_id}")
    if to not in TRANSITIONS.get(found.status, ()):
        if manager or owner_marks_done:  # a double tap, or a step someone already took
            return "stale"
        raise NotAllowed(f"report {nc_id} cannot go from {found.status} to {to}")
    if to == "rejected" and not (note or "").strip():
        return "missing"
    if to == "duplicate":  # only of an open report: never of a duplicate, so never a cycle
        other = repo.get(db, int(fields.get("duplicate_of") or 0))
        if (
            other is None
            or other.org_id != found.org_id
            or other.id == found.id
            or other.status not in OPEN
        ):
            return "missing"
    if to == "planned":
        owner = orgs.membership(db, int(fields.get("owner_id") or 0))
        if not fields.get("action") or owner is None or owner.org_id != found.org_id:
            return "missing"
        if not isinstance(fields.get("due_date"), date):
            return "missing"
        fields["due_date"] = fields["due_date"].isoformat()
    if to == "rejected":
        fields["reason"] = note
    now = _now()
    with write(db):
        if not repo.transition(db, nc_id, found.status, to, actor_id, note, fields, now):
            return "stale"
        if to in FINISHED and found.reporter_id and found.reporter_id != actor_id:
            _tell(db, found.reporter_id, f"nc:{nc_id}:{to}:reporter", "nc.finished", nc_id, now)
        if to == "done":  # the managers verify it: tell them it is their turn
            for manager_id in audience(db, found).user_ids:
                if manager_id != actor_id:
                    _tell(
                        db, manager_id, f"nc:{nc_id}:done:{manager_id}:{now}", "nc.done", nc_id, now
                    )
        if to == "planned" and fields["owner_id"] != actor_id:
            key = f"nc:{nc_id}:owner:{fields['owner_id']}:{now}"
            _tell(db, fields["owner_id"], key, "nc.owner", nc_id, now)
    log.info("report %s %s → %s by user %s", found.reference, found.status, to, actor_id)
    return "moved"


FINISHED = ("closed", "rejected", "duplicate")


def _tell(db, user_id: int, key: str, kind: str, nc_id: int, now: str) -> None:
    """Owe one person a notice about a report, inside the caller's transaction."""
    outbox.notice(db, key, user_id, kind, {"nc": nc_id}, now)


Noted = Literal["noted", "unchanged", "stale"]


def note_down(
    db: sqlite_utils.Database, actor_id: int, nc_id: int, field: str, value: str | int | None
) -> Noted:
    """Record a finding without moving the report on (root cause found, owner taken), with a
    history row like any step. Managers only; "stale" if the report moved on meanwhile (past
    analysis, rejected …), so the caller can give the person their words back."""
    found = visible(db, actor_id, nc_id)
    if not may_manage(db, actor_id, found) or field not in ("root_cause", "owner_id"):
        raise NotAllowed(f"user {actor_id} may not change {field!r} of report {nc_id}")
    if found.status not in ASSIGNABLE:
        return "stale"
    if getattr(found, field) == value:
        return "unchanged"  # nothing new: no history row either
    note = str(value)
    if field == "owner_id":
        owner = orgs.membership(db, int(value or 0))
        if owner is None or owner.org_id != found.org_id:
            raise NotAllowed(f"owner {value} is not in report {nc_id}'s organization")
        person = users.get(db, owner.user_id)
        note = f"→ {person.first_name if person else owner.user_id}"
    now = _now()
    with write(db):
        if not repo.transition(
            db, nc_id, found.status, found.status, actor_id, note, {field: value}, now
        ):
            return "stale"
        if field == "owner_id" and value != actor_id:
            _tell(db, int(value), f"nc:{nc_id}:assigned:{value}:{now}", "nc.assigned", nc_id, now)
    return "noted"


def for_managers(
    db: sqlite_utils.Database,
    actor_id: int,
    statuses: tuple[str, ...] | None = OPEN,
    severity: str | None = None,
    area: str | None = None,
) -> list[Nonconformity]:
    actor = orgs.require(db, actor_id, "manager")
    return repo.of_org(db, actor.org_id, statuses, severity, area)


def mine(db: sqlite_utils.Database, user_id: int) -> list[Nonconformity]:
    """What the user reported in their current organization (reports stay with the
    organization they were made in: someone who left no longer sees them)."""
    member = orgs.membership(db, user_id)
    if member is None:
        return []
    return [r for r in repo.of_reporter(db, user_id) if r.org_id == member.org_id]


DUE_SOON = 2  # days: an action due this soon needs its owner now
Need = Literal["overdue", "due_soon", "action", "assigned", "reported", "finished"]
NEEDS = ("overdue", "due_soon", "action", "assigned", "reported", "finished")


@dataclass(frozen=True)
class Task:
    report: Nonconformity
    need: Need  # what it asks of the person now, most pressing first in NEEDS


def _need(found: Nonconformity, user_id: int, today: date) -> Need:
    if found.owner_id == user_id and found.status == "planned" and found.due_date:
        left = (date.fromisoformat(found.due_date) - today).days
        return "overdue" if left < 0 else "due_soon" if left <= DUE_SOON else "action"
    if found.owner_id == user_id and found.status in ASSIGNABLE:
        return "assigned"
    return "reported" if found.status in OPEN else "finished"


def tasks(db: sqlite_utils.Database, user_id: int, today: date) -> list[Task]:
    """Everything that involves the person in their organization — actions they own, reports
    assigned to them, reports they wrote — most pressing first (``today`` in the
    organization's time zone)."""
    member = orgs.membership(db, user_id)
    if member is None:
        return []
    found = [Task(r, _need(r, user_id, today)) for r in repo.involving(db, member.org_id, user_id)]
    return sorted(found, key=lambda t: (NEEDS.index(t.need), t.report.due_date or "", -t.report.id))


def pressing(db: sqlite_utils.Database, user_id: int, today: date) -> int:
    """How many of the person's actions are overdue or due within two days."""
    return sum(t.need in ("overdue", "due_soon") for t in tasks(db, user_id, today))


def history(db: sqlite_utils.Database, viewer_id: int, nc_id: int) -> list[Event]:
    visible(db, viewer_id, nc_id)
    return repo.history(db, nc_id)


def photos(db: sqlite_utils.Database, viewer_id: int, nc_id: int) -> list[str]:
    visible(db, viewer_id, nc_id)
    return repo.photos(db, nc_id)


def evidence(db: sqlite_utils.Database, viewer_id: int, nc_id: int):
    """(position, Telegram file id, archived copy or None, kind) of the report's evidence."""
    visible(db, viewer_id, nc_id)
    return repo.evidence(db, nc_id)


def recordings_count(db: sqlite_utils.Database, nc_id: int) -> int:
    """How many voice notes and videos the report has besides photos."""
    return sum(1 for piece in repo.evidence(db, nc_id) if piece[3] != "photo")


def unarchived_count(db: sqlite_utils.Database, nc_id: int) -> int:
    """How many of the report's photos are not yet in the evidence folder."""
    return sum(1 for _pos, _file, path in repo.photo_files(db, nc_id) if not path)


def export_rows(db: sqlite_utils.Database, actor_id: int) -> tuple[list, list]:
    """Every report of the caller's organization and every history row, for the record
    10.2.2 asks for: (reports, events), oldest first."""
    reports = sorted(for_managers(db, actor_id, None), key=lambda r: r.id)
    events = [(report, event) for report in reports for event in repo.history(db, report.id)]
    return reports, events


def photo_count(db: sqlite_utils.Database, nc_id: int) -> int:
    return len(repo.photos(db, nc_id))


@dataclass(frozen=True)
class Audience:
    """Who hears of a new report: the organization's managers and admins."""

    user_ids: list[int]


def audience(db: sqlite_utils.Database, found: Nonconformity) -> Audience:
    return Audience(
        [uid for uid in org_repo.managers(db, found.org_id) if uid != found.reporter_id]
    )
