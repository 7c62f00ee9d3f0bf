"""The bot speaks first: daily tips at each person's local time, the morning's reminders, the
Monday digest, the QMS calendar and what linked groups receive — ticked with a pinned clock."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import open_db
from bot.local import LocalBot
from bot.services import library, nc, quiz, routine, tips
from tests.conftest import BERLIN, SHANGHAI
from tests.test_cases import team
from tests.test_groups_privacy import GROUP, bot_joins
from tests.test_onboarding import create_org, new_invite

MONDAY = datetime(2026, 11, 30, 6, 0, tzinfo=SHANGHAI)  # a Monday, before the morning
LEAK = {"description": "Oil leak at press 4", "category": "equipment", "severity": "major"}


def tips_of(user) -> list[dict]:
    return [
        m
        for m in user.messages()
        if m.get("text", "").startswith(("💡 Tip of the day", "💡 每日提示"))
    ]


async def subscribe(user, lang: str = "en") -> None:
    await user.send("/settings")
    await user.press("💡 Daily tips" if lang == "en" else "💡 每日提示")
    await user.press("🔔 Turn on" if lang == "en" else "🔔 开启")


async def test_shanghai_and_berlin_each_get_one_tip_at_their_0830_for_a_week(
    settings, tmp_path, clock
):
    clock(MONDAY)
    path = tmp_path / "bot.sqlite3"
    first = await LocalBot(settings, open_db(path)).start()
    assert library.load(first.db) == []
    li = first.user(3001, language_code="zh", first_name="李")
    await create_org(li, "华东精密")
    anna = first.user(3002, language_code="en", first_name="Anna")
    await anna.send("/start " + await new_invite(li, "员工"))
    await anna.send("/settings")
    await anna.press("🕒 Time zone")
    await anna.send("Berlin")
    await subscribe(anna)
    await subscribe(li, "zh")
    assert "Next tip: Nov 30, 2026, 08:30 UTC+1." in anna.text()

    bot, seen_at = first, {3001: [], 3002: []}
    moment = MONDAY
    while moment < MONDAY + timedelta(days=7):
        moment += timedelta(minutes=30)
        clock(moment)
        if moment == MONDAY + timedelta(days=3):  # a restart mid-week, same database
            await bot.stop()
            bot = await LocalBot(settings, open_db(path), first.api).start()
        before = {uid: len(tips_of(u)) for uid, u in ((3001, li), (3002, anna))}
        await bot.tick()
        for uid, user in ((3001, li), (3002, anna)):
            if len(tips_of(user)) > before[uid]:
                seen_at[uid].append(moment)
    await bot.stop()

    shanghai = [m.astimezone(SHANGHAI) for m in seen_at[3001]]
    berlin = [m.astimezone(BERLIN) for m in seen_at[3002]]
    # Five workdays each, at 08:30 on their own clocks (the tick is every 30 minutes here).
    assert [(m.strftime("%a %H:%M")) for m in shanghai] == [
        f"{day} 08:30" for day in ("Mon", "Tue", "Wed", "Thu", "Fri")
    ]
    assert [(m.strftime("%a %H:%M")) for m in berlin] == [
        f"{day} 08:30" for day in ("Mon", "Tue", "Wed", "Thu", "Fri")
    ]
    zh_tips, en_tips = tips_of(li), tips_of(anna)
    assert zh_tips and en_tips
    assert len({t["text"] for t in en_tips}) == 5  # no repeats
    assert en_tips[0]["reply_markup"]["inline_keyboard"][0][0]["text"].startswith("📖")


async def test_a_big_morning_is_owed_in_short_steps_and_people_are_answered_between(
    local, clock, monkeypatch
):
    """The scheduler's tick owes tips a batch per transaction and lets other work run
    between batches: at 100,000 subscribers a tap never waits behind the whole morning."""
    from bot import scheduler

    clock(MONDAY)
    people = [local.user(4100 + n, first_name=f"P{n}") for n in range(5)]
    for person in people:
        await subscribe(person)
    monkeypatch.setattr(tips, "BATCH", 2)
    clock(MONDAY + timedelta(hours=2, minutes=31))  # 08:31 in Shanghai
    owed_seen = []

    async def someone_tapping() -> None:
        for _ in range(20):
            owed_seen.append(
                local.db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'tip'").fetchone()[0]
            )
            await asyncio.sleep(0)

    await asyncio.gather(scheduler.tick(local.db, local.settings, local.dp), someone_tapping())
    assert owed_seen[0] < 5 and owed_seen[-1] == 5
    assert any(0 < n < 5 for n in owed_seen)  # it ran while the tips were still being owed
    await local.work()
    assert all(len(tips_of(person)) == 1 for person in people)


async def test_a_tip_more_than_three_hours_late_is_skipped_and_the_next_comes_on_time(local, clock):
    clock(MONDAY)
    _boss, worker = await team(local, 3101, "Late Ltd")
    await subscribe(worker)
    clock(MONDAY + timedelta(hours=6))  # 12:00 in Shanghai: the bot was down since 06:00
    done = await local.tick()
    assert (done.tips, done.skipped) == (0, 1)
    assert tips_of(worker) == []
    found = tips.get(local.db, worker.id)
    assert found.next_tip_at == "2026-12-01T00:30:00+00:00"  # Tuesday 08:30 in Shanghai
    clock(MONDAY + timedelta(hours=2, minutes=40))  # (the clock only moves forward in life)
    clock(datetime(2026, 12, 1, 9, 15, tzinfo=SHANGHAI))  # 45 minutes late: still sent
    assert (await local.tick()).tips == 1
    assert (await local.tick()).tips == 0  # ticking again owes nothing twice
    assert len(tips_of(worker)) == 1


def test_the_next_send_time_follows_berlin_across_the_clock_change():
    after = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)  # Friday before the spring change
    monday = tips.next_slot(after, "08:30", "Europe/Berlin", True, True)
    assert monday.astimezone(BERLIN).strftime("%a %d %H:%M %Z") == "Mon 29 08:30 CEST"
    sunday = tips.next_slot(after, "08:30", "Europe/Berlin", False, True)
    sunday = tips.next_slot(sunday, "08:30", "Europe/Berlin", False, True)
    assert sunday.astimezone(BERLIN).strftime("%a %d %H:%M %Z") == "Sun 28 08:30 CEST"
    night = tips.next_slot(after, "23:00", "Europe/Berlin", False, True)  # quiet hours
    assert night.astimezone(BERLIN).strftime("%a %H:%M") == "Sat 07:00"
    owl = tips.next_slot(after, "23:00", "Europe/Berlin", False, False)  # chose otherwise
    assert owl.astimezone(BERLIN).strftime("%a %H:%M") == "Fri 23:00"


def test_typed_times_people_write():
    assert [tips.parse_time(t) for t in ("8:30", "08.30", "0830", "8：30", "９:05", "7")] == [
        "08:30",
        "08:30",
        "08:30",
        "08:30",
        "09:05",
        "07:00",
    ]
    assert [tips.parse_time(t) for t in ("25:00", "8:60", "soon", "")] == [None] * 4


async def test_tip_now_opens_its_library_page_in_both_languages(local, clock):
    clock(MONDAY)
    zh = local.user(3201, language_code="zh", first_name="周")
    await zh.send("/start")
    await zh.send("/tip")
    assert zh.text().startswith("💡 质量提示\n\n")
    page = zh.buttons()[0]
    assert page.startswith("📖 ")
    await zh.press(page)
    assert "📖" not in zh.text()[:2]  # the library screen, not the tip
    en = local.user(3202, language_code="en", first_name="Eve")
    await en.send("/start")
    for _ in range(3):
        await en.send("/tip")
    shown = [m["text"] for m in en.messages() if m["text"].startswith("💡 Quality tip")]
    assert len(set(shown)) == 3


async def test_a_new_member_is_asked_once_ten_minutes_after_joining(local, clock):
    clock(MONDAY + timedelta(hours=4))  # 10:00 in Shanghai
    _boss, worker = await team(local, 3301, "Ask Ltd")
    await local.tick()
    assert "quality tip each day" not in worker.text()  # not in the middle of their first steps
    clock(MONDAY + timedelta(hours=4, minutes=11))
    await local.tick()
    assert "Would you like one short quality tip each day?" in worker.text()
    await worker.press("✅ Yes, please")
    assert worker.text().startswith("✅ Daily tips are on.\nOn: workdays at 08:30 (UTC+8).")
    await local.tick()
    clock(MONDAY + timedelta(days=1, hours=4))
    await local.tick()
    asks = local.db.execute(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'tips.ask' AND chat_id = ?", [worker.id]
    ).fetchone()
    assert asks == (1,) and "Would you like" not in worker.text()


async def test_at_night_nobody_is_asked_and_no_morning_runs(local, clock):
    clock(datetime(2026, 11, 30, 22, 30, tzinfo=SHANGHAI))
    _boss, worker = await team(local, 3401, "Night Ltd")
    clock(datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI))
    await local.tick()
    owed = local.db.execute("SELECT COUNT(*) FROM outbox WHERE kind IS NOT NULL").fetchone()
    assert owed == (0,)
    assert "quality tip" not in worker.text()


async def plan_action(local, boss, worker, due: date) -> int:
    report = nc.report(local.db, worker.id, LEAK, [], f"k{due}")
    assert nc.move(local.db, boss.id, report.id, "analysis", "Seal worn") == "moved"
    assert (
        nc.move(
            local.db,
            boss.id,
            report.id,
            "planned",
            action="Replace the seal and add it to the weekly check",
            owner_id=worker.id,
            due_date=due,
        )
        == "moved"
    )
    return report.id


async def test_managers_get_one_morning_reminder_and_owners_their_own(local, clock):
    clock(MONDAY - timedelta(days=5))
    boss, worker = await team(local, 3501, "Due Ltd")
    overdue = await plan_action(local, boss, worker, date(2026, 11, 28))
    soon = await plan_action(local, boss, worker, date(2026, 12, 2))
    await plan_action(local, boss, worker, date(2026, 12, 20))  # not yet
    clock(MONDAY + timedelta(hours=1, minutes=59))  # 07:59: not yet
    await local.tick()
    assert not any(m["text"].startswith("⏰") for m in boss.messages())
    clock(MONDAY + timedelta(hours=2, minutes=1))  # 08:01 in Shanghai
    await local.tick()
    await local.tick()  # a second tick the same morning owes nothing
    mornings = [m for m in boss.messages() if m.get("text", "").startswith("⏰")]
    assert len(mornings) == 1
    text = mornings[0]["text"]
    assert "1 overdue, 1 due within two days" in text
    assert "NC-2026-0001" in text and "2 days overdue" in text and "due in 2 days" in text
    assert "NC-2026-0003" not in text
    labels = [row[0]["text"] for row in mornings[0]["reply_markup"]["inline_keyboard"]]
    assert labels == ["👀 NC-2026-0001", "👀 NC-2026-0002"]
    mine = [m for m in worker.messages() if m.get("text", "").startswith("⏰")]
    assert len(mine) == 1 and "Your corrective actions: 1 overdue, 1 due soon" in mine[0]["text"]
    await boss.press("👀 NC-2026-0001", mornings[0])
    assert "NC-2026-0001" in boss.text()
    assert overdue and soon


async def test_the_monday_digest_counts_the_week_and_brings_its_chart(local, clock):
    clock(MONDAY - timedelta(days=3))
    boss, worker = await team(local, 3601, "Digest Ltd")
    nc.report(local.db, worker.id, LEAK, [], "a")
    nc.report(local.db, worker.id, {**LEAK, "severity": "critical"}, [], "b")
    first = quiz.bank(local.db, "en")[0]
    quiz.answer(local.db, worker.id, first.id, first.correct[0], "practice-1")
    clock(MONDAY + timedelta(hours=2, minutes=5))
    await local.tick()
    texts = [m for m in boss.messages() if m.get("text", "").startswith("📊")]
    assert len(texts) == 1
    text = texts[0]["text"]
    assert "Weekly quality digest · Digest Ltd" in text
    assert "Reports opened in the last 7 days: 2" in text
    assert "🔴 Critical: 1" in text and "🟠 Major: 1" in text
    assert "Readiness: no full self-assessment yet." in text
    assert "Quizzes: 1 of 2 members answered 1, 100% right" in text
    assert texts[0].get("reply_markup") is None  # the chart comes with it: no button
    after = boss.messages()[boss.messages().index(texts[0]) + 1]
    assert after.get("photo") and after["caption"] == ("📈 Digest Ltd: reports in the last 7 days")
    assert not any(m.get("text", "").startswith("📊") for m in worker.messages())  # managers only
    clock(MONDAY + timedelta(days=1, hours=2, minutes=5))  # Tuesday: no digest
    await local.tick()
    assert len([m for m in boss.messages() if m.get("text", "").startswith("📊")]) == 1
    assert len([m for m in boss.messages() if m.get("photo")]) == 1


async def test_a_digest_sent_before_the_chart_came_with_it_still_opens_its_chart(local, clock):
    """Digests sent by the previous version carry a 📈 Chart button: it still works."""
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    from bot import outbox
    from dialogs.nc.reminders import DigestChart

    clock(MONDAY + timedelta(hours=2))
    boss, worker = await team(local, 3651, "Old Digest Ltd")
    button = InlineKeyboardButton(
        text="📈 Chart", callback_data=DigestChart(day="2026-11-30").pack()
    )
    markup = InlineKeyboardMarkup(inline_keyboard=[[button]])
    outbox.owe(local.db, "old-digest", boss.id, "📊 Weekly quality digest", markup)
    outbox.owe(local.db, "old-digest-w", worker.id, "📊 Weekly quality digest", markup)
    await local.work()
    await boss.press("📈 Chart")
    assert boss.messages()[-1]["caption"] == "Reports in the last 7 days"
    await worker.press("📈 Chart")  # no longer a manager's message to them: refused
    assert not worker.messages()[-1].get("photo")


async def test_the_qms_calendar_reminds_managers_30_7_1_days_before_and_on_the_day(local, clock):
    clock(MONDAY)
    boss, worker = await team(local, 3701, "Cal Ltd")
    await boss.send("/calendar")
    assert "Nothing planned yet." in boss.text()
    await boss.press("➕ Add a date")
    await boss.press("📝 Internal audit")
    await boss.press("Dec 2026 »")
    await boss.press("7")  # 7 December
    await boss.send("Warehouse and shipping")
    assert "Dec 7, 2026 · 📝 Internal audit · Warehouse and shipping" in boss.text()
    await worker.send("/calendar")
    assert "Only" in worker.text() or "manager" in worker.text()

    reminders = []
    for day in range(0, 8):
        clock(MONDAY + timedelta(days=day, hours=3))  # 09:00 each day
        await local.tick()
        reminders += [m["text"] for m in boss.messages() if m.get("text", "").startswith("📅 📝")]
        reminders = list(dict.fromkeys(reminders))
    assert reminders == [
        "📅 📝 Internal audit · Warehouse and shipping in 7 days: Dec 7, 2026",
        "📅 📝 Internal audit · Warehouse and shipping in 1 day: Dec 7, 2026",
        "📅 📝 Internal audit · Warehouse and shipping today: Dec 7, 2026",
    ]
    assert not any(m.get("text", "").startswith("📅 📝") for m in worker.messages())


async def test_a_linked_group_gets_reports_from_a_severity_and_a_team_tip_in_both_languages(
    local, clock
):
    clock(MONDAY)
    boss = local.user(3801, language_code="en", first_name="Al")
    await create_org(boss, "Group Ltd", lang="en")
    worker = local.user(3802, language_code="en", first_name="Wu")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    local.api.group_admins[GROUP["id"]] = {boss.id}
    in_group = local.user(3801, language_code="en", first_name="Al", chat=GROUP)
    worker_in_group = local.user(3802, language_code="en", first_name="Wu", chat=GROUP)
    await bot_joins(local, GROUP, in_group.profile)
    await in_group.send("/link")
    await in_group.press("中文 + English")

    await worker_in_group.send("/reports major")
    assert "Only a manager" in worker_in_group.text()
    await in_group.send("/reports major")
    assert "major and critical reports" in in_group.text()
    nc.report(local.db, worker.id, {**LEAK, "severity": "minor"}, [], "minor")
    nc.report(local.db, worker.id, LEAK, [], "major")
    await local.work()
    posted = [m["text"] for m in in_group.messages() if "NC-2026" in m["text"]]
    assert len(posted) == 1 and "NC-2026-0002" in posted[0]
    assert "新报告" in posted[0] and "New report" in posted[0]

    await in_group.send("/tips on 9:00")
    assert "every workday at 09:00 (UTC+8)" in in_group.text()
    clock(MONDAY + timedelta(hours=3, minutes=1))
    await local.tick()
    tip = next(m for m in in_group.messages() if m.get("text", "").startswith("💡 班组质量提示"))
    assert "💡 Team quality tip" in tip["text"]
    assert tip.get("reply_markup") is None  # no dialog in a group
    digest = next(m for m in in_group.messages() if m.get("text", "").startswith("📊"))
    assert (
        "每周质量简报 · Group Ltd" in digest["text"] and "Weekly quality digest" in digest["text"]
    )


async def test_the_scheduler_starts_and_stops_with_the_dispatcher(settings, db):
    running = LocalBot(settings.model_copy(update={"scheduler": True}), db)
    await running.start()
    for _ in range(200):  # its first tick runs at once, in the background
        if routine.last_tick(db):
            break
        await asyncio.sleep(0.01)
    scheduler = running.dp.workflow_data["scheduler"]
    assert scheduler.running and scheduler.get_job("tick") is not None
    await running.stop()
    assert not scheduler.running and "scheduler" not in running.dp.workflow_data
    assert routine.last_tick(db) is not None  # it ticked at once on start


def test_100000_subscribers_are_found_by_index(db):
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT chat_id FROM tip_subscriptions"
        " WHERE subscribed = 1 AND next_tip_at <= ?",
        ["2026-12-01T00:00:00+00:00"],
    ).fetchall()
    assert "tip_subscriptions_due" in " ".join(str(row) for row in plan)
    assert ZoneInfo("Asia/Shanghai")  # zones come from tzdata on every machine


async def test_a_linked_team_group_gets_its_digest_and_report_photos_only_when_allowed(
    local, clock
):
    clock(MONDAY - timedelta(days=2))
    boss = local.user(3901, language_code="zh", first_name="Li")
    await create_org(boss, "Photo Ltd", lang="zh")
    worker = local.user(3902, language_code="zh", first_name="Wu")
    await worker.send("/start " + await new_invite(boss, "员工 · 14 天"))
    local.api.group_admins[GROUP["id"]] = {boss.id}
    in_group = local.user(3901, language_code="zh", first_name="Li", chat=GROUP)
    await bot_joins(local, GROUP, in_group.profile)
    await in_group.send("/link")
    await in_group.press("中文")
    assert "/digest" in in_group.text()  # the manager is told what the group can receive

    await in_group.send("/reports all")
    assert "照片留在私聊中" in in_group.text()
    photo = local.api.store_file(b"\xff\xd8 a person at press 4", "photos", ".jpg")
    nc.report(local.db, worker.id, LEAK, [(photo.file_id, photo.unique_id)], "first")
    await local.work()
    assert not any(m.get("photo") for m in in_group.messages())  # photos may show people

    await in_group.send("/reports photos on")
    assert "照片" in in_group.text() and "先确认" in in_group.text()
    nc.report(local.db, worker.id, LEAK, [(photo.file_id, photo.unique_id)], "second")
    await local.work()
    shown = in_group.messages()
    report = next(i for i, m in enumerate(shown) if "NC-2026-0002" in m.get("text", ""))
    assert shown[report + 1].get("photo")  # right after its report

    clock(MONDAY + timedelta(hours=2, minutes=5))
    await local.tick()
    digest = [m for m in in_group.messages() if m.get("text", "").startswith("📊")]
    assert len(digest) == 1 and "每周质量简报 · Photo Ltd" in digest[0]["text"]
    assert "最近 7 天新增的报告：2" in digest[0]["text"]
    assert "准备度" not in digest[0]["text"]  # the managers' lines stay private
    chart = in_group.messages()[in_group.messages().index(digest[0]) + 1]
    assert chart.get("photo") and "Photo Ltd" in chart["caption"]

    await in_group.send("/digest off")
    assert "不再" in in_group.text()
    clock(MONDAY + timedelta(days=7, hours=2, minutes=5))
    await local.tick()
    assert len([m for m in in_group.messages() if m.get("text", "").startswith("📊")]) == 1


async def test_a_tip_is_chosen_when_sent_the_same_again_after_a_failure_and_seen_once(local, clock):
    from bot.localapi import Fault

    clock(MONDAY)
    _boss, worker = await team(local, 3151, "Retry Ltd")
    await subscribe(worker)
    seen = "SELECT tip_id FROM tips_seen WHERE chat_id = ?"
    clock(MONDAY + timedelta(hours=2, minutes=31))  # 08:31 in Shanghai
    local.api.faults.append(Fault(502, method="sendmessage", chat_id=worker.id))
    assert (await local.tick()).tips == 1
    assert local.db.execute(seen, [worker.id]).fetchall() == []  # owed, not yet seen
    chosen = tips.chosen_for(local.db, worker.id, {})
    clock.shift(minutes=5)
    await local.work()  # the retry
    (tip,) = tips_of(worker)
    body = tips.tip_text(local.db, chosen, "en")[0].texts["text"]
    assert body in tip["text"]  # the tip chosen for the first try went out
    assert local.db.execute(seen, [worker.id]).fetchall() == [(chosen,)]


def test_a_round_of_tips_ends_when_all_were_seen_and_the_next_begins(db):
    assert library.load(db) == []
    every = [row[0] for row in db.execute("SELECT id FROM content_items WHERE kind = 'tip'")]
    shown = []
    for day in range(len(every) + 2):
        chosen = tips.chosen_for(db, 77, {})
        tips.seen(db, 77, chosen, f"2026-11-{day % 28 + 1:02d}")
        shown.append(chosen)
    assert sorted(shown[: len(every)]) == sorted(every)  # each once in the first round
    assert shown[len(every)] == shown[0]  # the second round starts as the first did
    assert db.execute("SELECT COUNT(*) FROM tips_seen WHERE chat_id = 77").fetchone()[0] == 2
