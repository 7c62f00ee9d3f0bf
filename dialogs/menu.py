"""Main menu and help.

/start or /menu → main menu: Library · Settings · Help. Every capability hangs
off this menu; later features add their buttons here. /help opens the help
screen on top of whatever the user was doing; Back returns there.
"""

from aiogram_dialog import Dialog, DialogManager, LaunchMode, Window
from aiogram_dialog.widgets.kbd import Start

from dialogs.common import CloseButton, T, esc
from dialogs.states import Help, Library, Menu, Preferences


async def greeting(dialog_manager: DialogManager, user=None, **kwargs) -> dict:
    return {"name": esc(user.first_name) if user and user.first_name else ""}


def menu_dialog() -> Dialog:
    return Dialog(
        Window(
            T(
                "<b>CertReady</b> — your assistant for ISO 9001 certification.\n\n"
                "Hello, {name}! Learn the ISO 9000 family and the clauses of ISO 9001, "
                "and get your company ready for the audit step by step.\n\n"
                "What would you like to do?"
            ),
            Start(T("📚 Library"), id="library", state=Library.home),
            Start(T("⚙️ Settings"), id="settings", state=Preferences.main),
            Start(T("❓ Help"), id="help", state=Help.main),
            state=Menu.main,
            getter=greeting,
        ),
        launch_mode=LaunchMode.ROOT,
    )


def help_dialog() -> Dialog:
    return Dialog(
        Window(
            T(
                "<b>Help</b>\n\n"
                "Use the buttons under each message, or these commands:\n"
                "/menu — main menu\n"
                "/library — the ISO 9000 family, the principles and the clause map\n"
                "/search — search the library, in English or Chinese\n"
                "/language — switch between English and Chinese\n"
                "/settings — language and time zone\n"
                "/help — this screen\n\n"
                "If a button stops working, send /menu: nothing you entered is lost."
            ),
            CloseButton(),
            state=Help.main,
        ),
    )
