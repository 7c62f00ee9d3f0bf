"""Telling people about reports, each in their own language, through the outbox (written
first, sent now, retried after a failure or a restart)."""

import logging

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import outbox
from bot.db import users
from bot.db.nc import Nonconformity
from bot.i18n import N_, resolve_locale
from bot.services import nc
from dialogs.common import esc
from dialogs.nc_labels import category_name, severity_name

log = logging.getLogger(__name__)


class OpenReport(CallbackData, prefix="nc"):
    """Buttons under a notification: open the report, or take it on (rights checked then)."""

    id: int
    take: bool = False


def report_buttons(report: Nonconformity, i18n, lang: str, take: bool) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(
            text=i18n.gettext(OPEN_LABEL, locale=lang),
            callback_data=OpenReport(id=report.id).pack(),
        )
    ]
    if take:
        row.append(
            InlineKeyboardButton(
                text=i18n.gettext(TAKE_LABEL, locale=lang),
                callback_data=OpenReport(id=report.id, take=True).pack(),
            )
        )
    return InlineKeyboardMarkup(inline_keyboard=[row])


OPEN_LABEL = N_("👀 Open the report")
TAKE_LABEL = N_("🙋 I'll handle it")
ASSIGNED = N_("👤 You have been asked to handle report {reference}: {description}")
OWNER = N_(
    "📋 You own the corrective action for {reference}, due {due}:\n{action}\n\n"
    "Mark it done from the report when it is done."
)
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
        buttons = report_buttons(report, i18n, lang, take=True)
        outbox.owe(db, f"nc:{report.id}:new:{user_id}", user_id, text, buttons)
    await outbox.deliver(bot, db)


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


async def _tell(
    data: dict,
    user_id: int | None,
    key: str,
    msgid: str,
    report: Nonconformity | None,
    **values: str,
) -> None:
    """Owe one person a message in their language (with the report's button if given) and
    send what is owed."""
    db, bot, i18n, settings = data["db"], data["bot"], data["i18n"], data["settings"]
    person = users.get(db, user_id) if user_id else None
    if person is None or not person.active:
        return
    lang = resolve_locale(person.language, person.telegram_language, settings.default_language)
    text = i18n.gettext(msgid, locale=lang).format(**values)
    buttons = report_buttons(report, i18n, lang, False) if report else None
    outbox.owe(db, key, person.id, text, buttons)
    await outbox.deliver(bot, db)


async def notify_reporter(data: dict, report: Nonconformity) -> None:
    """Tell the reporter, in their language, what became of their report."""
    if report.status in FINISHED:
        await _tell(
            data,
            report.reporter_id,
            f"nc:{report.id}:{report.status}:reporter",
            FINISHED[report.status],
            None,
            reference=report.reference,
            reason=esc(report.reason or ""),
        )


async def notify_owner(data: dict, report: Nonconformity) -> None:
    """Tell the action's owner, in their language, what they own and by when."""
    await _tell(
        data,
        report.owner_id,
        f"nc:{report.id}:owner:{report.owner_id}:{report.updated_at}",
        OWNER,
        report,
        reference=report.reference,
        due=report.due_date or "—",
        action=esc(report.action or ""),
    )


async def notify_assignee(data: dict, report: Nonconformity) -> None:
    """Tell the person a report was assigned to, in their language."""
    await _tell(
        data,
        report.owner_id,
        f"nc:{report.id}:assigned:{report.owner_id}:{report.updated_at}",
        ASSIGNED,
        report,
        reference=report.reference,
        description=esc(report.description[:200]),
    )
