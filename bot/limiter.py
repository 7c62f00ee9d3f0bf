"""One limiter for everything the bot sends, since Telegram's limits are per token.

Two lanes share it. **Bulk** is what the outbox sends (inside ``bulk_lane()``): tips,
reminders, digests, notices. **Interactive** is everything else: the answer to a person's
own tap or message. Interactive goes first:

- A send (sendMessage, sendPhoto, …) takes one of ``per_second`` evenly spaced slots a
  second. A bulk send gives its slot up to any reply waiting for one, so a reply waits at
  most a slot or two (40 ms at 25/s), however long the broadcast behind it.
- Other requests (answerCallbackQuery, edits of the person's own screen, getUpdates,
  getFile …) take no slot and never wait for bulk.
- Per chat, bulk keeps a second between messages to a private chat, and takes at most
  ``group_per_minute - group_reserve`` of a group's minute: the last few are left for replies
  there, which may use all ``group_per_minute``.
- On 429 the chat it came from, and the bulk lane, wait ``retry_after`` — a person tapping
  in another chat does not. The refused request is retried (``retries`` times) and only then
  raised; the outbox keeps the letter and tries it later, so a message is delayed, never lost.

The order of messages to one chat is the caller's: the outbox has at most one letter per chat
in flight. A chat's state is forgotten once it has been idle for a minute, so memory follows
the chats of the last minute or two, not every chat ever written to.
"""

import asyncio
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

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
GROUP_WINDOW = 60.0  # seconds: Telegram counts a group's messages per minute
FORGET_AFTER = 60.0  # seconds a chat stays idle before its state is dropped

# Tests replace these two to wait without waiting.
_sleep = asyncio.sleep


def _now() -> float:
    return asyncio.get_running_loop().time()


BULK: ContextVar[bool] = ContextVar("bulk_sending", default=False)


@contextmanager
def bulk_lane() -> Iterator[None]:
    """Requests made inside (and in tasks started inside) are bulk: they give way."""
    token = BULK.set(True)
    try:
        yield
    finally:
        BULK.reset(token)


def is_group(chat_id: object) -> bool:
    return isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)


@dataclass
class _Chat:
    free_at: float = 0.0  # a private chat: no bulk message before this
    resume_at: float = 0.0  # after a 429 for this chat: nothing before this
    sent: deque[float] = field(default_factory=deque)  # a group: its sends this minute

    def idle(self, now: float) -> bool:
        recent = self.sent and self.sent[-1] > now - GROUP_WINDOW
        return self.free_at <= now and self.resume_at <= now and not recent


class SendLimiter(BaseRequestMiddleware):
    def __init__(
        self,
        per_second: float = 25,
        group_per_minute: int = 20,
        retries: int = 3,
        private_gap: float = 1.0,
        group_reserve: int = 2,
    ):
        self.interval = 1 / per_second  # evenly spaced: no burst at the start
        self.next_slot = 0.0
        self.group_per_minute = group_per_minute
        self.group_reserve = group_reserve
        self.private_gap = private_gap
        self.retries = retries
        self.chats: dict[object, _Chat] = {}
        self.bulk_resume_at = 0.0  # loop time before which no bulk request goes (a 429)
        self.replies_waiting = 0  # interactive sends waiting for a slot: bulk gives way
        self.refusals = 0  # 429s seen
        self.paused_seconds = 0.0  # time the bulk lane stood still for them (overlaps once)
        self._swept_at = 0.0

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ):
        chat_id = getattr(method, "chat_id", None)
        counted = method.__api_method__ in SENDING
        bulk = BULK.get()
        not_before = 0.0
        for attempt in range(self.retries + 1):
            await self._admit(chat_id, counted, bulk, not_before)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                not_before = self._refused(chat_id, error.retry_after)
                if attempt == self.retries:
                    raise
        raise AssertionError("unreachable")

    async def _admit(self, chat_id: object, counted: bool, bulk: bool, not_before: float) -> None:
        """Wait until this request may go, then take its slot (no await in between)."""
        while True:
            now = _now()
            wait = max(not_before - now, self._chat_wait(chat_id, counted, bulk, now))
            if bulk:
                wait = max(wait, self.bulk_resume_at - now)
            if wait > 0:
                await _sleep(wait)
                continue
            if not counted:
                return
            slot_wait = self.next_slot - now
            if bulk and self.replies_waiting:
                slot_wait = max(slot_wait, self.interval)  # a reply takes this slot
            if slot_wait <= 0:
                self._take(chat_id, now)
                return
            if bulk:
                await _sleep(slot_wait)
                continue
            self.replies_waiting += 1
            try:
                await _sleep(slot_wait)
            finally:
                self.replies_waiting -= 1

    def _chat_wait(self, chat_id: object, counted: bool, bulk: bool, now: float) -> float:
        state = self.chats.get(chat_id) if chat_id is not None else None
        if state is None:
            return 0.0
        wait = state.resume_at - now
        if not counted:
            return wait
        if is_group(chat_id):
            while state.sent and state.sent[0] <= now - GROUP_WINDOW:
                state.sent.popleft()
            limit = max(1, self.group_per_minute - (self.group_reserve if bulk else 0))
            if len(state.sent) >= limit:
                wait = max(wait, state.sent[len(state.sent) - limit] + GROUP_WINDOW - now)
        elif bulk:
            wait = max(wait, state.free_at - now)
        return wait

    def _take(self, chat_id: object, now: float) -> None:
        # A sender woken a little late (a busy event loop) keeps the schedule rather than
        # losing the lateness each time; after a real gap the schedule starts afresh. So the
        # average is the cap, and no second ever holds more than one send over it.
        late = now - self.next_slot < self.interval
        self.next_slot = (self.next_slot if late else now) + self.interval
        if chat_id is None:
            return
        state = self.chats.setdefault(chat_id, _Chat())
        if is_group(chat_id):
            state.sent.append(now)
        else:
            state.free_at = now + self.private_gap
        if now - self._swept_at >= FORGET_AFTER:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        self._swept_at = now
        for chat_id in [key for key, state in self.chats.items() if state.idle(now)]:
            del self.chats[chat_id]

    def _refused(self, chat_id: object, retry_after: float) -> float:
        """A 429: that chat and the bulk lane wait; returns when the request may try again."""
        now = _now()
        until = now + retry_after
        if chat_id is not None:
            state = self.chats.setdefault(chat_id, _Chat())
            state.resume_at = max(state.resume_at, until)
        self.refusals += 1
        self.paused_seconds += max(0.0, until - max(self.bulk_resume_at, now))
        self.bulk_resume_at = max(self.bulk_resume_at, until)
        return until
