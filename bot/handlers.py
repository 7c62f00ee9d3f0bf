"""Commands, and what happens to input no dialog took. Private chats only, for now."""

from aiogram import F, Router
from aiogram.filters import (
    IS_MEMBER,
    IS_NOT_MEMBER,
    ChatMemberUpdatedFilter,
    Command,
    CommandObject,
    CommandStart,
)
from aiogram.types import BufferedInputFile, CallbackQuery, ChatMemberUpdated, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, StartMode
from babel.dates import format_timedelta

from bot import clock, group_quiz, outbox
from bot.filters import a_command, in_private
from bot.services import library, nc, orgs, people, privacy
from bot.services.orgs import JoinCheck
from dialogs.common import open_over, query_too_long
from dialogs.nc.notices import OpenReport
from dialogs.nc.offer import offer_report
from dialogs.org.onboarding import join_problem
from dialogs.states import (
    Audits,
    Cases,
    Help,
    Invites,
    Library,
    Menu,
    Objectives,
    Onboarding,
    Organization,
    Practice,
    Preferences,
    Privacy,
    Readiness,
    Report,
    Reports,
    Reviews,
    Roadmap,
    Training,
)

# Deep links a group's "Open CertReady" button uses; anything else after /start is an invite.
SCREEN_LINKS = {"report": Report.photos, "mytasks": Reports.mine, "menu": Menu.main}


async def start_here(manager: DialogManager, db, user) -> None:
    """A newcomer is welcomed and asked how they will use the bot; others get the menu."""
    if people.onboarded(db, user.id) or orgs.membership(db, user.id):
        await manager.start(Menu.main, mode=StartMode.RESET_STACK)
    else:
        await manager.start(Onboarding.language, mode=StartMode.RESET_STACK)


def commands_router() -> Router:
    router = Router(name="commands")
    router.message.filter(in_private)
    # Commands as people type them: /START and /Menu too. A mention (/menu@certready_bot) is
    # accepted when it names this bot; aiogram's Command checks it against getMe.

    @router.message(CommandStart(deep_link=True, ignore_case=True, magic=F.args.in_(SCREEN_LINKS)))
    async def screen_link(message: Message, command: CommandObject, dialog_manager, db, user):
        """A button in a group chat ("Open CertReady"): the screen it pointed at."""
        if not (people.onboarded(db, user.id) or orgs.membership(db, user.id)):
            await start_here(dialog_manager, db, user)  # a newcomer picks a language first
            return
        await open_over(dialog_manager, SCREEN_LINKS[command.args])

    @router.message(CommandStart(deep_link=True, ignore_case=True))
    async def invite_link(message: Message, command: CommandObject, dialog_manager, db, user):
        """An invite link or QR code: join in one tap (or confirm leaving another org)."""
        code = (command.args or "")[:64]
        result = orgs.join(db, user.id, code)
        if isinstance(result, JoinCheck) and result.status == "switch":
            await dialog_manager.start(
                Onboarding.switch, data={"code": code}, mode=StartMode.RESET_STACK
            )
        elif problem := join_problem(result):
            await message.answer(problem)  # whatever the user had open stays open
            if not dialog_manager.has_context():
                await start_here(dialog_manager, db, user)
        else:
            people.mark_onboarded(db, user.id)
            await dialog_manager.start(
                Onboarding.welcome, data={"created": False}, mode=StartMode.RESET_STACK
            )

    @router.message(CommandStart(ignore_case=True))
    async def start(message: Message, dialog_manager: DialogManager, db, user) -> None:
        await start_here(dialog_manager, db, user)

    @router.message(Command("menu", ignore_case=True))
    async def menu(message: Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(Menu.main, mode=StartMode.RESET_STACK)

    @router.message(Command("help", ignore_case=True))
    async def help_(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Help.main, keep=True)

    @router.message(Command("settings", ignore_case=True))
    async def settings(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Preferences.main)

    @router.message(Command("language", ignore_case=True))
    async def language(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(
            dialog_manager, Preferences.language, {"return_after": "language"}, keep=True
        )

    @router.message(Command("library", ignore_case=True))
    async def library_(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Library.home)

    @router.message(Command("search", ignore_case=True))
    async def search(message: Message, command: CommandObject, dialog_manager: DialogManager):
        query, problem = library.parse_query(command.args or "")
        if problem == "too_long":
            await message.answer(query_too_long())
        if query and not problem:
            await open_over(dialog_manager, Library.results, {"query": query})
        else:
            await open_over(dialog_manager, Library.search)

    @router.message(Command("report", ignore_case=True))
    async def report(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Report.photos)

    @router.message(Command("mytasks", "myreports", ignore_case=True))  # /myreports: as before
    async def my_reports(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Reports.mine)

    @router.message(Command("reports", ignore_case=True))
    async def reports(message: Message, dialog_manager: DialogManager, db, user) -> None:
        orgs.require(db, user.id, "manager")
        await open_over(dialog_manager, Cases.list)

    @router.message(Command("readiness", ignore_case=True))
    async def readiness_(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Readiness.home)

    @router.message(Command("roadmap", ignore_case=True))
    async def roadmap_(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Roadmap.steps)

    @router.message(Command("practice", "quiz", ignore_case=True))  # /quiz here: one's own
    async def practice(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Practice.home)

    @router.message(Command("leaderboard", ignore_case=True))
    async def leaderboard(message: Message, db, user, i18n, locale: str) -> None:
        """The organization's ranking, in one's own language (a group shows its team's)."""
        member = orgs.membership(db, user.id)
        if member is None:
            await message.answer(_("You are not in an organization at the moment."))
            return
        await message.answer(group_quiz.organization_board(db, i18n, member.org_id, locale))

    @router.message(Command("audits", "audit", ignore_case=True))
    async def audits_command(message: Message, dialog_manager: DialogManager, db, user) -> None:
        orgs.require(db, user.id, "worker")  # a member: the list says what they may see
        await open_over(dialog_manager, Audits.list)

    @router.message(Command("objectives", ignore_case=True))
    async def objectives_command(message: Message, dialog_manager: DialogManager, db, user):
        orgs.require(db, user.id, "worker")
        await open_over(dialog_manager, Objectives.list)

    @router.message(Command("review", "reviews", ignore_case=True))
    async def reviews_command(message: Message, dialog_manager: DialogManager, db, user):
        orgs.require(db, user.id, "manager")
        await open_over(dialog_manager, Reviews.list)

    @router.message(Command("training", ignore_case=True))
    async def training(message: Message, dialog_manager: DialogManager, db, user) -> None:
        orgs.require(db, user.id, "manager")  # others are told it is for managers
        await open_over(dialog_manager, Training.overview)

    @router.message(Command("org", "organization", ignore_case=True))
    async def organization(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Organization.overview)

    @router.message(Command("invite", ignore_case=True))
    async def invite(message: Message, dialog_manager: DialogManager, db, user) -> None:
        orgs.require(db, user.id, "manager")
        await open_over(dialog_manager, Invites.list)

    @router.message(Command("mydata", ignore_case=True))
    async def my_data(message: Message, db, user) -> None:
        await message.answer_document(
            BufferedInputFile(privacy.export_json(db, user.id), filename="certready-my-data.json"),
            caption=_("Everything CertReady stores about you, as JSON."),
        )

    @router.message(Command("deleteme", ignore_case=True))
    async def delete_me(message: Message, dialog_manager: DialogManager) -> None:
        await open_over(dialog_manager, Privacy.erase)

    @router.message(Command("stats", ignore_case=True))
    async def stats(message: Message, db, settings, locale: str) -> None:
        """Bot-wide numbers, for ADMIN_IDS only; to anyone else it is an unknown command."""
        if message.from_user.id not in settings.admin_ids:
            await unknown_command(message)
            return
        numbers = _(
            "<b>CertReady in numbers</b>\nUsers: {users}\nOrganizations: {orgs}\n"
            "Members — admins: {admins}, managers: {managers}, workers: {workers}\n"
            "Linked groups: {groups}"
        ).format(**orgs.totals(db))
        await message.answer(numbers + "\n\n" + sending_health(db, locale))

    @router.my_chat_member(in_private, ChatMemberUpdatedFilter(IS_MEMBER >> IS_NOT_MEMBER))
    async def blocked(event: ChatMemberUpdated, db) -> None:
        """The person blocked the bot: nothing more is sent until they are back. Back is any
        update from them, unblocking (kicked → member) or /start: UserLocaleMiddleware
        records every person it sees as active (``users.seen``)."""
        outbox.stop_sending_to(db, event.chat.id)

    # Last: a command none of the above knows, even while a dialog is open.
    @router.message(a_command)
    async def unknown_command(message: Message) -> None:
        await message.answer(_("I don't know that command. Send /help to see what I can do."))

    return router


def sending_health(db, locale: str) -> str:
    """/stats: is the sender keeping up, and is the scheduler ticking?"""
    now = clock.now()
    found = outbox.health(db, now)

    def ago(moment) -> str:
        return format_timedelta(moment - now, add_direction=True, locale=locale)

    return _(
        "<b>Sending</b>\nOwed now: {owed}\nOldest not yet sent: {oldest}\n"
        "Sent in the last hour: {sent}\nGiven up in the last day: {given_up}\n"
        "Scheduler's last tick: {tick}"
    ).format(
        owed=found.owed,
        oldest=ago(found.oldest) if found.oldest else "—",
        sent=found.sent_last_hour,
        given_up=found.given_up_last_day,
        tick=ago(found.last_tick) if found.last_tick else _("never"),
    )


def notifications_router() -> Router:
    """Buttons under notifications (sent outside any dialog)."""
    router = Router(name="notifications")

    @router.callback_query(OpenReport.filter(), in_private)
    async def open_report(
        query: CallbackQuery, callback_data: OpenReport, dialog_manager, db, user
    ) -> None:
        found = nc.visible(db, user.id, callback_data.id)  # NotAllowed for anyone else
        if callback_data.take and found.owner_id is None and found.status in nc.ASSIGNABLE:
            nc.note_down(db, user.id, callback_data.id, "owner_id", user.id)  # I'll handle it
        await query.answer()
        await open_over(dialog_manager, Cases.case, {"nc": callback_data.id})

    return router


def fallback_router() -> Router:
    """Last in line: input that no dialog and no command wanted."""
    router = Router(name="fallback")
    router.message.filter(in_private)

    @router.message()
    async def stray_message(message: Message, dialog_manager: DialogManager) -> None:
        """With nothing open, a member's photo or few words may well be a problem seen on the
        line: offer to report it."""
        if not await offer_report(message, dialog_manager):
            await message.answer(_("Please use the buttons, or send /menu for the main menu."))

    @router.callback_query()
    async def unknown_button(callback: CallbackQuery) -> None:
        await callback.answer(_("This button is no longer active. Send /menu to start again."))

    return router
