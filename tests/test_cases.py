"""A worker reports a leak in Chinese; an English-speaking manager drives it to a verified
close through a restart; the worker is told."""

import copy

from bot.db import open_db
from bot.local import LocalBot
from bot.localapi import LocalBotAPI
from bot.localapi.user import find_button
from bot.services import library, nc
from tests.conftest import MONTH_END
from tests.test_onboarding import create_org, new_invite

PNG = b"\x89PNG\r\n\x1a\n"


async def team(local, first_id: int, name: str) -> tuple:
    """An English-speaking admin and one worker in a new organization."""
    boss = local.user(first_id, language_code="en", first_name="Al")
    await create_org(boss, name, lang="en")
    worker = local.user(first_id + 1, language_code="en", first_name="Wu")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    return boss, worker


async def file_report(user, text: str, category: str, severity: str = "🟢 Minor") -> None:
    """Report with no photo and no area, in English."""
    await user.send("/report")
    await user.send(text)
    await user.press("⏭ Skip")
    await user.press(category)
    await user.press(severity)
    await user.press("✅ Submit")


async def test_leak_from_report_to_verified_close(settings, tmp_path, clock):
    clock(MONTH_END)  # 23:30 in Shanghai on 30 November: tomorrow is in the next month
    path = tmp_path / "bot.sqlite3"
    telegram = LocalBotAPI()
    first = await LocalBot(settings, open_db(path), telegram).start()
    assert library.load(first.db) == []
    boss = first.user(8001, language_code="en", first_name="Alice")
    await create_org(boss, "Acme", lang="en")
    worker = first.user(8002, language_code="zh", first_name="小李")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))

    await worker.send("/report")
    await worker.send_photo(PNG + b"1", media_group_id="a")
    await worker.send_photo(PNG + b"2", media_group_id="a")
    await worker.press("➡️ 下一步")
    await worker.send("3号压力机漏油")
    await worker.send("3号线")  # no areas defined: typed
    await worker.press("设备")
    await worker.press("🟠 严重")
    await worker.press("✅ 提交")
    reference = nc.mine(first.db, worker.id)[0].reference
    assert reference in worker.text()

    notice = boss.messages()[-1]
    assert notice["text"].startswith(f"⚠️ New report {reference} · 🟠 Major")
    await boss.press("👀 Open the report", notice)
    assert boss.text().startswith(f"{reference} · new")
    await boss.press("🛡 Containment")
    await boss.send("Press stopped, oil cleaned, parts quarantined")
    assert "Containment: Press stopped" in boss.text() and " · contained" in boss.text()
    screen = boss.keyboard_message()
    await first.stop()
    first.db.close()

    # Restart: the manager's screen still works; nothing was lost.
    second = await LocalBot(settings, open_db(path), telegram).start()
    boss.deliver = worker.deliver = second.feed
    await boss.press("🔍 Start the analysis", screen)
    assert " · under analysis" in boss.text()
    await boss.press("❓ 5 Whys")
    await boss.send("The seal failed")
    await boss.send("It was never replaced")
    assert "2. It was never replaced" in boss.text()
    await boss.press("🎯 This is the root cause")
    assert "Root cause: The seal failed → It was never replaced" in boss.text()
    await boss.press("📋 Plan the corrective action")
    await boss.send("Replace seals every 6 months; add to the maintenance plan")
    await boss.press("小李")
    assert boss.buttons()[0] == "🗓 November 2026" and "[30]" in boss.buttons()
    assert "29" not in boss.buttons()  # past days are not offered
    await boss.press("Dec 2026 »")
    await boss.press("1")
    assert " · action planned" in boss.text() and "Due: Dec 1, 2026" in boss.text()

    # The owner (a worker) marks it done from the report they can now see.
    await worker.send("/myreports")
    found = nc.mine(second.db, worker.id)[0]
    assert found.owner_id == worker.id
    await boss.press("⬅️ Back")
    await boss.send("/reports")
    await boss.press(f"🟠 {reference} · action planned · 3号线")
    # Alice could mark it done, but the owner does:
    assert nc.move(second.db, worker.id, found.id, "done", "换了新密封件") == "moved"
    await boss.press("⬅️ Back")
    await boss.press(f"🟠 {reference} · action done · 3号线")
    await boss.press("✔️ Effective")
    await boss.send("No leak for 30 days")
    await boss.press("🔒 Close")
    await boss.send("Closed after verification")
    assert boss.text().startswith(f"{reference} · closed")
    assert worker.messages()[-1]["text"].startswith(f"✅ 您的报告 {reference} 已关闭")

    trail = [e.to_status for e in nc.history(second.db, boss.id, found.id)]
    assert trail == [
        "new",
        "contained",
        "analysis",
        "analysis",
        "planned",
        "done",
        "verified",
        "closed",
    ]
    await second.stop()


async def test_a_manager_takes_a_report_and_a_repeated_update_changes_nothing(local):
    boss, worker = await team(local, 8401, "Delta")
    await worker.send("/report")
    await worker.send("Wrong label on box 12")
    await worker.press("⏭ Skip")
    await worker.press("Product")
    await worker.press("🟢 Minor")
    screen = copy.deepcopy(worker.keyboard_message())
    submit = find_button(screen, "✅ Submit")["callback_data"]
    update = {
        "update_id": local.api.new_update_id(),
        "callback_query": {
            "id": "retry-1",
            "from": worker.profile,
            "chat_instance": "x",
            "data": submit,
            "message": {k: v for k, v in screen.items() if not k.startswith("_")},
        },
    }
    local.api.queries.append("retry-1")
    await local.feed(update)
    await local.feed(update)  # Telegram delivers the very same update again
    assert len(nc.mine(local.db, worker.id)) == 1
    assert sum("New report" in m["text"] for m in boss.messages()) == 1
    notice = next(m for m in boss.messages() if "New report" in m["text"])
    await boss.press("🙋 I'll handle it", notice)
    report = nc.mine(local.db, worker.id)[0]
    assert report.owner_id == boss.id and "Assigned to: Al" in boss.text()
    assert "· Al · assigned to Al" in boss.text()  # the history says what happened


async def test_reject_needs_a_reason_and_tells_the_reporter(local):
    boss, worker = await team(local, 8101, "Beta")
    await file_report(worker, "Coffee machine broken", "Other")
    await boss.press("👀 Open the report", boss.messages()[-1])
    await boss.press("⛔ Reject")
    await boss.send("Not a quality issue: please tell the office")
    assert " · rejected" in boss.text()
    assert worker.messages()[-1]["text"].endswith(
        "not taken up: Not a quality issue: please tell the office"
    )


async def test_workers_cannot_open_others_reports_or_the_list(local):
    boss, a = await team(local, 8201, "Gamma")
    b = local.user(8203, language_code="en", first_name="B")
    await b.send("/start " + await new_invite(boss, "worker", zh=False))
    await file_report(a, "Scratch on housing", "Product")
    notice = boss.messages()[-1]
    answer = await b.press_data(
        notice["reply_markup"]["inline_keyboard"][0][0]["callback_data"], notice
    )  # a crafted copy of the manager's button
    assert answer["text"] == "Only managers and admins of your organization can do that."
    await b.send("/reports")
    assert "Only managers" in b.text()


async def test_export_evidence_and_the_offer_to_report(local, settings):
    import io
    from datetime import datetime
    from pathlib import Path

    from openpyxl import load_workbook

    boss = local.user(8301, language_code="zh", first_name="周总")
    await create_org(boss, "星河电子")
    worker = local.user(8302, language_code="zh", first_name="阿强")
    await worker.send("/start " + await new_invite(boss, "员工"))
    await worker.press("继续 ➡️")

    # A photo sent with nothing open: the bot offers to report it, already filled in.
    await worker.send_photo(PNG + b"burr")
    assert worker.text() == "要把这个作为问题上报吗？"
    await worker.press("⚠️ 是的，上报")
    assert "已收到 1 张照片" in worker.text()
    await worker.press("➡️ 下一步")
    await worker.send("外壳毛刺")
    await worker.press("⏭ 跳过")
    await worker.press("产品")
    await worker.press("🟢 轻微")
    await worker.press("✅ 提交")
    report = nc.mine(local.db, worker.id)[0]
    folder = Path(settings.evidence_path) / str(report.org_id) / report.reference
    assert (folder / "1.jpg").read_bytes() == PNG + b"burr"  # kept as evidence

    await boss.send("/reports")
    await boss.press("📥 导出全部（XLSX）")
    document = [m for m in boss.messages() if "document" in m][-1]
    book = load_workbook(io.BytesIO(local.api.files[document["document"]["file_id"]].data))
    assert book.sheetnames == ["问题报告", "处理记录"]
    rows = list(book["问题报告"].iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "上报时间（Asia/Shanghai）", "状态")
    assert isinstance(rows[1][1], datetime)  # a real Excel date, in the organization's zone
    assert rows[1][0] == report.reference and rows[1][7] == "外壳毛刺" and rows[1][6] == "阿强"
    history = list(book["处理记录"].iter_rows(values_only=True))
    assert history[0][1] == "时间（Asia/Shanghai）" and isinstance(history[1][1], datetime)
    assert history[1][0] == report.reference and history[1][4] == "新报告"

    await worker.press("🏠 主菜单")
    await worker.send("随手写的几个字")  # text on the menu works the same way
    assert worker.text() == "要把这个作为问题上报吗？"
    await worker.press("✖️ 不用了")
    assert worker.buttons()[0] == "⚠️ 上报问题"


async def test_assigning_a_report_in_chinese_with_a_chinese_calendar(local):
    boss = local.user(8501, language_code="zh", first_name="周总")
    await create_org(boss, "星河电子")
    lead = local.user(8502, language_code="zh", first_name="陈工")
    await lead.send("/start " + await new_invite(boss, "主管"))
    worker = local.user(8503, language_code="zh", first_name="阿强")
    await worker.send("/start " + await new_invite(boss, "员工"))
    await worker.send("/report")
    await worker.send("包装破损")
    await worker.press("⏭ 跳过")
    await worker.press("产品")
    await worker.press("🟢 轻微")
    await worker.press("✅ 提交")
    await boss.press("👀 查看报告", boss.messages()[-1])
    await boss.press("👤 指派")
    await boss.press("陈工")
    report = nc.mine(local.db, worker.id)[0]
    assert report.owner_id == lead.id and "负责人：</b>" not in boss.text()
    assert "指派给：陈工" in boss.text() and "周总 · 指派给陈工" in boss.text()
    assert lead.messages()[-1]["text"].startswith(f"👤 请您处理报告 {report.reference}")

    await boss.press("🔍 开始原因分析")
    await boss.press("✍️ 根本原因")
    await boss.send("纸箱强度不够")
    await boss.press("📋 制定纠正措施")
    await boss.send("更换五层纸箱")
    await boss.press("陈工")
    header = boss.buttons()[0]
    assert "年" in header and "月" in header  # the calendar speaks Chinese, e.g. 🗓 2026年11月
    assert boss.buttons()[1:8] == ["一", "二", "三", "四", "五", "六", "日"]
