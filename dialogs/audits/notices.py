"""An auditor's reminder of an audit coming up, and its button into the audit (rights are
checked again when it is pressed)."""

from datetime import date

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram_dialog import DialogManager

from bot import clock
from bot.db import orgs as orgs_repo
from bot.filters import in_private
from bot.i18n import format_day
from bot.outbox import renders
from bot.services import audits
from bot.services.orgs import NotAllowed
from bot.services.people import User
from dialogs.common import RowId, current_locale, esc, open_over
from dialogs.states import Audits


class OpenAudit(CallbackData, prefix="audit"):
    id: RowId


@renders("audit.reminder")
def audit_reminder(db, person: User | None, params: dict):
    if person is None:
        return None
    try:
        found = audits.runnable(db, person.id, int(params.get("audit", 0)))
    except NotAllowed:
        return None  # done, cancelled or reassigned since
    if found.planned_for != params.get("day"):
        return None  # moved: the new day brings its own reminders
    org = orgs_repo.organization(db, found.org_id)
    left = (date.fromisoformat(found.planned_for) - clock.today(org["timezone"])).days
    if left < 0:
        return None
    when = _("today") if left == 0 else ngettext("in {n} day", "in {n} days", left).format(n=left)
    message = _("📋 You audit <b>{reference} · {subject}</b> {when}: {day}.").format(
        reference=found.reference,
        subject=esc(found.subject),
        when=when,
        day=format_day(found.planned_for, current_locale()),
    )
    button = InlineKeyboardButton(
        text=_("📋 Open the audit"), callback_data=OpenAudit(id=found.id).pack()
    )
    return message, InlineKeyboardMarkup(inline_keyboard=[[button]])


def audits_router() -> Router:
    router = Router(name="audits")
    router.callback_query.filter(in_private)

    @router.callback_query(OpenAudit.filter())
    async def open_audit(
        query: CallbackQuery, callback_data: OpenAudit, dialog_manager: DialogManager, db, user
    ) -> None:
        audits.visible(db, user.id, callback_data.id)  # NotAllowed: answered by the error handler
        await query.answer()
        await open_over(dialog_manager, Audits.audit, {"audit": callback_data.id})

    return router
