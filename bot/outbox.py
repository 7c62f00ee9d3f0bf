"""Everything the bot tells people unasked goes through the outbox: written to SQLite first
(in the same transaction as what it reports), then sent through the one rate-limited Bot,
and retried by a background task until sent — after a crash or restart too. A blocked chat
is dropped and its user marked inactive.

A notice is owed as a kind and its parameters; its renderer (registered with ``renders``)
words it in the recipient's language at the moment it is sent. The same background task
archives report photos into the evidence folder, which is owed work of the same sort.
"""

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlite_utils
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot import clock, evidence
from bot.config import Settings
from bot.db import nc as nc_repo
from bot.db import orgs as orgs_repo
from bot.db import outbox as repo
from bot.db import users
from bot.db.outbox import Letter
from bot.i18n import resolve_locale

log = logging.getLogger(__name__)
RETRY_EVERY = 5.0  # seconds between passes of the background sender
# After a failure a letter waits 5 s, 10 s, 20 s … at most an hour (clock.backoff), and is
# given up only when it is three days old: Telegram down for an afternoon loses nothing.
GIVE_UP_AFTER = timedelta(days=3)

# kind → render(db, person, params) -> (text, buttons) or None when there is nothing to say
Renderer = Callable[..., tuple[str, InlineKeyboardMarkup | None] | None]
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
) -> tuple[str, InlineKeyboardMarkup | None] | None:
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
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """A group's renderer gets ``person=None``. With both languages the texts follow each
    other and the buttons are the first language's (a button has room for one)."""
    group = orgs_repo.group_chat(db, letter.chat_id)
    if group is None or not group.active:
        return None
    texts, buttons = [], None
    for lang in ("zh", "en") if group.language == "both" else (group.language,):
        with i18n.context(), i18n.use_locale(lang):
            composed = render(db, None, letter.params or {})
        if composed is None:
            return None
        texts.append(composed[0])
        buttons = buttons or composed[1]
    return "\n\n".join(texts), buttons


async def deliver(bot: Bot, db: sqlite_utils.Database, i18n: I18n, settings: Settings) -> int:
    """Send what is owed, oldest first; returns how many went out. One pass at a time."""
    lock = _lock(db)
    async with lock:
        return await _deliver(bot, db, i18n, settings)


def _retry_later(db: sqlite_utils.Database, letter: Letter, error: str) -> None:
    now = clock.now()
    expired = datetime.fromisoformat(repo.created_at(db, letter.id)) + GIVE_UP_AFTER <= now
    if expired:
        log.error("outbox %s given up after %s tries: %s", letter.id, letter.attempts + 1, error)
    retry_at = clock.stamp(now + clock.backoff(letter.attempts))
    repo.failed(db, letter.id, error, drop=expired, retry_at=retry_at)


async def _deliver(bot: Bot, db: sqlite_utils.Database, i18n: I18n, settings: Settings) -> int:
    delivered = 0
    for letter in repo.pending(db, clock.stamp()):
        try:
            composed = _compose(db, letter, i18n, settings)
        except Exception as error:  # a broken renderer must not block everyone behind it
            log.exception("outbox %s could not be worded", letter.id)
            _retry_later(db, letter, repr(error))
            continue
        if composed is None:
            repo.failed(db, letter.id, "nobody to tell", drop=True)
            continue
        text, markup = composed
        try:
            await bot.send_message(letter.chat_id, text, reply_markup=markup)
        except TelegramForbiddenError as error:  # blocked: stop until they come back
            repo.failed(db, letter.id, str(error), drop=True)
            users.deactivate(db, letter.chat_id)
            continue
        except TelegramBadRequest as error:  # chat gone or message refused: no point retrying
            repo.failed(db, letter.id, str(error), drop=True)
            continue
        except (TelegramAPIError, OSError) as error:  # 5xx, network: try again later
            _retry_later(db, letter, str(error))
            log.warning("outbox %s not sent yet: %s", letter.id, error)
            continue
        repo.sent(db, letter.id, clock.stamp())
        delivered += 1
    return delivered


_LOCKS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


def _lock(db: sqlite_utils.Database) -> asyncio.Lock:
    """One delivery pass at a time per database, so no letter is sent twice by two passes
    (a lock belongs to its event loop: tests and the console may run several in turn)."""
    locks = _LOCKS.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(id(db), asyncio.Lock())


async def work(bot: Bot, db: sqlite_utils.Database, i18n: I18n, settings: Settings) -> None:
    """One pass over everything owed: messages, then evidence to archive."""
    await deliver(bot, db, i18n, settings)
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


async def start_sender(bot: Bot, db, i18n: I18n, settings: Settings, dispatcher) -> None:
    repo.retry_now(db)  # a restart is a good moment to try what was waiting again
    nc_repo.retry_now(db)
    wake = asyncio.Event()
    dispatcher["outbox_wake"] = wake
    dispatcher["outbox_task"] = asyncio.create_task(sender(bot, db, i18n, settings, wake))


async def stop_sender(dispatcher) -> None:
    dispatcher.workflow_data.pop("outbox_wake", None)
    task = dispatcher.workflow_data.pop("outbox_task", None)
    if task:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
