"""The real thing: the bot against Telegram (or a Bot API server), by polling or webhook."""

import asyncio
import logging
import secrets
import signal
from urllib.parse import urlsplit, urlunsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import build_bot, build_dispatcher
from bot.config import Settings
from bot.db import open_db
from bot.services import library

log = logging.getLogger(__name__)
DEFAULT_WEBHOOK_PATH = "/webhook"


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


def webhook_address(settings: Settings) -> tuple[str, str]:
    """The URL Telegram posts to and the path we serve: the same, whatever the user typed."""
    parts = urlsplit(settings.webhook_url or "")
    path = parts.path.rstrip("/") or DEFAULT_WEBHOOK_PATH
    return urlunsplit(parts._replace(path=path)), path


class SecretCheckingHandler(SimpleRequestHandler):
    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        # Bytes, so a non-ASCII header is a plain mismatch rather than a TypeError.
        return secrets.compare_digest(
            telegram_secret_token.encode("utf-8", "surrogateescape"), self.secret_token.encode()
        )


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def webhook_app(settings: Settings, bot: Bot, dp: Dispatcher) -> web.Application:
    """aiohttp app: Telegram posts updates to WEBHOOK_URL, with the secret header."""
    url, path = webhook_address(settings)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    app = web.Application()
    # Answer Telegram only once the update is handled: if we die mid-way, Telegram resends it.
    SecretCheckingHandler(
        dispatcher=dp, bot=bot, secret_token=secret, handle_in_background=False
    ).register(app, path=path)
    app.router.add_get("/healthz", healthz)
    setup_application(app, dp, bot=bot)

    async def register(app: web.Application) -> None:
        await bot.set_webhook(
            url, secret_token=secret, allowed_updates=dp.resolve_used_update_types()
        )
        log.info("webhook registered; serving %s on port %s", path, settings.port)

    app.on_startup.append(register)
    return app


async def serve_webhook(settings: Settings, bot: Bot, dp: Dispatcher) -> None:
    runner = web.AppRunner(webhook_app(settings, bot, dp))
    await runner.setup()
    await web.TCPSite(runner, host="0.0.0.0", port=settings.port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()  # until the platform stops us; requests in flight finish in cleanup
    finally:
        log.info("shutting down")
        await runner.cleanup()
