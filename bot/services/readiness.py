"""The readiness self-assessment and how it is scored.

Scoring rules (also in docs/readiness.md):
- Yes counts 1, Partly ½, No 0. Not sure counts 0: an auditor needs evidence, and not
  knowing is itself a gap. Not applicable is left out of the sums altogether.
- A clause's readiness is its points divided by its applicable questions; the overall
  readiness is the same over all applicable questions (so each question weighs the same).
- A clause with no applicable questions has no score. The biggest gaps are the questions
  with the fewest points (No and Not sure before Partly), in clause order.
"""

from dataclasses import dataclass

import sqlite_utils

from bot import clock
from bot.db import content as content_repo
from bot.db import readiness as repo
from bot.db.content import Entry
from bot.db.readiness import Assessment
from bot.services import orgs
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


def score(answers: dict[str, str], clause_of: dict[str, str]) -> Score:
    """Pure scoring of ``question id → answer`` for questions whose clauses are ``clause_of``."""
    points: dict[str, list[float]] = {}
    gaps = []
    for question_id, clause in clause_of.items():
        answer = answers.get(question_id)
        if answer is None or answer == "na":
            continue
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
    return Score(sum(everything) / len(everything) if everything else None, by_clause, gaps)


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


def current(db: sqlite_utils.Database, user_id: int) -> Assessment | None:
    return repo.open_of(db, user_id)


def begin(db: sqlite_utils.Database, user_id: int, scope: str) -> Assessment:
    """Continue the user's open assessment of ``scope``, or start a new one (an open one of
    another scope is set aside, finished or not, and can no longer be continued)."""
    if scope != "all" and scope not in MAIN_CLAUSES:
        raise NotAllowed(f"unknown assessment scope {scope!r}")
    found = repo.open_of(db, user_id)
    if found and found.scope == scope:
        return found
    if found:
        repo.finish(db, found.id, None, _now())  # abandoned: closed without a score
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
    own(db, user_id, assessment_id)
    return {qid: a.answer for qid, a in repo.answers(db, assessment_id).items()}


def notes(db: sqlite_utils.Database, user_id: int, assessment_id: int) -> dict[str, str]:
    own(db, user_id, assessment_id)
    return {qid: a.note for qid, a in repo.answers(db, assessment_id).items() if a.note}


def record(
    db: sqlite_utils.Database, user_id: int, assessment_id: int, question_id: str, answer: str
) -> None:
    found = own(db, user_id, assessment_id)
    if answer not in ANSWERS or question_id not in clause_of(db, found.scope):
        raise NotAllowed(f"bad answer {answer!r} to {question_id!r}")
    if found.finished_at:
        raise NotAllowed(f"assessment {assessment_id} is finished")
    repo.save_answer(db, assessment_id, question_id, answer, _now())


def note(
    db: sqlite_utils.Database, user_id: int, assessment_id: int, question_id: str, text: str
) -> bool:
    own(db, user_id, assessment_id)
    return repo.save_note(db, assessment_id, question_id, text.strip()[:500])


def complete(db: sqlite_utils.Database, user_id: int, assessment_id: int) -> Score | None:
    """Score and close the assessment; None while questions are unanswered."""
    found = own(db, user_id, assessment_id)
    clauses = clause_of(db, found.scope)
    given = answers(db, user_id, assessment_id)
    if set(clauses) - set(given):
        return None
    result = score(given, clauses)
    repo.finish(db, assessment_id, result.overall, _now())
    return result


def result(db: sqlite_utils.Database, viewer_id: int, assessment_id: int) -> Score:
    found = viewable(db, viewer_id, assessment_id)
    given = {qid: a.answer for qid, a in repo.answers(db, assessment_id).items()}
    return score(given, clause_of(db, found.scope))


def previous(db: sqlite_utils.Database, user_id: int, assessment_id: int) -> Assessment | None:
    """The user's last scored assessment of the same scope before this one."""
    found = own(db, user_id, assessment_id)
    for earlier in repo.finished_of(db, user_id):
        if earlier.id < found.id and earlier.scope == found.scope and earlier.score is not None:
            return earlier
    return None


def latest_result(db: sqlite_utils.Database, user_id: int) -> Assessment | None:
    for done in repo.finished_of(db, user_id):
        if done.score is not None:
            return done
    return None


@dataclass(frozen=True)
class TeamView:
    assessments: list[Assessment]
    names: dict[int, str]
    by_clause: dict[str, float | None]  # average of each person's clause readiness


def team(db: sqlite_utils.Database, manager_id: int) -> TeamView:
    """The organization's latest full assessment per person, and their average per clause."""
    actor = orgs.require(db, manager_id, "manager")
    latest = [a for a in repo.latest_per_person(db, actor.org_id) if a.score is not None]
    names = {m.user_id: m.name for m in orgs.members(db, manager_id)}
    sums: dict[str, list[float]] = {}
    for assessment in latest:
        for clause, value in result(db, manager_id, assessment.id).by_clause.items():
            if value is not None:
                sums.setdefault(clause, []).append(value)
    averages = {c: (sum(v) / len(v) if v else None) for c, v in sums.items()}
    return TeamView(latest, names, {c: averages.get(c) for c in MAIN_CLAUSES if c in averages})
