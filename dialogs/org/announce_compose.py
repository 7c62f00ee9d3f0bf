"""A new announcement, for managers and admins.

draft (to whom · English · Chinese · group copy) ─▶ audience: the whole organization or a team
      ├▶ text in English / in Chinese (long text, up to 3,000 characters each)
      └▶ preview: the very messages people (and groups) will get ─▶ send ─▶ "sent: N recipients"
Sending is one service call; this screen shows what it returned.
"""

import secrets

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo

from bot.i18n import N_, format_number, resolve_locale
from bot.services import announce, orgs, people, text
from dialogs import long_text
from dialogs.common import Choices, T, close, esc
from dialogs.org.announce_notices import ack_button, group_copy, letter
from dialogs.states import AnnouncementDraft


def _team(manager: DialogManager) -> int | None:
    return int(manager.dialog_data.get("team") or 0) or None


def _texts(manager: DialogManager) -> dict[str, str]:
    return dict(manager.dialog_data.get("texts") or {})


async def on_start(start_data, manager: DialogManager) -> None:
    manager.dialog_data.update({"key": secrets.token_hex(8), "team": 0, "groups": False})


def _audience_name(target: announce.Audience) -> str:
    return esc(target.team_name) if target.team_name else _("the whole organization")


def _state(typed: str | None, locale: str) -> str:
    if not typed:
        return _("not written")
    start = esc(text.shorten(" ".join(typed.split()), 80))
    length = format_number(text.units(typed), locale)
    return _("{length} characters: {start}").format(length=length, start=start)


async def drafting(dialog_manager: DialogManager, db, user, locale, **kwargs) -> dict:
    data = dialog_manager.dialog_data
    target = announce.audience(db, user.id, _team(dialog_manager))  # NotAllowed unless a manager
    texts = _texts(dialog_manager)
    return {
        "audience": _audience_name(target),
        "people": target.people,
        "english": _state(texts.get("en"), locale),
        "chinese": _state(texts.get("zh"), locale),
        "groups": target.groups,
        "groups_on": target.groups > 0 and bool(data.get("groups")),
        "groups_off": target.groups > 0 and not data.get("groups"),
        "ready": bool(texts),
        "limit": format_number(announce.MAX_TEXT, locale),
    }


async def audiences(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    choices = []
    for target in announce.audiences(db, user.id):
        if target.team_id is None:
            label = _("🏭 Whole organization · 👤 {people}").format(people=target.people)
        else:
            name = text.shorten(target.team_name, 40)
            label = _("👥 {team} · 👤 {people}").format(team=name, people=target.people)
        choices.append((target.team_id or 0, label))
    return {"audiences": choices}


async def writing(dialog_manager: DialogManager, locale, **kwargs) -> dict:
    lang = dialog_manager.dialog_data.get("lang", "en")
    return {
        "in_english": lang == "en",
        "in_chinese": lang == "zh",
        "written": lang in _texts(dialog_manager),
        "limit": format_number(announce.MAX_TEXT, locale),
    }


def _reader_languages(manager: DialogManager) -> dict[str, int]:
    db, user, settings = (manager.middleware_data[k] for k in ("db", "user", "settings"))
    counts = {"en": 0, "zh": 0}
    for user_id in announce.readers(db, user.id, _team(manager)):
        person = people.get(db, user_id)
        lang = resolve_locale(
            person.language if person else None,
            person.telegram_language if person else None,
            settings.default_language,
        )
        counts[lang] = counts.get(lang, 0) + 1
    return counts


async def previewing(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    counts = _reader_languages(dialog_manager)
    groups = announce.audience(db, user.id, _team(dialog_manager)).groups
    to_groups = bool(dialog_manager.dialog_data.get("groups")) and groups > 0
    total = sum(counts.values())
    return {
        "people": total,
        "en": counts.get("en", 0),
        "zh": counts.get("zh", 0),
        "groups": groups,
        "to_groups": to_groups,
        "some": total > 0,
        "nobody": total == 0,
    }


async def sent_summary(dialog_manager: DialogManager, **kwargs) -> dict:
    data = dialog_manager.dialog_data
    return {"people": data.get("sent_people", 0), "groups": data.get("sent_groups", 0)}


# ----- handlers -----------------------------------------------------------------------
async def on_audience(callback: CallbackQuery, widget, manager: DialogManager, team_id: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    chosen = int(team_id) if team_id.isdigit() else 0
    announce.audience(db, user.id, chosen or None)  # NotAllowed for another organization's team
    manager.dialog_data["team"] = chosen
    await manager.switch_to(AnnouncementDraft.draft)


def write_in(lang: str):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        manager.dialog_data["lang"] = lang
        long_text.reset(manager, "body")
        await manager.switch_to(AnnouncementDraft.text)

    return on_click


async def on_text(message: Message, manager: DialogManager, typed: str) -> None:
    cleaned, problem = announce.clean_text(typed)
    if problem == "too_long":  # long in Telegram's count (emoji are two): give it back to edit
        length = text.units(cleaned)
        await message.answer(
            _(
                "That is {length} characters as Telegram counts them (an emoji counts as two); "
                "an announcement can hold {limit}. Please shorten it by at least {over} and "
                "send it again. Here is your text to edit:"
            ).format(length=length, limit=announce.MAX_TEXT, over=length - announce.MAX_TEXT),
            parse_mode=None,
        )
        for piece in text.parts(cleaned):
            await message.answer(piece, parse_mode=None)
        return
    texts = _texts(manager)
    texts[manager.dialog_data.get("lang", "en")] = cleaned
    manager.dialog_data["texts"] = texts
    await manager.switch_to(AnnouncementDraft.draft)


async def on_remove_text(callback: CallbackQuery, button, manager: DialogManager) -> None:
    texts = _texts(manager)
    texts.pop(manager.dialog_data.get("lang", "en"), None)
    manager.dialog_data["texts"] = texts
    await manager.switch_to(AnnouncementDraft.draft)


async def on_groups(callback: CallbackQuery, button, manager: DialogManager) -> None:
    manager.dialog_data["groups"] = not manager.dialog_data.get("groups")


async def on_preview(callback: CallbackQuery, button, manager: DialogManager) -> None:
    """Send the very messages people will get (one per language they read), then the
    question below them."""
    db, user, bot, i18n = (manager.middleware_data[k] for k in ("db", "user", "bot", "i18n"))
    texts = _texts(manager)
    if not texts:
        return
    author, org = people.name(db, user.id), orgs.organization(db, user.id)["name"]
    counts = _reader_languages(manager)
    shown = [lang for lang in ("en", "zh") if counts.get(lang)] or [
        manager.middleware_data["locale"]
    ]
    chat_id = callback.message.chat.id
    for lang in shown:
        with i18n.use_locale(lang):
            await bot.send_message(chat_id, letter(author, org, texts), reply_markup=ack_button(0))
    if manager.dialog_data.get("groups"):
        for langs in announce.group_languages(db, user.id, _team(manager)):
            await bot.send_message(chat_id, group_copy(i18n, author, org, texts, langs))
    await manager.switch_to(AnnouncementDraft.preview, show_mode=ShowMode.SEND)


async def on_send(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    data = manager.dialog_data
    sent = announce.send(
        db, user.id, _team(manager), _texts(manager), bool(data.get("groups")), data["key"]
    )
    data.update(sent_people=sent.people, sent_groups=sent.groups)
    await manager.switch_to(AnnouncementDraft.sent)


def announcement_draft_dialog() -> Dialog:
    return Dialog(
        Window(
            T(
                "<b>📣 New announcement</b>\n\nTo: {audience} · 👤 {people} (you excepted)\n"
                "English: {english}\nChinese: {chinese}\n\nWrite it in English, in Chinese or "
                "in both, up to {limit} characters each. With both, each person gets their "
                "language; with one, everyone gets that one."
            ),
            T("💬 A copy also goes to the audience's group chats ({groups}).", when="groups_on"),
            SwitchTo(
                T("👥 Change who gets it"), id="to_audience", state=AnnouncementDraft.audience
            ),
            Row(
                Button(T("✏️ English text"), id="write_en", on_click=write_in("en")),
                Button(T("✏️ Chinese text"), id="write_zh", on_click=write_in("zh")),
            ),
            Button(
                T("☑️ Copy to group chats ({groups})"),
                id="groups_yes",
                on_click=on_groups,
                when="groups_on",
            ),
            Button(
                T("⬜ Copy to group chats ({groups})"),
                id="groups_no",
                on_click=on_groups,
                when="groups_off",
            ),
            Button(T("👀 Preview"), id="preview", on_click=on_preview, when="ready"),
            Button(T("✖️ Cancel"), id="cancel", on_click=close),
            state=AnnouncementDraft.draft,
            getter=drafting,
        ),
        Window(
            T("Who gets it? Members of a team get it, or everyone in the organization."),
            Choices("audiences", on_audience, page=8),
            SwitchTo(T("⬅️ Back"), id="audience_back", state=AnnouncementDraft.draft),
            state=AnnouncementDraft.audience,
            getter=audiences,
        ),
        Window(
            T("Type the announcement in English (up to {limit} characters):", when="in_english"),
            T("Type the announcement in Chinese (up to {limit} characters):", when="in_chinese"),
            *long_text.step(
                "body", announce.MAX_TEXT, on_text, N_("Please type the announcement in words.")
            ),
            Button(T("🗑 Remove this text"), id="remove", on_click=on_remove_text, when="written"),
            SwitchTo(T("⬅️ Back"), id="text_back", state=AnnouncementDraft.draft),
            state=AnnouncementDraft.text,
            getter=writing,
        ),
        Window(
            T(
                "👆 This is exactly what they will get, each in the language they use the bot "
                "in (English: {en}, Chinese: {zh}), with a button to confirm they read and "
                "understood it.",
                when="some",
            ),
            T(
                "💬 The group chats ({groups}) get the copy shown, without a button.",
                when="to_groups",
            ),
            T("Send it now? Recipients: {people}.", when="some"),
            T(
                "Nobody but you is in this audience yet: there is no one to send it to.",
                when="nobody",
            ),
            Button(T("📣 Send"), id="send", on_click=on_send, when="some"),
            SwitchTo(T("✏️ Change it"), id="change", state=AnnouncementDraft.draft),
            state=AnnouncementDraft.preview,
            getter=previewing,
        ),
        Window(
            T("📣 Sent. Recipients: {people}."),
            T("💬 And to {groups} group chat(s).", when="groups"),
            T("See who confirmed it under 📣 Announcements."),
            Button(T("⬅️ Back"), id="sent_back", on_click=close),
            state=AnnouncementDraft.sent,
            getter=sent_summary,
        ),
        on_start=on_start,
    )
