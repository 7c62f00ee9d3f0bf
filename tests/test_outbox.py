"""Messages the bot owes are written first and sent until Telegram has them — across a
restart too — once each; a blocked chat is dropped."""

import asyncio

from bot import outbox
from bot.db import open_db, users
from bot.local import LocalBot
from bot.localapi import Fault, LocalBotAPI
from bot.services import library, nc
from tests.conftest import MONTH_END
from tests.test_cases import file_report, team


def deliver(local):
    return outbox.deliver(local.bot, local.db, local.dp["i18n"], local.settings)


async def test_owed_once_sent_once(local, en_user):
    await en_user.send("/menu")
    assert outbox.owe(local.db, "tip:1", en_user.id, "Tip of the day") is True
    assert outbox.owe(local.db, "tip:1", en_user.id, "Tip of the day") is False
    assert await deliver(local) == 1
    assert await deliver(local) == 0
    assert sum(m["text"] == "Tip of the day" for m in en_user.messages()) == 1


async def test_a_failed_send_waits_longer_each_time_and_a_blocked_chat_is_dropped(
    local, en_user, clock
):
    clock(MONTH_END)
    await en_user.send("/menu")
    local.api.faults.append(Fault(502, "Bad Gateway", method="sendmessage", times=2))
    outbox.owe(local.db, "digest:1", en_user.id, "Weekly digest")
    assert await deliver(local) == 0  # Telegram had a bad moment
    assert await deliver(local) == 0  # the letter waits 5 s before the next try
    clock.shift(seconds=6)
    assert await deliver(local) == 0  # failed again: now it waits 10 s
    clock.shift(seconds=6)
    assert await deliver(local) == 0
    clock.shift(seconds=6)
    assert await deliver(local) == 1  # sent
    local.api.faults.append(Fault(403, method="sendmessage"))
    outbox.owe(local.db, "digest:2", en_user.id, "Weekly digest 2")
    assert await deliver(local) == 0
    assert users.get(local.db, en_user.id).active is False
    clock.shift(hours=2)
    assert await deliver(local) == 0  # dropped, not retried forever
    await en_user.send("/menu")  # they are back
    assert users.get(local.db, en_user.id).active is True


async def test_a_letter_is_given_up_only_after_three_days_of_trying(local, en_user, clock):
    clock(MONTH_END)
    await en_user.send("/menu")
    local.api.faults.append(Fault(502, "Bad Gateway", method="sendmessage", times=10**6))
    outbox.owe(local.db, "digest:3", en_user.id, "Weekly digest 3")
    for _ in range(80):  # an hour apart at most: about three days
        await deliver(local)
        clock.shift(hours=1)
    row = local.db.execute("SELECT attempts, dropped FROM outbox WHERE dedupe_key = 'digest:3'")
    attempts, dropped = row.fetchone()
    assert dropped == 1 and attempts >= 70


async def test_a_notification_lost_to_a_crash_is_sent_after_the_restart(settings, tmp_path):
    path = tmp_path / "bot.sqlite3"
    telegram = LocalBotAPI()
    first = await LocalBot(settings, open_db(path), telegram).start()
    assert library.load(first.db) == []
    boss, worker = await team(first, 9001, "Omega")
    # Telegram is down for every notification while the report is filed.
    telegram.faults.append(
        Fault(502, "Bad Gateway", method="sendmessage", chat_id=boss.id, times=100)
    )
    await file_report(worker, "Guard rail loose", "Equipment")
    assert "Saved as" in worker.text()  # the reporter has their reference regardless
    assert not any("New report" in m["text"] for m in boss.messages())
    await first.stop()
    first.db.close()
    telegram.faults.clear()

    second = await LocalBot(settings, open_db(path), telegram).start()
    for _ in range(50):  # the sender's first pass runs at start-up
        if any("New report" in m["text"] for m in boss.messages()):
            break
        await asyncio.sleep(0.02)
    told = [m for m in boss.messages() if "New report" in m["text"]]
    assert len(told) == 1 and nc.mine(second.db, worker.id)[0].reference in told[0]["text"]
    assert told[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "👀 Open the report"
    await second.stop()
