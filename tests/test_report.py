"""A worker reports a leak with two photos in Chinese; the managers are told in their language."""

import copy

from bot.localapi.user import find_button
from bot.services import nc
from tests.conftest import NEW_YEAR
from tests.test_onboarding import create_org, new_invite

PNG = b"\x89PNG\r\n\x1a\n"


async def test_worker_reports_a_leak_with_an_album_and_managers_hear_of_it(local, clock):
    clock(NEW_YEAR)  # just after midnight in Shanghai, still last year in UTC
    boss = local.user(6001, language_code="en", first_name="Alice")
    await create_org(boss, "Acme", lang="en")
    await boss.send("/org")
    await boss.press("📍 Areas and teams")
    await boss.press("➕ Add an area")
    await boss.send("Line 3")
    manager = local.user(6002, language_code="zh", first_name="王经理")
    await manager.send("/start " + await new_invite(boss, "manager", zh=False))
    worker = local.user(6003, language_code="zh", first_name="小李")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))

    await worker.send("/report")
    assert worker.text().startswith("⚠️ 上报问题")
    await worker.send_photo(PNG + b"1", media_group_id="album-1")
    await worker.send_photo(PNG + b"2", media_group_id="album-1")
    assert "已收到 2 张照片" in worker.text()
    await worker.press("➡️ 下一步")
    await worker.send("3号压力机漏油，地面有油")
    await worker.press("Line 3")
    await worker.press("设备")
    await worker.press("🟠 严重")
    check = worker.text()
    assert "📷 照片：2" in check and "📍 Line 3" in check and "🏷 设备" in check
    await worker.press("✏️ 严重程度")  # change one field, then straight back to the check
    await worker.press("🔴 紧急")
    assert "⚖️ 🔴 紧急" in worker.text()
    screen = copy.deepcopy(worker.keyboard_message())
    await worker.press("✅ 提交")
    assert worker.text().startswith("✅ 已保存，编号 NC-2027-0001")  # the organization's year
    # A double tap on Submit: still one report.
    answer = await worker.press_data(find_button(screen, "✅ 提交")["callback_data"], screen)
    assert answer is not None
    reports = nc.mine(local.db, worker.id)
    assert len(reports) == 1 and reports[0].severity == "critical"
    assert nc.photo_count(local.db, reports[0].id) == 2

    told_boss = boss.messages()[-1]["text"]
    assert told_boss.startswith("⚠️ New report NC-2027-0001 · 🔴 Critical")
    assert "📍 Line 3 · 🏷 Equipment · 📷 2" in told_boss and "Reported by 小李." in told_boss
    told_manager = manager.messages()[-1]["text"]
    assert told_manager.startswith("⚠️ 新报告 NC-2027-0001 · 🔴 紧急")

    await worker.press("📋 我的任务")
    await worker.press("📝 NC-2027-0001 · 您上报的 · 新报告")  # each report opens
    assert worker.text().startswith("NC-2027-0001 · 新报告") and "3号压力机漏油" in worker.text()
    assert "📷 照片（2）" in worker.buttons()


async def test_text_first_skips_the_photos_and_outsiders_are_told_why_not(local):
    boss = local.user(6010, language_code="en", first_name="Ann")
    await create_org(boss, "Beta", lang="en")
    worker = local.user(6011, language_code="en", first_name="Bo")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    await worker.send("/report")
    await worker.send("Label missing on pallet 7")  # typed at once: no photo step
    assert worker.text().startswith("Where did it happen?")  # no areas yet: typed or skipped
    await worker.send("Warehouse")
    await worker.press("Product")
    await worker.press("🟢 Minor")
    assert "📍 Warehouse" in worker.text() and "📷 Photos: 0" in worker.text()
    await worker.press("✅ Submit")
    assert "Saved as" in worker.text()

    loner = local.user(6012, language_code="en", first_name="Lo")
    await loner.send("/report")
    assert "join or create an organization first" in loner.text()
    await loner.send("something broke")
    assert nc.mine(local.db, loner.id) == []


async def test_albums_with_a_caption_keep_every_photo_and_submit_tells_once(local):
    boss = local.user(6020, language_code="en", first_name="Ann")
    await create_org(boss, "Gamma", lang="en")
    worker = local.user(6021, language_code="en", first_name="Bo")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    await worker.send("/report")
    await worker.send_photo(PNG + b"a", caption="Cracked housing", media_group_id="g")
    await worker.send_photo(PNG + b"b", media_group_id="g")
    await worker.send_photo(PNG + b"c", media_group_id="g")
    assert "Photos: 3" in worker.text()
    await worker.press("➡️ Next")  # the caption already said what happened
    assert worker.text().startswith("Where did it happen?")
    await worker.press("⏭ Skip")
    await worker.press("Product")
    await worker.press("🟢 Minor")
    assert "📷 Photos: 3" in worker.text() and "📝 Cracked housing" in worker.text()
    told = len(boss.messages())
    await worker.press("✅ Submit")
    await worker.press("📋 My tasks")
    await worker.press("⬅️ Back")  # the form is gone: nothing to submit twice
    assert "Check your report" not in worker.text()
    assert len(boss.messages()) == told + 1  # managers told once


async def test_an_album_sent_on_the_menu_is_offered_whole(local):
    boss = local.user(6030, language_code="en", first_name="Ann")
    await create_org(boss, "Delta", lang="en")
    worker = local.user(6031, language_code="en", first_name="Bo")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    await worker.send("/menu")
    await worker.send_photo(PNG + b"1", media_group_id="h")
    await worker.send_photo(PNG + b"2", media_group_id="h")
    assert worker.text() == "Report this as a problem?"
    await worker.press("⚠️ Yes, report it")
    assert "Photos: 2" in worker.text()
