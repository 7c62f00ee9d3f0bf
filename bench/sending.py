"""A broadcast drains while people tap: the outbox and the limiter through the real transport.

    python bench/sending.py [--messages 3000] [--people 20] [--cap 25] [--json]

3,000 letters to distinct private chats are owed in the outbox (a WAL database on disk) and
sent by the bot's own background sender through aiogram's real aiohttp session, to the local
Bot API served over HTTP on 127.0.0.1. 1% of the bulk sends are answered 429 (retry_after
1–2 s) for their own chat. Meanwhile 20 people tap through the library (each tap: a callback
through the real dispatcher and dialogs → editMessageText + answerCallbackQuery) and now and
then type /library (a new message, which takes a slot of the cap ahead of bulk).

Prints the cap, the bulk rate achieved over the time the bulk lane was not paused by a 429
and its ratio to the cap (target ≥ 0.95), letters lost and sent twice (0 and 0), the
people's reply latency (p95 target < 500 ms), the total time and the 429 pauses.
"""

import argparse
import asyncio
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import outbox
from bot.app import build_bot, build_dispatcher
from bot.config import Settings
from bot.db import open_db
from bot.db import outbox as repo
from bot.limiter import SendLimiter
from bot.localapi import Fault, LocalBotAPI, LocalUser
from bot.localapi.http import serve
from bot.localapi.rules import as_int
from bot.services import library

FIRST_CHAT = 10_000_001
CLICKS = [
    "📖 ISO 9001 clause map",
    "10 Improvement",
    "10.2 Nonconformity and corrective action",
    "⬅️ Back",
    "⬅️ Back",
    "📚 Library",
]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def tapping(
    person: LocalUser, draining: asyncio.Event, latencies: list, rng, typed_every: int
) -> None:
    """A person at work in the bot: a tap every 0.5–1.5 s, now and then a typed command."""
    await person.send("/library")
    step = screen = 0
    while not draining.is_set():
        await asyncio.sleep(rng.uniform(0.5, 1.5))
        started = time.perf_counter()
        if step % typed_every == typed_every - 1:
            await person.send("/library")  # a new message: a slot of the cap
            screen = 0
        else:
            await person.press(CLICKS[screen % len(CLICKS)])
            screen += 1
        latencies.append((time.perf_counter() - started) * 1000)
        step += 1


async def run(
    messages: int, people: int, cap: float, typed_every: int = 20, seed: int = 9001
) -> dict:
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="certready-bench-"))
    db = open_db(folder / "bench.sqlite3")
    assert library.load(db) == []
    api = LocalBotAPI()
    runner, port = await serve(api)
    settings = Settings(
        _env_file=None,
        bot_token="1:bench",
        database_path=folder / "bench.sqlite3",
        evidence_path=folder / "evidence",
        telegram_api_url=f"http://127.0.0.1:{port}",
        send_per_second=cap,
        scheduler=False,  # nothing but this broadcast
    )
    bot = build_bot(settings)
    limiter = next(m for m in bot.session.middleware if isinstance(m, SendLimiter))
    dp = build_dispatcher(settings, db)

    bulk = range(FIRST_CHAT, FIRST_CHAT + messages)
    for chat_id in bulk:
        api.chats[chat_id] = {"id": chat_id, "type": "private", "first_name": "P"}
    refused = rng.sample(list(bulk), max(1, messages // 100))
    for chat_id in refused:
        pause = rng.choice((1, 2))
        api.faults.append(Fault(429, method="sendmessage", chat_id=chat_id, retry_after=pause))
    sent_at: dict[int, list[float]] = {}  # bulk chat → when its letters arrived
    replies_at: list[float] = []  # when the people's new messages arrived
    answer = api._m_sendmessage

    def recorded(params, files):
        message = answer(params, files)
        chat_id = as_int(params.get("chat_id"))
        if chat_id in bulk:
            sent_at.setdefault(chat_id, []).append(time.monotonic())  # the loop's clock
        else:
            replies_at.append(time.monotonic())
        return message

    api._m_sendmessage = recorded
    pauses: list[tuple[float, float]] = []  # when the bulk lane stood still
    refused_at = limiter._refused

    def paused(chat_id, retry_after):
        until = refused_at(chat_id, retry_after)
        pauses.append((until - retry_after, until))
        return until

    limiter._refused = paused
    await dp.emit_startup(bot=bot, dispatcher=dp, **dp.workflow_data)

    async def deliver(update: dict) -> None:
        await dp.feed_raw_update(bot, update)

    crowd = [LocalUser(api, deliver, 20_001 + n, f"P{n}", "en") for n in range(people)]
    latencies: list[float] = []
    drained = asyncio.Event()
    taps = [asyncio.create_task(tapping(p, drained, latencies, rng, typed_every)) for p in crowd]
    await asyncio.sleep(2)  # everyone is at work before the broadcast
    interactive_before = len(latencies)

    started = time.perf_counter()
    for chat_id in bulk:
        outbox.owe(db, f"bench:{chat_id}", chat_id, "💡 Daily quality tip: check the gauge")
    dp["outbox_wake"].set()
    while repo.any_pending(db):  # noqa: ASYNC110 (the database is what tells)
        await asyncio.sleep(0.5)
    total = time.perf_counter() - started
    drained.set()
    await asyncio.gather(*taps)
    await dp.emit_shutdown(bot=bot, dispatcher=dp, **dp.workflow_data)
    await bot.session.close()
    await runner.cleanup()
    unanswered = api.unanswered()
    db.close()

    times = sorted(t for chat in sent_at.values() for t in chat)
    active = times[-1] - times[0] - limiter.paused_seconds
    rate = (len(times) - 1) / active
    during = latencies[interactive_before:]
    replies = [  # the people's new messages while bulk was sending (they took its slots)
        t
        for t in replies_at
        if times[0] <= t <= times[-1] and not any(a <= t < b for a, b in pauses)
    ]
    return {
        "cap": cap,
        "messages": messages,
        "bulk_rate": round(rate, 2),
        "ratio": round(rate / cap, 3),
        "lost": sum(1 for chat_id in bulk if chat_id not in sent_at),
        "duplicated": sum(len(t) - 1 for t in sent_at.values()),
        "people": people,
        "interactive_taps": len(during),
        "typed_every": typed_every,
        "interactive_sends_per_s": round(len(replies) / active, 2),
        "cap_used": round((len(times) - 1 + len(replies)) / active / cap, 3),
        "interactive_p50_ms": round(statistics.median(during), 1),
        "interactive_p95_ms": round(percentile(during, 0.95), 1),
        "interactive_max_ms": round(max(during), 1),
        "unanswered_taps": len(unanswered),
        "total_seconds": round(total, 1),
        "pauses": limiter.refusals,
        "paused_seconds": round(limiter.paused_seconds, 1),
        "sending_seconds": round(active, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--cap", type=float, default=25)
    parser.add_argument(
        "--typed-every", type=int, default=20, help="one action in N is a typed command"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    figures = asyncio.run(run(args.messages, args.people, args.cap, args.typed_every))
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"cap {figures['cap']:g}/s: {figures['messages']} letters in {figures['total_seconds']} s, "
        f"{figures['pauses']} × 429 pausing bulk for {figures['paused_seconds']} s"
    )
    print(
        f"bulk rate while not paused: {figures['bulk_rate']}/s "
        f"(ratio {figures['ratio']}, target ≥ 0.95); "
        f"lost {figures['lost']}, duplicated {figures['duplicated']}"
    )
    print(
        f"{figures['people']} people, {figures['interactive_taps']} taps and commands during the "
        f"drain ({figures['interactive_sends_per_s']} new messages a second, off the same "
        f"cap: {figures['cap_used']} of it used): p50 "
        f"{figures['interactive_p50_ms']} ms, p95 {figures['interactive_p95_ms']} ms "
        f"(target < 500), max {figures['interactive_max_ms']} ms"
    )


if __name__ == "__main__":
    main()
