"""Dates that must not disagree with themselves, at the instants where they usually do: a
month's last day, New Year's Eve in Shanghai before and after midnight (still 31 December in
UTC), and both nights Berlin changes its clocks. The clock is pinned; the suite never asks
the machine what day it is.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_skeleton

from bot.db import users
from bot.i18n import format_day
from bot.services import nc, orgs, readiness
from tests.conftest import INSTANTS
from tests.test_cases import file_report
from tests.test_onboarding import create_org, new_invite

ZONE = {"dst-spring": "Europe/Berlin", "dst-autumn": "Europe/Berlin"}
LEAK = {"description": "Oil on the floor", "category": "equipment", "severity": "minor"}


def zone_of(name: str) -> str:
    return ZONE.get(name, "Asia/Shanghai")


def local_today(name: str) -> date:
    return INSTANTS[name].astimezone(ZoneInfo(zone_of(name))).date()


@pytest.mark.parametrize("name", INSTANTS)
def test_report_numbers_count_in_the_organizations_year(db, clock, name):
    clock(INSTANTS[name])
    for uid in (1, 2):
        users.seen(db, uid, f"P{uid}", None, "en")
    orgs.create_organization(db, 1, "Local", zone_of(name), "en")
    orgs.create_organization(db, 2, "Greenwich", "UTC", "en")
    here = nc.report(db, 1, LEAK, [], "a")
    there = nc.report(db, 2, LEAK, [], "b")
    assert here.reference == f"NC-{local_today(name).year}-0001"
    assert there.reference == f"NC-{INSTANTS[name].astimezone(ZoneInfo('UTC')).year}-0001"


@pytest.mark.parametrize("name", INSTANTS)
async def test_the_due_date_calendar_starts_on_the_organizations_today(local, clock, name):
    clock(INSTANTS[name])
    boss = local.user(9401, language_code="en", first_name="Al")
    await create_org(boss, "Dates Ltd", lang="en")
    orgs.set_org_timezone(local.db, boss.id, zone_of(name))
    worker = local.user(9402, language_code="en", first_name="Wu")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    await file_report(worker, "Loose guard", "Equipment")
    await boss.press("👀 Open the report", boss.messages()[-1])
    await boss.press("🔍 Start the analysis")
    await boss.press("✍️ Root cause")
    await boss.send("Bolt sheared")
    await boss.press("📋 Plan the corrective action")
    await boss.send("Replace bolts with grade 8.8")
    await boss.press(next(b for b in boss.buttons() if b.startswith("Wu")))
    today = local_today(name)
    buttons = boss.buttons()
    assert buttons[0] == "🗓 " + format_skeleton("yMMMM", today, locale="en")
    assert f"[{today.day}]" in buttons  # today, as the organization counts it
    assert not any("2018" in b for b in buttons)
    if today.day > 1:
        assert str(today.day - 1) not in buttons  # no past days on offer

    # A stale or crafted tap on yesterday is refused, and the chat says why.
    screen = boss.keyboard_message()
    data = next(
        b["callback_data"]
        for row in screen["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == f"[{today.day}]"
    )
    prefix, raw = data.rsplit(":", 1)
    yesterday = int(raw) - 86400
    await boss.press_data(f"{prefix}:{yesterday}", screen)
    said = boss.messages()[-1]["text"]
    assert said.startswith(format_day(today - timedelta(days=1), "en") + " is in the past")
    await boss.press(f"[{today.day}]")
    assert f"Due: {format_day(today, 'en')}" in boss.text(boss.keyboard_message())
    report = nc.mine(local.db, worker.id)[0]
    assert report.due_date == today.isoformat()


@pytest.mark.parametrize("name", INSTANTS)
def test_invites_expire_fourteen_days_later_to_the_second(db, clock, name):
    clock(INSTANTS[name])
    for uid in (1, 2, 3):
        users.seen(db, uid, f"P{uid}", None, "en")
    orgs.create_organization(db, 1, "Local", zone_of(name), "en")
    code = orgs.create_invite(db, 1, "worker").code
    later = INSTANTS[name] + timedelta(days=orgs.INVITE_DAYS)
    clock(later - timedelta(seconds=1))
    assert orgs.check_invite(db, 2, code).status == "ok"
    clock(later)
    assert orgs.check_invite(db, 3, code).status == "expired"


@pytest.mark.parametrize("name", INSTANTS)
async def test_change_since_last_time_is_dated_in_the_persons_zone(local, clock, name):
    clock(INSTANTS[name])
    user = local.user(9501, language_code="zh", first_name="林")
    users.seen(local.db, user.id, "林", None, "zh")
    users.set_timezone(local.db, user.id, zone_of(name))
    await user.send("/readiness")
    await user.press("📂 按章自评")
    await user.press(user.buttons()[5])  # clause 9
    count = len(readiness.questions(local.db, "9", "zh"))
    for _ in range(count):
        await user.press("❌ 否")
    first_done = INSTANTS[name].astimezone(ZoneInfo(zone_of(name)))  # the pinned clock
    clock.shift(days=1)
    await user.send("/readiness")
    await user.press("📂 按章自评")
    await user.press(user.buttons()[5])
    for _ in range(count):
        await user.press("✅ 是")
    when = format_skeleton("yMMMd", first_done, locale="zh")
    offset = first_done.utcoffset().total_seconds() / 3600
    assert f"与 {when} " in user.text() and "相比，变化 +100 个百分点" in user.text()
    assert f"UTC+{offset:g} 相比" in user.text()  # the zone of that moment is named
