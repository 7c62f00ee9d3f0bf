"""Team quizzes in a linked group: a manager's ``/quiz``, or the group's weekly challenge
picked up by the scheduler's tick. The questions are owed as letters in the outbox (one quiz
poll each, through the group's limit); each poll's id is stored when it is sent, since a
``poll_answer`` names the poll and the person but not the chat. Only members of the group's
organization score; the leaderboard counts right answers, practice included.
"""

import json
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from bot import clock
from bot.db import orgs as orgs_repo
from bot.db import outbox
from bot.db.tx import write
from bot.services import groups, quiz, tips
from bot.services.content import QUIZ_TOPICS

DEFAULT_SIZE, MAX_SIZE = 5, 10
STALE = timedelta(hours=3)  # a weekly challenge this late (the bot was down) waits a week


@dataclass(frozen=True)
class Run:
    id: int
    chat_id: int
    questions: list[str]
    topic: str | None
    fresh: bool  # False: this key was started before


def start(
    db: sqlite_utils.Database,
    user_id: int | None,
    chat_id: int,
    size: int,
    topic: str | None,
    key: str,
    now: datetime | None = None,
) -> Run | None:
    """Owe the group ``size`` quiz polls (and a line that announces them), once per ``key``.
    A manager of the group's organization only (NotAllowed otherwise; None if not linked,
    or if there are no questions)."""
    group = groups._managed(db, user_id, chat_id) if user_id else groups.group(db, chat_id)
    if group is None or not group.active:
        return None
    now = now or clock.now()
    stamp = clock.stamp(now)
    with write(db):
        known = db.execute(
            "SELECT id, questions, topic FROM quiz_runs WHERE key = ?", [key]
        ).fetchone()
        if known:
            return Run(known[0], chat_id, json.loads(known[1]), known[2], False)
        chosen = _choose(db, chat_id, max(1, min(size, MAX_SIZE)), topic, now)
        if not chosen:
            return None
        run_id = db.execute(
            "INSERT INTO quiz_runs (org_id, chat_id, started_by, topic, questions, key,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [group.org_id, chat_id, user_id, topic, json.dumps(chosen), key, stamp],
        ).lastrowid
        outbox.notice(db, f"quiz:{run_id}:intro", chat_id, "quiz.intro", {"run": run_id}, stamp)
        for position in range(len(chosen)):
            outbox.notice(
                db,
                f"quiz:{run_id}:{position}",
                chat_id,
                "quiz.poll",
                {"run": run_id, "position": position},
                stamp,
            )
    return Run(run_id, chat_id, chosen, topic, True)


def _choose(db, chat_id: int, size: int, topic: str | None, now: datetime) -> list[str]:
    """Questions this group has been asked least often, easy ones first, mixed."""
    used: dict[str, int] = {}
    for (questions,) in db.execute("SELECT questions FROM quiz_runs WHERE chat_id = ?", [chat_id]):
        for question_id in json.loads(questions):
            used[question_id] = used.get(question_id, 0) + 1
    pool = [q for q in quiz.bank(db, "en") if topic is None or q.topic == topic]
    shuffle = random.Random(f"{chat_id}:{clock.stamp(now)}")
    shuffle.shuffle(pool)
    pool.sort(key=lambda q: used.get(q.id, 0))
    chosen = pool[:size]
    chosen.sort(key=lambda q: q.difficulty)
    return [q.id for q in chosen]


def run(db: sqlite_utils.Database, run_id: int) -> tuple[int, str | None, list[str]] | None:
    """(organization, topic, question ids) of a run."""
    row = db.execute(
        "SELECT org_id, topic, questions FROM quiz_runs WHERE id = ?", [run_id]
    ).fetchone()
    return (row[0], row[1], json.loads(row[2])) if row else None


def sent(db: sqlite_utils.Database, poll_id: str, run_id: int, position: int, chat_id: int):
    """Remember a poll Telegram has just accepted, with what scores it (in the transaction
    that marks its letter sent: a poll is never left unscorable)."""
    found = run(db, run_id)
    asked = found and quiz.question(db, found[2][position], "en")
    if not asked:
        return
    db.execute(
        "INSERT INTO quiz_polls (poll_id, run_id, position, question_id, topic, correct,"
        " chat_id, org_id, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (poll_id) DO UPDATE SET run_id = excluded.run_id,"
        " position = excluded.position, question_id = excluded.question_id,"
        " topic = excluded.topic, correct = excluded.correct, chat_id = excluded.chat_id,"
        " org_id = excluded.org_id, sent_at = excluded.sent_at",
        [
            poll_id,
            run_id,
            position,
            asked.id,
            asked.topic,
            json.dumps(asked.correct),
            chat_id,
            found[0],
            clock.stamp(),
        ],
    )


def answered(
    db: sqlite_utils.Database, poll_id: str, user_id: int, option_ids: list[int]
) -> bool | None:
    """Score a poll answer: True/False if it counted, None if it does not (not our poll, or
    not a member of the poll's organization — a forwarded poll). One answer per question of
    a run counts, even if the poll was sent twice (a crash between send and record)."""
    row = db.execute(
        "SELECT question_id, topic, correct, org_id, run_id, position FROM quiz_polls"
        " WHERE poll_id = ?",
        [poll_id],
    ).fetchone()
    member = orgs_repo.membership(db, user_id)
    if row is None or not option_ids or member is None or member.org_id != row[3]:
        return None
    question_id, topic, correct, _org, run_id, position = row
    chosen = option_ids[0]
    right = chosen in json.loads(correct)
    asked = quiz.Question(question_id, topic, 0, "", "", [], json.loads(correct), "")
    now = clock.now()
    with write(db):
        key = f"run:{run_id}:{position}"
        recorded = quiz._record(db, user_id, asked, chosen, right, "group", key, now)
        if recorded and quiz.question(db, question_id, "en"):  # still in the bank: schedule it
            quiz._review(db, user_id, question_id, right, now)
    return right


# ----- the leaderboard ---------------------------------------------------------------------
@dataclass(frozen=True)
class Board:
    week: list[tuple[int | None, int]]  # (person, right answers), best first
    all_time: list[tuple[int | None, int]]
    teams: list[tuple[str, int]]  # this week, per team


def leaderboard(
    db: sqlite_utils.Database, org_id: int, team_name: str | None, now: datetime, top: int = 10
) -> Board:
    """Questions answered right (practice and team quizzes; each question counts once per
    person, so repeating known ones earns nothing) by the organization's members — of one
    team, for a team's group — this week (from Monday, the organization's zone) and in all."""
    org = orgs_repo.organization(db, org_id)
    today = clock.today(org["timezone"], now)
    zone = ZoneInfo(org["timezone"])
    monday = datetime.combine(today - timedelta(days=today.weekday()), time(0), tzinfo=zone)
    since = clock.stamp(monday)
    members = (
        "SELECT user_id FROM members m LEFT JOIN teams t ON t.id = m.team_id WHERE m.org_id = ?"
    )
    params: list = [org_id]
    if team_name is not None:
        members += " AND t.name = ?"
        params.append(team_name)

    def ranking(after: str) -> list[tuple[int | None, int]]:
        return db.execute(
            "SELECT user_id, COUNT(DISTINCT CASE WHEN correct THEN question_id END) AS score"
            " FROM quiz_answers WHERE org_id = ?"
            f" AND answered_at >= ? AND user_id IN ({members}) GROUP BY user_id"
            " HAVING score > 0 ORDER BY score DESC, MIN(answered_at) LIMIT ?",
            [org_id, after, *params, top],
        ).fetchall()

    teams = db.execute(
        "SELECT t.name, COUNT(DISTINCT CASE WHEN a.correct THEN a.user_id || ':' ||"
        " a.question_id END) AS score FROM quiz_answers a"
        " JOIN members m ON m.user_id = a.user_id AND m.org_id = a.org_id"
        " JOIN teams t ON t.id = m.team_id WHERE a.org_id = ? AND a.answered_at >= ?"
        " GROUP BY t.id HAVING score > 0 ORDER BY score DESC, t.name LIMIT ?",
        [org_id, since, top],
    ).fetchall()
    return Board(ranking(since), ranking(""), teams)


# ----- the weekly challenge ------------------------------------------------------------------
def set_weekly(
    db: sqlite_utils.Database,
    user_id: int,
    chat_id: int,
    weekday: int | None,
    at: str,
    size: int,
    topic: str | None,
    fallback_zone: str,
    now: datetime | None = None,
):
    """The group's weekly challenge (None: off); returns the next time it runs (UTC), or
    None when turned off. A manager only; False if the group is not linked."""
    group = groups._managed(db, user_id, chat_id)
    if group is None:
        return False
    if weekday is None:
        db.execute("DELETE FROM quiz_challenges WHERE chat_id = ?", [chat_id])
        return None
    zone = tips.zone_of(db, chat_id, fallback_zone)
    following = next_challenge(now or clock.now(), weekday, at, zone)
    db.execute(
        "INSERT INTO quiz_challenges (chat_id, org_id, weekday, at, size, topic, next_at,"
        " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET"
        " weekday = excluded.weekday, at = excluded.at, size = excluded.size,"
        " topic = excluded.topic, next_at = excluded.next_at, created_by = excluded.created_by",
        [chat_id, group.org_id, weekday, at, size, topic, clock.stamp(following), user_id],
    )
    return following


def next_challenge(after: datetime, weekday: int, at: str, zone: str) -> datetime:
    moment = tips.next_slot(after, at, zone, False, False)
    while clock.local(moment, zone).weekday() != weekday:
        moment = tips.next_slot(moment, at, zone, False, False)
    return moment


def weekly(db: sqlite_utils.Database, chat_id: int) -> tuple | None:
    return db.execute(
        "SELECT weekday, at, size, topic, next_at FROM quiz_challenges WHERE chat_id = ?",
        [chat_id],
    ).fetchone()


def run_due_challenges(db: sqlite_utils.Database, now: datetime, fallback_zone: str) -> int:
    """The tick's part: start each challenge whose time has come (once per local date) and
    move it to next week; one more than three hours late waits for next week."""
    started = 0
    rows = db.execute(
        "SELECT chat_id, org_id, weekday, at, size, topic, next_at FROM quiz_challenges"
        " WHERE next_at <= ? ORDER BY next_at",
        [clock.stamp(now)],
    ).fetchall()
    for chat_id, org_id, weekday, at, size, topic, due_at in rows:
        group = groups.group(db, chat_id)
        if group is None or not group.active or group.org_id != org_id:
            db.execute("DELETE FROM quiz_challenges WHERE chat_id = ?", [chat_id])
            continue  # unlinked, or the bot was removed: no quiz there any more
        zone = tips.zone_of(db, chat_id, fallback_zone)
        due = datetime.fromisoformat(due_at)
        with write(db):
            if now - due <= STALE:
                key = f"challenge:{chat_id}:{clock.local(due, zone).date().isoformat()}"
                found = start(db, None, chat_id, size, topic, key, now)
                started += bool(found and found.fresh)
            db.execute(
                "UPDATE quiz_challenges SET next_at = ? WHERE chat_id = ?",
                [clock.stamp(next_challenge(now, weekday, at, zone)), chat_id],
            )
    return started


def topic_of(typed: str) -> str | None:
    """A topic as typed: its code (audit, shop_floor), or a word of its name."""
    typed = typed.strip().lower().replace("-", "_")
    return typed if typed in QUIZ_TOPICS else ALIASES.get(typed)


ALIASES = {
    "principle": "principles",
    "terms": "principles",
    "原则": "principles",
    "术语": "principles",
    "requirements": "clauses",
    "条款": "clauses",
    "要求": "clauses",
    "documents": "documents",
    "records": "documents",
    "成文信息": "documents",
    "记录": "documents",
    "nc": "nonconformity",
    "capa": "nonconformity",
    "不合格": "nonconformity",
    "纠正措施": "nonconformity",
    "内审": "audit",
    "审核": "audit",
    "内部审核": "audit",
    "9004": "iso9004",
    "family": "iso9004",
    "认证": "certification",
    "shopfloor": "shop_floor",
    "floor": "shop_floor",
    "现场": "shop_floor",
    "车间": "shop_floor",
}
