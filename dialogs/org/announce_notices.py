"""How an announcement reads, and its "Read and understood" button.

A person gets it in their language (the text written in it, else the one there is), with
the author and the organization, and the button; pressing it records the acknowledgement and
the message then says when they confirmed, in their own time zone. A linked group gets a copy
in its language(s) without a button: a bot cannot list a group's members, so people confirm
in their private chat. The preview a manager sees is made by these same functions.
"""

from contextlib import suppress
from datetime import datetime

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.filters import in_private
from bot.i18n import format_moment
from bot.outbox import renders
from bot.services import announce, people, text
from bot.services.groups import languages as group_languages
from bot.services.people import User
from dialogs.common import RowId, current_locale, esc

# With two texts in one group message, each gets this much (UTF-16 units) so the pair, their
# headings and the request to confirm privately stay within Telegram's 4,096.
GROUP_SHARE = 1600


class Acknowledge(CallbackData, prefix="ann"):
    """The button under an announcement; id 0 is the manager's preview."""

    id: RowId


def ack_button(announcement_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("✅ Read and understood"),
                    callback_data=Acknowledge(id=announcement_id).pack(),
                )
            ]
        ]
    )


def letter(
    author: str,
    org: str,
    texts: dict[str, str],
    reminder: bool = False,
    acknowledged: str | None = None,
) -> str:
    """What a person reading the current locale gets; ``acknowledged``: when they confirmed
    (already worded in their time zone)."""
    _lang, body = announce.text_for(texts, current_locale())
    values = {"author": esc(author), "org": esc(org), "body": esc(body)}
    if acknowledged:
        return _(
            "📣 <b>Announcement</b> from {author} · {org}\n\n{body}\n\n"
            "✅ You confirmed that you read and understood it: {moment}."
        ).format(moment=acknowledged, **values)
    if reminder:
        return _(
            "🔔 <b>Reminder</b>: please confirm this announcement from {author} · {org}\n\n"
            "{body}\n\nPlease read it, then tap “✅ Read and understood”."
        ).format(**values)
    return _(
        "📣 <b>Announcement</b> from {author} · {org}\n\n{body}\n\n"
        "Please read it, then tap “✅ Read and understood”."
    ).format(**values)


def group_part(author: str, org: str, texts: dict[str, str], group_langs: tuple[str, ...]) -> str:
    """The current locale's part of a group's copy (a group set to both languages gets the
    Chinese part, then the English one)."""
    lang = current_locale()
    values = {"author": esc(author), "org": esc(org)}
    if lang not in texts and len(group_langs) > 1:  # the other part carries the text
        if lang == group_langs[0]:
            return _(
                "📣 The announcement below from {author} · {org} is in English only. Everyone "
                "it concerns got it privately from me: please confirm it there."
            ).format(**values)
        return _(
            "📣 The announcement above from {author} · {org} is in Chinese only. Everyone it "
            "concerns got it privately from me: please confirm it there."
        ).format(**values)
    shared = len(group_langs) > 1 and len(texts) > 1
    _chosen, body = announce.text_for(texts, lang)
    body = text.shorten(body, GROUP_SHARE) if shared else body
    return _(
        "📣 <b>Announcement</b> from {author} · {org}\n\n{body}\n\n"
        "Everyone it concerns got it privately from me: please confirm it there with "
        "“✅ Read and understood”."
    ).format(body=esc(body), **values)


def group_copy(
    i18n: I18n, author: str, org: str, texts: dict[str, str], group_langs: tuple[str, ...]
) -> str:
    """A group's whole copy, as the outbox puts its parts together (for the preview)."""
    parts = []
    for lang in group_langs:
        with i18n.use_locale(lang):
            parts.append(group_part(author, org, texts, group_langs))
    return "\n\n".join(parts)


# ----- renderers: the outbox words each notice when it sends it -------------------------
def _to_person(db, person: User, params: dict, reminder: bool):
    found = announce.delivered_to(db, person.id, int(params["announcement"]))
    if found is None:
        return None
    announcement, org = found
    if reminder and announce.acknowledged(db, person.id, announcement.id):
        return None  # confirmed since the reminder was owed
    author = people.name(db, announcement.author_id)
    texts = announce.texts_of(announcement)
    return letter(author, org["name"], texts, reminder=reminder), ack_button(announcement.id)


@renders("ann.new")
def new_announcement(db, person: User, params: dict):
    return _to_person(db, person, params, reminder=False)


@renders("ann.remind")
def reminder(db, person: User, params: dict):
    return _to_person(db, person, params, reminder=True)


@renders("ann.group")
def group_announcement(db, person: None, params: dict):
    found = announce.for_group(db, int(params["chat"]), int(params["announcement"]))
    if found is None:
        return None
    announcement, org, group = found
    author = people.name(db, announcement.author_id)
    texts = announce.texts_of(announcement)
    return group_part(author, org["name"], texts, group_languages(group)), None


# ----- the button -------------------------------------------------------------------------
def acknowledgements_router() -> Router:
    router = Router(name="acknowledgements")

    @router.callback_query(Acknowledge.filter(), in_private)
    async def on_acknowledge(
        query: CallbackQuery, callback_data: Acknowledge, db, user, locale: str, timezone: str
    ) -> None:
        if callback_data.id == 0:
            await query.answer(_("This is the preview: the people you send it to get this button."))
            return
        result = announce.acknowledge(db, user.id, callback_data.id)  # callback data is untrusted
        if result.status == "not_recipient":
            await query.answer(_("This announcement was not sent to you."), show_alert=True)
            return
        if result.status == "left":
            await query.answer(
                _(
                    "You are no longer in {org}, so this can no longer be confirmed. What you "
                    "confirmed while you were there stays on record."
                ).format(org=result.org_name),
                show_alert=True,
            )
            return
        moment = format_moment(datetime.fromisoformat(result.at), locale, timezone)
        if result.status == "acknowledged":
            await query.answer(_("✅ Thank you: recorded."))
        else:
            await query.answer(_("You already confirmed it: {moment}.").format(moment=moment))
        found = announce.shown_to(db, user.id, callback_data.id)
        if found is None:
            return
        announcement, org = found
        confirmed = letter(
            people.name(db, announcement.author_id),
            org["name"],
            announce.texts_of(announcement),
            acknowledged=moment,
        )
        with suppress(TelegramBadRequest):  # pressed twice: the message already says so
            await query.bot.edit_message_text(
                confirmed, chat_id=query.message.chat.id, message_id=query.message.message_id
            )

    return router
