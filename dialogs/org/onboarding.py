"""Joining CertReady: first start, invite codes and links, creating an organization.

first /start ─▶ language (pre-selected from Telegram) ─▶ choice:
   ├ join with a code ─▶ code ─▶ welcome           (a member elsewhere: ─▶ switch ─▶ welcome)
   ├ create an organization ─▶ name ─▶ welcome (as its admin)
   └ explore on my own ─▶ main menu
An invite link (/start <code>) or QR code skips to welcome in one tap, or to switch.
"""

from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Button, SwitchTo

from bot.config import LANGUAGES
from bot.i18n import LANGUAGE_NAMES
from bot.services import orgs, people, preferences
from bot.services.orgs import JoinCheck
from dialogs.common import Choices, T, close, esc, name_problem, role_name
from dialogs.nc.offer import offer_report
from dialogs.states import Menu, Onboarding


def join_problem(check: JoinCheck | str) -> str | None:
    """What to tell someone whose code did not get them in; None if it did."""
    status = check if isinstance(check, str) else check.status
    messages = {
        "unknown": _(
            "I don't know that invite code. Check it with your manager, or ask for a new one."
        ),
        "expired": _("This invite has expired. Ask your manager for a new one."),
        "used_up": _(
            "This invite has been used as many times as allowed. Ask your manager for a new one."
        ),
        "revoked": _("This invite was withdrawn. Ask your manager for a new one."),
        "hand_over_first": _(
            "You are the last admin of your organization: make someone else "
            "admin (🏭 Organization → Members) before you leave it."
        ),
    }
    if status == "already_member":
        return _("You are already a member of {org}.").format(org=esc(check.org_name))
    return messages.get(status)


async def languages(dialog_manager: DialogManager, locale: str, **kwargs) -> dict:
    mark = {lang: "✅ " if lang == locale else "" for lang in LANGUAGES}
    return {"languages": [(lang, mark[lang] + LANGUAGE_NAMES[lang]) for lang in LANGUAGES]}


async def switching(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    check = orgs.check_invite(db, user.id, dialog_manager.dialog_data.get("code", ""))
    current = orgs.membership(db, user.id)
    return {
        "current": esc(current.org_name) if current else "",
        "new": esc(check.org_name),
        "role": role_name(check.invite.role) if check.invite else "",
        "alone": orgs.alone(db, user.id),
    }


async def welcome(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = orgs.membership(db, user.id)
    return {
        "org": esc(found.org_name) if found else "",
        "role": role_name(found.role) if found else "",
        "created": found is not None and dialog_manager.dialog_data.get("created", False),
        "joined": found is not None and not dialog_manager.dialog_data.get("created", False),
        "gone": found is None,
    }


async def on_start(start_data: dict | None, manager: DialogManager) -> None:
    manager.dialog_data.update(start_data or {})


async def on_language(callback: CallbackQuery, widget, manager: DialogManager, lang: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if preferences.choose_language(db, user.id, lang):
        manager.middleware_data["i18n"].current_locale = lang
        manager.middleware_data["locale"] = lang
        await manager.switch_to(Onboarding.choice)


async def on_welcome_message(message: Message, widget, manager: DialogManager) -> None:
    """A photo or a few words sent right after joining: as on the menu, offer to report it."""
    if not await offer_report(message, manager):
        await message.answer(_("Please use the buttons, or send /menu for the main menu."))


async def on_explore(callback: CallbackQuery, button, manager: DialogManager) -> None:
    people.mark_onboarded(manager.middleware_data["db"], manager.middleware_data["user"].id)
    await manager.start(Menu.main, mode=StartMode.RESET_STACK)


async def on_code(message: Message, widget, manager: DialogManager, typed: str) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    code = orgs.invite_code(typed)
    await try_join(manager, message, orgs.join(db, user.id, code), code)


async def open_join(manager: DialogManager, message: Message, code: str) -> None:
    """An invite link, QR code or code typed anywhere: join in one tap, or confirm leaving
    another organization; a problem is said and whatever was open stays open."""
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    result = orgs.join(db, user.id, code)
    if isinstance(result, JoinCheck) and result.status == "switch":
        await manager.start(Onboarding.switch, data={"code": code}, mode=StartMode.RESET_STACK)
    elif problem := join_problem(result):
        await message.answer(problem)
        if not manager.has_context():
            await manager.start(Menu.main, mode=StartMode.RESET_STACK)
    else:
        people.mark_onboarded(db, user.id)
        await manager.start(Onboarding.welcome, data={"created": False}, mode=StartMode.RESET_STACK)


async def try_join(manager: DialogManager, message: Message, result, code: str) -> None:
    """Show the outcome of a join attempt: welcome, the switch question, or the problem."""
    if isinstance(result, JoinCheck) and result.status == "switch":
        manager.dialog_data["code"] = code
        await manager.switch_to(Onboarding.switch)
    elif problem := join_problem(result):
        await message.answer(problem)
    else:
        people.mark_onboarded(manager.middleware_data["db"], manager.middleware_data["user"].id)
        manager.dialog_data["created"] = False
        await manager.switch_to(Onboarding.welcome)


async def on_switch(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    code = manager.dialog_data.get("code", "")
    await try_join(manager, callback.message, orgs.join(db, user.id, code, switch=True), code)


async def on_name(message: Message, widget, manager: DialogManager, typed: str) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    name = orgs.clean_name(typed)
    if name is None:
        await message.answer(name_problem(typed))
        return
    created = orgs.create_organization(
        db, user.id, name, manager.middleware_data["timezone"], manager.middleware_data["locale"]
    )
    if created is None:
        await message.answer(join_problem("hand_over_first"))
        return
    people.mark_onboarded(db, user.id)
    manager.dialog_data["created"] = True
    await manager.switch_to(Onboarding.welcome)


async def on_continue(callback: CallbackQuery, button, manager: DialogManager) -> None:
    await manager.start(Menu.main, mode=StartMode.RESET_STACK)


def onboarding_dialog() -> Dialog:
    to_menu = Button(T("✖️ Not now"), id="not_now", on_click=close)
    return Dialog(
        Window(
            T("<b>Welcome to CertReady!</b>\n\nWhich language do you prefer?"),
            Choices("languages", on_language),
            state=Onboarding.language,
            getter=languages,
        ),
        Window(
            T(
                "How will you use CertReady?\n\n"
                "• <b>Join my company</b> if your manager gave you an invite code or link.\n"
                "• <b>Create an organization</b> to prepare your company for ISO 9001 and "
                "invite your team.\n"
                "• <b>Explore on my own</b> to read the library first; you can join or "
                "create an organization later."
            ),
            SwitchTo(T("🔑 Join my company"), id="to_code", state=Onboarding.code),
            SwitchTo(T("🏭 Create an organization"), id="to_name", state=Onboarding.name),
            Button(T("🧭 Explore on my own"), id="explore", on_click=on_explore),
            state=Onboarding.choice,
        ),
        Window(
            T(
                "Type or paste the invite code from your manager.\n\n"
                "Tip: opening the invite link or scanning its QR code joins in one tap."
            ),
            TextInput(id="code", on_success=on_code),
            to_menu,
            state=Onboarding.code,
        ),
        Window(
            T("What is your organization called? (2 to 64 characters)"),
            TextInput(id="org_name", on_success=on_name),
            to_menu,
            state=Onboarding.name,
        ),
        Window(
            T(
                "You are a member of <b>{current}</b>. "
                "Join <b>{new}</b> instead (role: {role})?\n\nYou will leave {current}."
            ),
            T("You are its only member: leaving closes {current} for good.", when="alone"),
            Button(T("✅ Yes, switch"), id="switch", on_click=on_switch),
            Button(T("✖️ No, stay"), id="stay", on_click=on_continue),
            state=Onboarding.switch,
            getter=switching,
        ),
        Window(
            T("🎉 Welcome to <b>{org}</b>! Your role: {role}.", when="joined"),
            T(
                "🎉 <b>{org}</b> is ready, and you are its admin.\n\n"
                "Next: invite your team from 🏭 Organization → Invite people. Workers can "
                "join by scanning a QR code.",
                when="created",
            ),
            T("You are not in an organization at the moment.", when="gone"),
            Button(T("Continue ➡️"), id="continue", on_click=on_continue),
            MessageInput(on_welcome_message, content_types=[ContentType.ANY]),
            state=Onboarding.welcome,
            getter=welcome,
        ),
        on_start=on_start,
    )
