"""The readiness self-assessment and how it is scored.

Scoring rules (also in docs/readiness.md):
- Yes counts 1, Partly ½, No 0. Not sure counts 0: an auditor needs evidence, and not
  knowing is itself a gap.
- Not applicable only where ISO 9001 allows a requirement to be declared so (4.3: parts of
  clause 8, 7.1.5.2; the content marks each question). There it is left out of the sums and
  listed as a declared exclusion the scope statement must justify. Anywhere else (an answer
  stored by an earlier version) it counts as Not sure: a readiness score must not flatter.
- A clause's readiness is its points divided by its applicable questions; the overall
  readiness is the same over all applicable questions (so each question weighs the same).
  Nothing applicable: no score at all, never 100 %.
- The biggest gaps are the questions with the fewest points (No and Not sure before
  Partly), in clause order.
- A result covers its scope: the full assessment, or one chapter. Results are compared only
  with the same person's previous result of the same scope.
"""

from dataclasses import dataclass
from typing import Literal

import sqlite_utils

from bot import clock
from bot.db import content as content_repo
from bot.db import readiness as repo
from bot.db.content import Entry
from bot.db.readiness import Assessment
from bot.services import orgs, text
from bot.services.orgs import NotAllowed

ANSWERS = ("yes", "partly", "no", "na", "unsure")
POINTS = {"yes": 1.0, "partly": 0.5, "no": 0.0, "unsure": 0.0}
MAIN_CLAUSES = ("4", "5", "6", "7", "8", "9", "10")


def main_clause(clause: str) -> str:
    return clause.split(".")[0]


@dataclass(frozen=True)
class Gap:
    question_id: str
    clause: str
    answer: str


@dataclass(frozen=True)
class Score:
    overall: float | None  # 0–1; None if nothing was applicable
    by_clause: dict[str, float | None]  # main clause → 0–1 or None
    gaps: list[Gap]
    exclusions: list[Gap]  # declared not applicable: the scope statement (4.3) must say why


def score(
    answers: dict[str, str], clause_of: dict[str, str], na_allowed: frozenset[str] = frozenset()
) -> Score:
    """Pure scoring of ``question id → answer`` for questions whose clauses are ``clause_of``;
    Not applicable counts as such only for questions in ``na_allowed``."""
    points: dict[str, list[float]] = {}
    gaps, exclusions = [], []
    for question_id, clause in clause_of.items():
        answer = answers.get(question_id)
        if answer is None:
            continue
        if answer == "na" and question_id in na_allowed:
            exclusions.append(Gap(question_id, clause, answer))
            continue
        if answer == "na":
            answer = "unsure"  # not applicable is not an option here
        points.setdefault(main_clause(clause), []).append(POINTS[answer])
        if POINTS[answer] < 1:
            gaps.append(Gap(question_id, clause, answer))
    everything = [p for clause_points in points.values() for p in clause_points]
    by_clause = {
        clause: (sum(points[clause]) / len(points[clause]) if points.get(clause) else None)
        for clause in MAIN_CLAUSES
        if clause in {main_clause(c) for c in clause_of.values()}
    }
    gaps.sort(key=lambda gap: POINTS[gap.answer])  # stable: clause order within a level
    overall = sum(everything) / len(everything) if everything else None
    return Score(overall, by_clause, gaps, exclusions)


def _now() -> str:
    return clock.stamp()


def questions(db: sqlite_utils.Database, scope: str, lang: str) -> list[Entry]:
    """The questions of ``scope`` ("all" or a main clause), in the bank's order."""
    every = content_repo.listing(db, "question", lang)
    if scope == "all":
        return every
    return [q for q in every if main_clause(q.attrs["clause"]) == scope]


def question(db: sqlite_utils.Database, question_id: str, lang: str) -> Entry | None:
    return content_repo.get(db, "question", question_id, lang)


def clause_of(db: sqlite_utils.Database, scope: str) -> dict[str, str]:
    return {q.id: q.attrs["clause"] for q in questions(db, scope, "en")}


def na_allowed(db: sqlite_utils.Database) -> frozenset[str]:
    """The questions whose requirement ISO 9001 lets an organization declare not applicable."""
    return frozenset(q.id for q in questions(db, "all", "en") if q.attrs.get("na_allowed"))


def in_progress(db: sqlite_utils.Database, user_id: int) -> list[Assessment]:
    """The user's open assessments, at most one per scope, newest first."""
    return repo.open_of(db, user_id)


def current(db: sqlite_utils.Database, user_id: int, scope: str) -> Assessment | None:
    return next((a for a in repo.open_of(db, user_id) if a.scope == scope), None)


def begin(db: sqlite_utils.Database, user_id: int, scope: str) -> Assessment:
    """Continue the user's open assessment of ``scope``, or start one. Open assessments of
    other scopes stay open, answers and all: nothing is set aside without asking."""
    if scope != "all" and scope not in MAIN_CLAUSES:
        raise NotAllowed(f"unknown assessment scope {scope!r}")
    found = current(db, user_id, scope)
    if found:
        return found
    membership = orgs.membership(db, user_id)
    new_id = repo.start(db, user_id, membership.org_id if membership else None, scope, _now())
    return repo.get(db, new_id)


def own(db: sqlite_utils.Database, user_id: int, assessment_id: int) -> Assessment:
    """The user's own assessment, or NotAllowed (ids in callback data are untrusted)."""
    found = repo.get(db, assessment_id)
    if found is None or found.user_id != user_id:
        raise NotAllowed(f"assessment {assessment_id} is not user {user_id}'s")
    return found


def viewable(db: sqlite_utils.Database, viewer_id: int, assessment_id: int) -> Assessment:
    """An assessment the viewer may read: their own, or one from their organization if they
    manage it."""
    found = repo.get(db, assessment_id)
    if found and found.user_id == viewer_id:
        return found
    viewer = orgs.membership(db, viewer_id)
    if (
        found is None
        or viewer is None
        or viewer.role not in ("manager", "admin")
        or found.org_id != viewer.org_id
    ):
        raise NotAllowed(f"user {viewer_id} may not read assessment {assessment_id}")
    return found


def answers_of(db: sqlite_utils.Database, viewer_id: int, assessment_id: int):
    """Full answers (with notes) of an assessment the viewer may read."""
    viewable(db, viewer_id, assessment_id)
    return repo.answers(db, assessment_id)


def answers(db: sqlite_utils.Database, user_id: int, assessment_id: int) -> dict[str, str]:
    """Question id → answer, for the questions answered so far (a note alone is no answer)."""
    own(db, user_id, assessment_id)
    return {qid: a.answer for qid, a in repo.answers(db, assessment_id).items() if a.answer}


def notes(db: sqlite_utils.Database, user_id: int, assessment_id: int) -> dict[str, str]:
    own(db, user_id, assessment_id)
    return {qid: a.note for qid, a in repo.answers(db, assessment_id).items() if a.note}


def record(
    db: sqlite_utils.Database, user_id: int, assessment_id: int, question_id: str, answer: str
) -> None:
    found = own(db, user_id, assessment_id)
    if answer not in ANSWERS or question_id not in clause_of(db, found.scope):
        raise NotAllowed(f"bad answer {answer!r} to {question_id!r}")
    if answer == "na" and question_id not in na_allowed(db):
        raise NotAllowed(f"{question_id!r} cannot be declared not applicable")
    if found.finished_at:
        raise NotAllowed(f"assessment {assessment_id} is finished")
    repo.save_answer(db, assessment_id, question_id, answer, _now())


MAX_NOTE = 2000


def note(
    db: sqlite_utils.Database, user_id: int, assessment_id: int, question_id: str, typed: str
) -> Literal["saved", "empty", "too_long"]:
    """Keep a note with the question, answered yet or not."""
    found = own(db, user_id, assessment_id)
    if question_id not in clause_of(db, found.scope):
        raise NotAllowed(f"no question {question_id!r} in assessment {assessment_id}")
    cleaned = text.clean(typed)
    if not text.visible(cleaned):
        return "empty"
    if len(cleaned) > MAX_NOTE:
        return "too_long"
    repo.save_note(db, assessment_id, question_id, cleaned, _now())
    return "saved"


def complete(db: sqlite_utils.Database, user_id: int, assessment_id: int) -> Score | None:
    """Score and close the assessment; None while questions are unanswered."""
    found = own(db, user_id, assessment_id)
    clauses = clause_of(db, found.scope)
    given = answers(db, user_id, assessment_id)
    if set(clauses) - set(given):
        return None
    result = score(given, clauses, na_allowed(db))
    repo.finish(db, assessment_id, result.overall, _now())
    return result


def result(db: sqlite_utils.Database, viewer_id: int, assessment_id: int) -> Score:
    """The assessment scored by today's rules (a score stored by an earlier version may have
    counted Not applicable where it is not allowed)."""
    found = viewable(db, viewer_id, assessment_id)
    given = {qid: a.answer for qid, a in repo.answers(db, assessment_id).items() if a.answer}
    return score(given, clause_of(db, found.scope), na_allowed(db))


def previous(db: sqlite_utils.Database, user_id: int, assessment_id: int) -> Assessment | None:
    """The user's last finished assessment of the same scope before this one."""
    found = own(db, user_id, assessment_id)
    for earlier in repo.finished_of(db, user_id):
        if earlier.id < found.id and earlier.scope == found.scope:
            return earlier
    return None


def latest_results(db: sqlite_utils.Database, user_id: int) -> dict[str, Assessment]:
    """The user's latest finished assessment per scope ("all" and any chapters done)."""
    latest: dict[str, Assessment] = {}
    for done in repo.finished_of(db, user_id):  # newest first
        latest.setdefault(done.scope, done)
    return latest


@dataclass(frozen=True)
class TeamView:
    assessments: list[Assessment]
    names: dict[int, str]
    scores: dict[int, float]  # assessment id → overall readiness by today's rules
    by_clause: dict[str, float | None]  # average of each person's clause readiness


def team(db: sqlite_utils.Database, manager_id: int) -> TeamView:
    """The organization's latest full assessment per person, and their average per clause."""
    actor = orgs.require(db, manager_id, "manager")
    names = {m.user_id: m.name for m in orgs.members(db, manager_id)}
    latest, scores, sums = [], {}, {}
    for assessment in repo.latest_per_person(db, actor.org_id):
        scored = result(db, manager_id, assessment.id)
        if scored.overall is None:
            continue
        latest.append(assessment)
        scores[assessment.id] = scored.overall
        for clause, value in scored.by_clause.items():
            if value is not None:
                sums.setdefault(clause, []).append(value)
    averages = {c: sum(v) / len(v) for c, v in sums.items() if v}
    return TeamView(
        latest, names, scores, {c: averages.get(c) for c in MAIN_CLAUSES if c in averages}
    )
