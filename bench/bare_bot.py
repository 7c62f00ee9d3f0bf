"""The bare bot bench/start.py compares with: the required stack imported, one handler.

Imports aiogram, aiogram-dialog, sqlite-utils, Babel and APScheduler as the real bot does,
opens a SQLite file, and answers every message by long polling TELEGRAM_API_URL.
"""

import asyncio
import os

import aiogram_dialog  # noqa: F401 (the stack is what is measured)
import apscheduler.schedulers.asyncio  # noqa: F401
import babel.dates  # noqa: F401
import sqlite_utils
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

dp = Dispatcher()


@dp.message()
async def answer(message: Message) -> None:
    await message.answer("pong")


async def main() -> None:
    sqlite_utils.Database(os.environ["DATABASE_PATH"]).execute("SELECT 1")
    api = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"])
    await dp.start_polling(Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=api)))


if __name__ == "__main__":
    asyncio.run(main())
