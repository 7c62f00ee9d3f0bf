"""Sending unasked, within Telegram's limits, behind people's own taps.

A broadcast drains through the outbox while a person taps and gets the answer at once; one
message a second to a person, 20 a minute to a group; a 429 holds its chat and the bulk lane,
not another person's tap; nothing lost, nothing twice, each chat's letters in order; a group
that became a supergroup is followed; a blocked chat is skipped until the person is back;
/stats shows the backlog to the bot's administrators; a stalled sender is logged.

The limiter's clock is virtual (``VirtualTime``): waiting moves it, nothing sleeps for real.
"""

import asyncio
import heapq
import itertools
import logging
from datetime import timedelta

import pytest

from bot import clock as wall
from bot import limiter, outbox
from bot.db import orgs as orgs_repo
from bot.db import outbox as repo
from bot.db import users
from bot.db.orgs import GroupChat
from bot.limiter import SendLimiter
from bot.localapi import Fault
from bot.localapi.rules import as_int
from tests.conftest import MONTH_END

BULK_CHATS = range(50_001, 50_301)  # people the broadcast goes to (no one taps there)


class VirtualTime:
    """The limiter's clock: a sleeper wakes when nothing else can run — no callback ready in
    the event loop, no work in a thread (aiogram runs plain-function filters in one) — so
    tasks waiting side by side wake in the order of their deadlines, in no real time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._sleepers: list = []
        self._order = itertools.count()
        self._asleep = asyncio.Event()
        self._threads = 0

    def in_thread(self, run_in_executor):
        def counted(*args):
            future = run_in_executor(*args)
            self._threads += 1
            future.add_done_callback(self._thread_done)  # in the loop, with its waiter
            return future

        return counted

    def _thread_done(self, future) -> None:
        self._threads -= 1

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), future))
        self._asleep.set()
        await future

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(0)
            if loop._ready or self._threads:  # (CPython's queue of ready callbacks)
                continue
            while self._sleepers and self._sleepers[0][2].done():  # cancelled meanwhile
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                self._asleep.clear()
                await self._asleep.wait()
                continue
            when, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, when)
            future.set_result(None)


@pytest.fixture
async def vt(monkeypatch):
    virtual = VirtualTime()
    monkeypatch.setattr(limiter, "_sleep", virtual.sleep)
    monkeypatch.setattr(limiter, "_now", virtual.time)
    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "run_in_executor", virtual.in_thread(loop.run_in_executor))
    ticking = asyncio.create_task(virtual.run())
    yield virtual
    ticking.cancel()


@pytest.fixture
def calls(local, vt) -> list[tuple[float, str, int | None, int, str]]:
    """Every request the bot makes: (virtual time, method, chat id, HTTP status, text)."""
    seen = []
    answer = local.api.call

    async def call(method: str, params: dict, files: dict):
        status, body = await answer(method, params, files)
        chat_id = as_int(params.get("chat_id"))
        seen.append((vt.now, method.lower(), chat_id, status, str(params.get("text", ""))))
        return status, body

    local.api.call = call
    return seen


def broadcast(local, chats, text: str = "Daily quality tip") -> None:
    for chat_id in chats:
        local.api.chats.setdefault(chat_id, {"id": chat_id, "type": "private", "first_name": "P"})
        outbox.owe(local.db, f"tip:{chat_id}:{text}", chat_id, text)


def deliver(local):
    return outbox.deliver(local.bot, local.db, local.dp["i18n"], local.settings)


async def drained(local) -> None:
    while repo.any_pending(local.db):
        await deliver(local)


def sent(calls, chat_ids=None) -> list[tuple[float, int, str]]:
    return [
        (at, chat, text)
        for at, method, chat, status, text in calls
        if method == "sendmessage" and status == 200 and (chat_ids is None or chat in chat_ids)
    ]


async def until(vt: VirtualTime, predicate) -> None:
    """Wait (in virtual milliseconds) until ``predicate()`` holds."""
    while not predicate():
        await vt.sleep(0.001)


# ----- interactive before bulk -------------------------------------------------------
async def test_a_tap_is_answered_at_once_while_a_broadcast_drains(local, en_user, vt, calls):
    await en_user.send("/menu")
    broadcast(local, BULK_CHATS)
    draining = asyncio.create_task(deliver(local))
    await until(vt, lambda: len(sent(calls, BULK_CHATS)) >= 100)

    tapped = vt.now
    pressing = asyncio.create_task(en_user.press("📚 Library"))  # an edit + a callback answer
    await until(vt, lambda: any(c[1] == "answercallbackquery" and c[0] >= tapped for c in calls))
    await pressing
    mine = [c for c in calls if c[0] >= tapped and c[2] in (en_user.id, None)]
    assert {c[1] for c in mine} == {"editmessagetext", "answercallbackquery"}
    assert all(c[0] - tapped < 1 / local.settings.send_per_second for c in mine)  # not held
    assert en_user.text().startswith("Library")

    typed = vt.now
    await en_user.send("/menu")  # a new message: it takes the next slot, ahead of bulk
    reply = next(c for c in calls if c[1] == "sendmessage" and c[2] == en_user.id and c[0] >= typed)
    assert reply[0] - typed <= 2 / local.settings.send_per_second
    assert "Hello" in en_user.text()

    assert len(sent(calls, BULK_CHATS)) < len(BULK_CHATS)  # the broadcast was still going
    assert await draining + await deliver(local) == len(BULK_CHATS)
    bulk = sent(calls, BULK_CHATS)
    assert sorted(chat for _, chat, _ in bulk) == list(BULK_CHATS)  # each once
    everything = sent(calls)
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(everything)]
    assert min(gaps) >= 1 / local.settings.send_per_second - 1e-9  # the overall cap holds


# ----- per-chat limits ------------------------------------------------------------------
async def test_a_person_gets_one_message_a_second_and_a_group_twenty_a_minute(local, vt, calls):
    person, group = 60_001, -1_000_777
    local.api.chats[group] = {"id": group, "type": "supergroup", "title": "Line 3"}
    local.api.chats[person] = {"id": person, "type": "private", "first_name": "P"}
    for number in range(1, 5):
        outbox.owe(local.db, f"note:{number}", person, str(number))
    for number in range(1, 26):
        outbox.owe(local.db, f"team:{number}", group, f"team {number}")
    broadcast(local, range(60_100, 60_140))
    await drained(local)

    to_person = sent(calls, [person])
    assert [text for _, _, text in to_person] == ["1", "2", "3", "4"]  # in order
    assert all(b[0] - a[0] >= 1.0 for a, b in itertools.pairwise(to_person))
    to_group = sent(calls, [group])
    assert [text for _, _, text in to_group] == [f"team {n}" for n in range(1, 26)]
    for first in range(len(to_group)):  # any minute: at most 18 (two left for replies there)
        in_minute = [t for t, _, _ in to_group if to_group[first][0] <= t < to_group[first][0] + 60]
        assert len(in_minute) <= 18
    others = sent(calls, range(60_100, 60_140))
    assert len(others) == 40 and others[-1][0] < to_group[-1][0]  # not stuck behind the group


async def test_a_reply_in_a_group_is_not_held_behind_bulk_to_that_group(local, vt, calls):
    group = -1_000_778
    local.api.chats[group] = {"id": group, "type": "supergroup", "title": "Line 4"}
    for number in range(1, 31):
        outbox.owe(local.db, f"team:{number}", group, f"team {number}")
    draining = asyncio.create_task(deliver(local))
    await until(vt, lambda: len(sent(calls, [group])) == 18)
    asked = vt.now
    await local.bot.send_message(group, "Linked: which language?")  # a reply: interactive
    assert vt.now - asked < 1
    assert not draining.done()  # bulk waits for the minute to move on
    await draining
    await drained(local)
    assert len(sent(calls, [group])) == 31


async def test_the_limiter_forgets_idle_chats_so_100000_chats_cost_little(monkeypatch):
    class Alone:  # one task: waiting simply moves the clock
        now = 1000.0

        @classmethod
        async def sleep(cls, seconds: float) -> None:
            cls.now += seconds

    monkeypatch.setattr(limiter, "_sleep", Alone.sleep)
    monkeypatch.setattr(limiter, "_now", lambda: Alone.now)
    sends = SendLimiter(per_second=25)

    class Send:
        __api_method__ = "sendMessage"

        def __init__(self, chat_id: int) -> None:
            self.chat_id = chat_id

    async def telegram(bot, method):
        return True

    most = 0
    with limiter.bulk_lane():
        for chat_id in range(1, 100_001):
            await sends(telegram, None, Send(chat_id if chat_id % 50 else -chat_id))
            most = max(most, len(sends.chats))
    assert Alone.now - 1000 >= 100_000 / 25 - 1  # 25 a second, all along
    assert most <= 25 * 60 * 1.2  # about a minute's chats, never all of them


# ----- 429 ------------------------------------------------------------------------------
async def test_a_429_pauses_its_chat_and_bulk_but_not_another_persons_tap(
    local, en_user, vt, calls
):
    await en_user.send("/menu")
    refused = BULK_CHATS[20]
    local.api.faults.append(Fault(429, method="sendmessage", chat_id=refused, retry_after=5))
    broadcast(local, BULK_CHATS[:100])
    draining = asyncio.create_task(deliver(local))
    await until(vt, lambda: any(c[3] == 429 for c in calls))
    paused_at = next(c[0] for c in calls if c[3] == 429)

    typed = vt.now
    await en_user.send("/menu")  # another person, while bulk stands still
    reply = next(c for c in calls if c[1] == "sendmessage" and c[2] == en_user.id and c[0] >= typed)
    assert reply[0] - typed <= 2 / local.settings.send_per_second  # not the 5 s bulk waits

    await draining
    bulk = sent(calls, BULK_CHATS)
    assert not [t for t, _, _ in bulk if paused_at < t < paused_at + 5]  # bulk held
    again = [t for t, chat, _ in bulk if chat == refused]
    assert len(again) == 1 and again[0] >= paused_at + 5  # retried after the pause, once
    assert sorted(chat for _, chat, _ in bulk) == list(BULK_CHATS[:100])  # none lost or twice


async def test_nothing_lost_nothing_twice_and_each_chat_in_order_through_429s_and_5xxs(
    local, vt, calls, clock
):
    clock(MONTH_END)
    chats = list(range(70_001, 70_061))
    for chat_id in chats:
        local.api.chats[chat_id] = {"id": chat_id, "type": "private", "first_name": "P"}
        for number in range(1, 4):
            outbox.owe(local.db, f"n:{chat_id}:{number}", chat_id, f"{chat_id}-{number}")
    for chat_id in chats[::7]:
        local.api.faults.append(Fault(429, method="sendmessage", chat_id=chat_id, retry_after=2))
    for chat_id in chats[3::7]:
        local.api.faults.append(Fault(502, "Bad Gateway", method="sendmessage", chat_id=chat_id))
    for chat_id in chats[5::11]:
        local.api.faults.append(Fault(0, "Request timeout", method="sendmessage", chat_id=chat_id))
    while repo.any_pending(local.db):
        await deliver(local)
        clock.shift(seconds=30)  # past the pause after a failure
    for chat_id in chats:
        texts = [text for _, _, text in sent(calls, [chat_id])]
        assert texts == [f"{chat_id}-{n}" for n in range(1, 4)], chat_id


async def test_a_kill_during_a_drain_repeats_at_most_one_message_per_slot(local, vt, calls):
    """Telegram has the message but its answer never comes: the pass is killed there, with
    every slot waiting. After the restart those messages go again; no others do."""
    broadcast(local, BULK_CHATS[:60])
    answer = local.api.call
    hang = asyncio.Event()

    async def call(method, params, files):
        result = await answer(method, params, files)
        if method.lower() == "sendmessage" and len(sent(calls)) > 20:
            await hang.wait()  # sent, but the answer is lost with the process
        return result

    local.api.call = call
    draining = asyncio.create_task(deliver(local))
    await until(vt, lambda: len(local.api.events) >= 20 + outbox.SLOTS)
    draining.cancel()  # kill -9: nothing after this point is recorded
    with pytest.raises(asyncio.CancelledError):
        await draining
    local.api.call = answer
    await drained(local)
    received = [sum(1 for _ in local.api.bot_messages(c)) for c in BULK_CHATS[:60]]
    assert min(received) == 1  # nothing lost
    assert sum(received) - 60 == outbox.SLOTS  # one repeat per slot in flight, no more


# ----- a group becomes a supergroup -----------------------------------------------------
def linked_group(local, chat_id: int) -> int:
    users.seen(local.db, 4001, "Wang", None, "zh")
    org_id = orgs_repo.create_organization(local.db, "Acme", "Asia/Shanghai", "zh", 4001, "t")
    group = GroupChat(chat_id, org_id, None, "Line 3", "both", True)
    orgs_repo.link_group(local.db, group, 4001, "t")
    local.db.execute(
        "INSERT INTO tip_subscriptions (chat_id, send_at, updated_at) VALUES (?, '09:00', 't')",
        [chat_id],
    )
    local.db.execute("INSERT INTO tips_seen VALUES (?, 'tip-7', 't')", [chat_id])
    local.api.chats[chat_id] = {"id": chat_id, "type": "group", "title": "Line 3"}
    return org_id


def where_is(db, chat_id: int) -> tuple:
    group = orgs_repo.group_chat(db, chat_id)
    return (
        group and (group.org_id, group.title, group.language),
        db.execute("SELECT send_at FROM tip_subscriptions WHERE chat_id = ?", [chat_id]).fetchall(),
        db.execute("SELECT tip_id FROM tips_seen WHERE chat_id = ?", [chat_id]).fetchall(),
    )


async def test_a_letter_to_a_group_that_became_a_supergroup_follows_it(local, vt, calls):
    old, new = -4_001, -1_000_004_001
    org_id = linked_group(local, old)
    local.api.upgrade_group(old, new)  # the bot has not heard of it yet
    outbox.owe(local.db, "team-tip:1", old, "Team tip")
    outbox.owe(local.db, "team-tip:2", old, "Team tip 2")
    await drained(local)
    assert [m["text"] for m in local.api.bot_messages(new)] == ["Team tip", "Team tip 2"]
    assert local.api.bot_messages(old) == []
    assert where_is(local.db, new) == ((org_id, "Line 3", "both"), [("09:00",)], [("tip-7",)])
    assert where_is(local.db, old) == (None, [], [])


async def test_the_upgrade_service_message_moves_the_link_at_once(local):
    old, new = -4_002, -1_000_004_002
    org_id = linked_group(local, old)
    member = local.user(4001, language_code="zh", first_name="Wang", chat=local.api.chats[old])
    await member.upgrade_group(new)
    assert where_is(local.db, new) == ((org_id, "Line 3", "both"), [("09:00",)], [("tip-7",)])
    assert where_is(local.db, old) == (None, [], [])


def test_moving_a_group_twice_or_onto_a_newer_link_is_harmless(db):
    users.seen(db, 4001, "Wang", None, "zh")
    org_id = orgs_repo.create_organization(db, "Acme", "Asia/Shanghai", "zh", 4001, "t")
    orgs_repo.link_group(db, GroupChat(-5, org_id, None, "Old", "zh", True), 4001, "t")
    db.execute("INSERT INTO tips_seen VALUES (-5, 'a', 't'), (-5, 'b', 't'), (-9, 'b', 't')")
    assert orgs_repo.move_group_chat(db, -5, -9) is True
    assert orgs_repo.move_group_chat(db, -5, -9) is False  # nothing left to move
    assert orgs_repo.group_chat(db, -9).title == "Old"
    seen = db.execute("SELECT tip_id FROM tips_seen WHERE chat_id = -9 ORDER BY 1").fetchall()
    assert seen == [("a",), ("b",)]
    orgs_repo.link_group(db, GroupChat(-5, org_id, None, "Stale", "en", True), 4001, "t")
    orgs_repo.move_group_chat(db, -5, -9)  # the new id's own link wins
    assert orgs_repo.group_chat(db, -9).title == "Old" and orgs_repo.group_chat(db, -5) is None


# ----- blocked, and back ------------------------------------------------------------------
def attempts_to(local, chat_id: int) -> int:
    tried = [params for method, params in local.api.calls if method == "sendmessage"]
    return sum(as_int(params.get("chat_id")) == chat_id for params in tried)


async def test_a_person_who_blocks_the_bot_is_skipped_until_they_unblock_it(local, en_user):
    await en_user.send("/menu")
    await en_user.block()
    assert users.get(local.db, en_user.id).active is False
    tried = attempts_to(local, en_user.id)
    outbox.owe(local.db, "digest:1", en_user.id, "Weekly digest")
    await local.work()
    assert attempts_to(local, en_user.id) == tried  # not even tried
    assert repo.delivered(local.db, "digest:1") == (0, 1, 1)  # given up

    await en_user.unblock()
    assert users.get(local.db, en_user.id).active is True
    outbox.owe(local.db, "digest:2", en_user.id, "Weekly digest 2")
    await local.work()
    assert en_user.text() == "Weekly digest 2"


async def test_a_403_or_chat_not_found_deactivates_and_start_brings_them_back(local, zh_user):
    await zh_user.send("/menu")
    local.api.faults.append(Fault(403, method="sendmessage", chat_id=zh_user.id))
    outbox.owe(local.db, "digest:3", zh_user.id, "每周摘要")
    await local.work()
    assert users.get(local.db, zh_user.id).active is False
    await zh_user.send("/start")
    assert users.get(local.db, zh_user.id).active is True
    assert "欢迎使用认证通！" in zh_user.text()  # answered, in Chinese

    users.seen(local.db, 8080, "Gone", None, "en")  # a chat Telegram no longer knows
    outbox.owe(local.db, "digest:4", 8080, "Weekly digest")
    await local.work()
    assert users.get(local.db, 8080).active is False


# ----- noticing a stall ---------------------------------------------------------------------
async def test_stats_show_the_backlog_to_administrators_only_in_their_language(
    local, settings, clock
):
    clock(MONTH_END)
    settings.admin_ids.extend([2030, 2032])
    admin = local.user(2030, language_code="en", first_name="Ada")
    admin_zh = local.user(2032, language_code="zh", first_name="王芳")
    someone = local.user(2031, language_code="zh", first_name="李")
    await admin.send("/menu")
    outbox.owe(local.db, "hello:1", admin.id, "Hello from the outbox")  # sent
    outbox.owe(local.db, "gone:1", 919191, "To nobody")  # chat not found: given up
    local.api.chats[5001] = {"id": 5001, "type": "private"}
    local.api.faults.append(Fault(502, method="sendmessage", chat_id=5001, times=10**6))
    outbox.owe(local.db, "slow:1", 5001, "Telegram keeps failing this one")  # still owed
    await local.work()
    clock.shift(minutes=5)

    await admin.send("/stats")
    assert admin.text().split("\n\n")[1] == (
        "Sending\nOwed now: 1\nOldest not yet sent: 5 minutes ago\nSent in the last hour: 1\n"
        "Given up in the last day: 1\nScheduler's last tick: never"
    )
    tick = wall.stamp(wall.now() - timedelta(minutes=3))
    local.db["meta"].upsert({"key": "scheduler.last_tick", "value": tick}, pk="key")
    await admin_zh.send("/stats")
    assert admin_zh.text().split("\n\n")[1] == (
        "消息发送\n待发送：1\n最早一条待发消息写入于：5分钟前\n近一小时已发送：1\n"
        "近一天放弃发送：1\n调度器上次运行：3分钟前"
    )
    await someone.send("/stats")
    assert someone.text() == "我不认识这个命令。发送 /help 查看我能做什么。"


def test_the_sender_warns_when_a_letter_waits_over_ten_minutes(db, clock, caplog):
    clock(MONTH_END)
    warned: dict = {}
    outbox.owe(db, "late:1", 5001, "A letter nobody sends")
    with caplog.at_level(logging.WARNING, logger="bot.outbox"):
        outbox.notice_stall(db, warned, wall.now())
        clock.shift(minutes=9)
        outbox.notice_stall(db, warned, wall.now())
        assert caplog.records == []  # nine minutes: not yet
        clock.shift(minutes=2)
        outbox.notice_stall(db, warned, wall.now())
        clock.shift(minutes=5)
        outbox.notice_stall(db, warned, wall.now())  # said already: not every minute
        assert [r.getMessage()[:27] for r in caplog.records] == ["outbox is falling behind: a"]
        clock.shift(minutes=6)
        outbox.notice_stall(db, warned, wall.now())
        assert len(caplog.records) == 2  # once every ten minutes while it lasts

        tick = wall.stamp(wall.now() - timedelta(minutes=12))
        db["meta"].upsert({"key": "scheduler.last_tick", "value": tick}, pk="key")
        outbox.notice_stall(db, warned, wall.now())
        assert caplog.records[-1].getMessage().startswith("scheduler is falling behind")


# ----- a real kill -9 in the middle of a drain ------------------------------------------------
@pytest.mark.slow
async def test_a_kill_9_mid_drain_loses_nothing_and_repeats_at_most_a_message_per_slot(tmp_path):
    """`python -m bot run` drains 150 letters over HTTP; SIGKILL after 40; a new process
    sends the rest. Only what was in flight at the kill (one per slot at most) arrives twice."""
    from bot.db import open_db
    from bot.localapi import LocalBotAPI
    from bot.localapi.http import serve
    from bot.services import library
    from tests.test_crash import start_bot
    from tests.test_transport import wait_for

    chats = range(90_001, 90_151)
    db = open_db(tmp_path / "bot.sqlite3")
    assert library.load(db) == []
    for chat_id in chats:
        outbox.owe(db, f"tip:{chat_id}", chat_id, "💡 Daily quality tip")
    db.close()
    api = LocalBotAPI()
    for chat_id in chats:
        api.chats[chat_id] = {"id": chat_id, "type": "private", "first_name": "P"}
    runner, port = await serve(api)

    def received() -> list[int]:
        return [len(api.bot_messages(chat_id)) for chat_id in chats]

    first = await start_bot(tmp_path, port)
    second = None
    try:
        await wait_for(lambda: sum(received()) >= 40, 30)
        first.kill()  # SIGKILL: whatever is in flight is never marked sent
        await first.wait()
        at_kill = sum(received())
        assert at_kill < len(chats)  # killed mid-drain
        second = await start_bot(tmp_path, port)
        watching = open_db(tmp_path / "bot.sqlite3")
        await wait_for(lambda: not repo.any_pending(watching), 30)  # all sent and marked
        watching.close()
        counts = received()
        assert min(counts) == 1  # nothing lost
        repeats = sum(counts) - len(chats)
        assert 0 <= repeats <= outbox.SLOTS  # counted: one message per slot at most
    finally:
        for process in (first, second):
            if process and process.returncode is None:
                process.terminate()
                await process.wait()
        await runner.cleanup()
