"""Quality objectives (ISO 9001 6.2): set up by a manager in Chinese, the owner asked for
each month's value by the scheduler's tick, values entered, the trend and its chart; nobody
else enters values."""

from datetime import datetime, timedelta

from bot.services import objectives
from dialogs.audits.objectives import EnterValue
from tests.conftest import SHANGHAI
from tests.test_onboarding import create_org, new_invite

TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


async def test_an_objective_with_monthly_values_and_its_trend(local, clock):
    clock(TUESDAY)
    boss = local.user(8001, language_code="zh", first_name="王经理")
    await create_org(boss, "华东精密")
    owner = local.user(8002, language_code="zh", first_name="物流小张")
    await owner.send("/start " + await new_invite(boss, "员工"))
    other = local.user(8003, language_code="zh", first_name="小李")
    await other.send("/start " + await new_invite(boss, "员工"))

    await boss.send("/objectives")
    assert "还没有质量目标。" in boss.text()
    await boss.press("➕ 新建目标")
    await boss.send("准时交付率")
    await boss.send("abc")
    assert "“abc”不是数字" in boss.transcript(2)
    await boss.send("９８")  # full-width digits are a number too
    await boss.send("%")
    await boss.press("⬆️ 越高越好")
    await boss.press("物流小张")
    await boss.press("每月")
    await boss.press("31")  # 31 December 2026
    page = boss.text()
    assert "准时交付率" in page and "目标：≥ 98 %（越高越好）" in page
    assert "负责人：物流小张 · 每月测量 · 截止 2026年12月31日" in page

    # At the start of January the owner is asked for December's value, once.
    clock(datetime(2027, 1, 4, 8, 5, tzinfo=SHANGHAI))
    await local.tick()
    await local.tick()
    asked = [m for m in owner.messages() if m.get("text", "").startswith("🎯")]
    assert len(asked) == 1
    assert asked[0]["text"] == "🎯 准时交付率：2026-12 的数值是多少？目标 ≥ 98 %。"
    await owner.press("✏️ 填写数值", asked[0])
    await owner.send("97,5")
    assert "⚠️ 2026-12：97.5 %" in owner.text()

    # Someone else may read it but not enter values, even with a crafted button.
    answer = await other.press_data(
        EnterValue(objective=1, period="2027-01").pack(), other.messages()[-1]
    )
    assert answer["show_alert"] or answer.get("text")
    assert objectives.values(local.db, 1) == [("2026-12", 97.5)]

    clock(datetime(2027, 2, 1, 8, 5, tzinfo=SHANGHAI))
    await local.tick()
    await owner.press("✏️ 填写数值")
    await owner.send("98.6")
    assert "✅ 2027-01：98.6 %" in owner.text()
    await owner.press("📈 趋势")
    chart = next(m for m in reversed(owner.messages()) if m.get("photo"))
    assert chart["caption"] == "准时交付率"  # the screen comes back below it
    await boss.send("/objectives")
    assert "准时交付率：✅ 98.6 % (2027-01) · 目标 ≥ 98 %" in boss.text()
    await boss.press("准时交付率")
    await boss.press("🗄 关闭此目标")  # reached: no more questions, values kept
    assert "还没有质量目标。" in boss.text()
    clock(datetime(2027, 3, 1, 8, 5, tzinfo=SHANGHAI))
    await local.tick()
    assert len([m for m in owner.messages() if m.get("text", "").startswith("🎯")]) == 2
    assert objectives.values(local.db, 1) == [("2026-12", 97.5), ("2027-01", 98.6)]


def test_periods_and_typed_numbers():
    from datetime import date

    assert objectives.last_period(date(2027, 1, 4), "month") == "2026-12"
    assert objectives.last_period(date(2027, 1, 4), "quarter") == "2026-Q4"
    assert objectives.last_period(date(2027, 1, 4), "week") == "2026-W53"
    assert objectives.last_period(date(2026, 3, 1) + timedelta(days=0), "month") == "2026-02"
    assert objectives.parse_number("98,5") == 98.5 and objectives.parse_number("99%") == 99
    assert objectives.parse_number("ninety") is None
    assert objectives.parse_number("1,250") == 1250  # a thousands separator
    assert objectives.parse_number("9" * 400) is None  # not a value anyone measures
