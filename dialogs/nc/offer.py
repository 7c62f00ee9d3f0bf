"""A photo or a few words sent on the main menu (or with nothing open): "Report this as a
problem?"

ask ─▶ yes: the report form, with that photo or text already filled in · no: the main menu
Small talk is not a problem: 你好, "hi", 谢谢, "ok" or a sticker get a friendly line and the
main menu (or, in the middle of something else, that screen again): bot/services/intent.py.
"""

from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button

from bot.services import intent, nc, orgs
from dialogs.common import T
from dialogs.nc import evidence
from dialogs.states import Menu, Report, ReportOffer


async def offer_report(message: Message, manager: DialogManager) -> bool:
    """Answer what someone sent that no screen asked for: small talk gets the menu back, a
    member's photo or words that may describe a problem the offer to report it. False if
    neither (the caller asks to use the buttons)."""
    db, user = manager.middleware_data["db"], manager.middleware_data.get("user")
    member = bool(user and orgs.membership(db, user.id))
    talk = None
    if message.text is not None:
        talk = intent.small_talk(message.text)
    elif message.sticker:
        talk = "ack"
    if talk:
        await answer_small_talk(message, manager, talk, member)
        return True
    typed = (message.text or "").strip()
    if typed and len(typed) <= 80 and orgs.find_invite(db, typed):  # a code off a wall sheet
        from dialogs.org.onboarding import open_join  # onboarding offers reports too

        await open_join(manager, message, typed)
        return True
    piece = evidence.piece(message)  # a photo, a voice note, a video (not any file)
    media = piece is not None and piece[0] != "not_media"
    if not (member and (media or message.text)):
        return False
    offered: dict = {}
    if media:
        kind, item = piece
        offered["photos"] = [[item.file_id, item.file_unique_id, kind]]
    words = message.text or message.caption or ""
    description, problem = nc.clean_description(words)
    if not problem and not intent.small_talk(words):  # a photo captioned 你好 says nothing yet
        offered["description"] = description
    await manager.start(ReportOffer.ask, data=offered)
    return True


async def answer_small_talk(
    message: Message, manager: DialogManager, talk: intent.SmallTalk, member: bool
) -> None:
    """A friendly line, then the menu below it. A screen other than the menu (a form half
    filled in) is shown again instead, never closed."""
    elsewhere = manager.has_context() and manager.current_context().state.group is not Menu
    if talk == "thanks":
        await message.answer(_("😊 You're welcome!"))
    elif talk == "greeting" and member:
        await message.answer(
            _("👋 Good to see you! To report a problem, just send a photo or a few words about it.")
        )
    elif talk == "greeting":
        await message.answer(_("👋 Good to see you!"))
    elif not elsewhere:
        await message.answer(_("👌 Here is the menu."))
    if elsewhere:
        await manager.show(ShowMode.SEND)
    else:
        await manager.start(Menu.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


async def on_start(start_data: dict | None, manager: DialogManager) -> None:
    manager.dialog_data.update(start_data or {})


async def on_more(message: Message, widget, manager: DialogManager) -> None:
    """The rest of an album (or another recording) arrives while the question is on screen:
    keep it."""
    await evidence.take(message, manager)


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
            MessageInput(on_more, content_types=[ContentType.ANY]),
            state=ReportOffer.ask,
        ),
        on_start=on_start,
    )
