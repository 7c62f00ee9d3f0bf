"""The real thing: the bot against Telegram (or a Bot API server), by polling or webhook."""

import asyncio
import logging
import os
import secrets
import signal
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramNotFound,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot import CONTENT_DIR, health
from bot.app import build_bot, build_dispatcher
from bot.config import Settings
from bot.db import open_db
from bot.i18n import catalog_fingerprint, require_valid_catalogs
from bot.services import library
from bot.startup import StartupError, absolute, require_content, require_writable_folder

log = logging.getLogger(__name__)
DEFAULT_WEBHOOK_PATH = "/webhook"
TELEGRAM_API = "https://api.telegram.org"


def paths_in_use(settings: Settings) -> str:
    """The log's first line: which files this process writes, so nobody has to guess its
    working directory when the data seems to have vanished after a restart."""
    line = (
        f"database {absolute(settings.database_path)}, "
        f"evidence folder {absolute(settings.evidence_path)}"
    )
    relative = [
        name
        for name, path in (
            ("DATABASE_PATH", settings.database_path),
            ("EVIDENCE_PATH", settings.evidence_path),
        )
        if not path.is_absolute()
    ]
    if relative:
        line += (
            f" ({' and '.join(relative)} relative: resolved against the working directory "
            f"{os.getcwd()})"
        )
    return line


CATALOGS_CHECKED = "catalogs_checked"  # meta: the fingerprint of the catalogs last found valid


def _checked_before(database: Path, fingerprint: str) -> bool:
    """An earlier start found the catalogs valid as they are now (read-only; any doubt: no)."""
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
            row = connection.execute(
                "SELECT value FROM meta WHERE key = ?", [CATALOGS_CHECKED]
            ).fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == fingerprint


def prepare(settings: Settings) -> tuple[Bot, Dispatcher]:
    """Everything checked before Telegram is called; failures raise one ``StartupError``
    with a line per cause (catalogs, evidence folder, content, then the database)."""
    problems: list[str] = []
    fingerprint = catalog_fingerprint()
    checks = [
        partial(require_writable_folder, settings.evidence_path, "EVIDENCE_PATH"),
        partial(require_content, CONTENT_DIR),  # before loading: an empty tree unloads all
    ]
    if not _checked_before(settings.database_path, fingerprint):
        checks.insert(0, require_valid_catalogs)
    for check in checks:
        try:
            check()
        except StartupError as error:
            problems += error.lines  # all of them, so they are fixed in one go
    if problems:
        raise StartupError(*problems)
    db = open_db(settings.database_path)
    for problem in library.ensure_loaded(db):
        log.error("content: %s", problem)
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [CATALOGS_CHECKED, fingerprint],
    )
    return build_bot(settings), build_dispatcher(settings, db)


def backoff(first: float = 1.0, longest: float = 60.0) -> Iterator[float]:
    """1, 2, 4 … seconds, then every minute: forever, as a service should."""
    delay = first
    while True:
        yield delay
        delay = min(delay * 2, longest)


async def wait_for_telegram(bot: Bot, api_url: str, delays: Iterable[float]) -> None:
    """Call getMe until it answers, one log line per failed attempt.

    A network still coming up at boot, or a Bot API server still starting, is a wait, not a
    crash; a refused token is no reason to wait. When ``delays`` run out: StartupError.
    """
    pending = iter(delays)
    while True:
        try:
            await bot.get_me(request_timeout=10)
            return
        except TelegramUnauthorizedError as error:
            raise StartupError(
                f"BOT_TOKEN was refused by the Telegram API at {api_url} (Unauthorized): it was "
                "revoked or mistyped; copy it again from @BotFather"
            ) from error
        except TelegramNotFound as error:
            raise StartupError(
                f"the Telegram API at {api_url} answered Not Found to getMe: check "
                "TELEGRAM_API_URL (the server's base address) and BOT_TOKEN"
            ) from error
        except (TelegramNetworkError, TelegramServerError) as error:
            reason = error.message
            delay = next(pending, None)
            if delay is None:
                raise StartupError(
                    f"Telegram API at {api_url} unreachable ({reason}); giving up"
                ) from error
            log.warning(
                "Telegram API at %s unreachable (%s); retrying in %ss",
                api_url,
                reason,
                f"{delay:g}",
            )
            await asyncio.sleep(delay)


async def serve(
    settings: Settings, webhook: bool, retry_delays: Iterable[float] | None = None
) -> None:
    log.info(paths_in_use(settings))
    bot, dp = prepare(settings)
    try:
        api_url = (settings.telegram_api_url or TELEGRAM_API).rstrip("/")
        await wait_for_telegram(bot, api_url, backoff() if retry_delays is None else retry_delays)
        if webhook:
            await serve_webhook(settings, bot, dp)
            return
        log.info("polling for updates")
        await bot.delete_webhook(drop_pending_updates=False)
        await dp.start_polling(bot, handle_signals=True)
    finally:
        # Whatever stopped us (a signal, an error, giving up): no "Unclosed client session".
        await bot.session.close()


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


def webhook_app(settings: Settings, bot: Bot, dp: Dispatcher) -> web.Application:
    """aiohttp app: Telegram posts updates to WEBHOOK_URL, with the secret header."""
    url, path = webhook_address(settings)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    app = web.Application()
    # Answer Telegram only once the update is handled: if we die mid-way, Telegram resends it.
    SecretCheckingHandler(
        dispatcher=dp, bot=bot, secret_token=secret, handle_in_background=False
    ).register(app, path=path)

    async def healthz(request: web.Request) -> web.Response:
        """The database, the outbox and the scheduler (bot/health.py): 503 when one is not well."""
        found = health.checks(dp["db"], scheduler=settings.scheduler)
        text = "\n".join(check.line() for check in found) + "\n"
        return web.Response(text=text, status=200 if all(c.ok for c in found) else 503)

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
