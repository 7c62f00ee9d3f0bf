"""What the send limiter lets through, measured on the local Bot API served over HTTP.

    python bench/sending.py [--messages 300]

Sends one message to each of N private chats through the real aiohttp transport and
prints how many went out in each second (Telegram allows about 30/s per bot), then
repeats with three chats answering 429 (retry_after=2) to show that nothing is lost
and that the pause holds for everyone.
"""

import argparse
import asyncio
import collections
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_bot
from bot.config import Settings
from bot.localapi import Fault, LocalBotAPI
from bot.localapi.http import serve


async def run(messages: int, faults: bool) -> None:
    api = LocalBotAPI()
    runner, port = await serve(api)
    settings = Settings(
        _env_file=None,
        bot_token="1:bench",
        database_path=":memory:",
        telegram_api_url=f"http://127.0.0.1:{port}",
    )
    bot = build_bot(settings)
    for chat_id in range(1, messages + 1):
        api.chats[chat_id] = {"id": chat_id, "type": "private"}
    if faults:
        for chat_id in (10, 20, 30):
            api.faults.append(Fault(429, method="sendmessage", chat_id=chat_id, retry_after=2))
    sent_at: list[float] = []
    started = time.monotonic()

    async def send(chat_id: int) -> None:
        await bot.send_message(chat_id, "Daily quality tip")
        sent_at.append(time.monotonic() - started)

    await asyncio.gather(*(send(chat_id) for chat_id in range(1, messages + 1)))
    await bot.session.close()
    await runner.cleanup()
    delivered = sum(len(api.bot_messages(c)) for c in range(1, messages + 1))
    per_second = collections.Counter(int(t) for t in sent_at)
    label = "with 3 × 429 (retry_after=2)" if faults else "no faults"
    print(
        f"{label}: {delivered}/{messages} delivered in {max(sent_at):.1f} s; "
        f"per second {[per_second[s] for s in range(int(max(sent_at)) + 1)]}"
    )


async def main(messages: int) -> None:
    logging.disable(logging.WARNING)
    await run(messages, faults=False)
    await run(messages, faults=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    asyncio.run(main(parser.parse_args().messages))
