"""Widgets and helpers shared by the dialogs."""

import html
from operator import itemgetter
from typing import Annotated

from aiogram.fsm.state import State
from aiogram.utils.i18n import get_i18n, gettext
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.widgets.kbd import Button, Column, Keyboard, ScrollingGroup, Select
from aiogram_dialog.widgets.text import Format, Text
from pydantic import Field

from bot.i18n import N_
from bot.services import orgs, text
from bot.services.library import MAX_QUERY
from bot.services.orgs import NAME_LENGTH
from dialogs.states import (
    Announcements,
    Audits,
    Cases,
    Help,
    Invites,
    Library,
    Members,
    Menu,
    Objectives,
    Organization,
    Places,
    Practice,
    Preferences,
    QmsCalendar,
    Readiness,
    ReadinessTeam,
    Report,
    Reports,
    Reviews,
    Roadmap,
    TipSettings,
    Training,
)

# A row id in callback data: only what SQLite can hold, so crafted data ("nc:99999999999999999999")
# matches no button of ours rather than failing in the query.
RowId = Annotated[int, Field(ge=0, lt=2**63)]


class T(Text):
    """A UI string translated when it is rendered, with named placeholders from the getter.

    A placeholder the getter does not provide is a bug: it raises, and tests render every screen.
    """

    def __init__(self, msgid: str, when=None) -> None:
        super().__init__(when=when)
        self.msgid = msgid

    async def _render_text(self, data: dict, manager: DialogManager) -> str:
        return gettext(self.msgid).format_map(data)


def esc(text: str) -> str:
    """Content and user input shown inside an HTML message."""
    return html.escape(text, quote=False)


ROLE_NAMES = {"worker": N_("worker"), "manager": N_("manager"), "admin": N_("admin")}


def role_name(role: str) -> str:
    return gettext(ROLE_NAMES[role])


def name_problem(typed: str) -> str:
    """What is wrong with a name someone typed, with the numbers to fix it."""
    length = len(text.clean_line(typed))
    return gettext("Please give a name of {low} to {high} characters (that was {length}).").format(
        low=NAME_LENGTH[0], high=NAME_LENGTH[1], length=length
    )


def person_label(member) -> str:
    """A member as a picker shows them: two 王伟 on one line must still differ."""
    parts = [text.shorten(member.name or "—", 40)]
    if member.username:
        parts.append(f"@{member.username}")
    parts.append(role_name(member.role))
    if member.team_name:
        parts.append(text.shorten(member.team_name, 30))
    return " · ".join(parts)


def current_locale() -> str:
    """The language of the message being worded (a notice's recipient, the person tapping)."""
    return get_i18n().current_locale


def query_too_long() -> str:
    return gettext("That is too long to search for: please use at most {limit} characters.").format(
        limit=MAX_QUERY
    )


async def close(callback, button, manager: DialogManager) -> None:
    """Leave this dialog: back to the one beneath, or to the main menu if none."""
    if len(manager.current_stack().intents) > 1:
        await manager.done()
    else:
        await manager.start(Menu.main, mode=StartMode.RESET_STACK)


def Choices(id: str, on_click, page: int | None = None) -> Keyboard:
    """A button per ``(item_id, label)`` pair in the getter's list called ``id``, one a row;
    with ``page``, that many a page (the pager shows only when there is more than one page)."""

    async def fitting(callback, widget, manager: DialogManager, item_id: str) -> None:
        # Handlers read an item of digits as a row id: crafted data ("³", "٣", a number
        # too big for SQLite) is no item of ours, and changes nothing.
        if item_id.isdigit() and not (item_id.isascii() and int(item_id) < 2**63):
            return
        await on_click(callback, widget, manager, item_id)

    select = Select(
        Format("{item[1]}"), id=id, item_id_getter=itemgetter(0), items=id, on_click=fitting
    )
    if page is None:
        return Column(select)
    return ScrollingGroup(select, id=f"{id}_pages", width=1, height=page, hide_on_single_page=True)


def choose(key: str, value: str, then: State):
    """A button that records ``value`` under ``key`` in the dialog's data, then goes on."""

    async def on_click(callback, button, manager: DialogManager) -> None:
        manager.dialog_data[key] = value
        await manager.switch_to(then)

    return on_click


async def member_choices(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    """The organization's people to pick from (an owner), as ``owners`` (managers only)."""
    return {
        "owners": [
            (str(p.user_id), text.shorten(p.name, 40)) for p in orgs.members(db, user.id)[:90]
        ]
    }


def CloseButton(id: str = "close") -> Button:
    return Button(T("⬅️ Back"), id=id, on_click=close)


# Screens one only reads: commands may close them to make room; forms are never closed.
# (Readiness answers are saved as they are given, so its screens may close too.)
BROWSING = (
    Announcements,
    Audits,
    Objectives,
    Reviews,
    Help,
    Library,
    Preferences,
    Organization,
    Members,
    Invites,
    Places,
    Practice,
    QmsCalendar,
    Readiness,
    ReadinessTeam,
    Roadmap,
    Reports,
    Cases,
    TipSettings,
    Training,
)


def _read_only(state: State) -> bool:
    return state.group in BROWSING or state == Report.done  # a submitted report: nothing to keep


async def open_over(
    manager: DialogManager, state: State, data: dict | None = None, keep: bool = False
) -> None:
    """Open ``state`` on top of what the user is doing; Back returns there.

    Commands typed again and again never pile up dialogs: the browsing screens on top are
    closed first. Forms (a half-filled report) are kept, and Back returns to them.
    """
    # Screens one only reads are closed first: Back from the new screen then leads to the form
    # the person was filling in, if any, or to the menu — never to a stale screen.
    # Help (``keep``) is read on top of what one is doing, and Back returns there.
    while not keep and manager.has_context() and _read_only(manager.current_context().state):
        await manager.done(show_mode=ShowMode.NO_UPDATE)
    await manager.start(state, data=data, show_mode=ShowMode.SEND)
