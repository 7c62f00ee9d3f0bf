"""Members, for managers and admins: who is in the organization, their roles and teams.

list ─▶ member: make worker / manager / admin · team ─▶ pick a team · remove ─▶ confirm
Every change goes through the organization rules, which check the caller again: the
buttons shown are a convenience, not the permission.
"""

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo

from bot.services import orgs
from dialogs.common import Choices, CloseButton, T, esc, role_name
from dialogs.states import Members

ROLE_MARK = {"admin": "👑", "manager": "🧭", "worker": "👷"}


def _target(manager: DialogManager) -> int:
    return int(manager.dialog_data.get("member", 0))


async def listing(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    people = orgs.members(db, user.id)  # NotAllowed unless a manager
    return {
        "count": len(people),
        "people": [
            (p.user_id, f"{ROLE_MARK[p.role]} {p.name or '—'} · {role_name(p.role)}")
            for p in people
        ],
    }


async def one(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    actor = orgs.require(db, user.id, "manager")
    target = orgs.member(db, user.id, _target(dialog_manager))
    may = orgs.can_manage(actor, target) and target.user_id != user.id
    return {
        "name": esc(target.name or "—"),
        "username": f" (@{esc(target.username)})" if target.username else "",
        "role": role_name(target.role),
        "team": esc(target.team_name or "—"),
        "to_worker": may and target.role != "worker",
        "to_manager": may and target.role != "manager",
        "to_admin": may and actor.role == "admin" and target.role != "admin",
        "may": may,
    }


async def team_choice(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    orgs.require(db, user.id, "manager")
    teams = orgs.places(db, user.id, "teams")
    return {"teams": [(0, _("No team")), *teams]}


async def removal(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    target = orgs.member(db, user.id, _target(dialog_manager))
    return {"name": esc(target.name or "—")}


async def on_member(callback: CallbackQuery, widget, manager: DialogManager, member_id: str):
    if member_id.isdigit():
        manager.dialog_data["member"] = int(member_id)
        await manager.switch_to(Members.member)


def make(role: str):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        db, user = manager.middleware_data["db"], manager.middleware_data["user"]
        if orgs.change_role(db, user.id, _target(manager), role) == "last_admin":
            await callback.answer(
                _("An organization needs an admin: make someone else admin first."), show_alert=True
            )

    return on_click


async def on_team(callback: CallbackQuery, widget, manager: DialogManager, team_id: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    chosen = int(team_id) if team_id.isdigit() and team_id != "0" else None
    orgs.set_member_team(db, user.id, _target(manager), chosen)
    await manager.switch_to(Members.member)


async def on_remove(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if orgs.remove_member(db, user.id, _target(manager)) == "last_admin":
        await callback.answer(
            _("An organization needs an admin: make someone else admin first."), show_alert=True
        )
        await manager.switch_to(Members.member)
        return
    await manager.switch_to(Members.list)


def members_dialog() -> Dialog:
    return Dialog(
        Window(
            T("<b>👥 Members</b> ({count})\n\nTap someone to change their role or team."),
            Choices("people", on_member, page=10),
            CloseButton(),
            state=Members.list,
            getter=listing,
        ),
        Window(
            T("<b>{name}</b>{username}\n\nRole: {role}\nTeam: {team}"),
            Row(
                Button(T("👷 Make worker"), id="worker", on_click=make("worker"), when="to_worker"),
                Button(
                    T("🧭 Make manager"), id="manager", on_click=make("manager"), when="to_manager"
                ),
                Button(T("👑 Make admin"), id="admin", on_click=make("admin"), when="to_admin"),
            ),
            SwitchTo(T("👥 Team"), id="to_team", state=Members.team, when="may"),
            SwitchTo(
                T("🗑 Remove from the organization"),
                id="to_remove",
                state=Members.remove,
                when="may",
            ),
            SwitchTo(T("⬅️ Back"), id="to_list", state=Members.list),
            state=Members.member,
            getter=one,
        ),
        Window(
            T("Which team?"),
            Choices("teams", on_team, page=10),
            SwitchTo(T("⬅️ Back"), id="team_back", state=Members.member),
            state=Members.team,
            getter=team_choice,
        ),
        Window(
            T(
                "Remove <b>{name}</b> from the organization? They can join again only with a new "
                "invite."
            ),
            Button(T("🗑 Yes, remove"), id="remove", on_click=on_remove),
            SwitchTo(T("✖️ No"), id="keep", state=Members.member),
            state=Members.remove,
            getter=removal,
        ),
    )
