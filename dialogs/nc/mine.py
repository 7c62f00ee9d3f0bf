"""After a report, and "My tasks": what needs me now, and what became of what I reported.

done: the reference, saved; told the managers ─▶ my tasks · main menu (a window of the report
      form too: the form becomes this screen in one saved step, see ``saved_window``)
mine ("My tasks"): my overdue and due actions first, then my other actions, reports assigned
      to me, and what I reported (in progress, then finished) ─▶ the report, with its steps
"""

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Start

from bot import clock
from bot.i18n import format_day
from bot.services import nc, orgs
from bot.services.text import shorten
from dialogs.common import Choices, CloseButton, T
from dialogs.nc.labels import status_name
from dialogs.states import Cases, Menu, Reports


async def saved(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    started = dialog_manager.start_data or {}
    report = nc.visible(
        db, user.id, int(dialog_manager.dialog_data.get("nc", started.get("nc", 0)))
    )
    told, unreachable, owed = nc.notified(db, report.id)
    return {
        "reference": report.reference,
        "telling": told + unreachable < owed,
        "told": told > 0 and told + unreachable == owed,
        "nobody": owed == 0,
        "unreachable": unreachable,
        "some_unreachable": unreachable > 0,
    }


NEED_ICON = {
    "overdue": "🔴",
    "due_soon": "⏰",
    "action": "🛠",
    "assigned": "👤",
    "reported": "📝",
    "finished": "✔️",
}


def need_label(task: nc.Task, locale: str) -> str:
    due = format_day(task.report.due_date, locale) if task.report.due_date else ""
    status = status_name(task.report.status)
    return {
        "overdue": lambda: _("your action, overdue since {due}").format(due=due),
        "due_soon": lambda: _("your action, due {due}").format(due=due),
        "action": lambda: _("your action, due {due}").format(due=due),
        "assigned": lambda: _("assigned to you · {status}").format(status=status),
        "reported": lambda: _("you reported it · {status}").format(status=status),
        "finished": lambda: status,
    }[task.need]()


def need_headings() -> dict[str, str]:
    return {
        "overdue": _("Overdue"),
        "due_soon": _("Due within two days"),
        "action": _("Your corrective actions"),
        "assigned": _("Assigned to you"),
        "reported": _("Reported by you, in progress"),
        "finished": _("Reported by you, finished"),
    }


async def mine(dialog_manager: DialogManager, db, user, locale, **kwargs) -> dict:
    """My tasks: what needs me now first — overdue and due actions, then my other actions,
    reports assigned to me, and what I reported."""
    member = orgs.membership(db, user.id)
    today = clock.today(orgs.organization(db, user.id)["timezone"]) if member else None
    found = nc.tasks(db, user.id, today) if member else []
    headings = need_headings()
    counts = [(need, sum(t.need == need for t in found)) for need in nc.NEEDS]
    summary = "\n".join(
        NEED_ICON[need] + " " + _("{heading}: {count}").format(heading=headings[need], count=count)
        for need, count in counts
        if count
    )
    return {
        "outsider": member is None,
        "any": bool(found),
        "none": member is not None and not found,
        "summary": summary,
        "tasks": [
            (
                t.report.id,
                f"{NEED_ICON[t.need]} {t.report.reference} · {need_label(t, locale)} · "
                f"{shorten(t.report.description, 30)}",
            )
            for t in found
        ],
    }


async def on_report(callback: CallbackQuery, widget, manager: DialogManager, nc_id: str):
    if nc_id.isdigit():
        await manager.start(Cases.case, data={"nc": int(nc_id)})  # visibility checked there


def saved_window(state) -> Window:
    """ "Saved as NC-…": the screen a submitted report becomes. Both buttons leave the form
    behind for good (a new stack)."""
    return Window(
        T("✅ Saved as <b>{reference}</b>."),
        T(
            "Your managers are being notified; you will hear what becomes of it.",
            when="telling",
        ),
        T("Your managers have been notified; you will hear what becomes of it.", when="told"),
        T(
            "{unreachable} manager(s) could not be reached: they may have blocked the bot.",
            when="some_unreachable",
        ),
        T(
            "There is no other manager in your organization to notify: you will find it "
            "under /reports.",
            when="nobody",
        ),
        Start(T("📋 My tasks"), id="to_mine", state=Reports.mine, mode=StartMode.RESET_STACK),
        Start(T("🏠 Main menu"), id="menu", state=Menu.main, mode=StartMode.RESET_STACK),
        state=state,
        getter=saved,
    )


def reports_dialog() -> Dialog:
    return Dialog(
        saved_window(Reports.done),  # as stored by versions before the form had it
        Window(
            T("<b>📋 My tasks</b>\n\n{summary}\n\nTap one to open it.", when="any"),
            T(
                "<b>📋 My tasks</b>\n\nNothing for you right now: reports you write, actions "
                "you own and reports assigned to you will show here.",
                when="none",
            ),
            T(
                "<b>📋 My tasks</b>\n\nYour tasks are your organization's reports and actions: "
                "join or create an organization first (🏭 Organization).",
                when="outsider",
            ),
            Choices("tasks", on_report, page=8),
            CloseButton(),
            state=Reports.mine,
            getter=mine,
        ),
    )
