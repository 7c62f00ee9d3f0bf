"""My organization: who I am in it, and for managers the way to its people and places.

overview ─▶ members · invite people · areas and teams   (managers and admins)
         └▶ leave ─▶ confirm        (the last admin is asked to hand over first)
Someone in no organization is offered to join one with a code or create one.
"""

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Button, Start, SwitchTo

from bot.db import orgs as org_records
from bot.services import orgs
from dialogs.common import CloseButton, T, esc, role_name
from dialogs.states import Invites, Members, Menu, Onboarding, Organization, Places


async def overview(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = orgs.membership(db, user.id)
    if found is None:
        return {"member": False, "outsider": True, "is_manager": False}
    areas = [name for _id, name in orgs.places(db, user.id, "areas")]
    teams = [name for _id, name in orgs.places(db, user.id, "teams")]
    return {
        "member": True,
        "outsider": False,
        "is_manager": found.role in ("manager", "admin"),
        "org": esc(found.org_name),
        "role": role_name(found.role),
        "team": esc(found.team_name or "—"),
        "members": org_records.count_members(db, found.org_id),
        "areas": esc(", ".join(areas) or "—"),
        "teams": esc(", ".join(teams) or "—"),
    }


async def leaving(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = orgs.membership(db, user.id)
    alone = found is not None and org_records.count_members(db, found.org_id) == 1
    return {"org": esc(found.org_name) if found else "", "alone": alone, "others": not alone}


async def on_leave(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    found = orgs.membership(db, user.id)
    result = orgs.leave(db, user.id)
    name = esc(found.org_name) if found else ""
    if result == "hand_over_first":
        await callback.message.answer(
            _("You are the last admin of {org}: make someone else admin in Members first.").format(
                org=name
            )
        )
        await manager.switch_to(Organization.overview)
        return
    if result == "dissolved":
        await callback.message.answer(
            _("You were its only member: {org} is closed.").format(org=name)
        )
    elif result == "left":
        await callback.message.answer(_("You have left {org}.").format(org=name))
    await manager.start(Menu.main, mode=StartMode.RESET_STACK)


def organization_dialog() -> Dialog:
    return Dialog(
        Window(
            T(
                "<b>🏭 {org}</b>\n\nYour role: {role}\nYour team: {team}\nMembers: {members}\n"
                "Areas: {areas}\nTeams: {teams}",
                when="member",
            ),
            T(
                "You are not in an organization yet.\n\nJoin your company with the invite code "
                "or link your manager gave you, or create an organization and invite your team.",
                when="outsider",
            ),
            Start(T("👥 Members"), id="members", state=Members.list, when="is_manager"),
            Start(T("🔗 Invite people"), id="invites", state=Invites.list, when="is_manager"),
            Start(T("📍 Areas and teams"), id="places", state=Places.overview, when="is_manager"),
            Start(T("🔑 Join with a code"), id="join", state=Onboarding.code, when="outsider"),
            Start(
                T("🏭 Create an organization"), id="create", state=Onboarding.name, when="outsider"
            ),
            SwitchTo(
                T("🚪 Leave the organization"),
                id="to_leave",
                state=Organization.leave,
                when="member",
            ),
            CloseButton(),
            state=Organization.overview,
            getter=overview,
        ),
        Window(
            T(
                "Leave <b>{org}</b>? You will no longer see its work or get its messages.",
                when="others",
            ),
            T("You are the only member of <b>{org}</b>: leaving closes it for good.", when="alone"),
            Button(T("🚪 Yes, leave"), id="leave", on_click=on_leave),
            SwitchTo(T("✖️ No, stay"), id="stay", state=Organization.overview),
            state=Organization.leave,
            getter=leaving,
        ),
    )
