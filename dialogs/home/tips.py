"""Daily quality tips: the settings screen, /tip, the question new members get, and how a
tip reads (to a person, with a button into the library; to a group, in its language).

settings ─▶ on/off · time (buttons, or typed: 8:30, 0830, 8：30) · workdays / every day
         · quiet hours 22:00–07:00 · a tip now
"""

from contextlib import suppress

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, SwitchTo

from bot import clock
from bot.filters import in_private
from bot.i18n import format_moment, zone_name
from bot.outbox import Media, renders
from bot.services import tips
from bot.services.people import User
from dialogs.common import Choices, CloseButton, T, current_locale, esc, open_over
from dialogs.states import Library, TipSettings


class OpenPage(CallbackData, prefix="page"):
    """A button into the library: a clause ("7.1.5") or an article id."""

    kind: str
    id: str


class TipAnswer(CallbackData, prefix="tipask"):
    choice: str  # yes · time · no · settings


def _zone(manager: DialogManager) -> str:
    return tips.zone_of(
        manager.middleware_data["db"],
        manager.middleware_data["user"].id,
        manager.middleware_data["settings"].default_timezone,
    )


def describe(db, user_id: int, locale: str, zone: str) -> str:
    """ "On: workdays at 08:30 (UTC+8). Next tip: …" in the reader's language."""
    found = tips.get(db, user_id)
    if found is None or not found.subscribed:
        return _("Off: no daily tip.")
    when = (
        _("On: workdays at {time} ({zone}).")
        if found.workdays_only
        else _("On: every day at {time} ({zone}).")
    ).format(time=found.send_at, zone=zone_name(zone, locale))
    if found.next_tip_at:
        when += "\n" + _("Next tip: {moment}.").format(
            moment=format_moment(clock.local(found.next_tip_at, zone), locale, zone)
        )
    return when


async def overview(dialog_manager: DialogManager, db, user, locale: str, **kwargs) -> dict:
    found = tips.get(db, user.id)
    zone = _zone(dialog_manager)
    row = db.execute("SELECT quiet_hours FROM users WHERE id = ?", [user.id]).fetchone()
    return {
        "status": describe(db, user.id, locale, zone),
        "on": bool(found and found.subscribed),
        "off": not (found and found.subscribed),
        "workdays": found is None or found.workdays_only,
        "everyday": not (found is None or found.workdays_only),
        "quiet": bool(row and row[0]),
        "loud": not (row and row[0]),
    }


async def times(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = tips.get(db, user.id)
    current = found.send_at if found else tips.DEFAULT_AT
    return {
        "times": [(t, ("✅ " if t == current else "") + t) for t in tips.TIMES],
        "current": current,
    }


def _fallback(manager: DialogManager) -> str:
    return manager.middleware_data["settings"].default_timezone


async def on_switch(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    found = tips.get(db, user.id)
    tips.choose(db, user.id, _fallback(manager), subscribed=not (found and found.subscribed))


async def on_days(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    found = tips.get(db, user.id)
    workdays = found.workdays_only if found else True
    tips.choose(db, user.id, _fallback(manager), workdays_only=not workdays)


async def on_quiet(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    db.execute("UPDATE users SET quiet_hours = 1 - quiet_hours WHERE id = ?", [user.id])
    tips.reschedule(db, user.id, _fallback(manager))


async def on_time(callback: CallbackQuery, widget, manager: DialogManager, chosen: str) -> None:
    if chosen in tips.TIMES:  # callback data is untrusted
        await _save_time(manager, chosen)


async def on_typed_time(message: Message, widget, manager: DialogManager, typed: str) -> None:
    chosen = tips.parse_time(typed)
    if chosen is None:
        await message.answer(
            _("“{typed}” is not a time of day. Type it like 8:30 or 17:45.").format(
                typed=esc(typed[:40])
            )
        )
        return
    await _save_time(manager, chosen)


async def _save_time(manager: DialogManager, chosen: str) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    tips.choose(db, user.id, _fallback(manager), subscribed=True, send_at=chosen)
    await manager.switch_to(TipSettings.main)


async def on_tip_now(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    text, buttons = _tip_message(manager.middleware_data["db"], manager.middleware_data["user"].id)
    await callback.message.answer(text, reply_markup=buttons)
    manager.show_mode = ShowMode.SEND  # the screen comes back below the tip


def tips_dialog() -> Dialog:
    return Dialog(
        Window(
            T(
                "<b>💡 Daily quality tips</b>\n\nOne practical habit a day, from ISO 9001."
                "\n\n{status}"
            ),
            Button(T("🔔 Turn on"), id="on", on_click=on_switch, when="off"),
            Button(T("🔕 Turn off"), id="off", on_click=on_switch, when="on"),
            SwitchTo(T("🕒 Time"), id="time", state=TipSettings.time),
            Button(T("📅 Workdays only ✅"), id="workdays", on_click=on_days, when="workdays"),
            Button(T("📅 Every day ✅"), id="everyday", on_click=on_days, when="everyday"),
            Button(T("🌙 Quiet 22:00–07:00 ✅"), id="quiet", on_click=on_quiet, when="quiet"),
            Button(T("🌙 Quiet hours off"), id="loud", on_click=on_quiet, when="loud"),
            Button(T("💡 A tip now"), id="now", on_click=on_tip_now),
            CloseButton(),
            state=TipSettings.main,
            getter=overview,
        ),
        Window(
            T("At what time (your local time)? Now {current}. Pick one, or type one like 6:45:"),
            Choices("times", on_time),
            TextInput(id="typed_time", on_success=on_typed_time),
            SwitchTo(T("⬅️ Back"), id="time_back", state=TipSettings.main),
            state=TipSettings.time,
            getter=times,
        ),
    )


# ----- how a tip reads ----------------------------------------------------
def _tip_body(db, tip_id: str | None, lang: str):
    entry, page = tips.tip_text(db, tip_id, lang) if tip_id else (None, None)
    if entry is None:
        return None, None
    return entry.texts["text"], page


def _page_label(page: tuple[str, str, str]) -> str:
    kind, page_id, title = page
    return f"📖 {page_id} {title}" if kind == "clause" else f"📖 {title}"


def _tip_message(db, chat_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """/tip and "a tip now": the next unseen tip, or a word that there are none."""
    tip_id = tips.tip_now(db, chat_id)
    body, page = _tip_body(db, tip_id, current_locale())
    if body is None:
        return _("There are no tips in the library yet."), None
    return _("💡 <b>Quality tip</b>\n\n{tip}").format(tip=esc(body)), _buttons(page)


def _buttons(page) -> InlineKeyboardMarkup:
    rows = []
    if page:
        rows.append(
            [
                InlineKeyboardButton(
                    text=_page_label(page)[:60],
                    callback_data=OpenPage(kind=page[0], id=page[1]).pack(),
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                text=_("⚙️ Tip settings"), callback_data=TipAnswer(choice="settings").pack()
            )
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


@renders("tip")
def tip_notice(db, person: User | None, params: dict):
    chat_id = person.id if person else params["chat"]
    chosen = tips.chosen_for(db, chat_id, params)
    body, page = _tip_body(db, chosen, current_locale())
    if body is None:
        return None
    if person is None:  # a group: no dialog there; the page is named instead
        more = f"\n\n{esc(_page_label(page))}" if page else ""
        return _("💡 <b>Team quality tip</b>\n\n{tip}").format(tip=esc(body)) + more, None
    text = _("💡 <b>Tip of the day</b>\n\n{tip}").format(tip=esc(body))
    markup = _buttons(page)
    # Seen once Telegram has it, in the transaction that marks the letter sent.
    return Media(
        send=lambda bot, chat: bot.send_message(chat, text, reply_markup=markup),
        after=lambda db, _sent: tips.seen(db, chat_id, chosen, clock.stamp()),
    )


@renders("tips.ask")
def ask_notice(db, person: User | None, params: dict):
    if person is None:
        return None
    found = tips.get(db, person.id)
    if found is not None:  # they chose meanwhile
        return None
    text = _(
        "💡 Would you like one short quality tip each day? A practical habit from ISO 9001, "
        "for the shop floor or the office, at {time} on workdays (your local time). You can "
        "change this any time in Settings."
    ).format(time=tips.DEFAULT_AT)
    buttons = [
        [
            InlineKeyboardButton(
                text=_("✅ Yes, please"), callback_data=TipAnswer(choice="yes").pack()
            )
        ],
        [
            InlineKeyboardButton(
                text=_("🕒 Choose a time"), callback_data=TipAnswer(choice="time").pack()
            )
        ],
        [InlineKeyboardButton(text=_("No, thanks"), callback_data=TipAnswer(choice="no").pack())],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=buttons)


def tips_router() -> Router:
    """/tip, the answers to the question, and the buttons under tips (private chats)."""
    router = Router(name="tips")
    router.message.filter(in_private)
    router.callback_query.filter(in_private)

    @router.message(Command("tip", ignore_case=True))
    async def tip_command(message: Message, db, user) -> None:
        text, buttons = _tip_message(db, user.id)
        await message.answer(text, reply_markup=buttons)

    @router.callback_query(TipAnswer.filter())
    async def answered(
        query: CallbackQuery,
        callback_data: TipAnswer,
        dialog_manager: DialogManager,
        db,
        user,
        settings,
        locale: str,
    ) -> None:
        fallback = settings.default_timezone
        if callback_data.choice == "yes":
            tips.choose(db, user.id, fallback, subscribed=True)
            zone = tips.zone_of(db, user.id, fallback)
            await query.answer()
            with suppress(TelegramBadRequest):  # a double tap: the question already says so
                await query.message.edit_text(
                    _("✅ Daily tips are on.") + "\n" + describe(db, user.id, locale, zone),
                    reply_markup=None,
                )
        elif callback_data.choice == "no":
            if tips.get(db, user.id) is None:
                tips.choose(db, user.id, fallback, subscribed=False)
            await query.answer()
            with suppress(TelegramBadRequest):  # a double tap: the question already says so
                await query.message.edit_text(
                    _(
                        "OK, no daily tips. Send /tip for one whenever you like, or turn them on "
                        "in Settings."
                    ),
                    reply_markup=None,
                )
        else:  # time, settings
            await query.answer()
            state = TipSettings.time if callback_data.choice == "time" else TipSettings.main
            await open_over(dialog_manager, state)

    @router.callback_query(OpenPage.filter())
    async def open_page(
        query: CallbackQuery, callback_data: OpenPage, dialog_manager: DialogManager, db
    ) -> None:
        from bot.db import content as content_repo

        kind = callback_data.kind
        if kind not in ("clause", "article") or not content_repo.get(
            db, kind, callback_data.id, "en"
        ):
            await query.answer(_("This page is no longer in the library."), show_alert=True)
            return
        await query.answer()
        state = Library.clause if kind == "clause" else Library.article
        await open_over(dialog_manager, state, {kind: callback_data.id})

    return router
