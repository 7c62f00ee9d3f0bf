"""Per-update context: who the user is, their locale and time zone, gettext for them."""

from collections.abc import Awaitable, Callable
from typing import Any

import sqlite_utils
from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update
from aiogram.utils.i18n import I18n
from aiogram_dialog.api.entities import DialogUpdate
from aiogram_dialog.api.internal import CONTEXT_KEY, STACK_KEY, STORAGE_KEY

from bot.config import Settings
from bot.db import outbox, users
from bot.i18n import resolve_locale
from bot.services import text


def _telegram_user(update: Update):
    if isinstance(update, DialogUpdate):
        return update.aiogd_update.from_user
    event = update.event
    return getattr(event, "from_user", None) or getattr(event, "user", None)


class UserLocaleMiddleware(BaseMiddleware):
    """Outer middleware on ``dp.update``: it also runs for background dialog updates."""

    def __init__(self, db: sqlite_utils.Database, i18n: I18n, settings: Settings) -> None:
        self.db = db
        self.i18n = i18n
        self.settings = settings

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user = _telegram_user(event)
        user = None
        if tg_user and not tg_user.is_bot:
            if isinstance(event, DialogUpdate):  # background: no fresh profile to record
                user = users.get(self.db, tg_user.id)
            else:
                user = users.seen(
                    self.db,
                    tg_user.id,
                    text.clean_line(tg_user.first_name or ""),  # no invisible or bidi tricks
                    tg_user.username,
                    tg_user.language_code,
                )
        locale = resolve_locale(
            user.language if user else None,
            user.telegram_language if user else None,
            self.settings.default_language,
        )
        data["user"] = user
        data["locale"] = locale
        data["timezone"] = (user.timezone if user else None) or self.settings.default_timezone
        owed = outbox.owed
        try:
            with self.i18n.context(), self.i18n.use_locale(locale):
                return await handler(event, data)
        finally:
            # After the person's own answer went out: bulk sending waits behind it.
            if outbox.owed != owed and (wake := data.get("outbox_wake")):
                wake.set()


async def keep_dialog_state(handler, event, data: dict[str, Any]) -> Any:
    """Inner middleware: when Telegram fails the reply (5xx, a timeout, a refusal), the
    person's step was still taken — a description typed, a choice made — so their dialog
    state is saved all the same. aiogram-dialog saves it only when the handler returned;
    without this, the apology's "what you entered is safe" would not be true."""
    try:
        return await handler(event, data)
    except TelegramAPIError:
        proxy = data.get(STORAGE_KEY)
        if proxy is not None:
            if data.get(CONTEXT_KEY) is not None:
                await proxy.save_context(data[CONTEXT_KEY])
            if data.get(STACK_KEY) is not None:
                await proxy.save_stack(data[STACK_KEY])
        raise
