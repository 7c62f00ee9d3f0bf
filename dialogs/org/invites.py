"""Invite people, for managers and admins: a link and a QR code per role (and team).

list of open invites ─▶ invite: link, uses, expiry · QR code PNG · withdraw
new invite ─▶ role (admins may also invite admins) ─▶ team (if there are teams) ─▶ invite
Workers join by opening the link or scanning the code: one tap.
"""

from datetime import datetime

from aiogram import Bot
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, SwitchTo

from bot.db import orgs as org_records
from bot.i18n import format_moment
from bot.qr import qr_png
from bot.services import orgs
from dialogs.common import Choices, CloseButton, T, esc, role_name
from dialogs.states import Invites


async def invite_link(bot: Bot, code: str) -> str:
    me = await bot.me()
    return f"https://t.me/{me.username}?start={code}"


def _label(db, invite, locale: str) -> str:
    team = org_records.team_name(db, invite.org_id, invite.team_id)
    who = role_name(invite.role) + (f" · {team}" if team else "")
    return f"🔗 {who} · {invite.uses}/{invite.max_uses}"


async def listing(dialog_manager: DialogManager, db, user, locale: str, **kwargs) -> dict:
    invites = orgs.open_invites(db, user.id)  # NotAllowed unless a manager
    return {
        "count": len(invites),
        "invites": [(i.code, _label(db, i, locale)) for i in invites],
    }


async def roles(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    actor = orgs.require(db, user.id, "manager")
    allowed = orgs.ROLES if actor.role == "admin" else orgs.ROLES[:2]
    return {"roles": [(role, role_name(role)) for role in allowed]}


async def teams(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    orgs.require(db, user.id, "manager")
    return {"teams": [(0, _("Whole organization")), *orgs.places(db, user.id, "teams")]}


async def shown(dialog_manager: DialogManager, db, user, bot, locale, timezone, **kwargs) -> dict:
    code = dialog_manager.dialog_data.get("code", "")
    invite = next((i for i in orgs.open_invites(db, user.id) if i.code == code), None)
    if invite is None:
        return {"open": False, "closed": True}
    team = org_records.team_name(db, invite.org_id, invite.team_id)
    return {
        "open": True,
        "closed": False,
        "role": role_name(invite.role),
        "team": esc(team or _("whole organization")),
        "link": esc(await invite_link(bot, invite.code)),
        "uses": invite.uses,
        "max_uses": invite.max_uses,
        "until": format_moment(datetime.fromisoformat(invite.expires_at), locale, timezone),
    }


async def on_invite(callback: CallbackQuery, widget, manager: DialogManager, code: str):
    manager.dialog_data["code"] = code
    await manager.switch_to(Invites.invite)


async def on_role(callback: CallbackQuery, widget, manager: DialogManager, role: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if role not in orgs.ROLES:
        return
    manager.dialog_data["role"] = role
    if orgs.places(db, user.id, "teams"):
        await manager.switch_to(Invites.team)
    else:
        await _create(manager, None)


async def on_team(callback: CallbackQuery, widget, manager: DialogManager, team_id: str):
    await _create(manager, int(team_id) if team_id.isdigit() and team_id != "0" else None)


async def _create(manager: DialogManager, team_id: int | None) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    invite = orgs.create_invite(db, user.id, manager.dialog_data.get("role", ""), team_id)
    manager.dialog_data["code"] = invite.code
    await manager.switch_to(Invites.invite)


async def on_qr(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user, bot = (manager.middleware_data[k] for k in ("db", "user", "bot"))
    code = manager.dialog_data.get("code", "")
    invite = next((i for i in orgs.open_invites(db, user.id) if i.code == code), None)
    if invite is None:
        return
    found = orgs.membership(db, user.id)
    link = await invite_link(bot, code)
    caption = _("Scan to join {org} on CertReady (role: {role}).").format(
        org=esc(found.org_name), role=role_name(invite.role)
    )
    await bot.send_document(
        callback.message.chat.id,
        BufferedInputFile(qr_png(link), filename="certready-invite.png"),
        caption=f"{caption}\n{esc(link)}",
    )
    manager.show_mode = ShowMode.SEND  # keep the screen under the picture


async def on_revoke(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if orgs.revoke_invite(db, user.id, manager.dialog_data.get("code", "")):
        await callback.message.answer(
            _("The invite is withdrawn: its link and QR code no longer work.")
        )
    await manager.switch_to(Invites.list)


def invites_dialog() -> Dialog:
    return Dialog(
        Window(
            T(
                "<b>🔗 Invite people</b>\n\nOpen invites: {count}. Each one is a link and a QR "
                "code for one role; people join by opening or scanning it."
            ),
            Choices("invites", on_invite, page=8),
            SwitchTo(T("➕ New invite"), id="new", state=Invites.role),
            CloseButton(),
            state=Invites.list,
            getter=listing,
        ),
        Window(
            T("Who is this invite for?"),
            Choices("roles", on_role),
            SwitchTo(T("⬅️ Back"), id="role_back", state=Invites.list),
            state=Invites.role,
            getter=roles,
        ),
        Window(
            T("For which team?"),
            Choices("teams", on_team, page=10),
            SwitchTo(T("⬅️ Back"), id="team_back", state=Invites.role),
            state=Invites.team,
            getter=teams,
        ),
        Window(
            T(
                "<b>Invite: {role}</b> · {team}\n\n{link}\n\nUsed {uses} of {max_uses} times · "
                "valid until {until}.\n\nSend the link in a chat, or print the QR code and hang "
                "it where people work.",
                when="open",
            ),
            T("This invite is no longer open.", when="closed"),
            Button(T("🖨 QR code to print"), id="qr", on_click=on_qr, when="open"),
            Button(T("⛔ Withdraw"), id="revoke", on_click=on_revoke, when="open"),
            SwitchTo(T("⬅️ Back"), id="invite_back", state=Invites.list),
            state=Invites.invite,
            getter=shown,
        ),
    )
