"""After a report, and "My reports": what became of what I reported.

done: the reference, saved; told the managers ─▶ my reports · main menu
mine: each report with its reference, severity and status (newest first) ─▶ the report
"""

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Start, SwitchTo

from bot.services import nc
from bot.services.text import shorten
from dialogs.common import Choices, CloseButton, T
from dialogs.nc.labels import severity_name, status_name
from dialogs.states import Cases, Menu, Reports


async def saved(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    report = nc.visible(db, user.id, int(dialog_manager.start_data.get("nc", 0)))
    told, unreachable, owed = nc.notified(db, report.id)
    return {
        "reference": report.reference,
        "telling": told + unreachable < owed,
        "told": told > 0 and told + unreachable == owed,
        "nobody": owed == 0,
        "unreachable": unreachable,
        "some_unreachable": unreachable > 0,
    }


async def mine(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = nc.mine(db, user.id)
    return {
        "count": len(found),
        "any": bool(found),
        "none": not found,
        "reports": [
            (
                r.id,
                f"{r.reference} · {severity_name(r.severity)} · {status_name(r.status)} · "
                f"{shorten(r.description, 40)}",
            )
            for r in found
        ],
    }


async def on_report(callback: CallbackQuery, widget, manager: DialogManager, nc_id: str):
    if nc_id.isdigit():
        await manager.start(Cases.case, data={"nc": int(nc_id)})  # visibility checked there


def reports_dialog() -> Dialog:
    return Dialog(
        Window(
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
            SwitchTo(T("📋 My reports"), id="to_mine", state=Reports.mine),
            Start(T("🏠 Main menu"), id="menu", state=Menu.main, mode=StartMode.RESET_STACK),
            state=Reports.done,
            getter=saved,
        ),
        Window(
            T("<b>📋 My reports</b>: {count}\nTap one to see its photos and history.", when="any"),
            T("<b>📋 My reports</b>\n\nYou have not reported anything yet.", when="none"),
            Choices("reports", on_report, page=8),
            CloseButton(),
            state=Reports.mine,
            getter=mine,
        ),
    )
