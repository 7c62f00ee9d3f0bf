"""All dialog states in one place: dialogs start each other, so no import cycles."""

from aiogram.fsm.state import State, StatesGroup


class Menu(StatesGroup):
    main = State()


class Help(StatesGroup):
    main = State()


class Preferences(StatesGroup):
    main = State()
    language = State()
    timezone = State()


class Library(StatesGroup):
    home = State()
    section = State()
    article = State()
    clause = State()
    search = State()
    results = State()
