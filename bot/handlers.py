"""Commands, and what happens to input no dialog took. Private chats only, for now."""

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.services import library
from dialogs.common import query_too_long
from dialogs.states import Help, Library, Menu, Preferences

# Screens one only reads: commands may close them to make room; forms are never closed.
BROWSING = (Help, Library, Preferences)
MAX_DEPTH = 5


async def open_over(manager: DialogManager, state: State, data: dict | None = None) -> None:
    """Open ``state`` on top of what the user is doing; Back returns there.

    Commands typed again and again must not pile up dialogs (aiogram-dialog allows
    100): past a few levels the browsing screens on top are closed first. Forms are kept.
    """
    if manager.has_context() and len(manager.current_stack().intents) >= MAX_DEPTH:
        while manager.has_context() and manager.current_context().state.group in BROWSING:
            await manager.done(show_mode=ShowMode.NO_UPDATE)
    await manager.start(state, data=data, show_mode=ShowMode.SEND)


def commands_router() -> Router:
    router = Router(name="commands")
    router.message.filter(F.chat.type == ChatType.PRIVATE)

    @router.message(CommandStart())
    @router.message(Command("menu"))
    async def menu(message: Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(Menu.main, mode=StartMode.RESET_STACK)

    @router.message(Command("help"))
    async def help_(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Help.main)

    @router.message(Command("settings"))
    async def settings(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Preferences.main)

    @router.message(Command("language"))
    async def language(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Preferences.language, {"return_after": "language"})

    @router.message(Command("library"))
    async def library_(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Library.home)

    @router.message(Command("search"))
    async def search(message: Message, command: CommandObject, dialog_manager: DialogManager):
        query, problem = library.parse_query(command.args or "")
        if problem == "too_long":
            await message.answer(query_too_long())
        if query and not problem:
            await open_over(dialog_manager, Library.results, {"query": query})
        else:
            await open_over(dialog_manager, Library.search)

    # Last: a command none of the above knows, even while a dialog is open.
    @router.message(F.text.startswith("/"))
    async def unknown_command(message: Message) -> None:
        await message.answer(_("I don't know that command. Send /help to see what I can do."))

    return router


def fallback_router() -> Router:
    """Last in line: input that no dialog and no command wanted."""
    router = Router(name="fallback")
    router.message.filter(F.chat.type == ChatType.PRIVATE)

    @router.message()
    async def stray_message(message: Message) -> None:
        await message.answer(_("Please use the buttons, or send /menu for the main menu."))

    @router.callback_query()
    async def unknown_button(callback: CallbackQuery) -> None:
        await callback.answer(_("This button is no longer active. Send /menu to start again."))

    return router
