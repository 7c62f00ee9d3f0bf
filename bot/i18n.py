"""Languages: gettext catalogs, locale resolution, CLDR formatting.

UI strings are translated at render time with the locale the middleware puts in
context, never at import time.
"""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from babel import Locale
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from bot import LOCALES_DIR
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


def format_moment(moment: datetime, locale: str, timezone: str) -> str:
    """A date and time (to the minute) as people in ``locale`` write it, in ``timezone``."""
    local = moment.astimezone(ZoneInfo(timezone))
    glue = Locale.parse(locale).datetime_formats["medium"]  # CLDR's "{1}, {0}" and the like
    return glue.format(
        format_skeleton("Hm", local, locale=locale), format_skeleton("yMMMd", local, locale=locale)
    )


def format_number(value: float, locale: str) -> str:
    return format_decimal(value, locale=locale)


def format_share(value: float, locale: str) -> str:
    """0.42 → '42%'."""
    return format_percent(value, locale=locale)
