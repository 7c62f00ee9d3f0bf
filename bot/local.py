"""The bot wired to the in-process Bot API: for the console, the tests and the benchmarks."""

import sqlite_utils
from aiogram import Bot, Dispatcher

from bot import outbox
from bot.app import build_bot, build_dispatcher
from bot.config import Settings
from bot.db import outbox as db_outbox
from bot.localapi import LocalBotAPI, LocalSession, LocalUser
from bot.services import routine


class LocalBot:
    def __init__(
        self, settings: Settings, db: sqlite_utils.Database, api: LocalBotAPI | None = None
    ) -> None:
        self.settings = settings
        self.db = db
        self.api = api or LocalBotAPI()  # pass the old one to "restart" the bot, not Telegram
        self.bot: Bot = build_bot(settings, LocalSession(self.api))
        self.dp: Dispatcher = build_dispatcher(settings, db)

    async def start(self) -> "LocalBot":
        await self.dp.emit_startup(bot=self.bot, dispatcher=self.dp, **self.dp.workflow_data)
        return self

    async def stop(self) -> None:
        await self.dp.emit_shutdown(bot=self.bot, dispatcher=self.dp, **self.dp.workflow_data)
        await self.dp.storage.close()

    async def feed(self, update: dict) -> None:
        """One update, then what it owed (notices, evidence) at once: the background sender
        would do the same a moment later; tests and the console should not have to wait."""
        owed = db_outbox.owed
        await self.dp.feed_raw_update(self.bot, update)
        if db_outbox.owed != owed:
            await self.work()

    async def work(self) -> None:
        await outbox.work(self.bot, self.db, self.dp["i18n"], self.settings)

    async def tick(self) -> routine.Tick:
        """What the scheduler's minute tick does, now (at the clock's time), then the sending."""
        done = routine.tick(self.db, self.settings.default_timezone)
        await self.work()
        return done

    def user(
        self,
        user_id: int = 1001,
        language_code: str | None = "en",
        first_name: str = "Li",
        chat: dict | None = None,
    ) -> LocalUser:
        return LocalUser(self.api, self.feed, user_id, first_name, language_code, chat)
