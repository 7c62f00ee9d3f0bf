"""What managers see of their people's training (ISO 9001 7.2 competence, 7.3 awareness):
who practised, how well, which topics are weakest per team and person, and every answer as
a record for the management review and the auditor."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from bot import clock
from bot.db import orgs as orgs_repo
from bot.services import orgs, people

MIN_FOR_WEAKEST = 3  # answers on a topic before it can be called weak


@dataclass(frozen=True)
class Score:
    answers: int
    right: int

    @property
    def share(self) -> float | None:
        return self.right / self.answers if self.answers else None


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    team: str | None
    week: Score
    total: Score
    last_at: str | None
    weakest: str | None  # topic


@dataclass(frozen=True)
class Team:
    name: str
    members: int
    active: int  # answered this week
    total: Score
    weakest: str | None


@dataclass(frozen=True)
class Overview:
    org_name: str
    zone: str
    members: int
    active: int
    week: Score
    total: Score
    topics: list[tuple[str, Score]]  # weakest first (those with enough answers)
    teams: list[Team]
    people: list[Person]  # most answers this week first


def week_start(zone: str, now: datetime) -> str:
    today = clock.today(zone, now)
    monday = today - timedelta(days=today.weekday())
    return clock.stamp(datetime.combine(monday, time(0), tzinfo=ZoneInfo(zone)))


def overview(db: sqlite_utils.Database, actor_id: int, now: datetime) -> Overview:
    """The organization's training at a glance; managers only (NotAllowed otherwise)."""
    member = orgs.require(db, actor_id, "manager")
    org = orgs_repo.organization(db, member.org_id)
    zone = org["timezone"]
    since = week_start(zone, now)
    rows = db.execute(
        "SELECT m.user_id, t.name, a.topic, a.correct, a.answered_at FROM members m"
        " LEFT JOIN teams t ON t.id = m.team_id"
        " LEFT JOIN quiz_answers a ON a.user_id = m.user_id AND a.org_id = m.org_id"
        " WHERE m.org_id = ? ORDER BY m.user_id",
        [member.org_id],
    ).fetchall()
    by_person: dict[int, dict] = {}
    for user_id, team, topic, correct, at in rows:
        found = by_person.setdefault(user_id, {"team": team, "answers": []})
        if topic is not None:
            found["answers"].append((topic, correct, at))
    everyone = [a for p in by_person.values() for a in p["answers"]]
    persons = [
        Person(
            user_id,
            people.name(db, user_id),
            found["team"],
            _score(a for a in found["answers"] if a[2] >= since),
            _score(found["answers"]),
            max((a[2] for a in found["answers"]), default=None),
            _weakest(found["answers"]),
        )
        for user_id, found in by_person.items()
    ]
    persons.sort(key=lambda p: (-p.week.answers, -p.total.answers, p.name))
    teams = []
    for name in sorted({p.team for p in persons if p.team}):
        answers = [a for p in by_person.values() if p["team"] == name for a in p["answers"]]
        in_team = [p for p in persons if p.team == name]
        teams.append(
            Team(
                name,
                len(in_team),
                sum(p.week.answers > 0 for p in in_team),
                _score(answers),
                _weakest(answers),
            )
        )
    return Overview(
        org["name"],
        zone,
        len(persons),
        sum(p.week.answers > 0 for p in persons),
        _score(a for a in everyone if a[2] >= since),
        _score(everyone),
        _topics(everyone),
        teams,
        persons,
    )


def _score(answers) -> Score:
    answers = list(answers)
    return Score(len(answers), sum(a[1] for a in answers))


def _topics(answers) -> list[tuple[str, Score]]:
    by_topic: dict[str, list] = {}
    for answer in answers:
        by_topic.setdefault(answer[0], []).append(answer)
    scored = [(topic, _score(found)) for topic, found in by_topic.items()]
    scored = [(t, s) for t, s in scored if s.answers >= MIN_FOR_WEAKEST]
    return sorted(scored, key=lambda item: (item[1].share, -item[1].answers, item[0]))


def _weakest(answers) -> str | None:
    topics = _topics(answers)
    return topics[0][0] if topics and topics[0][1].share < 1 else None


@dataclass(frozen=True)
class Answer:
    answered_at: str
    name: str
    team: str | None
    source: str
    question_id: str
    topic: str
    chosen: int
    correct: bool


def record(db: sqlite_utils.Database, actor_id: int) -> tuple[dict, list[Answer]]:
    """Every answer given by the organization's people, oldest first (a person erased since
    stays, without a name); managers only."""
    member = orgs.require(db, actor_id, "manager")
    rows = db.execute(
        "SELECT answered_at, user_id, team_name, source, question_id, topic, chosen, correct"
        " FROM quiz_answers WHERE org_id = ? ORDER BY answered_at, id",
        [member.org_id],
    ).fetchall()
    names: dict[int, str] = {}
    for uid in {row[1] for row in rows if row[1]}:
        names[uid] = people.name(db, uid)
    answers = [
        Answer(at, names.get(uid, "—"), team, source, qid, topic, chosen, bool(ok))
        for at, uid, team, source, qid, topic, chosen, ok in rows
    ]
    return orgs_repo.organization(db, member.org_id), answers
