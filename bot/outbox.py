"""Everything the bot tells people unasked goes through the outbox: written to SQLite first
(in the same transaction as what it reports), then sent through the one rate-limited Bot,
and retried by a background task until sent — after a crash or restart too. A blocked chat
is skipped, its person marked inactive until they are back; a group that became a supergroup
is followed to its new id. A watch logs a warning when letters or the scheduler fall behind.

A notice is owed as a kind and its parameters; its renderer (registered with ``renders``)
words it in the recipient's language at the moment it is sent. The same background task
archives report photos into the evidence folder, which is owed work of the same sort.
"""

import asyncio
import contextlib
import json
import logging
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import sqlite_utils
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot import clock, evidence, limiter
from bot.config import Settings
from bot.db import nc as nc_repo
from bot.db import orgs as orgs_repo
from bot.db import outbox as repo
from bot.db import users
from bot.db.outbox import Letter
from bot.db.tx import write
from bot.i18n import resolve_locale

log = logging.getLogger(__name__)
RETRY_EVERY = 5.0  # seconds between passes of the background sender
# After a failure a letter waits 5 s, 10 s, 20 s … at most an hour (clock.backoff), and is
# given up only when it is three days old: Telegram down for an afternoon loses nothing.
GIVE_UP_AFTER = timedelta(days=3)
DAY = timedelta(days=1)
STALL_AFTER = timedelta(minutes=10)  # a letter due this long, or no scheduler tick: warn
WATCH_EVERY = 60.0  # seconds between those checks


@dataclass(frozen=True)
class Media:
    """A letter that is not words (a chart, a report's photos, a quiz poll): the one call
    that sends it to a chat. One call, so a crash repeats at most this one message, like any
    letter. ``after(db, sent)`` records what Telegram answered (a poll's id) in the same
    transaction that marks the letter sent."""

    send: Callable[[Bot, int], Awaitable[object]]
    after: Callable[[sqlite_utils.Database, object], None] | None = None


# kind → render(db, person, params) -> (text, buttons), Media, or None when there is nothing
# to say
Renderer = Callable[..., tuple[str, InlineKeyboardMarkup | None] | Media | None]
RENDERERS: dict[str, Renderer] = {}


def renders(kind: str) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        RENDERERS[kind] = fn
        return fn

    return register


def owe(
    db: sqlite_utils.Database,
    key: str,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Record a ready message owed to ``chat_id`` (once per ``key``)."""
    encoded = markup.model_dump_json(exclude_none=True) if markup else None
    return repo.add(db, key, chat_id, text, encoded, clock.stamp())


def _compose(
    db: sqlite_utils.Database, letter: Letter, i18n: I18n, settings: Settings
) -> tuple[str, InlineKeyboardMarkup | None] | Media | None:
    """The words and buttons of a letter; None if there is no longer anyone to tell."""
    if letter.kind is None:
        markup = (
            InlineKeyboardMarkup.model_validate(json.loads(letter.reply_markup))
            if letter.reply_markup
            else None
        )
        return letter.text, markup
    render = RENDERERS.get(letter.kind)
    if render is None:
        return None
    if letter.chat_id < 0:  # a linked group: its language, or both, one after the other
        return _compose_for_group(db, letter, render, i18n)
    person = users.get(db, letter.chat_id)
    if person is None:
        return None
    lang = resolve_locale(person.language, person.telegram_language, settings.default_language)
    with i18n.context(), i18n.use_locale(lang):
        return render(db, person, letter.params or {})


def _compose_for_group(
    db: sqlite_utils.Database, letter: Letter, render: Renderer, i18n: I18n
) -> tuple[str, InlineKeyboardMarkup | None] | Media | None:
    """A group's renderer gets ``person=None`` and the group's chat id as ``chat``. With
    both languages the texts follow each other and the buttons are the first language's (a
    button has room for one); media are sent once, in the first language."""
    group = orgs_repo.group_chat(db, letter.chat_id)
    if group is None or not group.active:
        return None
    texts, buttons = [], None
    for lang in ("zh", "en") if group.language == "both" else (group.language,):
        with i18n.context(), i18n.use_locale(lang):
            composed = render(db, None, {**(letter.params or {}), "chat": letter.chat_id})
        if composed is None or isinstance(composed, Media):
            return composed
        texts.append(composed[0])
        buttons = buttons or composed[1]
    return "\n\n".join(texts), buttons


SLOTS = 6  # letters in flight at once, at most one per slot
READ_AHEAD = 100  # letters read from the database at a time


async def deliver(bot: Bot, db: sqlite_utils.Database, i18n: I18n, settings: Settings) -> int:
    """Send what is owed, oldest first; returns how many went out. One pass at a time.

    ``SLOTS`` sending slots work side by side, so sending is not held to one message per
    round trip to Telegram (about 1/latency). Each slot has at most one letter in flight and
    marks it sent as soon as Telegram has answered: the Bot API has no idempotency key, so a
    kill -9 between Telegram's answer and that mark repeats at most one message per slot
    after the restart, and loses none. Letters to one chat go one at a time, in the order
    they were written. All of it is bulk for the limiter: people's own replies go first.
    """
    async with _lock(db):
        with limiter.bulk_lane():
            return await _Pass(bot, db, i18n, settings).run()


def _retry_later(db: sqlite_utils.Database, letter: Letter, error: str) -> None:
    now = clock.now()
    expired = datetime.fromisoformat(repo.created_at(db, letter.id)) + GIVE_UP_AFTER <= now
    if expired:
        log.error("outbox %s given up after %s tries: %s", letter.id, letter.attempts + 1, error)
    retry_at = clock.stamp(now if expired else now + clock.backoff(letter.attempts))
    repo.failed(db, letter.id, error, drop=expired, retry_at=retry_at)


def _give_up(db: sqlite_utils.Database, letter: Letter, error: str) -> None:
    repo.failed(db, letter.id, error, drop=True, retry_at=clock.stamp())


def stop_sending_to(db: sqlite_utils.Database, chat_id: int) -> None:
    """Blocked, deleted, or the bot removed: nothing more goes there until they are back
    (/start or unblocking for a person, the bot added again for a group)."""
    if chat_id < 0:
        orgs_repo.deactivate_group(db, chat_id)
    else:
        users.deactivate(db, chat_id)


def _inactive(db: sqlite_utils.Database, chat_id: int) -> bool:
    if chat_id < 0:
        group = orgs_repo.group_chat(db, chat_id)
        return group is not None and not group.active
    person = users.get(db, chat_id)
    return person is not None and not person.active


def follow_group(db: sqlite_utils.Database, old_id: int, new_id: int) -> None:
    """A group became a supergroup: its link, subscriptions and letters owed move with it."""
    with write(db):
        orgs_repo.move_group_chat(db, old_id, new_id)
        repo.move_chat(db, old_id, new_id)


class _Pass:
    """One delivery pass: letters read in the order written, each chat's taken by one slot
    at a time; a chat whose letter must wait (Telegram failed it) gets no more this pass."""

    def __init__(self, bot: Bot, db: sqlite_utils.Database, i18n: I18n, settings: Settings):
        self.bot, self.db, self.i18n, self.settings = bot, db, i18n, settings
        self.held = repo.waiting(db, clock.stamp())  # chat → its first letter that must wait
        self.queues: dict[int, deque[Letter]] = {}  # chat → its letters read, not yet sent
        self.ready: deque[int] = deque()  # chats whose next letter no slot has taken
        self.queued = 0
        self.after = 0  # the last letter read
        self.read_all = False
        self.moved: dict[int, int] = {}  # group → the supergroup it became
        self.delivered = 0

    async def run(self) -> int:
        async with asyncio.TaskGroup() as slots:
            for _ in range(SLOTS):
                slots.create_task(self._slot())
        return self.delivered

    def _read(self) -> None:
        while not self.read_all and self.queued < 2 * SLOTS:
            letters = repo.pending(self.db, clock.stamp(), READ_AHEAD, after=self.after)
            self.read_all = not letters  # letters written meanwhile are read too
            for letter in letters:
                self.after = letter.id
                waiting = self.held.get(letter.chat_id)
                if waiting is not None and waiting < letter.id:
                    continue  # behind a letter that waits: in order, later
                if letter.chat_id not in self.queues:
                    self.queues[letter.chat_id] = deque()
                    self.ready.append(letter.chat_id)
                self.queues[letter.chat_id].append(letter)
                self.queued += 1

    async def _slot(self) -> None:
        while True:
            if len(self.ready) < SLOTS:
                self._read()
            if not self.ready:
                return
            chat_id = self.ready.popleft()
            queue = self.queues[chat_id]
            letter = queue.popleft()
            self.queued -= 1
            if not await self._send(letter):
                self.held[chat_id] = letter.id
                self.queued -= len(queue)
                queue.clear()
            if queue:
                self.ready.append(chat_id)
            else:
                del self.queues[chat_id]

    async def _send(self, letter: Letter) -> bool:
        """Send one letter and record what became of it; False if it must wait, and the
        chat's later letters with it."""
        db = self.db
        if letter.chat_id in self.moved:
            letter = replace(letter, chat_id=self.moved[letter.chat_id])
        if _inactive(db, letter.chat_id):
            _give_up(db, letter, "inactive: the chat blocked or removed the bot")
            return True
        try:
            composed = _compose(db, letter, self.i18n, self.settings)
        except Exception as error:  # a broken renderer must not block everyone behind it
            log.exception("outbox %s could not be worded", letter.id)
            _retry_later(db, letter, repr(error))
            return False
        if composed is None:
            _give_up(db, letter, "nobody to tell")
            return True
        answer = None
        for _ in range(2):  # once more if the group has just become a supergroup
            try:
                if isinstance(composed, Media):
                    answer = await composed.send(self.bot, letter.chat_id)
                else:
                    text, markup = composed
                    await self.bot.send_message(letter.chat_id, text, reply_markup=markup)
            except TelegramMigrateToChat as error:
                log.info("group %s is now supergroup %s", letter.chat_id, error.migrate_to_chat_id)
                follow_group(db, letter.chat_id, error.migrate_to_chat_id)
                self.moved[letter.chat_id] = error.migrate_to_chat_id
                letter = replace(letter, chat_id=error.migrate_to_chat_id)
                continue
            except TelegramForbiddenError as error:  # blocked, or the bot removed
                _give_up(db, letter, str(error))
                stop_sending_to(db, letter.chat_id)
                return True
            except TelegramBadRequest as error:  # refused: no point retrying
                _give_up(db, letter, str(error))
                if "chat not found" in str(error):
                    stop_sending_to(db, letter.chat_id)
                return True
            except (TelegramAPIError, OSError) as error:  # 5xx, timeouts, 429s left: later
                _retry_later(db, letter, str(error))
                log.warning("outbox %s not sent yet: %s", letter.id, error)
                return False
            with write(db):  # right away: see ``deliver``
                if isinstance(composed, Media) and composed.after:
                    composed.after(db, answer)
                repo.sent(db, letter.id, clock.stamp())
            log.info(
                "outbox %s sent: %s to chat %s",
                letter.id,
                letter.kind or "a message",
                letter.chat_id,
            )
            self.delivered += 1
            return True
        _retry_later(db, letter, "the group moved twice")
        return False


_LOCKS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


def _lock(db: sqlite_utils.Database) -> asyncio.Lock:
    """One delivery pass at a time per database, so no letter is sent twice by two passes
    (a lock belongs to its event loop: tests and the console may run several in turn)."""
    locks = _LOCKS.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(id(db), asyncio.Lock())


async def work(bot: Bot, db: sqlite_utils.Database, i18n: I18n, settings: Settings) -> None:
    """One pass over everything owed: messages, then evidence to archive."""
    await deliver(bot, db, i18n, settings)
    async with _lock(db):  # two passes must not copy the same photo over each other
        await evidence.archive(bot, db, settings.evidence_path)


async def sender(bot: Bot, db, i18n: I18n, settings: Settings, wake: asyncio.Event) -> None:
    """The background task: work now (what a restart left over), then whenever woken (after
    an update that owed something) or every few seconds."""
    while True:
        try:
            await work(bot, db, i18n, settings)
        except Exception:
            log.exception("outbox pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), RETRY_EVERY)
        wake.clear()


@dataclass(frozen=True)
class Health:
    """How sending goes, for the bot's administrators (/stats)."""

    owed: int
    oldest: datetime | None  # when the oldest letter not yet sent was written
    sent_last_hour: int
    given_up_last_day: int
    last_tick: datetime | None  # the scheduler's last run


def parse_moment(stamp: str | None) -> datetime | None:
    """A stored moment (ours, or the scheduler's ISO timestamp) as an aware datetime."""
    try:
        moment = datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def health(db: sqlite_utils.Database, now: datetime) -> Health:
    backlog = repo.backlog(db, clock.stamp(now - timedelta(hours=1)), clock.stamp(now - DAY))
    return Health(
        backlog.owed,
        parse_moment(backlog.oldest),
        backlog.sent_last_hour,
        backlog.given_up_last_day,
        parse_moment(repo.last_scheduler_tick(db)),
    )


def notice_stall(
    db: sqlite_utils.Database, warned: dict[str, datetime], now: datetime, scheduler: bool = True
) -> None:
    """Log a warning when the letter that has waited longest to go has waited more than
    ``STALL_AFTER``, or (if it runs here) the scheduler last ran longer ago than that; at
    most once every ``STALL_AFTER`` for each (``warned`` remembers when)."""
    due = parse_moment(repo.oldest_due(db, clock.stamp(now)))
    tick = parse_moment(repo.last_scheduler_tick(db)) if scheduler else None
    behind = {
        "outbox": due and now - due > STALL_AFTER and f"a letter has waited since {due:%H:%M} UTC",
        "scheduler": tick and now - tick > STALL_AFTER and f"its last tick was {tick:%H:%M} UTC",
    }
    for what, detail in behind.items():
        if detail and (what not in warned or now - warned[what] >= STALL_AFTER):
            log.warning("%s is falling behind: %s", what, detail)
            warned[what] = now


async def watch(db: sqlite_utils.Database, scheduler: bool) -> None:
    """Apart from the sender, so a pass that hangs is noticed too."""
    warned: dict[str, datetime] = {}
    while True:
        try:
            notice_stall(db, warned, clock.now(), scheduler)
        except Exception:
            log.exception("could not check the outbox")
        await asyncio.sleep(WATCH_EVERY)


async def start_sender(bot: Bot, db, i18n: I18n, settings: Settings, dispatcher) -> None:
    repo.retry_now(db)  # a restart is a good moment to try what was waiting again
    nc_repo.retry_now(db)
    wake = asyncio.Event()
    dispatcher["outbox_wake"] = wake
    dispatcher["outbox_task"] = asyncio.create_task(sender(bot, db, i18n, settings, wake))
    scheduler = getattr(settings, "scheduler", True)  # off where a test ticks by hand
    dispatcher["outbox_watch"] = asyncio.create_task(watch(db, scheduler))


async def stop_sender(dispatcher) -> None:
    dispatcher.workflow_data.pop("outbox_wake", None)
    for name in ("outbox_task", "outbox_watch"):
        task = dispatcher.workflow_data.pop(name, None)
        # Cancelled mid-send, a pass's TaskGroup can turn the cancellation into an error the
        # loop logs and goes on from (Python 3.11): cancel until the task has really ended.
        while task and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=1)
