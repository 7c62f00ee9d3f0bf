"""Languages: gettext catalogs, locale resolution, CLDR formatting.

UI strings are translated at render time with the locale the middleware puts in
context, never at import time.
"""

import gettext
import hashlib
import re
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from string import Formatter
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from babel import Locale
from babel.dates import format_skeleton
from babel.messages.catalog import Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_decimal, format_percent

from bot import LOCALES_DIR, clock
from bot.config import LANGUAGES
from bot.startup import StartupError

DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the msgids are English: its catalog may leave a msgstr empty
TAG = re.compile(r"</?[a-z-]+>")
# Chinese text and its own (full-width) punctuation: the context where , : ; ? ! ( ) must be
# full-width. ASCII stays fine inside Latin and digit runs (ISO 9001:2015, 08:30, e.g.), in
# commands (/report) and in {placeholders}; HTML tags and URLs are taken out before looking.
CHINESE = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_HIDDEN = re.compile(r"<[^<>]*>|(?:https?://|www\.|t\.me/)[^\s" + CHINESE + "]*")
_ASCII_IN_CHINESE = re.compile(  # touching Chinese, or between Chinese with spaces around it
    rf"(?<=[{CHINESE}])[,:;?!()]|[,:;?!()](?=[{CHINESE}])"
    rf"|(?<=[{CHINESE}] )[,:;?!()](?= [{CHINESE}])"
)
# Self-names: each language is offered in its own script, whatever the UI language.
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}


def N_(msgid: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return msgid


def compile_catalogs(root: Path = LOCALES_DIR) -> list[Path]:
    """Compile every ``messages.po`` whose ``.mo`` is missing or older; return those written.

    For gettext tools only: the bot itself compiles in memory (``PoI18n``) and needs no ``.mo``.
    """
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


@lru_cache(maxsize=16)
def _compiled(po_path: Path, stamp: tuple[int, int]) -> bytes:
    """The ``.mo`` bytes of a ``.po``; ``stamp`` (mtime, size) recompiles an edited file."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=po_path.parent.parent.name)
    mo = BytesIO()
    write_mo(mo, catalog)
    return mo.getvalue()


class PoI18n(I18n):
    """aiogram's I18n, fed from the ``.po`` sources compiled in memory.

    ``.mo`` files are build output we do not commit, and an installed bot may live in a
    read-only site-packages (a container image, a system package). Compiling the two small
    catalogs in memory at start takes milliseconds, needs no writable place and no cache to
    invalidate, and can never serve a stale ``.mo`` next to an edited ``.po``.
    """

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        locales = {}
        for po_path in sorted(self.path.glob(f"*/LC_MESSAGES/{self.domain}.po")):
            stat = po_path.stat()
            mo = _compiled(po_path, (stat.st_mtime_ns, stat.st_size))
            locales[po_path.parent.parent.name] = gettext.GNUTranslations(BytesIO(mo))
        return locales


# aiogram's ContextInstanceMixin gives every subclass its own context variable, but
# ``gettext`` looks up ``I18n.get_current()``: share the base class's, or no text is found.
PoI18n._ContextInstanceMixin__context_instance = I18n._ContextInstanceMixin__context_instance


def make_i18n(default_language: str, root: Path = LOCALES_DIR) -> I18n:
    return PoI18n(path=root, default_locale=default_language, domain=DOMAIN)


def catalog_problems(root: Path = LOCALES_DIR, languages=LANGUAGES) -> list[str]:
    """What would break or silently degrade a screen in some language, one line per problem.

    A translation is ``.format(**values)``-ed with the values the code passes for its msgid:
    a placeholder the msgid lacks is a KeyError on that screen for everyone in the language, an
    unbalanced brace a ValueError, a changed HTML tag a refusal from Telegram, and a fuzzy or
    empty entry shows English. gettext compiles all of these without a word.
    """
    problems = []
    for lang in languages:
        path = root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        try:
            with path.open("rb") as po_file:
                catalog = read_po(po_file, locale=lang, abort_invalid=True)
        except (OSError, PoFileError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            problems.append(f"catalog {lang}: {path} cannot be read ({reason})")
            continue
        for message in catalog:
            if message.id:
                label = f'catalog {lang}, msgid "{_shortened(message.id)}"'
                problems += [f"{label}: {fault}" for fault in _faults(message, lang)]
    return problems


def catalog_fingerprint(root: Path = LOCALES_DIR, languages=LANGUAGES) -> str:
    """What the catalogs are now: a start that finds them as an earlier start checked them
    need not read them again (about 0.2 s)."""
    digest = hashlib.sha256()
    for lang in languages:
        path = root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def require_valid_catalogs(root: Path = LOCALES_DIR) -> None:
    """Refuse to start on a catalog that would break a screen (see ``catalog_problems``)."""
    if problems := catalog_problems(root):
        raise StartupError(*problems)


def _faults(message: Message, lang: str) -> list[str]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    if message.fuzzy:
        return ["marked fuzzy: check the translation, then remove the flag"]
    if not all(strings):
        return [] if lang == SOURCE_LANGUAGE and not any(strings) else ["not translated"]
    try:
        wanted = set().union(*(_placeholders(msgid) for msgid in ids))
    except ValueError as error:
        return [f"the msgid itself has unbalanced braces ({error})"]
    faults = []
    for text in strings:
        try:
            found = _placeholders(text)
        except ValueError as error:
            faults.append(f"unbalanced braces in the translation ({error})")
            continue
        # A plural form may leave out {count} ("one report"), never add a name.
        if found != wanted and not (message.pluralizable and found < wanted):
            faults.append(f"placeholders {_listed(found)} instead of {_listed(wanted)}")
        if sorted(TAG.findall(text)) != sorted(TAG.findall(ids[0])):
            faults.append(f"HTML tags {_listed(TAG.findall(text))} instead of the msgid's")
        if lang.startswith("zh"):
            faults += _ascii_in_chinese(text)
    return faults


def _ascii_in_chinese(text: str) -> list[str]:
    """ASCII , : ; ? ! ( ) where Chinese typography wants the full-width mark: "角色:{role}"."""
    shown = _HIDDEN.sub(lambda found: "" if found[0].startswith("<") else "URL", text)
    faults = []
    for found in _ASCII_IN_CHINESE.finditer(shown):
        mark, at = found[0], found.start()
        context = " ".join(shown[max(at - 8, 0) : at + 9].split())
        faults.append(f"ASCII '{mark}' in Chinese text (…{context}…): write '{FULL_WIDTH[mark]}'")
    return faults


def _placeholders(text: str) -> set[str]:
    """The ``{names}`` ``str.format`` will look up; ValueError on unbalanced braces."""
    return {"{" + name + "}" for _, name, _, _ in Formatter().parse(text) if name is not None}


def _listed(names) -> str:
    return " ".join(sorted(names)) or "none"


def _shortened(msgid: str | tuple[str, ...]) -> str:
    text = " ".join((msgid[0] if isinstance(msgid, tuple) else msgid).split())
    return text if len(text) <= 40 else text[:39] + "…"


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
