"""A manager runs the readiness assessment in Chinese, stops half-way, resumes after a restart,
gets a scored gap report with a Chinese chart and exports it; a colleague does it in English;
the manager sees both."""

import io
import warnings

import pytest
from openpyxl import load_workbook

from bot.db import open_db
from bot.local import LocalBot
from bot.localapi import LocalBotAPI
from bot.services import charts, library, readiness
from bot.services.orgs import NotAllowed
from tests.test_onboarding import create_org, new_invite

ZH_ANSWERS = {
    "yes": "✅ 是",
    "partly": "🟡 部分",
    "no": "❌ 否",
    "na": "➖ 不适用",
    "unsure": "❓ 不确定",
}
EN_ANSWERS = {
    "yes": "✅ Yes",
    "partly": "🟡 Partly",
    "no": "❌ No",
    "na": "➖ Not applicable",
    "unsure": "❓ Not sure",
}


def pick(position: int) -> str:
    """A varied but repeatable answer for question ``position``."""
    return ("yes", "yes", "partly", "no", "unsure", "yes", "na")[position % 7]


async def answer(user, labels: dict, how_many: int, start: int = 1) -> None:
    """Answer ``how_many`` questions; Not applicable only where the bot offers it."""
    for position in range(start, start + how_many):
        chosen = pick(position)
        if chosen == "na" and labels["na"] not in user.buttons():
            chosen = "partly"
        await user.press(labels[chosen])


async def test_full_assessment_in_chinese_with_restart_chart_and_export(settings, tmp_path):
    path = tmp_path / "bot.sqlite3"
    telegram = LocalBotAPI()
    first = await LocalBot(settings, open_db(path), telegram).start()
    assert library.load(first.db) == []
    boss = first.user(5001, language_code="zh", first_name="王经理")
    await create_org(boss, "华东精密")
    await boss.press("🎯 认证就绪度")
    assert "按 ISO 9001 第 4～10 章逐条回答问题" in boss.text()
    total = len(readiness.questions(first.db, "all", "zh"))
    await boss.press(f"📝 完整自评（{total} 题）")
    assert boss.text().startswith(f"1/{total} ░░░░░░░░░░")
    assert "§ 4.1 理解组织及其环境" in boss.text()
    await boss.press("💡 为什么重要")
    assert "为什么重要" in boss.text() and "如果还没做到：" in boss.text()
    await boss.press("⬅️ 回到问题")
    await answer(boss, ZH_ANSWERS, 20)
    assert boss.text().startswith(f"21/{total}")
    await boss.press("⬅️ 上一题")  # back to 20 to change an answer
    assert boss.text().startswith(f"20/{total}")
    assert sum(b.startswith("● ") for b in boss.buttons()) == 1  # the answer given is marked
    await boss.press("📝 备注")
    await boss.send("有清单，但还没有定期评审")
    assert "📝 有清单，但还没有定期评审" in boss.text() and boss.text().startswith(f"20/{total}")
    await boss.press(ZH_ANSWERS["yes"])  # a changed answer; on to the first unanswered one
    assert boss.text().startswith(f"21/{total}")
    await boss.press("📝 备注")
    await boss.send("还没想好")  # a note before the answer is kept with its question
    assert "📝 还没想好" in boss.text() and boss.text().startswith(f"21/{total}")
    await boss.press("⏸ 暂停")
    assert f"▶️ 继续：完整自评（20/{total}）" in boss.buttons()
    screen = boss.keyboard_message()
    await first.stop()
    first.db.close()

    # The next day, after a restart: the old screen still works and nothing was lost.
    second = await LocalBot(settings, open_db(path), telegram).start()
    boss.deliver = second.feed
    await boss.press("▶️ 继续", screen)
    assert boss.text().startswith(f"21/{total}")
    await answer(boss, ZH_ANSWERS, total - 20, start=21)
    text = boss.text()
    assert text.startswith("🎯 就绪度：")
    assert "· 4 组织环境" in text and "· 10 改进" in text
    assert "主要差距及下一步" in text and "❌" in text
    assert "🗺 路线图的下一步：1. 确定体系范围" in text

    own = readiness.latest_results(second.db, boss.id)["all"]
    stored = readiness.answers(second.db, boss.id, own.id)
    assert (
        len(stored) == total and stored[readiness.questions(second.db, "all", "zh")[19].id] == "yes"
    )
    asked = readiness.questions(second.db, "all", "zh")
    assert readiness.notes(second.db, boss.id, own.id) == {
        asked[19].id: "有清单，但还没有定期评审",
        asked[20].id: "还没想好",
    }

    await boss.press("📊 图表")
    photo = [m for m in boss.messages() if "photo" in m][-1]
    png = telegram.files[photo["photo"][-1]["file_id"]].data
    assert png.startswith(b"\x89PNG") and photo["caption"] == "各章就绪度"

    await boss.press("📥 电子表格")
    document = [m for m in boss.messages() if "document" in m][-1]
    book = load_workbook(io.BytesIO(telegram.files[document["document"]["file_id"]].data))
    assert book.sheetnames == ["汇总", "回答明细"]
    rows = list(book["回答明细"].iter_rows(values_only=True))
    assert rows[0] == ("条款", "问题", "回答", "备注", "下一步行动")
    assert len(rows) == total + 1
    assert rows[20][2] == "是" and rows[20][3] == "有清单，但还没有定期评审"
    assert book["汇总"]["B2"].value == "组织环境"
    await second.stop()


async def test_colleague_in_english_and_the_team_view(local):
    boss = local.user(5002, language_code="zh", first_name="王经理")
    await create_org(boss, "华东精密")
    colleague = local.user(5003, language_code="en", first_name="Mary")
    await colleague.send("/start " + await new_invite(boss, "主管"))
    await colleague.send("/readiness")
    total = len(readiness.questions(local.db, "all", "en"))
    await colleague.press(f"📝 Full assessment ({total} questions)")
    for _ in range(total):
        await colleague.press(EN_ANSWERS["yes"])
    assert colleague.text().startswith("🎯 Readiness: 100%")
    assert "No gaps found" in colleague.text()

    await boss.send("/readiness")
    await boss.press(f"📝 完整自评（{total} 题）")
    await answer(boss, ZH_ANSWERS, total)
    await boss.send("/readiness")
    await boss.press("👥 团队结果")
    text = boss.text()
    assert "最新的完整自评：2 份" in text and "各章平均得分" in text
    people = boss.buttons()
    assert any(p.startswith("Mary · 100%") for p in people)
    assert any(p.startswith("王经理 · ") for p in people)
    await boss.press(next(p for p in people if p.startswith("Mary")))
    assert boss.text().startswith("Mary：100%")
    await boss.press("📥 电子表格")
    assert [m for m in boss.messages() if "document" in m]

    await colleague.send("/readiness")  # a manager too, in English
    await colleague.press("👥 Team results")
    assert "Latest full assessments: 2" in colleague.text()


async def test_change_since_the_last_time_and_one_clause(local):
    user = local.user(5004, language_code="en", first_name="Kim")
    await user.send("/readiness")
    await user.press("📂 One clause")
    assert user.buttons()[0].startswith("4 Context of the organization (")
    await user.press(user.buttons()[5])  # clause 9
    count = len(readiness.questions(local.db, "9", "en"))
    for _ in range(count):
        await user.press(EN_ANSWERS["no"])
    assert user.text().startswith("🎯 Clause 9 Performance evaluation: 0%")
    assert "One chapter only: this is not your overall readiness." in user.text()
    await user.send("/readiness")
    await user.press("📂 One clause")
    await user.press(user.buttons()[5])
    for _ in range(count):
        await user.press(EN_ANSWERS["yes"])
    assert "+100 points since" in user.text()


async def test_roadmap_status_and_dates_are_for_managers(local):
    boss = local.user(5005, language_code="en", first_name="Ann")
    await create_org(boss, "Acme", lang="en")
    worker = local.user(5006, language_code="en", first_name="Bo")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    await boss.send("/roadmap")
    assert "Acme: 0 of 12 steps done." in boss.text()
    assert boss.buttons()[0] == "⬜ 1. Define the scope"
    await boss.press("⬜ 1. Define the scope")
    await boss.press("✅ Done")
    await boss.press("📅 Target date")
    await boss.send("2027-02-30")
    assert "Please type a date like 2027-03-31." in boss.transcript(2)
    await boss.send("2027-03-31")
    assert "Target date: Mar 31, 2027" in boss.text() and "Status: ✅ done" in boss.text()
    await boss.press("⬅️ Back")
    assert boss.buttons()[0] == "✅ 1. Define the scope · Mar 31, 2027"
    assert "Next: 2. " in boss.text()

    await worker.send("/roadmap")
    await worker.press("⬜ 2. " + boss.buttons()[1].split("2. ", 1)[1])
    assert "✅ Done" not in worker.buttons() and "📅 Target date" not in worker.buttons()


def test_answers_belong_to_their_author(db):
    from bot.db import users

    for uid in (7001, 7002):
        users.seen(db, uid, "U", None, "en")
    mine = readiness.begin(db, 7001, "all")
    first = readiness.questions(db, "all", "en")[0].id
    with pytest.raises(NotAllowed):
        readiness.record(db, 7002, mine.id, first, "yes")
    with pytest.raises(NotAllowed):
        readiness.record(db, 7001, mine.id, "no-such-question", "yes")
    with pytest.raises(NotAllowed):
        readiness.record(db, 7001, mine.id, first, "maybe")
    with pytest.raises(NotAllowed):
        readiness.result(db, 7002, mine.id)  # not a manager of the author's organization


def test_the_chart_really_uses_a_chinese_font():
    path = charts.font_file()
    assert path.endswith("NotoSansCJK-Regular.ttc")
    from matplotlib.ft2font import FT2Font

    font = FT2Font(path)
    labels = ["4 组织环境", "5 领导作用", "7 支持", "9 绩效评价", "10 改进", "各章就绪度", "不适用"]
    missing = [
        ch for label in labels for ch in label if ch != " " and font.get_char_index(ord(ch)) == 0
    ]
    assert missing == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        png = charts.readiness_chart("各章就绪度", labels[:5], [0.8, 0.5, None, 0.2, 1.0], "不适用")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
