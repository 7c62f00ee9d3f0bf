"""Internal audits (ISO 9001 9.2): planned by a manager, put on the QMS calendar with its
reminders, carried out clause by clause on the phone in Chinese, two findings, one of them a
nonconformity that becomes a report driven to closure; the audit report XLSX; the
independence rule; who may see and do what."""

import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from bot.services import audits, nc
from bot.services.orgs import NotAllowed
from tests.conftest import SHANGHAI
from tests.test_onboarding import create_org, new_invite

TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
LEAK_ZH = {"description": "3号压力机漏油", "category": "equipment", "severity": "minor"}


async def company(local):
    """华东精密: a manager, a quality engineer (auditor, no team) and a press operator in
    team 冲压班."""
    boss = local.user(7001, language_code="zh", first_name="王经理")
    await create_org(boss, "华东精密")
    auditor = local.user(7002, language_code="zh", first_name="陈工")
    await auditor.send("/start " + await new_invite(boss, "员工"))
    await boss.send("/org")
    await boss.press("📍 区域和班组")
    await boss.press("➕ 添加班组")
    await boss.send("冲压班")
    operator = local.user(7003, language_code="zh", first_name="小李")
    await operator.send("/start " + await new_invite(boss, "员工", "冲压班"))
    return boss, auditor, operator


async def test_an_audit_planned_reminded_carried_out_in_chinese_and_its_finding_closed(
    local, clock
):
    clock(TUESDAY)
    boss, auditor, operator = await company(local)
    for n in range(5):  # the press team's reports: audit it more often
        nc.report(local.db, operator.id, LEAK_ZH, [], f"leak-{n}")
    await boss.send("/audits")
    assert "2026 年内部审核：已完成 0 次，共 0 次。" in boss.text()
    await boss.press("💡 审核频次")
    assert "• 冲压班：近 12 个月 5 份报告 → 每年审核 4 次（已安排 0 次）" in boss.text()
    await boss.press("➕ 冲压班 (0/4)")  # accept: plan one for that team (then change it)
    assert "审核哪些条款？" in boss.text()
    await boss.press("⬅️ 返回")
    await boss.press("➕ 安排审核")
    await boss.send("冲压车间")
    await boss.press("冲压班")
    await boss.press("8.5 生产和服务提供")
    await boss.press("8.7 不合格输出的控制")
    assert "已选 2 条" in boss.text()
    await boss.press("下一步 ➡️")
    await boss.press("8")  # 8 December
    assert "⛔ 小李" in boss.buttons()  # from the team audited
    answer = await boss.press("⛔ 小李")
    assert answer["show_alert"] and "审核员不审核自己的工作" in answer["text"]
    assert local.db.execute("SELECT COUNT(*) FROM audits").fetchone()[0] == 0
    await boss.press("陈工")
    assert "✅ 已安排 IA-2026-01：冲压车间，2026年12月8日。已列入体系日历。" in boss.transcript(2)

    # On the QMS calendar, with the manager's reminder a week before.
    await local.tick()
    reminders = [m["text"] for m in boss.messages() if m.get("text", "").startswith("📅")]
    assert any("IA-2026-01 冲压车间" in r and "还有 7 天" in r for r in reminders)
    reminder = auditor.text()  # the auditor is reminded too, with a button into the audit
    assert reminder == "📋 您负责的审核 IA-2026-01 · 冲压车间：2026年12月8日（还有 7 天）。"
    await auditor.press("📋 打开审核")
    assert "IA-2026-01 · 已计划" in auditor.text() and "▶️ 开始审核" in auditor.buttons()
    await auditor.press("⬅️ 返回")

    # The auditor sees only their audit and carries it out on the phone.
    await operator.send("/audits")
    assert "分配给您的审核：\n暂无。" in operator.text()
    await auditor.send("/audits")
    await auditor.press("IA-2026-01 · 冲压车间")
    await auditor.press("▶️ 开始审核")
    first = auditor.text()
    assert "第 1 条，共" in first and "8.5.1 生产和服务提供的控制" in first
    assert "条款要求：" in first and "查看哪些证据：" in first
    total = int(first.split("共 ")[1].split(" 条")[0])
    await auditor.press("✅ 符合")
    await auditor.press("🟡 轻微不符合")
    assert "轻微不符合：某项要求未完全满足" in auditor.text()
    await auditor.send_photo(b"\xff\xd8 unlabeled bin")
    await auditor.send("3 号料箱没有状态标识，无法区分待检品和合格品")
    await auditor.press("👁 观察项")
    await auditor.send("作业指导书 WI-12 的版本号与现场张贴的不一致，但内容相同")
    await auditor.press("⏸ 暂停")  # and on again later: the next clause not yet checked
    await auditor.send("/audits")
    await auditor.press("IA-2026-01 · 冲压车间")
    await auditor.press("▶️ 开始审核")
    assert "第 4 条，共" in auditor.text()
    for _ in range(total - 3):
        await auditor.press("✅ 符合")
    assert "已检查 " + str(total) + " 条" in auditor.text()
    assert "结束审核时，每个不符合项都会生成一份报告。" in auditor.text()
    await auditor.press("🏁 结束审核并发布报告")
    assert "✅ IA-2026-01 已完成，审核报告已发布。" in auditor.text()
    assert "NC-2026-0006" in auditor.text()

    step = local.db.execute("SELECT status FROM roadmap WHERE step_id = 'internal-audit'")
    assert step.fetchone()[0] == "done"  # the roadmap shows an internal audit carried out
    report = nc.repo.get(local.db, 6)
    assert report.severity == "minor" and report.description.startswith("[IA-2026-01 · 8.5.")
    row = local.db.execute(
        "SELECT source, audit_id, clause FROM nonconformities WHERE id = 6"
    ).fetchone()
    assert row[0] == "internal_audit" and row[1] == 1 and row[2].startswith("8.5.")
    assert nc.photo_count(local.db, report.id) == 1
    assert any("NC-2026-0006" in m.get("text", "") for m in boss.messages())  # managers told

    # The finding is driven to closure like any report.
    assert nc.move(local.db, boss.id, report.id, "contained", "料箱已贴待检标识") == "moved"
    assert nc.move(local.db, boss.id, report.id, "analysis", "标识规定未覆盖周转料箱") == "moved"
    due = date(2026, 12, 20)
    moved = nc.move(
        local.db,
        boss.id,
        report.id,
        "planned",
        action="修订标识规定",
        owner_id=auditor.id,
        due_date=due,
    )
    assert moved == "moved"
    assert nc.move(local.db, auditor.id, report.id, "done", "规定已修订并培训") == "moved"
    assert nc.move(local.db, boss.id, report.id, "verified", "抽查 10 个料箱全部有标识") == "moved"
    assert nc.move(local.db, boss.id, report.id, "closed") == "moved"

    # The audit report, as issued (frozen), with the report's status now.
    await boss.send("/audits")
    assert "2026 年内部审核：已完成 1 次，共 1 次。" in boss.text()
    await boss.press("IA-2026-01 · 冲压车间")
    await boss.press("📊 审核报告（XLSX）")
    sent = next(m for m in reversed(boss.messages()) if "document" in m)
    book = load_workbook(io.BytesIO(local.api.files[sent["document"]["file_id"]].data))
    head = list(book["审核"].iter_rows(values_only=True))
    assert head[1][0] == "IA-2026-01" and head[1][1] == 1 and head[1][7] == "陈工"
    findings = {row[0]: row for row in book["审核发现"].iter_rows(values_only=True)}
    minor = next(r for r in findings.values() if r[2] == "轻微不符合")
    assert minor[4] == "NC-2026-0006" and minor[5] == "已关闭"
    assert any(r[2] == "观察项" for r in findings.values())


async def test_who_may_see_plan_and_run_an_audit(local, clock):
    clock(TUESDAY)
    boss, auditor, operator = await company(local)
    team = local.db.execute("SELECT id FROM teams").fetchone()[0]
    today = TUESDAY.date()
    with pytest.raises(audits.NotIndependent):
        audits.plan(local.db, boss.id, "冲压", team, ["8.5"], today, operator.id, today)
    with pytest.raises(NotAllowed):  # workers do not plan
        audits.plan(local.db, auditor.id, "冲压", team, ["8.5"], today, auditor.id, today)
    found = audits.plan(local.db, boss.id, "冲压", team, ["8.5"], today, auditor.id, today)
    rival = local.user(7099, language_code="en", first_name="Rival")
    await create_org(rival, "Rival Ltd", lang="en")
    for stranger in (operator.id, rival.id, 424242):
        with pytest.raises(NotAllowed):
            audits.visible(local.db, stranger, found.id)
        with pytest.raises(NotAllowed):
            audits.record(local.db, stranger, found.id, "8.5.1", "conforming", None)
    with pytest.raises(NotAllowed):  # a manager sees it but does not run someone else's audit
        audits.record(local.db, boss.id, found.id, "8.5.1", "conforming", None)
    with pytest.raises(ValueError):  # a nonconformity needs its note
        audits.record(local.db, auditor.id, found.id, "8.5.1", "minor", "  ")
    with pytest.raises(ValueError):  # not a clause of this audit
        audits.record(local.db, auditor.id, found.id, "9.2", "conforming", None)
    # Crafted callback data into the programme: an unknown audit is refused, not shown.
    await operator.send("/audits")
    await operator.press_data("aud_x", operator.messages()[-1])
    assert "审核" in operator.text()
    with pytest.raises(audits.NotIndependent):  # another auditor: the same rule
        audits.reassign(local.db, boss.id, found.id, operator.id)
    with pytest.raises(NotAllowed):  # only managers change the programme
        audits.reassign(local.db, auditor.id, found.id, auditor.id)
    spare = audits.plan(local.db, boss.id, "仓库", None, ["7.5"], today, auditor.id, today)
    assert audits.reassign(local.db, boss.id, spare.id, boss.id).auditor_id == boss.id
    assert audits.cancel(local.db, boss.id, spare.id)
    with pytest.raises(NotAllowed):  # cancelled: nothing more to change or run
        audits.cancel(local.db, boss.id, spare.id)
    with pytest.raises(NotAllowed):
        audits.record(local.db, boss.id, spare.id, "7.5.1", "conforming", None)
    with pytest.raises(ValueError):  # not every clause checked yet
        audits.finish(local.db, auditor.id, found.id)
    for clause in audits.checklist(local.db, found):
        audits.record(local.db, auditor.id, found.id, clause, "conforming", None)
    finished = audits.finish(local.db, auditor.id, found.id)
    assert finished.reports == [] and finished.audit.status == "done"
    with pytest.raises(NotAllowed):  # finishing again: it is done
        audits.finish(local.db, auditor.id, found.id)
    assert audits.state(finished.audit, today + timedelta(days=9)) == "done"


async def test_a_full_programme_and_an_audit_of_every_clause_fit_their_screens(local, clock):
    """Every screen within Telegram's limits whatever the data: 60 audits with long subjects,
    an audit of every clause with a long note on each."""
    from dialogs.audits.programme import _main_clauses

    clock(TUESDAY)
    boss, auditor, _operator = await company(local)
    today = TUESDAY.date()
    big = audits.plan(
        local.db, boss.id, "全" * 80, None, _main_clauses(local.db), today, auditor.id, today
    )
    checklist = audits.checklist(local.db, big)
    assert len(checklist) > 50
    for clause in checklist:
        audits.record(local.db, auditor.id, big.id, clause, "observation", "现场说明" * 250)
    for n in range(59):
        day = today + timedelta(days=1 + n % 25)
        audits.plan(local.db, boss.id, f"{n} " + "长" * 78, None, ["8.5"], day, auditor.id, today)
    await boss.send("/audits")
    assert "……另有" in boss.text() and len(boss.text()) < 4096
    await boss.press("IA-2026-02 · 0 " + "长" * 27 + "…")
    await boss.press("👤 另选审核员")
    await boss.press("王经理")
    assert "审核员：王经理" in boss.text()
    await boss.press("✖️ 取消这次审核")
    assert "IA-2026-02 · 已取消" in boss.text()
    await auditor.send("/audits")
    await auditor.press("IA-2026-01 · " + "全" * 29 + "…")
    await auditor.press("▶️ 开始审核")
    await auditor.press("🏁 汇总")
    summary = auditor.text()
    assert "……另有" in summary and "见审核报告" in summary and len(summary) < 4096
    await auditor.press("🏁 结束审核并发布报告")
    assert "✅ IA-2026-01 已完成" in auditor.text()
