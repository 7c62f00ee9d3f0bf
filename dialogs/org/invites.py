"""Invite people, for managers and admins: a link, a code and a printable sheet per invite.

list of open invites ─▶ invite: code, link, uses, expiry · sheet to print · withdraw
new invite ─▶ who and how long (workers: 14 days, 90 days or until withdrawn; one manager or
admin: 3 days) ─▶ team (if there are teams) ─▶ invite
Workers join by opening the link, scanning the sheet's QR code or typing its code (any case,
with or without dashes): one tap, or one message.
"""

import asyncio
from datetime import datetime

from aiogram import Bot
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, SwitchTo

from bot.i18n import N_, format_moment
from bot.qr import invite_sheet
from bot.services import orgs
from dialogs.common import Choices, CloseButton, T, esc, role_name
from dialogs.states import Invites

# Who an invite is for and how long it works, in one tap. A sheet on a wall outlives two
# weeks; an invite that hands over power does not hang on a wall (see orgs.INVITE_TERMS).
KINDS = {
    "worker-14d": ("worker", "14d", N_("Workers · 14 days")),
    "worker-90d": ("worker", "90d", N_("Workers · 90 days")),
    "worker-withdrawn": ("worker", "withdrawn", N_("Workers · until withdrawn")),
    "manager": ("manager", "14d", N_("One manager · 3 days")),
    "admin": ("admin", "14d", N_("One admin · 3 days")),
}


async def invite_link(bot: Bot, code: str) -> str:
    me = await bot.me()
    return f"https://t.me/{me.username}?start={orgs.grouped(code)}"


def _card(db, user, code: str) -> orgs.InviteCard | None:
    return next((c for c in orgs.invite_cards(db, user.id) if c.invite.code == code), None)


def _validity(invite, locale: str, timezone: str) -> str:
    if orgs.until_withdrawn(invite):
        return _("valid until withdrawn")
    moment = format_moment(datetime.fromisoformat(invite.expires_at), locale, timezone)
    return _("valid until {moment}").format(moment=moment)


def _label(card: orgs.InviteCard) -> str:
    invite = card.invite
    who = role_name(invite.role) + (f" · {card.team_name}" if card.team_name else "")
    return f"🔗 {who} · {orgs.grouped(invite.code)} · {invite.uses}/{invite.max_uses}"


async def listing(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    cards = orgs.invite_cards(db, user.id)  # NotAllowed unless a manager
    return {"count": len(cards), "invites": [(c.invite.code, _label(c)) for c in cards]}


async def kinds(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    actor = orgs.require(db, user.id, "manager")
    allowed = orgs.ROLES if actor.role == "admin" else orgs.ROLES[:2]
    shown_kinds = [(kind, _(label)) for kind, (role, _t, label) in KINDS.items() if role in allowed]
    return {"kinds": shown_kinds}


async def teams(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    orgs.require(db, user.id, "manager")
    return {"teams": [(0, _("Whole organization")), *orgs.places(db, user.id, "teams")]}


async def shown(dialog_manager: DialogManager, db, user, bot, locale, timezone, **kwargs) -> dict:
    card = _card(db, user, dialog_manager.dialog_data.get("code", ""))
    if card is None:
        return {"open": False, "closed": True}
    invite = card.invite
    return {
        "open": True,
        "closed": False,
        "role": role_name(invite.role),
        "team": esc(card.team_name or _("whole organization")),
        "code": orgs.grouped(invite.code),
        "link": esc(await invite_link(bot, invite.code)),
        "uses": invite.uses,
        "max_uses": invite.max_uses,
        "validity": _validity(invite, locale, timezone),
    }


async def on_invite(callback: CallbackQuery, widget, manager: DialogManager, code: str):
    manager.dialog_data["code"] = code
    await manager.switch_to(Invites.invite)


async def on_kind(callback: CallbackQuery, widget, manager: DialogManager, kind: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if kind not in KINDS:
        return
    manager.dialog_data["kind"] = kind
    if orgs.places(db, user.id, "teams"):
        await manager.switch_to(Invites.team)
    else:
        await _create(manager, None)


async def on_team(callback: CallbackQuery, widget, manager: DialogManager, team_id: str):
    await _create(manager, int(team_id) if team_id.isdigit() and team_id != "0" else None)


async def _create(manager: DialogManager, team_id: int | None) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    role, term, _name = KINDS.get(manager.dialog_data.get("kind", ""), ("", "14d", ""))
    invite = orgs.create_invite(db, user.id, role, team_id, term=term)
    manager.dialog_data["code"] = invite.code
    await manager.switch_to(Invites.invite)


def sheet_text(card: orgs.InviteCard, bot_username: str) -> tuple[str, list[str], str, str]:
    """What the printed sheet says under its QR code, in the current locale: the heading (the
    organization), the details (role, team, expiry in the organization's time zone), the code
    and how to use it."""
    invite = card.invite
    code = orgs.grouped(invite.code)
    details = [_("Role: {role}").format(role=role_name(invite.role))]
    if card.team_name:
        details.append(_("Team: {team}").format(team=card.team_name))
    if orgs.until_withdrawn(invite):
        details.append(_("Valid until withdrawn"))
    else:
        expires = datetime.fromisoformat(invite.expires_at)
        moment = format_moment(expires, card.org_language, card.org_timezone, zone=False)
        details.append(_("Valid until {moment}").format(moment=moment))
    note = _("Scan with Telegram, or open t.me/{bot} and send /start {code}").format(
        bot=bot_username, code=code
    )
    return card.org_name, details, code, note


async def on_sheet(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user, bot, i18n = (manager.middleware_data[k] for k in ("db", "user", "bot", "i18n"))
    card = _card(db, user, manager.dialog_data.get("code", ""))
    if card is None:
        return
    link = await invite_link(bot, card.invite.code)
    with i18n.use_locale(card.org_language):  # the sheet speaks the organization's language
        heading, details, code, note = sheet_text(card, (await bot.me()).username)
    png, _drawn = await asyncio.to_thread(invite_sheet, link, heading, details, code, note)
    caption = _("Scan to join {org} on CertReady (role: {role}).").format(
        org=esc(card.org_name), role=role_name(card.invite.role)
    )
    await bot.send_document(
        callback.message.chat.id,
        BufferedInputFile(png, filename=f"certready-invite-{code}.png"),
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
            T(
                "Who is this invite for?\n\nMany workers can join with one invite. A sheet on a "
                "wall outlives two weeks: for one, pick 90 days or until withdrawn. An invite "
                "for a manager or an admin is for one person and works for 3 days."
            ),
            Choices("kinds", on_kind),
            SwitchTo(T("⬅️ Back"), id="role_back", state=Invites.list),
            state=Invites.role,
            getter=kinds,
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
                "<b>Invite: {role}</b> · {team}\n\nCode: <code>{code}</code>\n{link}\n\n"
                "Used {uses} of {max_uses} times · {validity}.\n\nSend the link in a chat, or "
                "print the sheet and hang it where people work. The code can also be typed: "
                "capitals, spaces and dashes do not matter.",
                when="open",
            ),
            T("This invite is no longer open.", when="closed"),
            Button(T("🖨 QR code to print"), id="qr", on_click=on_sheet, when="open"),
            Button(T("⛔ Withdraw"), id="revoke", on_click=on_revoke, when="open"),
            SwitchTo(T("⬅️ Back"), id="invite_back", state=Invites.list),
            state=Invites.invite,
            getter=shown,
        ),
    )
