"""Quality objectives (ISO 9001 6.2): the organization's list with each one's latest value
against its target; an objective's page with its values and a trend chart; setting one up
(managers); entering a period's value (its owner, or a manager — the bot asks the owner at
the start of each period).

list ─▶ objective ─▶ ✏️ value · 📈 trend
     └▶ ➕ title ─▶ target ─▶ unit ─▶ higher/lower ─▶ owner ─▶ rhythm ─▶ due date
"""

import asyncio
from datetime import date

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.filters import in_private
from bot.i18n import N_, format_day
from bot.outbox import renders
from bot.services import objectives, orgs, people, text
from bot.services.orgs import NotAllowed
from bot.services.people import User
from dialogs.calendar import LocalCalendar, org_today, refuse_past
from dialogs.common import (
    Choices,
    CloseButton,
    RowId,
    T,
    choose,
    current_locale,
    esc,
    member_choices,
    open_over,
)
from dialogs.states import Objectives

EVERY_NAMES = {"week": N_("every week"), "month": N_("every month"), "quarter": N_("every quarter")}
BETTER_NAMES = {"higher": N_("higher is better"), "lower": N_("lower is better")}
SHOWN = 30


class EnterValue(CallbackData, prefix="objv"):
    objective: RowId
    period: str


def _data(manager: DialogManager):
    return manager.middleware_data["db"], manager.middleware_data["user"]


def _target(found: objectives.Objective) -> str:
    sign = "≥" if found.better == "higher" else "≤"
    return f"{sign} {found.target:g} {esc(found.unit)}".strip()


def _latest(db, found: objectives.Objective) -> str:
    known = objectives.values(db, found.id)
    if not known:
        return _("no value yet")
    period, value = known[-1]
    mark = "✅" if objectives.met(found, value) else "⚠️"
    return f"{mark} {value:g} {esc(found.unit)} ({period})"


async def listing(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = objectives.of_org(db, user.id)
    member = orgs.membership(db, user.id)
    lines = [
        "• "
        + _("{title}: {latest} · target {target}").format(
            title=esc(text.shorten(o.title, 50)), latest=_latest(db, o), target=_target(o)
        )
        for o in found[:SHOWN]
    ]
    return {
        "lines": "\n".join(lines) or _("No objectives yet."),
        "objectives": [(str(o.id), text.shorten(o.title, 40)) for o in found[:SHOWN]],
        "is_manager": member.role in ("manager", "admin"),
    }


async def on_objective(callback: CallbackQuery, widget, manager: DialogManager, item: str):
    if item.isdecimal() and item.isascii():
        manager.dialog_data["objective"] = int(item)
        await manager.switch_to(Objectives.objective)


def _chosen(manager: DialogManager) -> objectives.Objective:
    db, user = _data(manager)
    return objectives.visible(db, user.id, int(manager.dialog_data.get("objective", 0)))


async def page(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = _chosen(dialog_manager)
    known = objectives.values(db, found.id)[-12:]
    lines = [
        f"<b>{esc(found.title)}</b>",
        _("Target: {target} ({better})").format(
            target=_target(found), better=_(BETTER_NAMES[found.better])
        ),
        _("Owner: {owner} · measured {every} · due {due}").format(
            owner=esc(people.name(db, found.owner_id)),
            every=_(EVERY_NAMES[found.every]),
            due=format_day(found.due_date, current_locale()),
        ),
        "",
    ]
    lines += [
        ("✅ " if objectives.met(found, v) else "⚠️ ")
        + _("{period}: {value}").format(period=p, value=f"{v:g} {esc(found.unit)}".strip())
        for p, v in known
    ] or [_("No value yet.")]
    member = orgs.membership(db, user.id)
    return {
        "body": "\n".join(lines),
        "may_enter": objectives.may_enter(db, user.id, found),
        "has_values": bool(known),
        "may_close": member is not None and member.role in ("manager", "admin"),
    }


async def on_close(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    db, user = _data(manager)
    objectives.close(db, user.id, _chosen(manager).id)
    await manager.switch_to(Objectives.list)


async def on_enter(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    found = _chosen(manager)
    manager.dialog_data["period"] = objectives.last_period(org_today(manager), found.every)
    await manager.switch_to(Objectives.value)


async def value_prompt(dialog_manager: DialogManager, **kwargs) -> dict:
    found = _chosen(dialog_manager)
    return {
        "title": esc(found.title),
        "period": dialog_manager.dialog_data.get("period", ""),
        "target": _target(found),
    }


async def _number(message: Message, typed: str) -> float | None:
    """The number typed, or None after telling the person how to type one."""
    value = objectives.parse_number(typed)
    if value is None:
        await message.answer(
            _("“{typed}” is not a number. Type it like 98.5").format(typed=esc(typed[:40]))
        )
    return value


async def on_value(message: Message, widget, manager: DialogManager, typed: str) -> None:
    value = await _number(message, typed)
    if value is None:
        return
    db, user = _data(manager)
    objectives.enter(db, user.id, _chosen(manager).id, manager.dialog_data["period"], value)
    await manager.switch_to(Objectives.objective)


async def on_trend(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    from bot.services.charts import trend_chart

    db, _user = _data(manager)
    found = _chosen(manager)
    known = objectives.values(db, found.id)[-24:]
    png = await asyncio.to_thread(
        trend_chart,
        found.title,
        [p for p, _v in known],
        [v for _p, v in known],
        found.target,
        _("target {target}").format(target=f"{found.target:g} {found.unit}"),
    )
    await manager.middleware_data["bot"].send_photo(
        callback.message.chat.id,
        BufferedInputFile(png, "objective.png"),
        caption=found.title,
        parse_mode=None,
    )
    manager.show_mode = ShowMode.SEND


# ----- setting one up ------------------------------------------------------------------------
async def on_title(message: Message, widget, manager: DialogManager, typed: str) -> None:
    title = text.clean_line(typed)
    if not 2 <= len(title) <= objectives.MAX_TITLE:
        await message.answer(
            _("Please name the objective in 2 to {n} characters.").format(n=objectives.MAX_TITLE)
        )
        return
    manager.dialog_data["title"] = title
    await manager.switch_to(Objectives.target)


async def on_target(message: Message, widget, manager: DialogManager, typed: str) -> None:
    value = await _number(message, typed)
    if value is None:
        return
    manager.dialog_data["target"] = value
    await manager.switch_to(Objectives.unit)


async def on_unit(message: Message, widget, manager: DialogManager, typed: str) -> None:
    manager.dialog_data["unit"] = text.clean_line(typed)[: objectives.MAX_UNIT]
    await manager.switch_to(Objectives.better)


async def on_owner(callback: CallbackQuery, widget, manager: DialogManager, item: str) -> None:
    if item.isdecimal() and item.isascii():
        manager.dialog_data["owner"] = int(item)
        await manager.switch_to(Objectives.every)


async def on_due(callback: CallbackQuery, widget, manager: DialogManager, chosen: date) -> None:
    if await refuse_past(callback, manager, chosen):
        return
    db, user = _data(manager)
    data = manager.dialog_data
    try:
        found = objectives.add(
            db,
            user.id,
            data.get("title", ""),
            float(data.get("target", 0)),
            data.get("unit", ""),
            data.get("better", ""),
            int(data.get("owner", 0)),
            chosen,
            data.get("every", ""),
            org_today(manager),
        )
    except (ValueError, NotAllowed):
        await callback.answer(
            _("This objective could not be saved: please start again."), show_alert=True
        )
        await manager.switch_to(Objectives.list)
        return
    data["objective"] = found.id
    await manager.switch_to(Objectives.objective)


async def on_start(start_data: dict | None, manager: DialogManager) -> None:
    """Opened from the owner's question: straight to the value of that period."""
    if start_data and "objective" in start_data:
        manager.dialog_data["objective"] = int(start_data["objective"])
        manager.dialog_data["period"] = str(start_data.get("period", ""))


def objectives_dialog() -> Dialog:
    back = SwitchTo(T("⬅️ Back"), id="to_list", state=Objectives.list)
    return Dialog(
        Window(
            T("<b>🎯 Quality objectives</b>\n\n{lines}"),
            Choices("objectives", on_objective, page=8),
            SwitchTo(T("➕ New objective"), id="add", state=Objectives.title, when="is_manager"),
            CloseButton(),
            state=Objectives.list,
            getter=listing,
        ),
        Window(
            Format("{body}"),
            Button(T("✏️ Enter a value"), id="enter", on_click=on_enter, when="may_enter"),
            Button(T("📈 Trend"), id="trend", on_click=on_trend, when="has_values"),
            Button(T("🗄 Close this objective"), id="close_it", on_click=on_close, when="may_close"),
            back,
            state=Objectives.objective,
            getter=page,
        ),
        Window(
            T("What is measured? e.g. “On-time delivery” or “Scrap rate at the presses”:"),
            TextInput(id="title", on_success=on_title),
            back,
            state=Objectives.title,
        ),
        Window(
            T("The target, as a number (e.g. 98.5):"),
            TextInput(id="target", on_success=on_target),
            back,
            state=Objectives.target,
        ),
        Window(
            T("In what unit? e.g. %, ppm, days, pieces:"),
            TextInput(id="unit", on_success=on_unit),
            back,
            state=Objectives.unit,
        ),
        Window(
            T("Which way is better?"),
            Button(
                T("⬆️ Higher is better"),
                id="higher",
                on_click=choose("better", "higher", Objectives.owner),
            ),
            Button(
                T("⬇️ Lower is better"),
                id="lower",
                on_click=choose("better", "lower", Objectives.owner),
            ),
            back,
            state=Objectives.better,
        ),
        Window(
            T("Who measures it and enters the value?"),
            Choices("owners", on_owner, page=10),
            back,
            state=Objectives.owner,
            getter=member_choices,
        ),
        Window(
            T("How often is it measured?"),
            Button(T("Every week"), id="week", on_click=choose("every", "week", Objectives.due)),
            Button(T("Every month"), id="month", on_click=choose("every", "month", Objectives.due)),
            Button(
                T("Every quarter"),
                id="quarter",
                on_click=choose("every", "quarter", Objectives.due),
            ),
            back,
            state=Objectives.every,
        ),
        Window(
            T("By when should the target be reached?"),
            LocalCalendar(id="due", on_click=on_due),
            back,
            state=Objectives.due,
        ),
        Window(
            T("{title}: the value for {period} (target {target}):"),
            TextInput(id="value", on_success=on_value),
            SwitchTo(T("⬅️ Back"), id="value_back", state=Objectives.objective),
            state=Objectives.value,
            getter=value_prompt,
        ),
        on_start=on_start,
    )


@renders("objective.value")
def value_question(db, person: User | None, params: dict):
    if person is None:
        return None
    try:
        found = objectives.visible(db, person.id, int(params.get("objective", 0)))
    except NotAllowed:
        return None
    period = str(params.get("period", ""))
    if not objectives.may_enter(db, person.id, found) or period in dict(
        objectives.values(db, found.id)
    ):
        return None  # entered meanwhile, or no longer theirs
    message = _("🎯 <b>{title}</b>: what was the value for {period}? Target {target}.").format(
        title=esc(found.title), period=period, target=_target(found)
    )
    button = InlineKeyboardButton(
        text=_("✏️ Enter the value"),
        callback_data=EnterValue(objective=found.id, period=period).pack(),
    )
    return message, InlineKeyboardMarkup(inline_keyboard=[[button]])


def objectives_router() -> Router:
    router = Router(name="objectives")
    router.callback_query.filter(in_private)

    @router.callback_query(EnterValue.filter())
    async def enter_value(
        query: CallbackQuery, callback_data: EnterValue, dialog_manager: DialogManager, db, user
    ) -> None:
        found = objectives.visible(db, user.id, callback_data.objective)  # else: answered
        if not objectives.may_enter(db, user.id, found) or not objectives.PERIOD.match(
            callback_data.period
        ):
            raise NotAllowed(f"user {user.id} may not enter objective {found.id}")
        await query.answer()
        data = {"objective": found.id, "period": callback_data.period}
        await open_over(dialog_manager, Objectives.value, data)

    return router
