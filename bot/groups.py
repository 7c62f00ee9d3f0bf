"""Group chats: the bot joins, a manager links the group with /link, picks its language.

Groups get short, plain messages in the group's language(s); dialogs stay in private
chats, where each person has their own.
"""

import logging
from html import escape

from aiogram import Bot, Router
from aiogram.filters import IS_MEMBER, IS_NOT_MEMBER, ChatMemberUpdatedFilter, Command
from aiogram.filters.callback_data import CallbackData
from aiogram.filters.command import CommandObject
from aiogram.types import CallbackQuery, ChatMemberUpdated, InlineKeyboardButton, Message
from aiogram.types import InlineKeyboardMarkup as Markup
from aiogram.utils.i18n import I18n

from bot import outbox
from bot.db.orgs import GroupChat
from bot.filters import in_group
from bot.i18n import N_, in_languages
from bot.services import groups, orgs
from bot.services.orgs import NotAllowed

log = logging.getLogger(__name__)


def esc(text: str | None) -> str:
    return escape(text or "", quote=False)


HELLO = N_(
    "Hello! I am CertReady, an assistant for ISO 9001. A manager of your organization can "
    "link this group with /link (or /link followed by a team's name)."
)
MANAGERS_ONLY = N_("Only a manager of the organization can do that.")
ADMINS_ONLY = N_("Only an administrator of this group who is a manager in CertReady can link it.")
ANONYMOUS = N_("I cannot tell who you are: turn off “Remain anonymous” and try again.")
TAKEN = N_("This group is linked to another organization. Its manager must send /unlink first.")
NOT_LINKED = N_("This group is not linked to an organization.")
NO_TEAM = N_("There is no team called “{team}”. Teams: {teams}.")
LINKED = N_("This group is now linked to {org}. Which language should I use here?")
LINKED_TEAM = N_(
    "This group is now linked to {org}, team {team}. Which language should I use here?"
)
LANGUAGE_SET = N_("Done: I will write in this group in {language}.")
FEEDS = N_(
    "Managers choose what this group receives: /reports (new reports), /tips (a daily team "
    "tip), /digest (the weekly digest on Mondays)."
)
UNLINKED = N_("This group is no longer linked to {org}.")
RELINKED = N_("I am back. This group is linked to {org} again.")
RELINKED_TEAM = N_("I am back. This group is linked to {org}, team {team}, again.")
PRIVATE_ONLY = N_(
    "Reports, tasks and menus are private, one person at a time: open me in a private chat."
)
OPEN_PRIVATELY = N_("Open CertReady")
GROUP_LANGUAGE_NAMES = {"zh": N_("Chinese"), "en": N_("English"), "both": N_("Chinese and English")}


class GroupLanguage(CallbackData, prefix="glang"):
    lang: str


def _language_buttons() -> Markup:
    labels = {"zh": "中文", "en": "English", "both": "中文 + English"}
    return Markup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=labels[lang], callback_data=GroupLanguage(lang=lang).pack()
                )
                for lang in groups.GROUP_LANGUAGES
            ]
        ]
    )


async def moved_away(message: Message) -> bool:
    return message.migrate_to_chat_id is not None


async def moved_here(message: Message) -> bool:
    return message.migrate_from_chat_id is not None


def groups_router() -> Router:
    router = Router(name="groups")
    router.message.filter(in_group)
    router.my_chat_member.filter(in_group)

    @router.my_chat_member(ChatMemberUpdatedFilter(IS_NOT_MEMBER >> IS_MEMBER))
    async def added(event: ChatMemberUpdated, bot: Bot, i18n: I18n, db) -> None:
        back = groups.returned(db, event.chat.id)  # a group the bot knows: its link holds
        if back is None:
            await bot.send_message(event.chat.id, in_languages(i18n, HELLO, ("zh", "en")))
            return
        text = _linked_text(db, i18n, back, RELINKED, RELINKED_TEAM)
        await bot.send_message(event.chat.id, text)

    @router.message(Command("report", "menu", "help", "start", "mytasks", ignore_case=True))
    async def private_only(message: Message, db, i18n: I18n, bot: Bot) -> None:
        """Forms and menus live in private chats: point there, with a button that opens the
        bot privately on the right screen, in the group's language(s)."""
        here = groups.languages(groups.group(db, message.chat.id))
        command = (message.text or "").split()[0].split("@")[0].lstrip("/").lower()
        target = command if command in ("report", "mytasks") else "menu"
        me = await bot.me()
        labels = " · ".join(i18n.gettext(OPEN_PRIVATELY, locale=lang) for lang in here)
        button = InlineKeyboardButton(text=labels, url=f"https://t.me/{me.username}?start={target}")
        await message.reply(
            in_languages(i18n, PRIVATE_ONLY, here), reply_markup=Markup(inline_keyboard=[[button]])
        )

    @router.my_chat_member(ChatMemberUpdatedFilter(IS_MEMBER >> IS_NOT_MEMBER))
    async def removed(event: ChatMemberUpdated, db) -> None:
        log.info("removed from group %s", event.chat.id)
        groups.removed(db, event.chat.id)

    @router.message(moved_away)
    async def upgraded(message: Message, db) -> None:
        """The group became a supergroup, with a new chat id (Telegram posts this in the old
        group, and ``migrate_from_chat_id`` in the new one): its link, team, language and
        what is owed to it follow. Whichever of the two comes first moves it."""
        outbox.follow_group(db, message.chat.id, message.migrate_to_chat_id)

    @router.message(moved_here)
    async def upgraded_here(message: Message, db) -> None:
        outbox.follow_group(db, message.migrate_from_chat_id, message.chat.id)

    @router.message(Command("link", ignore_case=True))
    async def link(message: Message, command: CommandObject, db, user, i18n: I18n, bot: Bot):
        here = groups.languages(groups.group(db, message.chat.id))
        if user is None:  # an anonymous group admin posts as the group itself
            await message.reply(in_languages(i18n, ANONYMOUS, here))
            return
        seat = await bot.get_chat_member(message.chat.id, user.id)
        if seat.status not in ("creator", "administrator"):
            await message.reply(in_languages(i18n, ADMINS_ONLY, here))
            return
        team = (command.args or "")[:64] or None
        try:
            result, linked = groups.link(db, user.id, message.chat.id, message.chat.title, team)
        except NotAllowed:
            await message.reply(in_languages(i18n, MANAGERS_ONLY, here))
            return
        if result == "taken":
            await message.reply(in_languages(i18n, TAKEN, here))
            return
        if result == "no_team":
            names = ", ".join(groups.team_names(db, user.id)) or "—"
            await message.reply(
                in_languages(i18n, NO_TEAM, here, team=esc(team), teams=esc(names[:500]))
            )
            return
        await message.reply(_linked_text(db, i18n, linked), reply_markup=_language_buttons())

    @router.message(Command("unlink", ignore_case=True))
    async def unlink(message: Message, db, user, i18n: I18n) -> None:
        found = groups.group(db, message.chat.id)
        here = groups.languages(found)
        if user is None:
            await message.reply(in_languages(i18n, ANONYMOUS, here))
            return
        try:
            unlinked = groups.unlink(db, user.id, message.chat.id)
        except NotAllowed:
            await message.reply(in_languages(i18n, MANAGERS_ONLY, here))
            return
        if not unlinked:
            await message.reply(in_languages(i18n, NOT_LINKED, here))
            return
        org = esc(orgs.membership(db, user.id).org_name)
        await message.reply(in_languages(i18n, UNLINKED, here, org=org))

    @router.callback_query(GroupLanguage.filter(), in_group)
    async def language(query: CallbackQuery, callback_data: GroupLanguage, db, user, i18n):
        chat_id = query.message.chat.id
        here = groups.languages(groups.group(db, chat_id))
        try:
            chosen = groups.set_language(db, user.id, chat_id, callback_data.lang) if user else None
        except NotAllowed:
            await query.answer(in_languages(i18n, MANAGERS_ONLY, here)[:200], show_alert=True)
            return
        if chosen is None:
            await query.answer(in_languages(i18n, NOT_LINKED, here)[:200], show_alert=True)
            return
        await query.message.edit_text(
            "\n\n".join(
                i18n.gettext(LANGUAGE_SET, locale=lang).format(
                    language=i18n.gettext(GROUP_LANGUAGE_NAMES[chosen.language], locale=lang)
                )
                + "\n"
                + i18n.gettext(FEEDS, locale=lang)
                for lang in groups.languages(chosen)
            )
        )
        await query.answer()

    return router


def _linked_text(
    db, i18n: I18n, linked: GroupChat, plain: str = LINKED, with_team: str = LINKED_TEAM
) -> str:
    name = esc(groups.organization_name(db, linked))
    team = groups.team_name(db, linked)
    langs = groups.languages(linked)
    if team:
        return in_languages(i18n, with_team, langs, org=name, team=esc(team))
    return in_languages(i18n, plain, langs, org=name)
