"""My organization: who I am in it, and for managers the way to its people and places.

overview ─▶ members · invite people · areas and teams   (managers and admins)
         ├▶ settings: name, time zone, default language        (admins)
         └▶ leave ─▶ confirm        (the last admin is asked to hand over first)
Someone in no organization is offered to join one with a code or create one.
"""

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Start, SwitchTo

from bot.config import LANGUAGES
from bot.i18n import LANGUAGE_NAMES
from bot.services import orgs, preferences
from bot.services.preferences import zone_label
from dialogs.common import Choices, CloseButton, T, esc, name_problem, role_name
from dialogs.home.settings import unknown_zone, zone_choices
from dialogs.states import (
    Announcements,
    Audits,
    Invites,
    Members,
    Menu,
    Objectives,
    Onboarding,
    Organization,
    Places,
    QmsCalendar,
    Reviews,
    Training,
)


async def overview(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = orgs.membership(db, user.id)
    if found is None:
        return {"member": False, "outsider": True, "is_manager": False, "is_admin": False}
    areas = len(orgs.places(db, user.id, "areas"))
    teams = len(orgs.places(db, user.id, "teams"))
    return {
        "member": True,
        "outsider": False,
        "is_manager": found.role in ("manager", "admin"),
        "is_admin": found.role == "admin",
        "org": esc(found.org_name),
        "role": role_name(found.role),
        "team": esc(found.team_name or "—"),
        "members": orgs.member_count(db, user.id),
        "areas": areas,
        "teams": teams,
    }


async def org_settings(dialog_manager: DialogManager, db, user, locale: str, **kwargs) -> dict:
    orgs.require(db, user.id, "admin")
    org = orgs.organization(db, user.id)
    current = org["language"]
    return {
        "org": esc(org["name"]),
        "timezone": zone_label(org["timezone"], locale),
        "language": LANGUAGE_NAMES[current],
        "languages": [
            (lang, ("✅ " if lang == current else "") + LANGUAGE_NAMES[lang]) for lang in LANGUAGES
        ],
    }


async def on_rename(message: Message, widget, manager: DialogManager, typed: str) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if orgs.rename(db, user.id, typed):
        await manager.switch_to(Organization.settings)
    else:
        await message.answer(name_problem(typed))


async def on_org_language(callback: CallbackQuery, widget, manager: DialogManager, lang: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    orgs.set_org_language(db, user.id, lang)


async def zones(dialog_manager: DialogManager, db, user, locale: str, **kwargs) -> dict:
    current = orgs.organization(db, user.id)["timezone"]
    return {"zones": zone_choices(locale, current), "timezone": zone_label(current, locale)}


async def on_org_zone(callback: CallbackQuery, widget, manager: DialogManager, zone: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if zone in preferences.COMMON_TIMEZONES and orgs.set_org_timezone(db, user.id, zone):
        await manager.switch_to(Organization.settings)


async def on_org_timezone(message: Message, widget, manager: DialogManager, typed: str) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if orgs.set_org_timezone(db, user.id, typed):
        await manager.switch_to(Organization.settings)
    else:
        await message.answer(unknown_zone(typed))


async def leaving(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = orgs.membership(db, user.id)
    alone = found is not None and orgs.member_count(db, user.id) == 1
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
            Start(
                T("📣 Announcements"), id="announce", state=Announcements.list, when="is_manager"
            ),
            Start(T("📅 QMS calendar"), id="calendar", state=QmsCalendar.list, when="is_manager"),
            Start(T("🎓 Training"), id="training", state=Training.overview, when="is_manager"),
            Start(
                T("🎯 Quality objectives"), id="objectives", state=Objectives.list, when="member"
            ),
            Start(T("📋 Internal audits"), id="audits", state=Audits.list, when="member"),
            Start(T("🧭 Management review"), id="reviews", state=Reviews.list, when="is_manager"),
            SwitchTo(
                T("⚙️ Organization settings"),
                id="to_settings",
                state=Organization.settings,
                when="is_admin",
            ),
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
                "<b>⚙️ {org}</b>\n\nTime zone: {timezone} (reminders follow it)\n"
                "Default language: {language} (linked group chats start with it)"
            ),
            Choices("languages", on_org_language),
            SwitchTo(T("✏️ Rename"), id="to_rename", state=Organization.rename),
            SwitchTo(T("🕒 Time zone"), id="to_org_tz", state=Organization.timezone),
            SwitchTo(T("⬅️ Back"), id="settings_back", state=Organization.overview),
            state=Organization.settings,
            getter=org_settings,
        ),
        Window(
            T("Type the organization's new name (2 to 64 characters):"),
            TextInput(id="new_name", on_success=on_rename),
            SwitchTo(T("⬅️ Back"), id="rename_back", state=Organization.settings),
            state=Organization.rename,
        ),
        Window(
            T(
                "The organization's time zone: {timezone}. Pick another one, or type a city or "
                "an offset (for example Shanghai or UTC+8):"
            ),
            Choices("zones", on_org_zone),
            TextInput(id="org_tz", on_success=on_org_timezone),
            SwitchTo(T("⬅️ Back"), id="tz_back", state=Organization.settings),
            state=Organization.timezone,
            getter=zones,
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
