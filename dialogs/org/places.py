"""Areas and teams, for managers: where work happens ("Line 3", "Warehouse") and who works
together. Reports name an area; invites and group chats can name a team.

overview ─▶ add an area / add a team: type its name ─▶ overview
         └▶ remove: tap one ─▶ overview
"""

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, SwitchTo

from bot.services import orgs, text
from dialogs.common import Choices, CloseButton, T, esc, name_problem
from dialogs.states import Places

KINDS = ("areas", "teams")


BUDGET = 1700  # characters of names per kind: both lists fit one message (4096) whatever
# the names; the rest are counted, and all of them are under "Remove…" and in the pickers


def _bullets(places: list[tuple[int, str]]) -> str:
    lines, used = [], 0
    for _id, name in places:
        size = text.units(name) + 3  # as Telegram counts: an emoji is two
        if used + size > BUDGET:
            lines.append(_("… and {count} more").format(count=len(places) - len(lines)))
            break
        lines.append(f"• {esc(name)}")
        used += size
    return "\n".join(lines) or "—"


async def overview(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    orgs.require(db, user.id, "manager")
    areas = orgs.places(db, user.id, "areas")
    teams = orgs.places(db, user.id, "teams")
    return {"areas": _bullets(areas), "teams": _bullets(teams), "any": bool(areas or teams)}


async def adding(dialog_manager: DialogManager, **kwargs) -> dict:
    kind = dialog_manager.dialog_data.get("kind")
    return {"area": kind == "areas", "team": kind == "teams"}


async def removable(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    orgs.require(db, user.id, "manager")
    return {
        "places": [(f"areas:{i}", f"📍 {name}") for i, name in orgs.places(db, user.id, "areas")]
        + [(f"teams:{i}", f"👥 {name}") for i, name in orgs.places(db, user.id, "teams")]
    }


def start_adding(kind: str):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        manager.dialog_data["kind"] = kind
        await manager.switch_to(Places.add)

    return on_click


async def on_name(message: Message, widget, manager: DialogManager, typed: str) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    kind = manager.dialog_data.get("kind")
    if kind not in KINDS:
        return
    problem = orgs.add_place(db, user.id, kind, typed)
    if problem == "bad_name":
        await message.answer(name_problem(typed))
    elif problem == "exists":
        await message.answer(_("There is one with that name already."))
    else:
        await manager.switch_to(Places.overview)


async def on_remove(callback: CallbackQuery, widget, manager: DialogManager, place: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    kind, _sep, place_id = place.partition(":")
    if kind in KINDS and place_id.isdigit():
        orgs.remove_place(db, user.id, kind, int(place_id))
    await manager.switch_to(Places.overview)


def places_dialog() -> Dialog:
    return Dialog(
        Window(
            T("<b>📍 Areas</b>\n{areas}\n\n<b>👥 Teams</b>\n{teams}"),
            Button(T("➕ Add an area"), id="add_area", on_click=start_adding("areas")),
            Button(T("➕ Add a team"), id="add_team", on_click=start_adding("teams")),
            SwitchTo(T("🗑 Remove…"), id="to_remove", state=Places.remove, when="any"),
            CloseButton(),
            state=Places.overview,
            getter=overview,
        ),
        Window(
            T("Type the name of the new area, for example “Line 3” or “Warehouse”:", when="area"),
            T("Type the name of the new team, for example “Night shift”:", when="team"),
            TextInput(id="place_name", on_success=on_name),
            SwitchTo(T("⬅️ Back"), id="add_back", state=Places.overview),
            state=Places.add,
            getter=adding,
        ),
        Window(
            T("Tap the area or team to remove."),
            Choices("places", on_remove, page=10),
            SwitchTo(T("⬅️ Back"), id="remove_back", state=Places.overview),
            state=Places.remove,
            getter=removable,
        ),
    )
