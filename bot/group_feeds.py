"""In a linked group, a manager chooses what the group receives:

/reports off | critical | major | all — new reports of the team (or the whole organization,
    for a group linked without a team) at or above that severity, without photos;
/tips on [HH:MM] | off — a daily team tip on workdays (default 08:30, the organization's zone).
Answers are in the group's language(s).
"""

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.command import CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from bot.groups import ANONYMOUS, GROUPS, MANAGERS_ONLY, NOT_LINKED
from bot.i18n import N_, in_languages, zone_name
from bot.services import group_feeds, groups, tips
from bot.services.orgs import NotAllowed

REPORT_CHOICES = {
    "off": None,
    "none": None,
    "critical": "critical",
    "major": "major",
    "all": "minor",
    "minor": "minor",
}
REPORTS_USAGE = N_(
    "Which new reports should this group see? Send /reports all, /reports major (major and "
    "critical), /reports critical, or /reports off. Now: {now}."
)
REPORTS_SET = N_("Done: this group now gets {which}. Photos stay in the private chats.")
REPORT_LEVELS = {
    None: N_("no reports"),
    "critical": N_("critical reports"),
    "major": N_("major and critical reports"),
    "minor": N_("all new reports"),
}
TIPS_USAGE = N_(
    "A daily team tip here? Send /tips on (workdays at 08:30), /tips on 9:15 for another time, "
    "or /tips off."
)
TIPS_ON = N_("Done: a team tip here every workday at {time} ({zone}).")
TIPS_OFF = N_("Done: no more daily tips in this group.")


def group_feeds_router() -> Router:
    router = Router(name="group_feeds")
    router.message.filter(F.chat.type.in_(GROUPS))

    @router.message(Command("reports", ignore_case=True))
    async def reports(message: Message, command: CommandObject, db, user, i18n: I18n) -> None:
        here = groups.languages(groups.group(db, message.chat.id))
        choice = (command.args or "").strip().lower()
        if choice not in REPORT_CHOICES:
            now = group_feeds.report_severity(db, message.chat.id)
            await message.reply(
                "\n\n".join(
                    i18n.gettext(REPORTS_USAGE, locale=lang).format(
                        now=i18n.gettext(REPORT_LEVELS[now], locale=lang)
                    )
                    for lang in here
                )
            )
            return
        if user is None:
            await message.reply(in_languages(i18n, ANONYMOUS, here))
            return
        severity = REPORT_CHOICES[choice]
        try:
            linked = group_feeds.set_reports(db, user.id, message.chat.id, severity)
        except NotAllowed:
            await message.reply(in_languages(i18n, MANAGERS_ONLY, here))
            return
        if not linked:
            await message.reply(in_languages(i18n, NOT_LINKED, here))
            return
        await message.reply(
            "\n\n".join(
                i18n.gettext(REPORTS_SET, locale=lang).format(
                    which=i18n.gettext(REPORT_LEVELS[severity], locale=lang)
                )
                for lang in here
            )
        )

    @router.message(Command("tips", ignore_case=True))
    async def team_tips(
        message: Message, command: CommandObject, db, user, i18n: I18n, settings
    ) -> None:
        here = groups.languages(groups.group(db, message.chat.id))
        words = (command.args or "").split()
        choice = words[0].lower() if words else ""
        send_at = tips.parse_time(words[1]) if len(words) > 1 else None
        if choice not in ("on", "off") or (len(words) > 1 and send_at is None):
            await message.reply(in_languages(i18n, TIPS_USAGE, here))
            return
        if user is None:
            await message.reply(in_languages(i18n, ANONYMOUS, here))
            return
        fallback = settings.default_timezone
        try:
            found = group_feeds.set_tips(
                db, user.id, message.chat.id, choice == "on", send_at, fallback
            )
        except NotAllowed:
            await message.reply(in_languages(i18n, MANAGERS_ONLY, here))
            return
        if found is None:
            await message.reply(in_languages(i18n, NOT_LINKED, here))
            return
        if not found.subscribed:
            await message.reply(in_languages(i18n, TIPS_OFF, here))
            return
        zone = tips.zone_of(db, message.chat.id, fallback)
        await message.reply(
            "\n\n".join(
                i18n.gettext(TIPS_ON, locale=lang).format(
                    time=found.send_at, zone=zone_name(zone, lang)
                )
                for lang in here
            )
        )

    return router
