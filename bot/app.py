"""The one wiring function. ``run``, ``chat``, the tests and the benchmarks all use it."""

import logging
import time
from contextlib import suppress

import sqlite_utils
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand, CallbackQuery
from aiogram.utils.i18n import I18n
from aiogram_dialog import DIALOG_EVENT_NAME, setup_dialogs
from aiogram_dialog.api.entities import stack as dialog_stack
from aiogram_dialog.manager.message_manager import MessageManager
from aiogram_dialog.utils import CB_SEP as DIALOG_SEPARATOR

from bot import outbox
from bot.config import LANGUAGES, Settings
from bot.db.offloop import LOOP_BUSY_MS, Writer
from bot.db.storage import SqliteStorage
from bot.errors import errors_router
from bot.group_feeds import group_feeds_router
from bot.group_quiz import group_quiz_router, poll_answers_router
from bot.groups import groups_router
from bot.handlers import commands_router, fallback_router, notifications_router
from bot.i18n import N_, make_i18n
from bot.limiter import SendLimiter
from bot.logs import UpdateLog
from bot.middlewares import UserLocaleMiddleware, keep_dialog_state
from bot.scheduler import start_scheduler, stop_scheduler
from dialogs.audits.notices import audits_router
from dialogs.audits.objectives import objectives_dialog, objectives_router
from dialogs.audits.programme import audits_dialog
from dialogs.audits.reviews import reviews_dialog, reviews_router
from dialogs.audits.run import audit_run_dialog
from dialogs.home.menu import help_dialog, menu_dialog
from dialogs.home.privacy import privacy_dialog
from dialogs.home.settings import settings_dialog
from dialogs.home.tips import tips_dialog, tips_router
from dialogs.library.browse import library_dialog
from dialogs.nc.cases import cases_dialog
from dialogs.nc.mine import reports_dialog
from dialogs.nc.offer import report_offer_dialog
from dialogs.nc.plan import case_plan_dialog
from dialogs.nc.report import report_dialog
from dialogs.org.announce import announcements_dialog
from dialogs.org.announce_notices import acknowledgements_router
from dialogs.org.calendar import calendar_dialog, calendar_router
from dialogs.org.invites import invites_dialog
from dialogs.org.members import members_dialog
from dialogs.org.onboarding import onboarding_dialog
from dialogs.org.organization import organization_dialog
from dialogs.org.places import places_dialog
from dialogs.readiness.assessment import readiness_dialog
from dialogs.readiness.roadmap import roadmap_dialog
from dialogs.readiness.team import readiness_team_dialog
from dialogs.training import team as _team_quiz_notices  # noqa: F401 (its renderers)
from dialogs.training.manager import training_dialog
from dialogs.training.practice import practice_dialog

DIALOGS = (
    menu_dialog,
    help_dialog,
    settings_dialog,
    tips_dialog,
    library_dialog,
    onboarding_dialog,
    organization_dialog,
    members_dialog,
    invites_dialog,
    places_dialog,
    calendar_dialog,
    announcements_dialog,
    privacy_dialog,
    readiness_dialog,
    readiness_team_dialog,
    roadmap_dialog,
    report_dialog,
    report_offer_dialog,
    reports_dialog,
    cases_dialog,
    case_plan_dialog,
    practice_dialog,
    training_dialog,
    audits_dialog,
    audit_run_dialog,
    objectives_dialog,
    reviews_dialog,
)

log = logging.getLogger(__name__)
_last_intent = 0


def _new_intent_id() -> str:
    """Intent ids that never repeat: milliseconds since the epoch, bumped when taken.

    aiogram-dialog's own ids (seconds + random 0–99) collide about 1 time in 100 when
    two dialogs open in one chat within a second, turning a click into UnknownIntent.
    """
    global _last_intent
    _last_intent = max(_last_intent + 1, time.time_ns() // 1_000_000)
    return dialog_stack.id_to_str(_last_intent)


dialog_stack.new_id = _new_intent_id


def build_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = AiohttpSession()
        if settings.telegram_api_url:
            session.api = TelegramAPIServer.from_base(settings.telegram_api_url.rstrip("/"))
    session.middleware(SendLimiter(per_second=settings.send_per_second))
    token = settings.bot_token.get_secret_value() if settings.bot_token else "1:local"
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


class AnswerOnceMessageManager(MessageManager):
    """aiogram-dialog answers every callback after our handler ran; when the handler already
    answered it (an alert), Telegram refuses the second answer. Expected, so not a warning."""

    async def answer_callback(self, bot: Bot, callback_query: CallbackQuery) -> None:
        with suppress(TelegramBadRequest):
            await bot.answer_callback_query(callback_query_id=callback_query.id)


async def not_a_dialog_button(query: CallbackQuery) -> bool:
    # async: aiogram runs a plain function filter in a thread (a hand-over per router)
    return DIALOG_SEPARATOR not in (query.data or "")


def build_dispatcher(settings: Settings, db: sqlite_utils.Database) -> Dispatcher:
    i18n = make_i18n(settings.default_language)
    # The event loop's connection waits only briefly for another process's write lock (a
    # write then fails with a clear message); what must wait goes through the writer.
    db.execute(f"PRAGMA busy_timeout = {LOOP_BUSY_MS}")
    writer = Writer(db)
    dp = Dispatcher(
        storage=SqliteStorage(db, writer),
        # One update per person at a time: aiogram-dialog reads a person's screen before it
        # would wait for the update still saving it, so a quick second tap would act on the
        # screen before and save that back.
        events_isolation=SimpleEventIsolation(),
        db=db,
        writer=writer,
        settings=settings,
        i18n=i18n,
    )
    # Handlers of their own before the dialogs. Their buttons are never a dialog's (those
    # carry the dialog's intent id before a \x1d), so a dialog's click skips them at once.
    for router in (
        errors_router(),
        tips_router(),  # /tip and /calendar before "unknown command"
        calendar_router(),
        audits_router(),
        objectives_router(),
        reviews_router(),
        commands_router(),
        groups_router(),
        group_feeds_router(),
        group_quiz_router(),
        poll_answers_router(),
        notifications_router(),
        acknowledgements_router(),  # before the dialogs, like notifications
    ):
        router.callback_query.filter(not_a_dialog_button)
        dp.include_router(router)
    for dialog in DIALOGS:
        dp.include_router(dialog())
    dp.include_router(fallback_router())
    dp["dialog_bg_factory"] = setup_dialogs(dp, message_manager=AnswerOnceMessageManager())
    for observer in (dp.message, dp.callback_query, dp.observers[DIALOG_EVENT_NAME]):
        observer.middleware(keep_dialog_state)  # inside aiogram-dialog's own saving
    dp.update.outer_middleware(UpdateLog())  # names the update on every line logged meanwhile
    # After setup_dialogs, and on dp.update, so background dialog updates get it too.
    dp.update.outer_middleware(UserLocaleMiddleware(db, i18n, settings))
    dp.startup.register(set_command_menus)
    dp.startup.register(outbox.start_sender)
    dp.startup.register(start_scheduler)
    dp.shutdown.register(stop_scheduler)
    dp.shutdown.register(outbox.stop_sender)
    return dp


COMMANDS = (
    ("menu", N_("Main menu")),
    ("report", N_("Report a problem")),
    ("mytasks", N_("My tasks: actions and reports that involve me")),
    ("reports", N_("All reports (managers)")),
    ("readiness", N_("Certification readiness self-assessment")),
    ("roadmap", N_("Certification roadmap")),
    ("practice", N_("Practice: ten quiz questions")),
    ("leaderboard", N_("Quiz leaderboard of your organization")),
    ("org", N_("Your organization")),
    ("calendar", N_("QMS calendar: audits, reviews, certification dates (managers)")),
    ("training", N_("Training: who practised, weakest topics, the record (managers)")),
    ("audits", N_("Internal audits: the programme, and the audits assigned to you")),
    ("objectives", N_("Quality objectives: targets, values, trends")),
    ("review", N_("Management review: the pack, decisions, minutes (managers)")),
    ("library", N_("ISO 9000 library and clause map")),
    ("search", N_("Search the library")),
    ("tip", N_("A quality tip now")),
    ("settings", N_("Language, time zone and daily tips")),
    ("language", N_("Switch language")),
    ("help", N_("Help and privacy")),
    ("mydata", N_("A copy of your data")),
    ("deleteme", N_("Erase your data")),
)


async def set_command_menus(bot: Bot, i18n: I18n, settings: Settings) -> None:
    """One command menu per language (and the default one); failing here must not stop the bot."""
    for lang in LANGUAGES:
        commands = [
            BotCommand(command=name, description=i18n.gettext(text, locale=lang))
            for name, text in COMMANDS
        ]
        codes = [lang, None] if lang == settings.default_language else [lang]
        for code in codes:
            try:
                await bot.set_my_commands(commands, language_code=code)
            except (TelegramAPIError, OSError) as error:
                log.warning("could not set the %s command menu: %s", code or "default", error)
