"""What the user sees when something goes wrong: a gentle path back, never a dead end."""

import logging
import sqlite3
from contextlib import suppress

from aiogram import Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError, TelegramRetryAfter
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.api.exceptions import (
    DialogStackOverflow,
    OutdatedIntent,
    UnknownIntent,
    UnknownState,
)

from bot.db.offloop import held_by_another
from bot.logs import where
from bot.services.orgs import NotAllowed
from dialogs.states import Menu

log = logging.getLogger(__name__)
# What SQLite says when the database, not the bot, is the problem.
DATABASE_FAULTS = ("locked", "busy", "readonly", "disk I/O error", "disk is full")


class _WindowErrorsAreOurs(logging.Filter):
    """aiogram-dialog logs "Cannot get window data" at ERROR, without the cause, before the
    exception reaches our handlers, which log it properly: a refusal (crafted data, a role
    changed) at INFO, anything unexpected at ERROR with its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and record.msg.startswith("Cannot "):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


logging.getLogger("aiogram_dialog.window").addFilter(_WindowErrorsAreOurs())


def _private(update) -> bool:
    message = update.message or (update.callback_query and update.callback_query.message)
    return bool(message) and message.chat.type == "private"


def errors_router() -> Router:
    router = Router(name="errors")

    @router.errors(
        ExceptionTypeFilter(UnknownIntent, OutdatedIntent, UnknownState, DialogStackOverflow)
    )
    async def stale_button(
        event: ErrorEvent, dialog_manager: DialogManager, i18n: I18n, locale: str = "en"
    ) -> None:
        """An old or double-tapped button, or a screen from before an update.

        Show where the user is now; only with nothing open start the main menu.
        A half-filled form is never reset.
        """
        log.info("stale event: %r [%s]", event.exception, where(event.update))
        # Error handlers run after the locale middleware has unwound: set it again.
        with i18n.context(), i18n.use_locale(locale):
            await _show_current(event, dialog_manager)

    async def _show_current(event: ErrorEvent, dialog_manager: DialogManager) -> None:
        if query := event.update.callback_query:
            with suppress(TelegramAPIError):
                await query.answer(_("That button was out of date; here is where you are now."))
        if not _private(event.update):
            return  # dialogs live in private chats only
        if dialog_manager.has_context():
            await dialog_manager.show(ShowMode.SEND)
        else:
            await dialog_manager.start(
                Menu.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
            )

    @router.errors(ExceptionTypeFilter(NotAllowed))
    async def not_allowed(
        event: ErrorEvent, dialog_manager: DialogManager, i18n: I18n, locale: str = "en"
    ) -> None:
        """A role or organization check refused: crafted data, or a role changed meanwhile."""
        log.info("refused: %s [%s]", event.exception, where(event.update))
        with i18n.context(), i18n.use_locale(locale):
            text = _("Only managers and admins of your organization can do that.")
            if event.update.message:  # a command: nothing was opened, nothing to undo
                await event.update.message.answer(text)
                return
            with suppress(TelegramAPIError):
                await event.update.callback_query.answer(text, show_alert=True)
            if _private(event.update):  # the refused screen may be half-open: start clean
                await dialog_manager.start(
                    Menu.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
                )

    @router.errors(ExceptionTypeFilter(sqlite3.OperationalError))
    async def database_unavailable(event: ErrorEvent, i18n: I18n, locale: str = "en") -> None:
        """Another process holds the write lock (a backup, an operator's shell), or the disk
        is read-only or full: nothing of this update was saved, and the person is told so."""
        problem = str(event.exception)
        if not any(symptom in problem for symptom in DATABASE_FAULTS):
            await unexpected(event, i18n, locale)
            return
        log.warning("not saved: database %s [%s]", problem, where(event.update))
        with i18n.context(), i18n.use_locale(locale):
            if held_by_another(event.exception):
                text = _(
                    "The bot is busy saving other work right now, so this was not saved. "
                    "Please try again in a moment."
                )
            else:
                text = _(
                    "The bot cannot save anything right now (a problem with its storage), "
                    "so this was not saved. Please try again later."
                )
            await _tell(event.update, text)

    @router.errors()
    async def unexpected(
        event: ErrorEvent, i18n: I18n, dialog_manager: DialogManager, locale: str = "en"
    ) -> None:
        log.error("update failed [%s]", where(event.update), exc_info=event.exception)
        if isinstance(event.exception, TelegramRetryAfter | TelegramForbiddenError):
            return  # an apology would meet the same refusal
        with i18n.context(), i18n.use_locale(locale):
            await _apologise(event)
            # Telegram lost the screen that was on its way: the step was taken and saved
            # (see ``keep_dialog_state``), so show where the person is now.
            if isinstance(event.exception, TelegramAPIError) and _private(event.update):
                with suppress(TelegramAPIError):
                    if dialog_manager.has_context():
                        await dialog_manager.show(ShowMode.SEND)

    async def _apologise(event: ErrorEvent) -> None:
        text = _(
            "Sorry, something went wrong on our side. What you entered is safe — "
            "please try again, or send /menu."
        )
        await _tell(event.update, text)

    async def _tell(update, text: str) -> None:
        with suppress(TelegramAPIError):
            if update.callback_query:
                with suppress(TelegramAPIError):
                    await update.callback_query.answer()
                if update.callback_query.message:
                    await update.callback_query.message.answer(text)
            elif update.message:
                await update.message.answer(text)

    return router
