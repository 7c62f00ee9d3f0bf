"""Languages: gettext catalogs, locale resolution, CLDR formatting.

UI strings are translated at render time with the locale the middleware puts in
context, never at import time.
"""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from babel import Locale
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from bot import LOCALES_DIR, clock
from bot.config import LANGUAGES

DOMAIN = "messages"
# Self-names: each language is offered in its own script, whatever the UI language.
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}


def N_(msgid: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return msgid


def compile_catalogs(root: Path = LOCALES_DIR) -> list[Path]:
    """Compile every ``messages.po`` whose ``.mo`` is missing or older; return those written."""
    written = []
    for po_path in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        written.append(mo_path)
    return written


def make_i18n(default_language: str) -> I18n:
    compile_catalogs()
    return I18n(path=LOCALES_DIR, default_locale=default_language, domain=DOMAIN)


def resolve_locale(saved: str | None, telegram_language: str | None, default: str) -> str:
    """The user's own choice, else what Telegram says their app uses, else the default.

    Every ``zh*`` tag (zh, zh-hans, zh-CN, zh-hant, zh-TW, zh-HK …) means Chinese.
    """
    if saved in LANGUAGES:
        return saved
    primary = (telegram_language or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else default


def in_languages(i18n: I18n, msgid: str, langs: tuple[str, ...], **values: object) -> str:
    """The message in each of ``langs``, one after another: for group chats set to "both"."""
    return "\n\n".join(i18n.gettext(msgid, locale=lang).format(**values) for lang in langs)


def format_moment(moment: datetime, locale: str, timezone: str, zone: bool = True) -> str:
    """A date and time (to the minute) as people in ``locale`` write it, in ``timezone``,
    followed by the zone ("GMT+8") unless the screen already says which zone it shows."""
    local = moment.astimezone(ZoneInfo(timezone))
    glue = Locale.parse(locale).datetime_formats["medium"]  # CLDR's "{1}, {0}" and the like
    text = glue.format(
        format_skeleton("Hm", local, locale=locale), format_skeleton("yMMMd", local, locale=locale)
    )
    return f"{text} {zone_name(timezone, locale, moment)}" if zone else text


def zone_name(timezone: str, locale: str, moment: datetime | None = None) -> str:
    """A zone as an offset people read at a glance: "UTC+8"; "UTC+1" or "UTC+2" in Berlin,
    by the date (``moment``, default now); "UTC+5:30" in India."""
    when = (moment or clock.now()).astimezone(ZoneInfo(timezone))
    minutes = round(when.utcoffset().total_seconds() / 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_day(day: date | str, locale: str) -> str:
    """A calendar date as people in ``locale`` write it (1 Dec 2026 / 2026年12月1日)."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return format_skeleton("yMMMd", day, locale=locale)


def format_number(value: float, locale: str) -> str:
    return format_decimal(value, locale=locale)


def format_share(value: float, locale: str) -> str:
    """0.42 → '42%'."""
    return format_percent(value, locale=locale)
