"""Main menu and help.

/start or /menu → main menu: Organization · Library · Settings · Help. Every capability
hangs off this menu; later features add their buttons here. /help opens the help screen
on top of whatever the user was doing; Back returns there.
"""

from aiogram.enums import ContentType
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, LaunchMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Start
from aiogram_dialog.widgets.text import Const, Multi

from bot import clock
from bot.services import nc, orgs
from dialogs.common import CloseButton, T, esc, role_name
from dialogs.nc.offer import offer_report
from dialogs.states import (
    Cases,
    Help,
    Library,
    Menu,
    Organization,
    Practice,
    Preferences,
    Readiness,
    Report,
    Reports,
    Roadmap,
)


async def greeting(dialog_manager: DialogManager, db, user=None, **kwargs) -> dict:
    found = orgs.membership(db, user.id) if user else None
    pressing = 0
    if found:
        today = clock.today(orgs.organization(db, user.id)["timezone"])
        pressing = nc.pressing(db, user.id, today)
    return {
        "pressing": pressing,
        "has_pressing": pressing > 0,
        "no_pressing": pressing == 0,
        "name": esc(user.first_name) if user and user.first_name else "",
        "member": found is not None,
        "org": esc(found.org_name) if found else "",
        "role": role_name(found.role) if found else "",
        "is_manager": found is not None and found.role in ("manager", "admin"),
    }


async def on_menu_message(message: Message, widget, manager: DialogManager) -> None:
    """A photo or text sent on the menu: probably a problem to report."""
    if not await offer_report(message, manager):
        await message.answer(_("Please use the buttons, or send /menu for the main menu."))


def menu_dialog() -> Dialog:
    return Dialog(
        Window(
            Multi(
                T(
                    "<b>CertReady</b> — your assistant for ISO 9001 certification.\n\n"
                    "Hello, {name}!"
                ),
                T("Your role at <b>{org}</b>: {role}.", when="member"),
                T(
                    "Learn the ISO 9000 family and the clauses of ISO 9001, and get your company "
                    "ready for the audit step by step.\n\nWhat would you like to do?"
                ),
                sep="\n\n",
            ),
            Start(T("⚠️ Report a problem"), id="report", state=Report.photos),
            Start(T("📋 My tasks"), id="mine", state=Reports.mine, when="no_pressing"),
            Start(
                T("📋 My tasks ({pressing} due)"),
                id="mine_due",
                state=Reports.mine,
                when="has_pressing",
            ),
            Start(T("🗂 Reports to handle"), id="cases", state=Cases.list, when="is_manager"),
            Start(T("🎯 Readiness"), id="readiness", state=Readiness.home),
            Start(T("🗺 Roadmap"), id="roadmap", state=Roadmap.steps),
            Start(T("🎓 Practice"), id="practice", state=Practice.home),
            Start(T("🏭 Organization"), id="organization", state=Organization.overview),
            Start(T("📚 Library"), id="library", state=Library.home),
            Start(T("⚙️ Settings"), id="settings", state=Preferences.main),
            Start(T("❓ Help"), id="help", state=Help.main),
            MessageInput(on_menu_message, content_types=[ContentType.ANY]),
            state=Menu.main,
            getter=greeting,
        ),
        launch_mode=LaunchMode.ROOT,
    )


def help_dialog() -> Dialog:
    return Dialog(
        Window(
            T(
                "<b>Help</b>\n\n"
                "Use the buttons under each message, or these commands:\n"
                "/menu — main menu\n"
                "/report — report a problem, with photos\n"
                "/mytasks — your actions and what became of your reports\n"
                "/practice — ten quiz questions; /leaderboard — who knows most\n"
                "/tip — a quality tip now\n"
                "/readiness — how ready are you for the certification audit?\n"
                "/roadmap — the steps to the certificate\n"
                "/objectives — quality objectives and their values\n"
                "/audits — internal audits: the programme and yours to carry out\n"
                "/org — your organization: members, invites, areas and teams\n"
                "Managers: /reports, /invite, /calendar, /training, /review\n"
                "/library — the ISO 9000 family, the principles and the clause map\n"
                "/search — search the library, in English or Chinese\n"
                "/language — switch between English and Chinese\n"
                "/settings — language, time zone and daily tips\n"
                "/help — this screen\n\n"
                "In a group chat, a manager links the group with /link, then chooses what it "
                "gets: /reports, /tips, /digest, and team quizzes with /quiz.\n\n"
                "If a button stops working, send /menu."
            ),
            Const(""),
            T(
                "<b>Privacy</b>\n"
                "CertReady stores your Telegram name and username, your language and time "
                "zone, your organization and role, and what you enter. /mydata sends you a "
                "copy of it; /deleteme erases it. Reports you file stay with your organization "
                "as its quality records, without your name."
            ),
            CloseButton(),
            state=Help.main,
        ),
    )
