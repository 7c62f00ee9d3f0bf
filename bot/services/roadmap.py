"""The certification journey as an organization's checklist: status and target date per step.

Everyone can read the steps; managers set their status and dates. The first step that is
not done is "next", and the readiness result points to it.
"""

import re
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from bot import clock
from bot.db import content as content_repo
from bot.db import readiness as repo
from bot.services import orgs
from bot.services.orgs import NotAllowed

STATUSES = ("todo", "doing", "done")


@dataclass(frozen=True)
class Step:
    id: str
    number: int
    title: str
    body: str
    clauses: list[str]
    status: str
    target_date: date | None


def steps(db: sqlite_utils.Database, user_id: int, lang: str) -> list[Step]:
    found = orgs.membership(db, user_id)
    progress = repo.roadmap(db, found.org_id) if found else {}
    result = []
    for number, entry in enumerate(content_repo.listing(db, "roadmap_step", lang), 1):
        status, target = progress.get(entry.id, ("todo", None))
        result.append(
            Step(
                entry.id,
                number,
                entry.texts["title"],
                entry.texts["body"],
                [str(c) for c in entry.attrs.get("clauses", [])],
                status,
                date.fromisoformat(target) if target else None,
            )
        )
    return result


def step(db: sqlite_utils.Database, user_id: int, step_id: str, lang: str) -> Step | None:
    return next((s for s in steps(db, user_id, lang) if s.id == step_id), None)


def next_step(db: sqlite_utils.Database, user_id: int, lang: str) -> Step | None:
    return next((s for s in steps(db, user_id, lang) if s.status != "done"), None)


def _check(db: sqlite_utils.Database, actor_id: int, step_id: str) -> int:
    actor = orgs.require(db, actor_id, "manager")
    if content_repo.get(db, "roadmap_step", step_id, "en") is None:
        raise NotAllowed(f"unknown roadmap step {step_id!r}")
    return actor.org_id


def _now() -> str:
    return clock.stamp()


def set_status(db: sqlite_utils.Database, actor_id: int, step_id: str, status: str) -> None:
    org_id = _check(db, actor_id, step_id)
    if status not in STATUSES:
        raise NotAllowed(f"unknown status {status!r}")
    repo.set_step(db, org_id, step_id, actor_id, _now(), status=status)


def set_target(db: sqlite_utils.Database, actor_id: int, step_id: str, target: date | None) -> None:
    org_id = _check(db, actor_id, step_id)
    repo.set_step(
        db,
        org_id,
        step_id,
        actor_id,
        _now(),
        target_date=target.isoformat() if target else None,
        clear_date=target is None,
    )


def parse_date(typed: str) -> date | None:
    """2027-03-31, 2027/3/31, 2027.03.31 or 2027年3月31日; None if it is not a real date."""
    found = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", typed)
    if not found:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None
