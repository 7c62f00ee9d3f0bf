"""What an adversarial review found, fixed: duplicate reports that hide each other, names that
spoof or vanish, refusals logged as errors."""

import logging

import pytest

from bot.db import users
from bot.services import nc, orgs
from tests.test_cases import file_report, team

LEAK = {"description": "Oil leak at press 4", "category": "equipment", "severity": "major"}


@pytest.fixture
def acme(db):
    for uid in (1, 3):
        users.seen(db, uid, f"P{uid}", None, "en")
    orgs.create_organization(db, 1, "Acme", "Asia/Shanghai", "en")
    assert orgs.join(db, 3, orgs.create_invite(db, 1, "worker").code).status == "ok"


def test_a_duplicate_points_only_at_an_open_report_so_never_in_a_circle(db, acme):
    first = nc.report(db, 3, LEAK, [], "a")
    second = nc.report(db, 3, LEAK, [], "b")
    third = nc.report(db, 3, LEAK, [], "c")
    assert nc.move(db, 1, second.id, "duplicate", duplicate_of=first.id) == "moved"
    # first cannot now be a duplicate of second: second is no longer open
    assert nc.move(db, 1, first.id, "duplicate", duplicate_of=second.id) == "missing"
    assert nc.move(db, 1, third.id, "rejected", "Not a quality matter") == "moved"
    fourth = nc.report(db, 3, LEAK, [], "d")
    assert nc.move(db, 1, fourth.id, "duplicate", duplicate_of=third.id) == "missing"
    open_ones = {r.id for r in nc.for_managers(db, 1)}
    assert first.id in open_ones and fourth.id in open_ones


async def test_a_name_cannot_flip_or_hide_what_managers_read(local):
    boss, worker = await team(local, 9801, "Spoof Ltd")
    worker.profile["first_name"] = "Wu\u202e\u200bevil"  # right-to-left override, zero width
    await file_report(worker, "Loose\u200b \u2066guard", "Equipment")
    notice = next(m for m in boss.messages() if "New report" in m["text"])["text"]
    assert "\u202e" not in notice and "\u200b" not in notice and "\u2066" not in notice
    assert "Reported by Wuevil." in notice and "Loose guard" in notice
    assert users.get(local.db, worker.id).first_name == "Wuevil"


async def test_an_organization_named_with_invisible_characters_is_refused(local):
    boss = local.user(9901, language_code="en", first_name="Al")
    await boss.send("/start")
    await boss.press("English")
    await boss.press("🏭 Create an organization")
    await boss.send("\u200b\u200b\u200b\u200b")
    assert "Please give a name of 2 to 64 characters (that was 0)." in boss.transcript(2)
    assert orgs.membership(local.db, boss.id) is None


async def test_a_refused_crafted_button_is_not_logged_as_an_error(local, caplog):
    boss, worker = await team(local, 9951, "Quiet Ltd")
    await file_report(worker, "Wobbly ladder", "Safety")
    notice = next(m for m in boss.messages() if "New report" in m["text"])
    caplog.set_level(logging.INFO)
    data = notice["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    outsider = local.user(9959, language_code="en", first_name="Eve")
    answer = await outsider.press_data(data, notice)  # someone else's button, replayed
    assert answer["text"] == "Only managers and admins of your organization can do that."
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("refused" in r.getMessage() for r in caplog.records)


async def test_a_notice_is_not_sent_to_a_manager_who_left_meanwhile(local, clock):
    from bot.localapi import Fault
    from tests.conftest import MONTH_END
    from tests.test_onboarding import new_invite

    clock(MONTH_END)
    boss, worker = await team(local, 9961, "Secret Ltd")
    max_ = local.user(9963, language_code="en", first_name="Max")
    await max_.send("/start " + await new_invite(boss, "manager", zh=False))
    local.api.faults.append(Fault(502, method="sendmessage", chat_id=max_.id))
    await file_report(worker, "SECRET formula of batch 7 spilled", "Product")
    orgs.remove_member(local.db, boss.id, max_.id)  # removed before the retry
    clock.shift(minutes=5)
    await local.work()
    assert not any("SECRET" in m.get("text", "") for m in max_.messages())
    assert any("SECRET" in m.get("text", "") for m in boss.messages())


async def test_a_root_cause_typed_for_a_report_that_moved_meanwhile_is_given_back(local):
    boss, worker = await team(local, 9971, "Race Ltd")
    await file_report(worker, "Label missing", "Product")
    report = nc.mine(local.db, worker.id)[0]
    await boss.press("👀 Open the report", boss.messages()[-1])
    await boss.press("🔍 Start the analysis")
    await boss.press("✍️ Root cause")
    nc.move(local.db, boss.id, report.id, "rejected", "Duplicate of a phone call")  # elsewhere
    await boss.send("The printer ran out of labels at night")
    said = "\n".join(m["text"] for m in boss.messages()[-3:])
    assert "so this was not recorded" in said
    assert "The printer ran out of labels at night" in said  # the words come back


async def test_my_reports_are_those_of_my_current_organization(local):
    _boss, worker = await team(local, 9981, "Old Co")
    await file_report(worker, "Broken pallet", "Other")
    assert len(nc.mine(local.db, worker.id)) == 1
    orgs.leave(local.db, worker.id)
    assert nc.mine(local.db, worker.id) == []  # the report stays with Old Co's records
    await worker.send("/myreports")
    assert "join or create an organization first" in worker.text()


def test_a_failed_commit_leaves_no_transaction_open(tmp_path):
    import sqlite3

    from bot.db import open_db
    from bot.db.tx import write

    db = open_db(tmp_path / "t.sqlite3")
    db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE child (parent_id INTEGER REFERENCES parent(id))")
    with pytest.raises(sqlite3.IntegrityError), write(db):
        db.execute("PRAGMA defer_foreign_keys = ON")
        db.execute("INSERT INTO child VALUES (42)")  # only checked at COMMIT, which fails
    assert not db.conn.in_transaction
    with write(db):
        db.execute("INSERT INTO parent VALUES (1)")
    db.close()
    assert open_db(tmp_path / "t.sqlite3").execute("SELECT COUNT(*) FROM parent").fetchone() == (1,)
