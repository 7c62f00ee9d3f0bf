"""Assessments, their answers, and each organization's roadmap progress."""

from dataclasses import dataclass

import sqlite_utils

from bot.db.tx import write


@dataclass(frozen=True)
class Assessment:
    id: int
    user_id: int | None
    org_id: int | None
    scope: str
    started_at: str
    finished_at: str | None
    score: float | None


@dataclass(frozen=True)
class Answer:
    question_id: str
    answer: str | None  # None: only a note so far
    note: str | None


_COLUMNS = "id, user_id, org_id, scope, started_at, finished_at, score"


def start(db: sqlite_utils.Database, user_id: int, org_id: int | None, scope: str, now: str) -> int:
    with write(db):
        cursor = db.execute(
            "INSERT INTO assessments (user_id, org_id, scope, started_at) VALUES (?, ?, ?, ?)",
            [user_id, org_id, scope, now],
        )
    return cursor.lastrowid


def get(db: sqlite_utils.Database, assessment_id: int) -> Assessment | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM assessments WHERE id = ?", [assessment_id]).fetchone()
    return Assessment(*row) if row else None


def open_of(db: sqlite_utils.Database, user_id: int) -> list[Assessment]:
    """The user's unfinished assessments (at most one per scope), newest first."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM assessments WHERE user_id = ? AND finished_at IS NULL"
        " ORDER BY id DESC",
        [user_id],
    ).fetchall()
    return [Assessment(*row) for row in rows]


def finished_of(db: sqlite_utils.Database, user_id: int) -> list[Assessment]:
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM assessments WHERE user_id = ? AND finished_at IS NOT NULL"
        " AND abandoned = 0 ORDER BY finished_at DESC, id DESC",
        [user_id],
    ).fetchall()
    return [Assessment(*row) for row in rows]


def latest_per_person(db: sqlite_utils.Database, org_id: int) -> list[Assessment]:
    """Each member's latest finished full assessment in the organization."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM assessments a WHERE org_id = ? AND scope = 'all'"
        " AND finished_at IS NOT NULL AND abandoned = 0 AND id = (SELECT MAX(id)"
        " FROM assessments b WHERE b.org_id = a.org_id AND b.user_id IS a.user_id"
        " AND b.scope = 'all' AND b.finished_at IS NOT NULL AND b.abandoned = 0)"
        " ORDER BY finished_at DESC",
        [org_id],
    ).fetchall()
    return [Assessment(*row) for row in rows]


def answers(db: sqlite_utils.Database, assessment_id: int) -> dict[str, Answer]:
    rows = db.execute(
        "SELECT question_id, answer, note FROM answers WHERE assessment_id = ?", [assessment_id]
    ).fetchall()
    return {row[0]: Answer(*row) for row in rows}


def save_answer(
    db: sqlite_utils.Database, assessment_id: int, question_id: str, answer: str, now: str
) -> None:
    with write(db):
        db.execute(
            "INSERT INTO answers (assessment_id, question_id, answer, answered_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(assessment_id, question_id)"
            " DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at",
            [assessment_id, question_id, answer, now],
        )


def save_note(
    db: sqlite_utils.Database, assessment_id: int, question_id: str, note: str, now: str
) -> None:
    """Keep a note with its question, answered yet or not."""
    db.execute(
        "INSERT INTO answers (assessment_id, question_id, note, answered_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(assessment_id, question_id) DO UPDATE SET note = excluded.note",
        [assessment_id, question_id, note, now],
    )


def finish(db: sqlite_utils.Database, assessment_id: int, score: float, now: str) -> None:
    with write(db):
        db.execute(
            "UPDATE assessments SET finished_at = ?, score = ?"
            " WHERE id = ? AND finished_at IS NULL",
            [now, score, assessment_id],
        )


def roadmap(db: sqlite_utils.Database, org_id: int) -> dict[str, tuple[str, str | None]]:
    """step id → (status, target date)."""
    rows = db.execute(
        "SELECT step_id, status, target_date FROM roadmap WHERE org_id = ?", [org_id]
    ).fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def set_step(
    db: sqlite_utils.Database,
    org_id: int,
    step_id: str,
    user_id: int,
    now: str,
    status: str | None = None,
    target_date: str | None = None,
    clear_date: bool = False,
) -> None:
    current = roadmap(db, org_id).get(step_id, ("todo", None))
    new_status = status or current[0]
    new_date = None if clear_date else (target_date or current[1])
    with write(db):
        db.execute(
            "INSERT INTO roadmap (org_id, step_id, status, target_date, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(org_id, step_id) DO UPDATE SET"
            " status = excluded.status, target_date = excluded.target_date,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            [org_id, step_id, new_status, new_date, user_id, now],
        )
