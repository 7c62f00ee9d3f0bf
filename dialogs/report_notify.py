"""Telling people about reports, each in their own language."""

import logging
from contextlib import suppress

from aiogram.exceptions import TelegramAPIError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db import users
from bot.db.nc import Nonconformity
from bot.i18n import N_, resolve_locale
from bot.services import nc
from dialogs.common import esc
from dialogs.nc_labels import category_name, severity_name

log = logging.getLogger(__name__)


class OpenReport(CallbackData, prefix="nc"):
    """The button under a notification: open the report (rights checked when it opens)."""

    id: int


def open_button(report: Nonconformity, label: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=OpenReport(id=report.id).pack())]
        ]
    )


OPEN_LABEL = N_("👀 Open the report")
NEW_REPORT = N_(
    "⚠️ <b>New report {reference}</b> · {severity}\n📍 {area} · 🏷 {category} · 📷 {photos}\n\n"
    "{description}\n\nReported by {reporter}."
)


async def notify_managers(data: dict, report: Nonconformity) -> None:
    """A message to each manager and admin of the organization, in their language. One who
    blocked the bot is skipped; the report is already saved."""
    db, bot, i18n, settings = data["db"], data["bot"], data["i18n"], data["settings"]
    reporter = users.get(db, report.reporter_id) if report.reporter_id else None
    for user_id in nc.audience(db, report).user_ids:
        person = users.get(db, user_id)
        if person is None or not person.active:
            continue
        lang = resolve_locale(person.language, person.telegram_language, settings.default_language)
        with i18n.use_locale(lang):
            text = i18n.gettext(NEW_REPORT, locale=lang).format(
                reference=report.reference,
                severity=severity_name(report.severity),
                area=esc(report.area or "—"),
                category=category_name(report.category),
                photos=nc.photo_count(db, report.id),
                description=esc(report.description),
                reporter=esc(reporter.first_name if reporter else "—"),
            )
        button = open_button(report, i18n.gettext(OPEN_LABEL, locale=lang))
        with suppress(TelegramAPIError):
            await bot.send_message(user_id, text, reply_markup=button)


FINISHED = {
    "closed": N_(
        "✅ Your report {reference} is closed: the cause was found and the action "
        "worked. Thank you for reporting it."
    ),
    "rejected": N_("Your report {reference} was not taken up: {reason}"),
    "duplicate": N_(
        "Your report {reference} was already reported and is handled with the "
        "earlier report. Thank you."
    ),
}


async def notify_reporter(data: dict, report: Nonconformity) -> None:
    """Tell the reporter, in their language, what became of their report."""
    db, bot, i18n, settings = data["db"], data["bot"], data["i18n"], data["settings"]
    person = users.get(db, report.reporter_id) if report.reporter_id else None
    if person is None or not person.active or report.status not in FINISHED:
        return
    lang = resolve_locale(person.language, person.telegram_language, settings.default_language)
    text = i18n.gettext(FINISHED[report.status], locale=lang).format(
        reference=report.reference, reason=esc(report.reason or "")
    )
    with suppress(TelegramAPIError):
        await bot.send_message(person.id, text)
