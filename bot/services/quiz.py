"""Quizzes: the question bank, each person's spaced-repetition practice, and the record.

Every answer is kept (``quiz_answers``): who answered which question, right or not, when, in
practice or in a team quiz — with the organization and team at that moment. It is the
training record an auditor asks for (ISO 9001 7.2, 7.3). Practice schedules each question
per person with FSRS: a missed question comes back the next day, a known one days or weeks
later (no learning steps: a daily quiz, not a ten-minute flashcard drill).
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

import sqlite_utils

from bot import clock
from bot.db import content as content_repo
from bot.db import orgs as orgs_repo
from bot.db.tx import write
from bot.services.content import QUIZ_TOPICS

SESSION = 10  # questions in a practice session


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    difficulty: int
    page: str
    text: str
    options: list[str]
    correct: list[int]
    explanation: str


def question(db: sqlite_utils.Database, question_id: str, lang: str) -> Question | None:
    entry = content_repo.get(db, "quiz", question_id, lang)
    return _question(entry, lang) if entry else None


def bank(db: sqlite_utils.Database, lang: str) -> list[Question]:
    return [_question(entry, lang) for entry in content_repo.listing(db, "quiz", lang)]


def _question(entry, lang: str) -> Question:
    attrs = entry.attrs
    return Question(
        entry.id,
        attrs["topic"],
        attrs["difficulty"],
        attrs["page"],
        entry.texts.get("question", ""),
        attrs["options"][lang],
        attrs["correct"],
        entry.texts.get("explanation", ""),
    )


def topic_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Questions per topic, in the topics' order (empty topics left out)."""
    counts = dict.fromkeys(QUIZ_TOPICS, 0)
    for entry in content_repo.listing(db, "quiz", "en"):
        counts[entry.attrs["topic"]] = counts.get(entry.attrs["topic"], 0) + 1
    return {topic: n for topic, n in counts.items() if n}


# ----- practice ----------------------------------------------------------------------------
def due_count(db: sqlite_utils.Database, user_id: int, now: datetime) -> int:
    known = _bank_ids(db)
    rows = db.execute(
        "SELECT question_id FROM quiz_cards WHERE user_id = ? AND due <= ?",
        [user_id, clock.stamp(now)],
    ).fetchall()
    return sum(row[0] in known for row in rows)


def session(
    db: sqlite_utils.Database, user_id: int, topic: str | None, now: datetime, size: int = SESSION
) -> list[str]:
    """The questions of a practice session: those due for review first (the most overdue
    first), then new ones, easy before hard; for a topic, only its questions. A session with
    nothing due and nothing new repeats the ones reviewed longest ago."""
    entries = content_repo.listing(db, "quiz", "en")
    wanted = {e.id: e.attrs for e in entries if topic is None or e.attrs["topic"] == topic}
    cards = dict(db.execute("SELECT question_id, due FROM quiz_cards WHERE user_id = ?", [user_id]))
    stamp = clock.stamp(now)
    due = sorted((d, q) for q, d in cards.items() if q in wanted and d <= stamp)
    chosen = [q for _d, q in due]
    fresh = [q for q in wanted if q not in cards]
    shuffle = random.Random(f"{user_id}:{now.date().isoformat()}")
    shuffle.shuffle(fresh)
    fresh.sort(key=lambda q: wanted[q]["difficulty"])
    chosen += fresh
    if len(chosen) < size:
        later = sorted((d, q) for q, d in cards.items() if q in wanted and d > stamp)
        chosen += [q for _d, q in later]
    return chosen[:size]


def answer(
    db: sqlite_utils.Database,
    user_id: int,
    question_id: str,
    chosen: int,
    key: str,
    now: datetime | None = None,
) -> bool | None:
    """Record a practice answer and schedule the question again, once per ``key`` (a double
    tap counts once); True if right, None if the question is no longer in the bank."""
    found = question(db, question_id, "en")
    if found is None:
        return None
    now = now or clock.now()
    right = chosen in found.correct
    with write(db):
        if _record(db, user_id, found, chosen, right, "practice", key, now):
            _review(db, user_id, question_id, right, now)
    return right


def _record(
    db: sqlite_utils.Database,
    user_id: int,
    found: Question,
    chosen: int,
    right: bool,
    source: str,
    key: str,
    now: datetime,
) -> bool:
    """One row of the training record (False if ``key`` was recorded already)."""
    member = orgs_repo.membership(db, user_id)
    return bool(
        db.execute(
            "INSERT INTO quiz_answers (user_id, org_id, team_name, question_id, topic, chosen,"
            " correct, source, answer_key, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (answer_key, user_id) DO NOTHING",
            [
                user_id,
                member.org_id if member else None,
                member.team_name if member else None,
                found.id,
                found.topic,
                chosen,
                int(right),
                source,
                key,
                clock.stamp(now),
            ],
        ).rowcount
    )


@cache
def _scheduler(fuzz: bool):
    from fsrs import Scheduler  # imported on first use: most updates never quiz

    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=fuzz)


FUZZ = True  # spread reviews a little (tests turn it off to check exact intervals)


def _review(db: sqlite_utils.Database, user_id: int, question_id: str, right: bool, now):
    from fsrs import Card, Rating

    row = db.execute(
        "SELECT card FROM quiz_cards WHERE user_id = ? AND question_id = ?",
        [user_id, question_id],
    ).fetchone()
    card = Card.from_json(row[0]) if row else Card()
    rating = Rating.Good if right else Rating.Again
    card, _log = _scheduler(FUZZ).review_card(card, rating, now.astimezone(UTC))
    db.execute(
        "INSERT INTO quiz_cards (user_id, question_id, card, due, reviews, lapses, last_right)"
        " VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (user_id, question_id) DO UPDATE SET"
        " card = excluded.card, due = excluded.due, reviews = reviews + 1,"
        " lapses = lapses + excluded.lapses, last_right = excluded.last_right",
        [user_id, question_id, card.to_json(), clock.stamp(card.due), int(not right), int(right)],
    )


def due_at(db: sqlite_utils.Database, user_id: int, question_id: str) -> datetime | None:
    row = db.execute(
        "SELECT due FROM quiz_cards WHERE user_id = ? AND question_id = ?",
        [user_id, question_id],
    ).fetchone()
    return datetime.fromisoformat(row[0]) if row else None


def _bank_ids(db: sqlite_utils.Database) -> set[str]:
    return {row[0] for row in db.execute("SELECT id FROM content_items WHERE kind = 'quiz'")}


# ----- streaks and stats ------------------------------------------------------------------
@dataclass(frozen=True)
class Stats:
    answered: int
    right: int
    days: int  # days with practice
    streak: int  # days in a row up to today (or yesterday: today's may come)
    learned: int  # questions answered right the last time they came
    due: int

    @property
    def share(self) -> float | None:
        return self.right / self.answered if self.answered else None


def stats(db: sqlite_utils.Database, user_id: int, zone: str, now: datetime) -> Stats:
    answered, right = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(correct), 0) FROM quiz_answers WHERE user_id = ?",
        [user_id],
    ).fetchone()
    days = {
        clock.local(datetime.fromisoformat(row[0]), zone).date()
        for row in db.execute("SELECT answered_at FROM quiz_answers WHERE user_id = ?", [user_id])
    }
    learned = db.execute(
        "SELECT COUNT(*) FROM quiz_cards WHERE user_id = ? AND last_right = 1", [user_id]
    ).fetchone()[0]
    return Stats(
        answered,
        right,
        len(days),
        streak(days, clock.local(now, zone).date()),
        learned,
        due_count(db, user_id, now),
    )


def streak(days: set[date], today: date) -> int:
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count
