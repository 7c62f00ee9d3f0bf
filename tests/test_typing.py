"""People type as they are used to: /START, 你好 on the menu, 北京 or UTC+8 for a time zone."""

import pytest

from bot.db import users
from bot.services import intent, orgs, preferences
from tests.conftest import MENU_EN, MENU_ZH, NEW_YEARS_EVE
from tests.test_cases import PNG
from tests.test_onboarding import create_org, new_invite

# ----- commands as typed ------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["/START", "/Start", "/start@certready_local_bot"])
async def test_start_in_any_case_and_with_the_bots_name(zh_user, typed):
    await zh_user.send("/start")
    first = (zh_user.text(), zh_user.buttons())
    await zh_user.send(typed)
    assert (zh_user.text(), zh_user.buttons()) == first and "欢迎使用认证通" in first[0]


@pytest.mark.parametrize("typed", ["/MENU", "/Menu", "/menu@CertReady_Local_Bot"])
async def test_menu_in_any_case(zh_user, typed):
    await zh_user.send(typed)
    assert "您好，王芳！" in zh_user.text() and zh_user.buttons() == MENU_ZH


async def test_help_and_settings_in_capitals_in_english(en_user):
    await en_user.send("/HELP")
    assert en_user.text().startswith("Help")
    await en_user.send("/Settings@CertReady_Local_Bot")
    assert en_user.text().startswith("Settings")
    await en_user.send("/menu@some_other_bot")  # meant for another bot: not ours to answer
    assert en_user.text() == "I don't know that command. Send /help to see what I can do."


# ----- small talk on the menu -------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["你好", "您好！", "嗨", "在吗？", "早上好", "老师好", "你好啊", "hi", "Hello!", "hey there",
     "Good morning", "ＨＥＬＬＯ", "what's up"],
)  # fmt: skip
def test_greetings_are_small_talk(typed):
    assert intent.small_talk(typed) == "greeting"


@pytest.mark.parametrize(
    ("typed", "kind"),
    [("谢谢", "thanks"), ("谢谢老师", "thanks"), ("好的，谢谢！", "thanks"),
     ("Thank you very much", "thanks"), ("thx", "thanks"), ("ok", "ack"), ("OK👍", "ack"),
     ("好的", "ack"), ("收到", "ack"), ("嗯嗯", "ack"), ("👍", "ack"), ("？", "ack"), ("k", "ack"),
     ("1", "ack"), ("no problem", "ack")],
)  # fmt: skip
def test_thanks_and_acknowledgements_are_small_talk(typed, kind):
    assert intent.small_talk(typed) == kind


@pytest.mark.parametrize(
    "typed",
    ["漏水", "3号线漏油了", "你好，3号线漏油了", "不好", "外壳毛刺", "leak", "okra",
     "hi, the press on line 3 leaks", "随手写的几个字", "哈" * 30 + "漏"],
)  # fmt: skip
def test_what_may_be_a_problem_is_not_small_talk(typed):
    assert intent.small_talk(typed) is None


async def worker_on_the_menu(local, first_id: int, lang: str):
    boss = local.user(first_id, language_code=lang, first_name="周总" if lang == "zh" else "Al")
    await create_org(boss, "星河电子" if lang == "zh" else "Acme", lang=lang)
    worker = local.user(
        first_id + 1, language_code=lang, first_name="阿强" if lang == "zh" else "Wu"
    )
    role = "员工" if lang == "zh" else "worker"
    await worker.send("/start " + await new_invite(boss, role, zh=lang == "zh"))
    await worker.press("继续 ➡️" if lang == "zh" else "Continue ➡️")
    return worker


async def test_a_chinese_worker_greets_and_thanks_then_reports(local):
    worker = await worker_on_the_menu(local, 9101, "zh")
    await worker.send("你好")
    assert worker.transcript(2).startswith("👋 很高兴见到您！如需上报问题，直接发一张照片")
    assert "您好，阿强！" in worker.text() and worker.buttons() == MENU_ZH
    await worker.send("谢谢！")
    assert worker.transcript(2).startswith("😊 不客气！") and worker.buttons() == MENU_ZH
    await worker.send("好的👌")
    assert worker.transcript(2).startswith("👌 这是主菜单。") and worker.buttons() == MENU_ZH

    await worker.send("3号线漏油了")  # reads like a problem: offered as a report
    assert worker.text() == "要把这个作为问题上报吗？"
    await worker.press("✖️")
    await worker.send_photo(PNG + b"leak", caption="你好")  # a photo is always offered
    assert worker.text() == "要把这个作为问题上报吗？"
    await worker.press("⚠️")
    assert "已收到 1 张照片" in worker.text()  # and "你好" is not taken as the description


async def test_an_english_worker_says_hi_with_nothing_open_and_reports_a_leak(local):
    worker = await worker_on_the_menu(local, 9111, "en")
    await worker.send("/menu")
    await worker.press("⚙️ Settings")
    await worker.press("⬅️ Back")  # the settings closed: nothing is open now
    await worker.send("hi")
    assert worker.transcript(2).startswith("👋 Good to see you! To report a problem, just send")
    assert "Hello, Wu!" in worker.text() and worker.buttons() == MENU_EN
    await worker.send("Thanks")
    assert worker.transcript(2).startswith("😊 You're welcome!")
    await worker.send("The press on line 3 leaks oil")
    assert worker.text() == "Report this as a problem?"


async def test_someone_without_an_organization_gets_the_menu_too(en_user, zh_user):
    await en_user.send("/menu")
    await en_user.send("hello")
    assert en_user.transcript(2).startswith("👋 Good to see you!\n")
    assert en_user.buttons() == MENU_EN
    await zh_user.send("/menu")
    await zh_user.send("您好")
    assert zh_user.transcript(2).startswith("👋 很高兴见到您！\n")
    assert zh_user.buttons() == MENU_ZH


async def test_a_greeting_in_the_middle_of_a_report_keeps_the_form(local):
    worker = await worker_on_the_menu(local, 9121, "zh")
    await worker.send("/report")
    await worker.send("包装破损")
    await worker.press("⏭ 跳过")  # now on "what kind of problem", which takes no text
    question = worker.text()
    await worker.send("好的")
    assert worker.text() == question  # the same step again, nothing lost
    await worker.press("产品")
    await worker.press("🟢 轻微")
    assert "包装破损" in worker.text()


# ----- time zones as typed -----------------------------------------------------------------

TYPED_ZONES = {
    "北京": "Asia/Shanghai",
    "上海": "Asia/Shanghai",
    "广州": "Asia/Shanghai",
    "深圳": "Asia/Shanghai",
    "成都": "Asia/Shanghai",
    "乌鲁木齐": "Asia/Shanghai",  # China keeps one time
    "北京时间": "Asia/Shanghai",
    "上海市": "Asia/Shanghai",
    "东八区": "Asia/Shanghai",
    "香港": "Asia/Hong_Kong",
    "台北": "Asia/Taipei",
    "澳门": "Asia/Macau",
    "东京": "Asia/Tokyo",
    "纽约": "America/New_York",
    "Beijing": "Asia/Shanghai",
    "Beijing time": "Asia/Shanghai",
    "shanghai": "Asia/Shanghai",
    "Hong Kong": "Asia/Hong_Kong",
    "hongkong": "Asia/Hong_Kong",
    "Taipei": "Asia/Taipei",
    "Singapore": "Asia/Singapore",
    "Tokyo": "Asia/Tokyo",
    "Berlin": "Europe/Berlin",
    "London": "Europe/London",
    "New York": "America/New_York",
    "São Paulo": "America/Sao_Paulo",
    "sao paulo": "America/Sao_Paulo",
    "Mumbai": "Asia/Kolkata",
    "UTC+8": "Asia/Shanghai",
    "GMT+8": "Asia/Shanghai",
    "UTC+08:00": "Asia/Shanghai",
    "+8": "Asia/Shanghai",
    "ＵＴＣ＋８": "Asia/Shanghai",
    "utc 8": "Asia/Shanghai",
    "UTC-5": "Etc/GMT+5",  # the Etc zones' sign is the other way round
    "UTC−5": "Etc/GMT+5",
    "西五区": "Etc/GMT+5",
    "GMT+9": "Etc/GMT-9",
    "UTC+5:30": "Asia/Kolkata",
    "GMT+0545": "Asia/Kathmandu",
    "UTC+14": "Etc/GMT-14",
    "UTC-12": "Etc/GMT+12",
    "UTC": "UTC",
    "GMT": "UTC",
    "UTC+0": "UTC",
    "Asia/Shanghai": "Asia/Shanghai",
    "europe/berlin": "Europe/Berlin",
    "america/sao paulo": "America/Sao_Paulo",
    "Asia/Calcutta": "Asia/Kolkata",  # an old name, stored as today's
    "PRC": "Asia/Shanghai",
    "Etc/GMT-8": "Etc/GMT-8",  # typed exactly: kept
}


@pytest.mark.parametrize(("typed", "zone"), TYPED_ZONES.items())
def test_a_typed_time_zone_is_understood(typed, zone):
    assert preferences.find_timezone(typed) == zone


@pytest.mark.parametrize("typed", ["Mars/Olympus", "UTC+15", "UTC-13", "UTC+5:15", "火星", "", "8"])
def test_what_is_not_a_time_zone(typed):
    assert preferences.find_timezone(typed) is None


def test_every_typed_zone_is_a_real_one_at_its_offset():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    winter = datetime(2027, 1, 15, tzinfo=UTC)
    assert (
        ZoneInfo(preferences.find_timezone("UTC+8")).utcoffset(winter).total_seconds() == 8 * 3600
    )
    assert (
        ZoneInfo(preferences.find_timezone("UTC-5")).utcoffset(winter).total_seconds() == -5 * 3600
    )
    assert preferences.zone_label("Etc/GMT+5", "en", winter) == "UTC−5"


async def test_chinese_user_types_beijing_and_sees_cities_mainland_first(zh_user, db, clock):
    clock(NEW_YEARS_EVE)
    await zh_user.send("/settings")
    assert "时区：上海 · UTC+8" in zh_user.text()
    await zh_user.press("🕒 时区")
    assert zh_user.buttons() == [
        "✅ 上海 · UTC+8",
        "香港 · UTC+8",
        "台北 · UTC+8",
        "新加坡 · UTC+8",
        "东京 · UTC+9",
        "加尔各答 · UTC+5:30",
        "伦敦 · UTC+0",
        "柏林 · UTC+1",
        "纽约 · UTC−5",
        "洛杉矶 · UTC−8",
        "UTC",
        "⬅️ 返回",
    ]
    await zh_user.send("纽约")
    assert "时区：纽约 · UTC−5" in zh_user.text()
    await zh_user.press("🕒 时区")
    await zh_user.send("北京")
    assert "时区：上海 · UTC+8" in zh_user.text()
    assert users.get(db, zh_user.id).timezone == "Asia/Shanghai"
    await zh_user.press("🕒 时区")
    await zh_user.send("UTC-5")
    assert "时区：UTC−5" in zh_user.text()
    assert users.get(db, zh_user.id).timezone == "Etc/GMT+5"


async def test_english_user_sees_cities_never_countries(en_user, db, clock):
    clock(NEW_YEARS_EVE)
    await en_user.send("/settings")
    await en_user.press("🕒 Time zone")
    labels = en_user.buttons()
    assert labels[:3] == ["✅ Shanghai · UTC+8", "Hong Kong · UTC+8", "Taipei · UTC+8"]
    assert not any(word in " ".join(labels) for word in ("China", "SAR", "Taiwan", "Time"))
    await en_user.send("GMT+8")
    assert "Time zone: Shanghai · UTC+8" in en_user.text()
    await en_user.press("🕒 Time zone")
    await en_user.send("Atlantis")
    assert "“Atlantis” is not a time zone I know. Type a city such as Shanghai" in (
        en_user.transcript(2)
    )


async def test_the_organizations_zone_picker_speaks_cities(local, clock):
    clock(NEW_YEARS_EVE)
    boss = local.user(9131, language_code="zh", first_name="周总")
    await create_org(boss, "星河电子")
    await boss.send("/org")
    await boss.press("⚙️ 组织设置")
    assert "时区：上海 · UTC+8" in boss.text()
    await boss.press("🕒 时区")
    assert "组织当前的时区：上海 · UTC+8" in boss.text()
    assert boss.buttons()[:3] == ["✅ 上海 · UTC+8", "香港 · UTC+8", "台北 · UTC+8"]
    await boss.send("火星")
    assert "“火星”不是有效的时区" in boss.transcript(2)
    await boss.send("GMT+9")
    assert "时区：UTC+9" in boss.text()
    assert orgs.organization(local.db, boss.id)["timezone"] == "Etc/GMT-9"
    await boss.press("🕒 时区")
    await boss.press("柏林")
    assert "时区：柏林 · UTC+1" in boss.text()
    assert orgs.organization(local.db, boss.id)["timezone"] == "Europe/Berlin"
