"""After a report, and "My reports": what became of what I reported.

done: the reference, saved; told the managers ─▶ my reports · main menu
mine: each report with its reference, severity and status (newest first)
"""

from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Start, SwitchTo

from bot.i18n import format_moment
from bot.services import nc
from dialogs.common import CloseButton, T, esc
from dialogs.nc_labels import severity_name, status_name
from dialogs.states import Menu, Reports


async def saved(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    report = nc.visible(db, user.id, int(dialog_manager.start_data.get("nc", 0)))
    told, owed = nc.notified(db, report.id)
    return {
        "reference": report.reference,
        "telling": told < owed,
        "told": owed > 0 and told == owed,
        "nobody": owed == 0,
    }


async def mine(dialog_manager: DialogManager, db, user, locale, timezone, **kwargs) -> dict:
    from datetime import datetime

    lines = []
    for report in nc.mine(db, user.id)[:30]:
        when = format_moment(datetime.fromisoformat(report.created_at), locale, timezone)
        lines.append(
            f"<b>{report.reference}</b> · {severity_name(report.severity)} · "
            f"{status_name(report.status)}\n{esc(report.description[:80])} · {when}"
        )
    return {"reports": "\n\n".join(lines), "any": bool(lines), "none": not lines}


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
            T("<b>📋 My reports</b>\n\n{reports}", when="any"),
            T("<b>📋 My reports</b>\n\nYou have not reported anything yet.", when="none"),
            CloseButton(),
            state=Reports.mine,
            getter=mine,
        ),
    )
