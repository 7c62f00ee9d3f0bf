"""The scheduler's tick finds its work through indexes: what it costs grows with what is
due, not with the number of people (bench/scheduler.py measures 100,000 of them)."""

from datetime import datetime, timedelta

from bot.db import plans
from bot.services import routine, tips
from tests.conftest import SHANGHAI
from tests.test_fuzz import PEOPLE, found_organizations

MONDAY_MORNING = datetime(2026, 11, 30, 8, 29, tzinfo=SHANGHAI)


def test_no_statement_of_a_days_ticks_reads_a_whole_table(db, clock):
    clock(MONDAY_MORNING - timedelta(days=1))
    found_organizations(db)  # two organizations with reports, audits, objectives, notices
    for person in PEOPLE:
        tips.choose(db, person.id, "Asia/Shanghai", subscribed=True)
    db.execute("UPDATE users SET timezone = 'Europe/Berlin' WHERE id = ?", [PEOPLE[1].id])
    with plans.traced(db) as statements:
        for minutes in (0, 2, 60 * 8):  # the morning, the tips at 08:30, Berlin's morning
            owed = routine.tick(db, "Asia/Shanghai", MONDAY_MORNING + timedelta(minutes=minutes))
            assert owed.owed >= 0
    assert len(statements) >= 10  # the tips, the morning's reminders, the digest, the audits
    assert plans.full_scans(db, statements.values()) == []
    tips_owed = db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'tip'").fetchone()[0]
    assert tips_owed == len(PEOPLE)  # the day's work was found
