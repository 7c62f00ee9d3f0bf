"""A photo or a few words sent on the main menu (or with nothing open): "Report this as a
problem?"

ask ─▶ yes: the report form, with that photo or text already filled in · no: the main menu
"""

from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button

from bot.services import nc, orgs
from dialogs.common import T
from dialogs.states import Menu, Report, ReportOffer


async def offer_report(message: Message, manager: DialogManager) -> bool:
    """Offer to report what a member sent; False if it is not theirs to report."""
    db, user = manager.middleware_data["db"], manager.middleware_data.get("user")
    if not (user and orgs.membership(db, user.id) and (message.photo or message.text)):
        return False
    offered: dict = {}
    if message.photo:
        best = message.photo[-1]
        offered["photos"] = [[best.file_id, best.file_unique_id]]
    description, problem = nc.clean_description(message.text or message.caption or "")
    if not problem:
        offered["description"] = description
    await manager.start(ReportOffer.ask, data=offered)
    return True


async def on_start(start_data: dict | None, manager: DialogManager) -> None:
    manager.dialog_data.update(start_data or {})


async def on_more(message: Message, widget, manager: DialogManager) -> None:
    """The rest of an album arrives while the question is on screen: keep it."""
    if message.photo:
        best = message.photo[-1]
        photos = manager.dialog_data.setdefault("photos", [])
        if [best.file_id, best.file_unique_id] not in photos:
            photos.append([best.file_id, best.file_unique_id])


async def on_yes(callback: CallbackQuery, button, manager: DialogManager) -> None:
    offered = dict(manager.dialog_data)
    # Text already given: on to the area; a photo alone: more photos may follow.
    first = Report.area if offered.get("description") else Report.photos
    await manager.start(first, data=offered, mode=StartMode.RESET_STACK)


async def on_no(callback: CallbackQuery, button, manager: DialogManager) -> None:
    await manager.start(Menu.main, mode=StartMode.RESET_STACK)


def report_offer_dialog() -> Dialog:
    return Dialog(
        Window(
            T("Report this as a problem?"),
            Button(T("⚠️ Yes, report it"), id="yes", on_click=on_yes),
            Button(T("✖️ No"), id="no", on_click=on_no),
            MessageInput(on_more, content_types=[ContentType.PHOTO]),
            state=ReportOffer.ask,
        ),
        on_start=on_start,
    )
