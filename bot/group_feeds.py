"""In a linked group, a manager chooses what the group receives:

/reports off | critical | major | all — new reports of the team (or the whole organization,
    for a group linked without a team) at or above that severity;
/reports photos on | off — with their photos or not (not by default: photos may show people);
/tips on [HH:MM] | off — a daily team tip on workdays (default 08:30, the organization's zone);
/digest on | off — the weekly digest summary on Monday mornings (on by default).
Answers are in the group's language(s).
"""

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.command import CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from bot.filters import in_group
from bot.groups import ANONYMOUS, MANAGERS_ONLY, NOT_LINKED
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
    "critical), /reports critical, or /reports off. Now: {now}. Their photos: /reports photos "
    "on or off (now {photos})."
)
REPORTS_SET = N_("Done: this group now gets {which}. {photos}")
PHOTOS_SHOWN = N_("Their photos are shown here too.")
PHOTOS_PRIVATE = N_("Their photos stay in the private chats (/reports photos on to show them).")
PHOTOS_ON = N_("Done: reports shown here bring their photos. Photos may show people: check first.")
PHOTOS_OFF = N_("Done: report photos stay in the private chats.")
ON_OFF = {True: N_("on"), False: N_("off")}
DIGEST_USAGE = N_(
    "The weekly quality digest here on Monday mornings: /digest on or /digest off (now {now})."
)
DIGEST_ON = N_("Done: this group gets the weekly digest on Monday mornings.")
DIGEST_OFF = N_("Done: no weekly digest in this group.")
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
    router.message.filter(in_group)

    @router.message(Command("reports", ignore_case=True))
    async def reports(message: Message, command: CommandObject, db, user, i18n: I18n) -> None:
        here = groups.languages(groups.group(db, message.chat.id))
        words = (command.args or "").lower().split()
        if words[:1] == ["photos"] and words[1:] in (["on"], ["off"]):
            await _photos(message, db, user, i18n, here, words[1] == "on")
            return
        choice = " ".join(words)
        if choice not in REPORT_CHOICES:
            now = group_feeds.report_severity(db, message.chat.id)
            photos = group_feeds.photos_allowed(db, message.chat.id)
            await message.reply(
                "\n\n".join(
                    i18n.gettext(REPORTS_USAGE, locale=lang).format(
                        now=i18n.gettext(REPORT_LEVELS[now], locale=lang),
                        photos=i18n.gettext(ON_OFF[photos], locale=lang),
                    )
                    for lang in here
                )
            )
            return
        severity = REPORT_CHOICES[choice]
        if not await _managed(message, db, user, i18n, here, group_feeds.set_reports, severity):
            return
        photos = PHOTOS_SHOWN if group_feeds.photos_allowed(db, message.chat.id) else PHOTOS_PRIVATE
        await message.reply(
            "\n\n".join(
                i18n.gettext(REPORTS_SET, locale=lang).format(
                    which=i18n.gettext(REPORT_LEVELS[severity], locale=lang),
                    photos=i18n.gettext(photos, locale=lang),
                )
                for lang in here
            )
        )

    async def _photos(message: Message, db, user, i18n: I18n, here, allowed: bool) -> None:
        if await _managed(message, db, user, i18n, here, group_feeds.set_photos, allowed):
            await message.reply(in_languages(i18n, PHOTOS_ON if allowed else PHOTOS_OFF, here))

    @router.message(Command("digest", ignore_case=True))
    async def digest(message: Message, command: CommandObject, db, user, i18n: I18n) -> None:
        here = groups.languages(groups.group(db, message.chat.id))
        choice = (command.args or "").strip().lower()
        if choice not in ("on", "off"):
            now = group_feeds.digest_on(db, message.chat.id)
            await message.reply(
                "\n\n".join(
                    i18n.gettext(DIGEST_USAGE, locale=lang).format(
                        now=i18n.gettext(ON_OFF[now], locale=lang)
                    )
                    for lang in here
                )
            )
            return
        on = choice == "on"
        if await _managed(message, db, user, i18n, here, group_feeds.set_digest, on):
            await message.reply(in_languages(i18n, DIGEST_ON if on else DIGEST_OFF, here))

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


async def _managed(message: Message, db, user, i18n: I18n, here, change, value) -> bool:
    """Make a manager's change to this group's feeds; say why not, in the group's
    language(s), when it cannot be made."""
    if user is None:
        await message.reply(in_languages(i18n, ANONYMOUS, here))
        return False
    try:
        linked = change(db, user.id, message.chat.id, value)
    except NotAllowed:
        await message.reply(in_languages(i18n, MANAGERS_ONLY, here))
        return False
    if not linked:
        await message.reply(in_languages(i18n, NOT_LINKED, here))
        return False
    return True
