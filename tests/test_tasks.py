"""Workers find their work: "My tasks" lists the actions they own (overdue and due first), the
reports assigned to them and what they reported; each opens with the steps they may take."""

from datetime import timedelta

from bot.services import nc
from tests.conftest import MONTH_END
from tests.test_onboarding import create_org, new_invite


async def test_a_worker_finds_an_overdue_action_first_and_marks_it_done(local, clock):
    clock(MONTH_END - timedelta(days=5))  # 25 November, 23:30 in Shanghai
    boss = local.user(9701, language_code="en", first_name="Al")
    await create_org(boss, "Tasks Ltd", lang="en")
    worker = local.user(9702, language_code="zh", first_name="阿强")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    await worker.press("继续 ➡️")
    for text in ("护栏松动", "地面有油"):
        await worker.send("/report")
        await worker.send(text)
        await worker.press("⏭ 跳过")
        await worker.press("设备")
        await worker.press("🟢 轻微")
        await worker.press("✅ 提交")
    first, second = sorted(nc.mine(local.db, worker.id), key=lambda r: r.id)
    await worker.send("/mytasks")
    assert "📝 您上报的，处理中：2" in worker.text()

    # The manager plans an action on the first, owned by the worker, due tomorrow.
    await boss.press(
        "👀 Open the report", next(m for m in boss.messages() if first.reference in m["text"])
    )
    await boss.press("🔍 Start the analysis")
    await boss.press("✍️ Root cause")
    await boss.send("Bolts never checked")
    await boss.press("📋 Plan the corrective action")
    await boss.send("Check guard bolts weekly")
    await boss.press(next(b for b in boss.buttons() if b.startswith("阿强")))
    await boss.press("Dec 2026 »") if "[25]" not in boss.buttons() else None
    await boss.press("26")
    owned = nc.visible(local.db, boss.id, first.id)
    assert owned.owner_id == worker.id and owned.due_date == "2026-11-26"

    clock.shift(days=3)  # now overdue
    await worker.send("/menu")
    assert "📋 我的任务（1 项到期）" in worker.buttons()
    await worker.press("📋 我的任务（1 项到期）")
    assert "🔴 已逾期：1" in worker.text()
    tasks = [b for b in worker.buttons() if "NC-" in b]
    assert tasks[0].startswith(f"🔴 {first.reference} · 您的措施，已于 2026年11月26日逾期")
    assert tasks[1].startswith(f"📝 {second.reference} · 您上报的")
    await worker.press(tasks[0])
    assert "✅ 措施已完成" in worker.buttons()
    await worker.press("✅ 措施已完成")
    await worker.send("每周检查护栏螺栓已写入点检表")
    assert nc.visible(local.db, worker.id, first.id).status == "done"
    await worker.send("/menu")
    assert "📋 我的任务" in worker.buttons()  # nothing due any more


async def test_someone_without_an_organization_is_told_what_tasks_need(local):
    loner = local.user(9711, language_code="en", first_name="Lo")
    await loner.send("/start")
    await loner.press("English")
    await loner.press("🧭 Explore on my own")
    await loner.press("📋 My tasks")
    assert "join or create an organization first" in loner.text()


async def test_back_leads_to_the_menu_or_to_the_form_never_to_a_stale_screen(local):
    boss = local.user(9721, language_code="en", first_name="Al")
    await create_org(boss, "Back Ltd", lang="en")
    await boss.send("/library")
    await boss.send("/mytasks")
    await boss.press("⬅️ Back")
    assert boss.text().startswith("CertReady — your assistant")  # the menu, not the library

    await boss.send("/report")
    await boss.send("Oil under press 4")
    await boss.press("⏭ Skip")
    assert boss.text().startswith("What kind of problem")
    await boss.press("⬅️ Back")  # every step has Back …
    assert boss.text().startswith("Where did it happen?")
    await boss.press("⬅️ Back")
    assert boss.text().startswith("What happened?")
    await boss.send("Oil under press 4, again")
    await boss.press("⏭ Skip")
    await boss.send("/settings")  # a command in the middle of the form …
    await boss.press("⬅️ Back")  # … and Back: the form is still there, as it was
    assert boss.text().startswith("What kind of problem")
    await boss.press("Equipment")
    await boss.press("🟠 Major")
    assert "📝 Oil under press 4, again" in boss.text()


async def test_a_photo_sent_right_after_joining_is_offered_as_a_report(local):
    boss = local.user(9731, language_code="en", first_name="Al")
    await create_org(boss, "Join Ltd", lang="en")
    worker = local.user(9732, language_code="zh", first_name="阿强")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    assert "继续 ➡️" in worker.buttons()  # still on the welcome screen
    await worker.send_photo(b"\x89PNG\r\n\x1a\nleak")
    assert worker.text() == "要把这个作为问题上报吗？"


async def test_an_invite_code_typed_on_the_menu_joins_instead_of_being_reported(local):
    boss = local.user(9741, language_code="en", first_name="Al")
    await create_org(boss, "Wall Sheet Ltd", lang="en")
    code = await new_invite(boss, "worker", zh=False)
    newcomer = local.user(9742, language_code="en", first_name="Ne")
    await newcomer.send("/start")
    await newcomer.press("English")
    await newcomer.press("🧭 Explore on my own")
    await newcomer.send(code.lower())  # read off the wall, typed on a phone
    assert newcomer.text().startswith("🎉 Welcome to")
