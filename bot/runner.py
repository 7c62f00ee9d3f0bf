"""The real thing: the bot against Telegram (or a Bot API server), by polling or webhook."""

import asyncio
import logging
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import build_bot, build_dispatcher
from bot.config import Settings
from bot.db import open_db
from bot.services import library

log = logging.getLogger(__name__)


def prepare(settings: Settings) -> tuple[Bot, Dispatcher]:
    db = open_db(settings.database_path)
    for problem in library.ensure_loaded(db):
        log.error("content: %s", problem)
    return build_bot(settings), build_dispatcher(settings, db)


async def serve(settings: Settings, webhook: bool) -> None:
    bot, dp = prepare(settings)
    if webhook:
        await serve_webhook(settings, bot, dp)
        return
    log.info("polling for updates")
    await bot.delete_webhook(drop_pending_updates=False)
    await dp.start_polling(bot, handle_signals=True)


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def webhook_app(settings: Settings, bot: Bot, dp: Dispatcher) -> web.Application:
    """aiohttp app: Telegram posts updates to WEBHOOK_URL's path, with the secret header."""
    path = urlsplit(settings.webhook_url or "").path or "/webhook"
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path=path)
    app.router.add_get("/healthz", healthz)
    setup_application(app, dp, bot=bot)

    async def register(app: web.Application) -> None:
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=secret,
            allowed_updates=dp.resolve_used_update_types(),
        )
        log.info("webhook registered; serving on port %s", settings.port)

    app.on_startup.append(register)
    return app


async def serve_webhook(settings: Settings, bot: Bot, dp: Dispatcher) -> None:
    runner = web.AppRunner(webhook_app(settings, bot, dp))
    await runner.setup()
    await web.TCPSite(runner, host="0.0.0.0", port=settings.port).start()
    try:
        await asyncio.Event().wait()  # until the process is stopped
    finally:
        await runner.cleanup()
