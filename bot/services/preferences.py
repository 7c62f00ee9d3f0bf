"""Language and time-zone choices a user can make."""

from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

import sqlite_utils

from bot import clock
from bot.config import LANGUAGES
from bot.db import users

# Offered as buttons; anything else in the IANA database can be typed.
COMMON_TIMEZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)
_ZONES_BY_LOWER = {name.lower(): name for name in available_timezones()}


def find_timezone(typed: str) -> str | None:
    """The IANA name the user meant (case and spaces forgiven), or None."""
    key = typed.strip().replace(" ", "_").lower()
    return _ZONES_BY_LOWER.get(key)


def utc_offset(timezone: str, now: datetime | None = None) -> str:
    offset = (now or clock.now()).astimezone(ZoneInfo(timezone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def choose_language(db: sqlite_utils.Database, user_id: int, language: str) -> bool:
    if language not in LANGUAGES:
        return False
    users.set_language(db, user_id, language)
    return True


def choose_timezone(db: sqlite_utils.Database, user_id: int, typed: str) -> str | None:
    timezone = find_timezone(typed)
    if timezone:
        users.set_timezone(db, user_id, timezone)
    return timezone
