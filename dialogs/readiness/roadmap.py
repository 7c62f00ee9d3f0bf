"""The certification roadmap: twelve steps from scope to recertification.

steps (✅ done · 🔄 in progress · ⬜ to do, with target dates) ─▶ step: what to do and why
   managers: set the status · set a target date ─▶ in 1/3/6/12 months, a typed date, or none
"""

from datetime import date, timedelta

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo
from babel.dates import format_date

from bot.services import orgs, roadmap
from dialogs.calendar import org_today
from dialogs.common import Choices, CloseButton, T, esc
from dialogs.states import Roadmap

ICONS = {"todo": "⬜", "doing": "🔄", "done": "✅"}
MONTHS = (1, 3, 6, 12)


def _date(value: date | None, locale: str) -> str:
    return format_date(value, "medium", locale=locale) if value else ""


async def listing(dialog_manager: DialogManager, db, user, locale, **kwargs) -> dict:
    found = orgs.membership(db, user.id)
    all_steps = roadmap.steps(db, user.id, locale)
    upcoming = roadmap.next_step(db, user.id, locale)
    labels = []
    for step in all_steps:
        when = f" · {_date(step.target_date, locale)}" if step.target_date else ""
        labels.append((step.id, f"{ICONS[step.status]} {step.number}. {step.title}{when}"))
    return {
        "steps": labels,
        "member": found is not None,
        "solo": found is None,
        "org": esc(found.org_name) if found else "",
        "done": sum(step.status == "done" for step in all_steps),
        "total": len(all_steps),
        "has_next": upcoming is not None,
        "next_step": f"{upcoming.number}. {esc(upcoming.title)}" if upcoming else "",
    }


async def one(dialog_manager: DialogManager, db, user, locale, **kwargs) -> dict:
    step = roadmap.step(db, user.id, dialog_manager.dialog_data.get("step", ""), locale)
    found = orgs.membership(db, user.id)
    statuses = {"todo": _("to do"), "doing": _("in progress"), "done": _("done")}
    return {
        "number": step.number,
        "title": esc(step.title),
        "body": esc(step.body),
        "clauses": ", ".join(step.clauses),
        "has_clauses": bool(step.clauses),
        "status": f"{ICONS[step.status]} {statuses[step.status]}",
        "target": _date(step.target_date, locale) or "—",
        "is_manager": found is not None and found.role in ("manager", "admin"),
    }


async def dates(dialog_manager: DialogManager, **kwargs) -> dict:
    labels = {1: _("In 1 month"), 3: _("In 3 months"), 6: _("In 6 months"), 12: _("In 12 months")}
    return {"months": [(months, labels[months]) for months in MONTHS]}


async def on_step(callback: CallbackQuery, widget, manager: DialogManager, step_id: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if roadmap.step(db, user.id, step_id, manager.middleware_data["locale"]) is None:
        return  # crafted data: there is no such step to show
    manager.dialog_data["step"] = step_id
    await manager.switch_to(Roadmap.step)


def set_status(status: str):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        db, user = manager.middleware_data["db"], manager.middleware_data["user"]
        roadmap.set_status(db, user.id, manager.dialog_data.get("step", ""), status)

    return on_click


async def on_months(callback: CallbackQuery, widget, manager: DialogManager, months: str):
    if months.isdigit() and int(months) in MONTHS:
        await _save(manager, org_today(manager) + timedelta(days=round(30.44 * int(months))))


async def on_typed(message: Message, widget, manager: DialogManager, typed: str) -> None:
    chosen = roadmap.parse_date(typed)
    if chosen is None:
        await message.answer(_("Please type a date like 2027-03-31."))
        return
    await _save(manager, chosen)


async def on_clear(callback: CallbackQuery, button, manager: DialogManager) -> None:
    await _save(manager, None)


async def _save(manager: DialogManager, target: date | None) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    roadmap.set_target(db, user.id, manager.dialog_data.get("step", ""), target)
    await manager.switch_to(Roadmap.step)


def roadmap_dialog() -> Dialog:
    return Dialog(
        Window(
            T("<b>🗺 Certification roadmap</b>"),
            T("{org}: {done} of {total} steps done.", when="member"),
            T(
                "Statuses and dates are kept for an organization: join or create one to track "
                "your progress.",
                when="solo",
            ),
            T("Next: {next_step}", when="has_next"),
            Choices("steps", on_step, page=12),
            CloseButton(),
            state=Roadmap.steps,
            getter=listing,
        ),
        Window(
            T("<b>{number}. {title}</b>\n\n{body}"),
            T("\nISO 9001: {clauses}", when="has_clauses"),
            T("\nStatus: {status}\nTarget date: {target}"),
            Row(
                Button(T("⬜ To do"), id="todo", on_click=set_status("todo")),
                Button(T("🔄 In progress"), id="doing", on_click=set_status("doing")),
                Button(T("✅ Done"), id="done", on_click=set_status("done")),
                when="is_manager",
            ),
            SwitchTo(T("📅 Target date"), id="to_date", state=Roadmap.date, when="is_manager"),
            SwitchTo(T("⬅️ Back"), id="step_back", state=Roadmap.steps),
            state=Roadmap.step,
            getter=one,
        ),
        Window(
            T("When should this step be done? Pick one, or type a date like 2027-03-31:"),
            Choices("months", on_months),
            Button(T("✖️ No target date"), id="clear", on_click=on_clear),
            TextInput(id="typed_date", on_success=on_typed),
            SwitchTo(T("⬅️ Back"), id="date_back", state=Roadmap.step),
            state=Roadmap.date,
            getter=dates,
        ),
    )
