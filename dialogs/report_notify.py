"""Telling people about reports, each in their own language."""

import logging
from contextlib import suppress

from aiogram.exceptions import TelegramAPIError

from bot.db import users
from bot.db.nc import Nonconformity
from bot.i18n import N_, resolve_locale
from bot.services import nc
from dialogs.common import esc
from dialogs.nc_labels import category_name, severity_name

log = logging.getLogger(__name__)

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
        with suppress(TelegramAPIError):
            await bot.send_message(user_id, text)
