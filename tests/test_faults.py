"""Telegram failing the bot's replies to a person's own taps: 5xx, timeouts, a 429 storm.

Whatever fails, what the person entered is kept, nothing is acknowledged that was not saved,
nothing is saved twice, every button press is answered as soon as Telegram takes an answer,
and the bot works as before once the fault clears. (The database's faults — locked by
another process, read-only — are in test_database_lock.py; the outbox's in test_sending.py.)
"""

import pytest

from bot.localapi import Fault
from tests.conftest import MONTH_END
from tests.test_cases import team
from tests.test_database_lock import fill_report
from tests.test_onboarding import new_invite


async def fill_in(worker, text: str) -> None:
    await fill_report(worker, text)
    assert "Check your report" in worker.text()


def draft(local, user_id: int) -> str:
    """The person's dialog state as stored: what their open forms hold."""
    sql = "SELECT group_concat(data) FROM fsm WHERE key LIKE ?"
    return local.db.execute(sql, [f"fsm:{user_id}:{user_id}:aiogd:context:%"]).fetchone()[0]


def reports(local) -> list:
    sql = "SELECT 'NC-' || year || '-' || printf('%04d', number), description FROM nonconformities"
    return [tuple(row) for row in local.db.execute(sql).fetchall()]


@pytest.mark.parametrize(
    "status", [500, 502, 0], ids=["internal error", "bad gateway", "timed out"]
)
async def test_a_submit_whose_reply_telegram_fails_is_saved_once_and_told_after(
    local, clock, status
):
    clock(MONTH_END)
    _boss, worker = await team(local, 9801, "Fault Ltd")
    await fill_in(worker, "Guard missing on press 2")
    form = worker.keyboard_message()
    # Telegram fails the next three calls to the worker: the screen's edit, the apology, and
    # the screen shown again after it.
    local.api.faults.append(Fault(status, method=None, chat_id=worker.id, times=3))
    await worker.press("✅ Submit", form)
    assert reports(local) == [("NC-2026-0001", "Guard missing on press 2")]  # saved at once
    assert "Saved as" not in worker.transcript(5)  # the worker was not told yet: not claimed

    # The fault clears; the worker taps Submit again on the screen they still see.
    await worker.press("✅ Submit", form)
    assert "✅ Saved as NC-2026-0001." in worker.text()
    assert reports(local) == [("NC-2026-0001", "Guard missing on press 2")]  # not twice
    assert local.api.unanswered() == []
    await worker.send("/mytasks")
    assert any("NC-2026-0001" in label for label in worker.buttons())


async def test_a_storm_of_failures_on_every_call_leaves_a_form_to_finish(local, clock):
    clock(MONTH_END)
    _boss, worker = await team(local, 9811, "Storm Ltd")
    await worker.send("/report")
    await worker.press("⏭ No photo")
    screen = worker.keyboard_message()
    local.api.faults.append(Fault(503, times=50))  # every call, for everyone, for a while
    await worker.send("Cracked weld on frame 7")  # taken; the next screen never arrived
    assert "Where did it happen?" not in worker.transcript(3)
    local.api.faults.clear()

    # What they typed was kept in their form, though they never saw the next step.
    assert "Cracked weld on frame 7" in draft(local, worker.id)

    # They tap the last button they have: they are shown where they are, and go on.
    await worker.press("⬅️ Back", screen)
    assert "Where did it happen?" in worker.text()
    await worker.press("⏭ Skip")
    await worker.press("Equipment")
    await worker.press("🟢 Minor")
    await worker.press("✅ Submit")
    assert "✅ Saved as NC-2026-0001." in worker.text()
    assert reports(local) == [("NC-2026-0001", "Cracked weld on frame 7")]
    assert local.api.unanswered() == []


async def test_a_429_storm_on_a_persons_replies_delays_them_and_loses_nothing(local, clock):
    clock(MONTH_END)
    boss, worker = await team(local, 9821, "Busy Ltd")
    await fill_in(worker, "Label printer jams")
    local.api.faults.append(
        Fault(429, method="editmessagetext", chat_id=worker.id, retry_after=1, times=3)
    )
    await worker.press("✅ Submit")
    assert "✅ Saved as NC-2026-0001." in worker.text()  # after three refusals, it went
    assert len(reports(local)) == 1 and local.api.unanswered() == []
    await local.work()
    assert any("NC-2026-0001" in m.get("text", "") for m in boss.messages())


async def test_a_chinese_worker_gets_the_apology_in_chinese_and_nothing_is_lost(local, clock):
    clock(MONTH_END)
    boss, _worker = await team(local, 9831, "Zh Ltd")
    wang = local.user(9839, language_code="zh-hans", first_name="王")
    await wang.send("/start " + await new_invite(boss, "worker", zh=False))
    await wang.send("/report")
    await wang.press("⏭ 不拍照")
    local.api.faults.append(Fault(502, method="sendmessage", chat_id=wang.id, times=1))
    await wang.send("3号线传送带异响")  # the next screen fails; the apology gets through
    apology = "抱歉，我们这边出了点问题。您填写的内容已保存，请重试，或发送 /menu。"
    assert wang.text(wang.messages()[-2]) == apology
    assert "3号线传送带异响" in draft(local, wang.id)  # kept, as the apology says
    assert "在哪里发生的？" in wang.text()  # and the step it led to is shown again
    await wang.send("3号线")
    await wang.press("设备")
    await wang.press("🟢 轻微")
    await wang.press("✅ 提交")
    assert reports(local) == [("NC-2026-0001", "3号线传送带异响")]
