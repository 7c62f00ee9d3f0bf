"""The QMS calendar (managers): what is coming, with the roadmap's target dates among it.

list ─▶ event ─▶ delete (the organization's own events; roadmap dates change in the roadmap)
     └▶ add: kind ─▶ day (calendar, no past days) ─▶ title (custom events; optional for others)
Reminders go to managers 30, 7 and 1 days before and on the day (``bot/services/routine.py``).
"""

import asyncio
from datetime import date

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot import clock
from bot.db import content as content_repo
from bot.filters import in_private
from bot.i18n import N_, format_day
from bot.services import orgs, qms_calendar
from bot.services.orgs import NotAllowed
from dialogs.calendar import LocalCalendar, org_today, refuse_past
from dialogs.common import Choices, CloseButton, T, current_locale, esc, open_over
from dialogs.nc.reminders import DigestChart, OpenCalendar, digest_chart_parts
from dialogs.states import QmsCalendar

KIND_NAMES = {
    "internal_audit": N_("📝 Internal audit"),
    "management_review": N_("🧭 Management review"),
    "surveillance_audit": N_("🔍 Surveillance audit"),
    "recertification": N_("🏅 Recertification audit"),
    "certificate_expiry": N_("📜 Certificate expires"),
    "training": N_("🎓 Training"),
    "custom": N_("📌 Other"),
    "roadmap": N_("🗺 Roadmap"),
}
SHOWN = 30  # events on the list screen


def event_title(db, event: qms_calendar.Event) -> str:
    """The kind's name, and the event's own title or the roadmap step's, in the reader's
    language."""
    name = _(KIND_NAMES[event.kind])
    detail = event.title
    if event.step:
        step = content_repo.get(db, "roadmap_step", event.step, current_locale())
        detail = step.texts["title"] if step else event.step
        if event.kind != "roadmap":
            detail = _("roadmap: {step}").format(step=detail)
    return f"{name} · {detail}" if detail else name


def _org(manager: DialogManager) -> int:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    return orgs.require(db, user.id, "manager").org_id


async def listing(dialog_manager: DialogManager, db, locale: str, **kwargs) -> dict:
    org_id = _org(dialog_manager)
    today = org_today(dialog_manager)
    events = qms_calendar.upcoming(db, org_id, today)
    lines = [f"{format_day(e.day, locale)} · {esc(event_title(db, e))}" for e in events[:SHOWN]]
    if len(events) > SHOWN:
        lines.append(_("… and {n} later.").format(n=len(events) - SHOWN))
    return {
        "lines": "\n".join(lines) or _("Nothing planned yet."),
        "events": [
            (e.id, f"{format_day(e.day, locale)} · {event_title(db, e)}"[:60])
            for e in events[:SHOWN]
        ],
    }


async def on_event(callback: CallbackQuery, widget, manager: DialogManager, event_id: str):
    manager.dialog_data["event"] = event_id
    await manager.switch_to(QmsCalendar.event)


async def event_view(dialog_manager: DialogManager, db, locale: str, **kwargs) -> dict:
    event = qms_calendar.get(db, _org(dialog_manager), dialog_manager.dialog_data.get("event", ""))
    if event is None:
        return {"text": _("This event is no longer in the calendar."), "own": False}
    left = (event.day - org_today(dialog_manager)).days
    when = _("today") if left == 0 else ngettext("in {n} day", "in {n} days", left).format(n=left)
    return {
        "text": _("<b>{title}</b>\n{day} · {when}").format(
            title=esc(event_title(db, event)), day=format_day(event.day, locale), when=when
        )
        + ("\n\n" + _("This date comes from the roadmap: change it there.") if event.step else "")
        + (
            "\n\n" + _("This audit is in the audit programme: see 📋 Internal audits.")
            if event.id.startswith("audit:")
            else ""
        ),
        "own": event.id.isdigit(),
    }


async def on_delete(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if qms_calendar.remove(db, user.id, manager.dialog_data.get("event", "")):
        await callback.answer(_("Deleted."))
    await manager.switch_to(QmsCalendar.list)


async def kinds(dialog_manager: DialogManager, **kwargs) -> dict:
    return {"kinds": [(kind, _(KIND_NAMES[kind])) for kind in qms_calendar.KINDS]}


async def on_kind(callback: CallbackQuery, widget, manager: DialogManager, kind: str) -> None:
    if kind in qms_calendar.KINDS:  # callback data is untrusted
        manager.dialog_data["kind"] = kind
        await manager.switch_to(QmsCalendar.day)


async def on_day(callback: CallbackQuery, widget, manager: DialogManager, chosen: date) -> None:
    if await refuse_past(callback, manager, chosen):
        return
    manager.dialog_data["day"] = chosen.isoformat()
    await manager.switch_to(QmsCalendar.title)


async def _save(manager: DialogManager, title: str | None) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    data = manager.dialog_data
    if data.get("kind") not in qms_calendar.KINDS or not data.get("day"):
        await manager.switch_to(QmsCalendar.kind)
        return
    try:
        qms_calendar.add(
            db, user.id, data["kind"], date.fromisoformat(data["day"]), title, org_today(manager)
        )
    except ValueError:  # the day passed while the screen was open
        await manager.switch_to(QmsCalendar.day)
        return
    await manager.switch_to(QmsCalendar.list)


async def on_title(message: Message, widget, manager: DialogManager, typed: str) -> None:
    title = " ".join(typed.split())
    if len(title) > qms_calendar.MAX_TITLE:
        await message.answer(
            _("Please keep the title to {limit} characters (that was {length}).").format(
                limit=qms_calendar.MAX_TITLE, length=len(title)
            )
        )
        return
    await _save(manager, title)


async def on_no_title(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    if manager.dialog_data.get("kind") == "custom":
        await callback.answer(_("An event of kind “Other” needs a title."), show_alert=True)
        return
    await _save(manager, None)


async def title_prompt(dialog_manager: DialogManager, locale: str, **kwargs) -> dict:
    data = dialog_manager.dialog_data
    return {
        "kind": _(KIND_NAMES.get(data.get("kind"), KIND_NAMES["custom"])),
        "day": format_day(data["day"], locale) if data.get("day") else "—",
    }


def calendar_dialog() -> Dialog:
    back = SwitchTo(T("⬅️ Back"), id="to_list", state=QmsCalendar.list)
    return Dialog(
        Window(
            T(
                "<b>📅 QMS calendar</b>\n\n{lines}\n\nManagers are reminded 30, 7 and 1 days "
                "before and on the day."
            ),
            Choices("events", on_event, page=8),
            SwitchTo(T("➕ Add a date"), id="add", state=QmsCalendar.kind),
            CloseButton(),
            state=QmsCalendar.list,
            getter=listing,
        ),
        Window(
            Format("{text}"),
            Button(T("🗑 Delete"), id="delete", on_click=on_delete, when="own"),
            back,
            state=QmsCalendar.event,
            getter=event_view,
        ),
        Window(
            T("What is it?"),
            Choices("kinds", on_kind),
            back,
            state=QmsCalendar.kind,
            getter=kinds,
        ),
        Window(
            T("On which day?"),
            LocalCalendar(id="day", on_click=on_day),
            back,
            state=QmsCalendar.day,
        ),
        Window(
            T(
                "{kind} on {day}. Type a title (for example “Internal audit: warehouse”), or "
                "save it without one:"
            ),
            TextInput(id="title", on_success=on_title),
            Button(T("💾 Save without a title"), id="untitled", on_click=on_no_title),
            back,
            state=QmsCalendar.title,
            getter=title_prompt,
        ),
    )


def calendar_router() -> Router:
    """The buttons under reminders and the digest (private chats; managers only)."""
    router = Router(name="calendar")
    router.message.filter(in_private)
    router.callback_query.filter(in_private)

    @router.message(Command("calendar", ignore_case=True))
    async def calendar_command(message: Message, dialog_manager: DialogManager, db, user):
        orgs.require(db, user.id, "manager")  # others are told it is for managers
        await open_over(dialog_manager, QmsCalendar.list)

    @router.callback_query(OpenCalendar.filter())
    async def open_calendar(query: CallbackQuery, dialog_manager: DialogManager, db, user):
        orgs.require(db, user.id, "manager")  # NotAllowed is answered by the error handler
        await query.answer()
        await open_over(dialog_manager, QmsCalendar.list)

    @router.callback_query(DigestChart.filter())
    async def chart(query: CallbackQuery, callback_data: DigestChart, db, user) -> None:
        try:
            member = orgs.require(db, user.id, "manager")
        except NotAllowed:
            await query.answer(_("Only managers can see this."), show_alert=True)
            return
        await query.answer()
        from bot.services.charts import week_chart

        parts = digest_chart_parts(db, member.org_id, clock.now())
        png = await asyncio.to_thread(week_chart, *parts)
        await query.message.answer_photo(
            BufferedInputFile(png, "digest.png"), caption=_("Reports in the last 7 days")
        )

    return router
