"""Commands, and what happens to input no dialog took."""

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode

from dialogs.states import Help, Library, Menu, Preferences


def commands_router() -> Router:
    router = Router(name="commands")

    @router.message(CommandStart())
    @router.message(Command("menu"))
    async def menu(message: Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(Menu.main, mode=StartMode.RESET_STACK)

    # The rest open on top of whatever the user was doing: Back returns there, nothing is lost.
    @router.message(Command("help"))
    async def help_(message: Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(Help.main, show_mode=ShowMode.SEND)

    @router.message(Command("settings"))
    async def settings(message: Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(Preferences.main, show_mode=ShowMode.SEND)

    @router.message(Command("language"))
    async def language(message: Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(
            Preferences.language, data={"return_after": "language"}, show_mode=ShowMode.SEND
        )

    @router.message(Command("library"))
    async def library(message: Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(Library.home, show_mode=ShowMode.SEND)

    @router.message(Command("search"))
    async def search(message: Message, command: CommandObject, dialog_manager: DialogManager):
        if command.args:
            await dialog_manager.start(
                Library.results, data={"query": command.args[:200]}, show_mode=ShowMode.SEND
            )
        else:
            await dialog_manager.start(Library.search, show_mode=ShowMode.SEND)

    return router


def fallback_router() -> Router:
    """Last in line: input that no dialog and no command wanted."""
    router = Router(name="fallback")

    @router.message(F.text.startswith("/"))
    async def unknown_command(message: Message) -> None:
        await message.answer(_("I don't know that command. Send /help to see what I can do."))

    @router.message()
    async def stray_message(message: Message, dialog_manager: DialogManager) -> None:
        await message.answer(_("Please use the buttons, or send /menu for the main menu."))
        if dialog_manager.has_context():
            await dialog_manager.show(ShowMode.SEND)  # bring the current screen back into view

    @router.callback_query()
    async def unknown_button(callback: CallbackQuery) -> None:
        await callback.answer(_("This button is no longer active. Send /menu to start again."))

    return router
