"""How notices about reports read, in the recipient's language at the moment they are sent.

The workflow (``bot/services/nc.py``) owes them in the same transaction as the change they
report; the outbox words them here, with buttons to open the report (rights are checked
again when a button is pressed).
"""

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.i18n import format_day
from bot.outbox import Media, renders
from bot.services import group_feeds, nc, people, text
from bot.services.nc import Nonconformity
from bot.services.orgs import NotAllowed
from bot.services.people import User
from dialogs.common import RowId, current_locale, esc
from dialogs.nc.labels import category_name, severity_name
from dialogs.nc.view import send_evidence

PREVIEW = 600  # characters of a description in a notice; the report shows it all


class OpenReport(CallbackData, prefix="nc"):
    """Buttons under a notification: open the report, or take it on (rights checked then)."""

    id: RowId
    take: bool = False


def report_buttons(report: Nonconformity, take: bool) -> InlineKeyboardMarkup:
    row = [
        InlineKeyboardButton(
            text=_("👀 Open the report"), callback_data=OpenReport(id=report.id).pack()
        )
    ]
    if take:
        row.append(
            InlineKeyboardButton(
                text=_("🙋 I'll handle it"),
                callback_data=OpenReport(id=report.id, take=True).pack(),
            )
        )
    return InlineKeyboardMarkup(inline_keyboard=[row])


def _report_for(db, person: User, params: dict, manage: bool = False) -> Nonconformity | None:
    """The report, if the person may still see it (and manage it, for managers' news) when
    the notice goes out: someone who left or lost the role since is not told."""
    try:
        report = nc.visible(db, person.id, int(params["nc"]))
    except NotAllowed:
        return None
    if manage and not nc.may_manage(db, person.id, report):
        return None
    return report


def _name(db, user_id: int | None) -> str:
    return esc(people.name(db, user_id))


@renders("nc.new")
def new_report(db, person: User, params: dict):
    report = _report_for(db, person, params, manage=True)
    if report is None:
        return None
    message = _(
        "⚠️ <b>New report {reference}</b> · {severity}\n📍 {area} · 🏷 {category} · 📷 {photos}\n\n"
        "{description}\n\nReported by {reporter}."
    ).format(
        reference=report.reference,
        severity=severity_name(report.severity),
        area=esc(report.area or "—"),
        category=category_name(report.category),
        photos=nc.photo_count(db, report.id),
        description=esc(text.shorten(report.description, PREVIEW)),
        reporter=_name(db, report.reporter_id),
    )
    return message, report_buttons(report, take=report.owner_id is None)


@renders("nc.assigned")
def assigned(db, person: User, params: dict):
    report = _report_for(db, person, params)
    if report is None:
        return None
    message = _("👤 You have been asked to handle report {reference}: {description}").format(
        reference=report.reference, description=esc(text.shorten(report.description, 200))
    )
    return message, report_buttons(report, take=False)


@renders("nc.owner")
def owner(db, person: User, params: dict):
    report = _report_for(db, person, params)
    if report is None:
        return None
    due = format_day(report.due_date, current_locale()) if report.due_date else "—"
    message = _(
        "📋 You own the corrective action for {reference}, due {due}:\n{action}\n\n"
        "Mark it done from the report when it is done."
    ).format(
        reference=report.reference, due=due, action=esc(text.shorten(report.action or "", PREVIEW))
    )
    return message, report_buttons(report, take=False)


@renders("nc.done")
def action_done(db, person: User, params: dict):
    report = _report_for(db, person, params, manage=True)
    if report is None or report.status != "done":
        return None
    message = _(
        "🛠 The corrective action for {reference} is done: {action}\n\n"
        "Check that it worked, then mark it effective or not."
    ).format(reference=report.reference, action=esc(text.shorten(report.action or "", PREVIEW)))
    return message, report_buttons(report, take=False)


@renders("nc.finished")
def finished(db, person: User, params: dict):
    report = _report_for(db, person, params)
    if report is None or report.status not in FINISHED:
        return None
    return FINISHED[report.status]().format(
        reference=report.reference, reason=esc(text.shorten(report.reason or "", 3000))
    ), None


FINISHED = {
    "closed": lambda: _(
        "✅ Your report {reference} is closed: the cause was found and the action "
        "worked. Thank you for reporting it."
    ),
    "rejected": lambda: _("Your report {reference} was not taken up: {reason}"),
    "duplicate": lambda: _(
        "Your report {reference} was already reported and is handled with the "
        "earlier report. Thank you."
    ),
}


@renders("nc.group")
def group_report(db, person: User | None, params: dict):
    """A new report as a linked group sees it: no buttons (reports are handled in private
    chats), in the group's language(s); its photos follow only where a manager allowed them."""
    if person is not None:
        return None
    report = nc.repo.get(db, int(params["nc"]))
    if report is None or report.status in ("rejected", "duplicate"):
        return None
    message = _(
        "⚠️ <b>New report {reference}</b> · {severity}\n📍 {area} · 🏷 {category}\n\n"
        "{description}\n\nThe managers follow it up."
    ).format(
        reference=report.reference,
        severity=severity_name(report.severity),
        area=esc(report.area or "—"),
        category=category_name(report.category),
        description=esc(text.shorten(report.description, PREVIEW)),
    )
    return message, None


@renders("nc.group.photos")
def group_report_photos(db, person: User | None, params: dict):
    """The report's photos as one album, right after the report, if the group still allows
    them (videos and voice notes stay in the private chats)."""
    if person is not None or not group_feeds.photos_allowed(db, int(params.get("chat", 0))):
        return None
    report = nc.repo.get(db, int(params["nc"]))
    if report is None or report.status in ("rejected", "duplicate"):
        return None
    pieces = [piece for piece in nc.repo.evidence(db, report.id) if piece[3] == "photo"]
    if not pieces:
        return None

    async def send(bot, chat_id: int):
        return await send_evidence(bot, chat_id, pieces)

    return Media(send)
