"""Settings: language and time zone.

overview ─▶ language: pick English or 简体中文 → saved, the screen redraws in it
         └▶ time zone: pick a city (mainland China first) or type one, or an offset
            (北京, Berlin, UTC+8, Europe/Berlin); what is not understood gets a message and
            the user can type again.
/language opens the language step directly and returns to where the user was.
"""

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Start, SwitchTo

from bot import clock
from bot.config import LANGUAGES
from bot.i18n import LANGUAGE_NAMES, format_moment
from bot.services import preferences, tips
from dialogs.common import Choices, CloseButton, T, close, esc
from dialogs.states import Preferences, TipSettings


async def overview(dialog_manager: DialogManager, locale: str, timezone: str, **kwargs) -> dict:
    return {
        "language": LANGUAGE_NAMES[locale],
        "timezone": preferences.zone_label(timezone, locale),
        "local_time": format_moment(clock.now(), locale, timezone),
    }


async def languages(dialog_manager: DialogManager, locale: str, **kwargs) -> dict:
    mark = {lang: ("✅ " if lang == locale else "") for lang in LANGUAGES}
    return {"languages": [(lang, mark[lang] + LANGUAGE_NAMES[lang]) for lang in LANGUAGES]}


def zone_choices(locale: str, current: str) -> list[tuple[str, str]]:
    """The zone buttons, by city in the reader's language, the current one ticked.
    Shared with the organization's settings."""
    return [
        (zone, ("✅ " if zone == current else "") + preferences.zone_label(zone, locale))
        for zone in preferences.COMMON_TIMEZONES
    ]


async def zones(dialog_manager: DialogManager, locale: str, timezone: str, **kwargs) -> dict:
    return {
        "zones": zone_choices(locale, timezone),
        "timezone": preferences.zone_label(timezone, locale),
    }


async def on_language(callback: CallbackQuery, widget, manager: DialogManager, lang: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if not preferences.choose_language(db, user.id, lang):
        return
    manager.middleware_data["i18n"].current_locale = lang  # redraw in the new language now
    manager.middleware_data["locale"] = lang
    await on_language_back(callback, widget, manager)


async def on_language_back(callback: CallbackQuery, widget, manager: DialogManager):
    """/language returns to where the user was; from the settings screen, back to it."""
    if (manager.start_data or {}).get("return_after") == "language":
        await close(callback, widget, manager)
    else:
        await manager.switch_to(Preferences.main)


async def on_zone(callback: CallbackQuery, widget, manager: DialogManager, zone: str):
    if zone in preferences.COMMON_TIMEZONES:  # callback data is untrusted
        await _save_zone(manager, zone)


async def on_typed_zone(message: Message, widget, manager: DialogManager, typed: str):
    if not await _save_zone(manager, typed):
        await message.answer(unknown_zone(typed))


def unknown_zone(typed: str) -> str:
    return _(
        "“{typed}” is not a time zone I know. Type a city such as Shanghai or Berlin, or an "
        "offset such as UTC+8, or pick one of the buttons."
    ).format(typed=esc(typed[:64]))


async def _save_zone(manager: DialogManager, typed: str) -> bool:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    timezone = preferences.choose_timezone(db, user.id, typed)
    if timezone:
        tips.reschedule(db, user.id, manager.middleware_data["settings"].default_timezone)
        manager.middleware_data["timezone"] = timezone
        await manager.switch_to(Preferences.main)
    return timezone is not None


def settings_dialog() -> Dialog:
    return Dialog(
        Window(
            T(
                "<b>Settings</b>\n\nLanguage: {language}\nTime zone: {timezone}\n"
                "Local time: {local_time}"
            ),
            SwitchTo(T("🌐 Language"), id="to_language", state=Preferences.language),
            SwitchTo(T("🕒 Time zone"), id="to_timezone", state=Preferences.timezone),
            Start(T("💡 Daily tips"), id="tips", state=TipSettings.main),
            CloseButton(),
            state=Preferences.main,
            getter=overview,
        ),
        Window(
            T("Choose your language:"),
            Choices("languages", on_language),
            Button(T("⬅️ Back"), id="lang_back", on_click=on_language_back),
            state=Preferences.language,
            getter=languages,
        ),
        Window(
            T(
                "Your time zone: {timezone}. Pick another one, or type a city or an offset "
                "(for example Shanghai, Berlin or UTC+8):"
            ),
            Choices("zones", on_zone),
            TextInput(id="typed_zone", on_success=on_typed_zone),
            SwitchTo(T("⬅️ Back"), id="zone_back", state=Preferences.main),
            state=Preferences.timezone,
            getter=zones,
        ),
    )
