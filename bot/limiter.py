"""One limiter for everything the bot sends, since Telegram's limits are per token.

At most ``per_second`` messages a second overall and ``group_per_minute`` a minute to any
one group; on 429 every request waits out ``retry_after`` and the refused one is retried,
so a message is delayed, never dropped.
"""

import asyncio

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiolimiter import AsyncLimiter

SENDING = {
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendPoll",
    "sendMediaGroup",
    "sendVideo",
    "sendAnimation",
    "sendAudio",
    "sendVoice",
    "sendLocation",
    "copyMessage",
    "forwardMessage",
}
# Tests replace these two to wait without waiting.
_sleep = asyncio.sleep


def _now() -> float:
    return asyncio.get_running_loop().time()


def is_group(chat_id: object) -> bool:
    return isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)


class SendLimiter(BaseRequestMiddleware):
    def __init__(self, per_second: float = 25, group_per_minute: float = 20, retries: int = 3):
        self.overall = AsyncLimiter(1, 1 / per_second)  # evenly spaced: no burst at the start
        self.group_per_minute = group_per_minute
        self.groups: dict[object, AsyncLimiter] = {}
        self.retries = retries
        self.resume_at = 0.0  # loop time before which nothing is sent (after a 429)

    async def _wait_for_pause(self) -> None:
        while (left := self.resume_at - _now()) > 0:
            until = self.resume_at
            await _sleep(left)
            if self.resume_at <= until:  # not extended by another 429 meanwhile
                break

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ):
        chat_id = getattr(method, "chat_id", None)
        for attempt in range(self.retries + 1):
            while True:
                await self._wait_for_pause()
                if method.__api_method__ in SENDING:
                    await self.overall.acquire()
                    if is_group(chat_id):
                        limiter = self.groups.setdefault(
                            chat_id, AsyncLimiter(self.group_per_minute, 60)
                        )
                        await limiter.acquire()
                if self.resume_at <= _now():
                    break  # no 429 arrived while we queued for a slot
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt == self.retries:
                    raise
                self.resume_at = max(self.resume_at, _now() + error.retry_after)
        raise AssertionError("unreachable")
