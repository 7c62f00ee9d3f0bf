"""A database written by the last released version keeps working: old invite codes join, old
answers score (by today's rules), old queued messages go out, old reports open."""

import json

import sqlite_utils

from bot.db import migrations
from bot.db.migrations import MIGRATIONS, migrate
from bot.local import LocalBot
from bot.services import library, nc, orgs, readiness
from tests.conftest import MONTH_END

RELEASED = 7  # m001 … m007: the schema of the version before this one
OLD_CODE = "q0w6HI22XJorZqUV"  # 96-bit urlsafe, case-sensitive: the old invite format


def released_database(path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    for name, fn in MIGRATIONS[:RELEASED]:
        with migrations.write(db):
            fn(db)
            db["_migrations"].insert({"name": name, "applied_at": "2026-11-24T00:00:00+00:00"})
    now = "2026-11-25T08:00:00+00:00"
    for uid, name in ((501, "Boss"), (502, "Wu")):
        db.execute(
            "INSERT INTO users (id, first_name, language, active, created_at, updated_at,"
            " onboarded_at) VALUES (?, ?, 'en', 1, ?, ?, ?)",
            [uid, name, now, now, now],
        )
    db.execute(
        "INSERT INTO organizations VALUES (1, 'Old Co', 'Asia/Shanghai', 'en', 501, ?)", [now]
    )
    db.execute("INSERT INTO members VALUES (501, 1, 'admin', NULL, ?)", [now])
    db.execute("INSERT INTO members VALUES (502, 1, 'worker', NULL, ?)", [now])
    db.execute(
        "INSERT INTO invites (code, org_id, role, created_by, created_at, expires_at, max_uses)"
        " VALUES (?, 1, 'worker', 501, ?, '2026-12-09T08:00:00+00:00', 100)",
        [OLD_CODE, now],
    )
    db.execute(
        "INSERT INTO nonconformities (id, org_id, year, number, reporter_id, description,"
        " category, severity, status, idempotency_key, created_at, updated_at)"
        " VALUES (1, 1, 2026, 1, 502, 'Old leak', 'equipment', 'major', 'new', 'k', ?, ?)",
        [now, now],
    )
    db.execute(
        "INSERT INTO nc_history (nc_id, at, actor_id, to_status) VALUES (1, ?, 502, 'new')", [now]
    )
    db.execute(
        "INSERT INTO assessments (id, user_id, org_id, scope, started_at, finished_at, score)"
        " VALUES (1, 501, 1, '4', ?, ?, 1.0)",
        [now, now],
    )
    for question, answer in (
        ("q-4-1-context", "yes"),
        ("q-4-2-parties", "na"),  # not applicable was allowed everywhere then
        ("q-4-3-scope", "yes"),
        ("q-4-4-processes", "yes"),
    ):
        db.execute("INSERT INTO answers VALUES (1, ?, ?, NULL, ?)", [question, answer, now])
    markup = {"inline_keyboard": [[{"text": "👀 Open the report", "callback_data": "nc:1:0"}]]}
    db.execute(
        "INSERT INTO outbox (dedupe_key, chat_id, text, reply_markup, created_at)"
        " VALUES ('nc:1:new:501', 501, 'New report NC-2026-0001 (queued by the old version)', ?,"
        " ?)",
        [json.dumps(markup), now],
    )
    return db


async def test_a_database_from_the_released_version_keeps_working(tmp_path, settings, clock):
    clock(MONTH_END)
    db = released_database(tmp_path / "old.sqlite3")
    applied = migrate(db)
    assert applied[0] == "m008_owed_work" and len(applied) == len(MIGRATIONS) - RELEASED
    assert library.load(db) == []
    local = await LocalBot(settings, db).start()
    boss = local.user(501, language_code="en", first_name="Boss")
    newcomer = local.user(503, language_code="en", first_name="New")
    await local.work()  # the sender's first pass: the queued message goes out
    queued = [m for m in boss.messages() if "queued by the old version" in m["text"]]
    assert len(queued) == 1
    await boss.press("👀 Open the report", queued[0])  # its old button still opens the report
    assert boss.text().startswith("NC-2026-0001 · new") and "Old leak" in boss.text()

    await newcomer.send(f"/start {OLD_CODE}")  # an old invite code, as printed then
    assert orgs.membership(db, newcomer.id).org_name == "Old Co"

    scored = readiness.result(db, 501, 1)  # N/A on 4.2 no longer flatters: it is a gap
    assert scored.overall == 0.75 and [g.question_id for g in scored.gaps] == ["q-4-2-parties"]
    assert nc.mine(db, 502)[0].reference == "NC-2026-0001"
    await local.stop()
