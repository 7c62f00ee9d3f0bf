"""Everything the bot tells people unasked goes through the outbox: written to SQLite first,
then sent through the one rate-limited Bot, and retried by a background task until sent —
after a crash or restart too. A blocked chat is dropped and its user marked inactive.
"""

import asyncio
import contextlib
import json
import logging

import sqlite_utils
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup

from bot import clock
from bot.db import outbox as repo
from bot.db import users

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
RETRY_EVERY = 5.0  # seconds between passes of the background sender


def _now() -> str:
    return clock.stamp()


def owe(
    db: sqlite_utils.Database,
    key: str,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Record a message owed to ``chat_id`` (once per ``key``)."""
    encoded = markup.model_dump_json(exclude_none=True) if markup else None
    return repo.add(db, key, chat_id, text, encoded, _now())


async def deliver(bot: Bot, db: sqlite_utils.Database) -> int:
    """Send what is owed, oldest first; returns how many went out."""
    delivered = 0
    for letter in repo.pending(db):
        markup = (
            InlineKeyboardMarkup.model_validate(json.loads(letter.reply_markup))
            if letter.reply_markup
            else None
        )
        try:
            await bot.send_message(letter.chat_id, letter.text, reply_markup=markup)
        except TelegramForbiddenError as error:  # blocked: stop until they come back
            repo.failed(db, letter.id, str(error), drop=True)
            users.deactivate(db, letter.chat_id)
            continue
        except TelegramBadRequest as error:  # chat gone or message refused: no point retrying
            repo.failed(db, letter.id, str(error), drop=True)
            continue
        except (TelegramAPIError, OSError) as error:  # 5xx, network: try again later
            repo.failed(db, letter.id, str(error), drop=letter.attempts + 1 >= MAX_ATTEMPTS)
            log.warning("outbox %s not sent yet: %s", letter.id, error)
            continue
        repo.sent(db, letter.id, _now())
        delivered += 1
    return delivered


async def sender(bot: Bot, db: sqlite_utils.Database) -> None:
    """The background task: deliver now (what a restart left over), then every few seconds."""
    while True:
        try:
            await deliver(bot, db)
        except Exception:
            log.exception("outbox pass failed")
        await asyncio.sleep(RETRY_EVERY)


async def start_sender(bot: Bot, db: sqlite_utils.Database, dispatcher) -> None:
    dispatcher["outbox_task"] = asyncio.create_task(sender(bot, db))


async def stop_sender(dispatcher) -> None:
    task = dispatcher.workflow_data.pop("outbox_task", None)
    if task:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
