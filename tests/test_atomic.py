"""A record and what it promises are one transaction: a fault injected at any step leaves
nothing half-written, and a person is told "saved" only once it is.

Faults are real SQLite errors: a temporary trigger makes one INSERT fail, as a full disk or
a constraint would.
"""

import sqlite3

import pytest

from bot.db import users
from bot.services import nc, orgs
from tests.test_cases import team

LEAK = {"description": "Oil leak at press 4", "category": "equipment", "severity": "major"}


def fail_inserts_into(db, table: str) -> None:
    db.execute(
        f"CREATE TEMP TRIGGER fault_{table} BEFORE INSERT ON {table}"
        " BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
    )


def heal(db, table: str) -> None:
    db.execute(f"DROP TRIGGER fault_{table}")


def counts(db) -> dict:
    return {
        table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("nonconformities", "nc_photos", "nc_history", "outbox")
    }


@pytest.fixture
def acme(db):
    for uid in (1, 2, 3):
        users.seen(db, uid, f"P{uid}", None, "en")
    orgs.create_organization(db, 1, "Acme", "Asia/Shanghai", "en")
    for uid, role in ((2, "manager"), (3, "worker")):
        assert orgs.join(db, uid, orgs.create_invite(db, 1, role).code).status == "ok"


@pytest.mark.parametrize("table", ["nc_history", "nc_photos", "outbox"])
def test_a_report_is_saved_with_its_photos_history_and_notices_or_not_at_all(db, acme, table):
    before = counts(db)
    fail_inserts_into(db, table)
    with pytest.raises(sqlite3.IntegrityError):
        nc.submit(db, 3, LEAK, [("f1", "u1")], "form-1")
    assert counts(db) == before  # nothing half-written
    heal(db, table)
    saved = nc.submit(db, 3, LEAK, [("f1", "u1")], "form-1")  # the same form, tried again
    assert saved.created and saved.notified == 2  # admin and manager
    assert saved.report.reference.endswith("-0001")  # the failed try used no number
    assert counts(db)["outbox"] == before["outbox"] + 2


def test_a_status_change_and_its_notice_are_one_step(db, acme):
    report = nc.report(db, 3, LEAK, [], "form-2")
    fail_inserts_into(db, "outbox")  # the reporter's notice cannot be written …
    with pytest.raises(sqlite3.IntegrityError):
        nc.move(db, 2, report.id, "rejected", "Not ours: the landlord's pipe")
    assert nc.visible(db, 2, report.id).status == "new"  # … so the report did not move
    assert [e.to_status for e in nc.history(db, 2, report.id)] == ["new"]
    heal(db, "outbox")
    assert nc.move(db, 2, report.id, "rejected", "Not ours: the landlord's pipe") == "moved"
    owed = db.execute("SELECT chat_id, kind FROM outbox WHERE kind = 'nc.finished'").fetchall()
    assert owed == [(3, "nc.finished")]


def test_a_history_fault_leaves_the_status_alone(db, acme):
    report = nc.report(db, 3, LEAK, [], "form-3")
    fail_inserts_into(db, "nc_history")
    with pytest.raises(sqlite3.IntegrityError):
        nc.move(db, 2, report.id, "contained", "Press stopped", containment="Press stopped")
    found = nc.visible(db, 2, report.id)
    assert found.status == "new" and found.containment is None


async def test_a_failed_submit_keeps_the_form_and_says_nothing_untrue(local):
    boss, worker = await team(local, 8701, "Fault Ltd")
    await worker.send("/report")
    await worker.send("Forklift brake feels soft")
    await worker.press("⏭ Skip")
    await worker.press("Equipment")
    await worker.press("🔴 Critical")
    fail_inserts_into(local.db, "outbox")
    await worker.press("✅ Submit")
    assert "Saved as" not in worker.transcript(3)
    assert "Sorry, something went wrong on our side" in worker.text()
    assert nc.mine(local.db, worker.id) == []
    heal(local.db, "outbox")
    await worker.press("✅ Submit")  # the form is still there, whole
    screen = worker.text(worker.keyboard_message())
    assert "Saved as" in screen and "notified" in screen
    report = nc.mine(local.db, worker.id)[0]
    assert report.description == "Forklift brake feels soft"
    assert any(report.reference in m["text"] for m in boss.messages())
