"""Language and time-zone choices a user can make.

A time zone is typed as people say it — 北京, 香港, Berlin, New York, UTC+8, GMT+8, 东八区 — or
as an IANA name, and stored as an IANA zone. Offsets become a city zone where one is clear
(UTC+8 → Asia/Shanghai), else the Etc zone, whose sign is inverted (UTC−5 → Etc/GMT+5). Zones
are shown by their city in the reader's language, with the offset (上海 · UTC+8), never by a
country: the same list serves everyone.
"""

import re
import unicodedata
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import sqlite_utils
from babel.core import get_global
from babel.dates import get_timezone_location

from bot import clock
from bot.config import LANGUAGES
from bot.db import users

# Offered as buttons, mainland China first; anything else can be typed.
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
_ZONES = frozenset(available_timezones())
_ZONES_BY_LOWER = {name.lower(): name for name in _ZONES}
_REGIONS = {
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
}  # fmt: skip
_UTC_ZONES = {
    "Etc/UTC", "Etc/UCT", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Etc/Greenwich",
    "Etc/Universal", "Etc/Zulu", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich", "UCT",
    "Universal", "UTC", "Zulu",
}  # fmt: skip
# Abbreviations kept as typed: tzdata links EST to Panama, which is not what anyone means.
_ABBREVIATIONS = {
    "CET", "CST6CDT", "EET", "EST", "EST5EDT", "HST", "MET", "MST", "MST7MDT", "PST8PDT", "WET",
}  # fmt: skip
_UTC_NAMES = {"utc", "gmt", "z", "zulu", "uct", "universal", "etc/utc", "etc/gmt", "零时区"}

# Places that are not a zone's own city. China keeps one time, so every mainland city is in
# Asia/Shanghai (Ürümqi included, whatever Asia/Urumqi says); Babel knows the zones' own cities
# (上海, 香港, 台北, 东京, New York, …) in both languages.
PLACES = {
    "Asia/Shanghai": (
        "中国", "中国大陆", "北京", "上海", "广州", "深圳", "成都", "重庆", "天津", "杭州",
        "南京", "武汉", "西安", "苏州", "东莞", "佛山", "宁波", "青岛", "厦门", "长沙", "郑州",
        "沈阳", "大连", "哈尔滨", "济南", "合肥", "福州", "昆明", "无锡", "长春", "石家庄",
        "南昌", "南宁", "贵阳", "太原", "兰州", "乌鲁木齐", "拉萨", "呼和浩特", "银川", "西宁",
        "海口", "三亚", "珠海", "中山", "惠州", "常州", "南通", "温州", "嘉兴", "绍兴", "金华",
        "义乌", "泉州", "烟台", "潍坊", "徐州", "扬州", "昆山", "洛阳", "廣州", "東莞", "重慶",
        "蘇州", "無錫", "廈門", "長沙", "瀋陽", "北京時間",
        "china", "mainland china", "beijing", "peking", "guangzhou", "shenzhen", "chengdu",
        "chongqing", "tianjin", "hangzhou", "nanjing", "wuhan", "xian", "suzhou", "dongguan",
        "foshan", "ningbo", "qingdao", "xiamen", "changsha", "zhengzhou", "shenyang", "dalian",
        "harbin", "jinan", "hefei", "fuzhou", "kunming", "wuxi", "changchun", "shijiazhuang",
        "urumqi", "lhasa", "zhuhai", "kunshan", "yiwu", "wenzhou", "changzhou", "nantong",
    ),
    "Asia/Hong_Kong": ("九龙", "九龍", "kowloon"),
    "Asia/Taipei": (
        "台湾", "臺灣", "taiwan", "高雄", "台中", "臺中", "新竹", "kaohsiung", "taichung",
        "hsinchu",
    ),
    "Asia/Tokyo": ("大阪", "osaka", "横滨", "yokohama"),
    "Asia/Kolkata": (
        "孟买", "新德里", "德里", "班加罗尔", "mumbai", "bombay", "delhi", "new delhi",
        "bangalore", "bengaluru", "chennai", "hyderabad", "pune",
    ),
    "Asia/Ho_Chi_Minh": ("河内", "hanoi", "saigon"),
    "Europe/Berlin": (
        "法兰克福", "慕尼黑", "汉堡", "斯图加特", "frankfurt", "munich", "münchen", "hamburg",
        "stuttgart", "cologne", "düsseldorf",
    ),
    "Europe/London": ("曼彻斯特", "manchester", "birmingham", "edinburgh"),
    "Europe/Rome": ("米兰", "milan"),
    "Europe/Madrid": ("巴塞罗那", "barcelona"),
    "Europe/Zurich": ("日内瓦", "geneva", "basel"),
    "America/New_York": ("华盛顿", "波士顿", "washington", "washington dc", "nyc", "boston",
        "miami",
    ),
    "America/Chicago": ("休斯顿", "达拉斯", "houston", "dallas", "austin"),
    "America/Los_Angeles": (
        "旧金山", "西雅图", "硅谷", "圣地亚哥", "san francisco", "seattle", "silicon valley",
        "san diego", "san jose",
    ),
}  # fmt: skip
# Offsets with one clear city (and all the ones the Etc zones cannot say); the other whole
# hours become Etc zones.
OFFSET_CITIES = {
    8 * 60: "Asia/Shanghai",
    5 * 60 + 30: "Asia/Kolkata",
    5 * 60 + 45: "Asia/Kathmandu",
    3 * 60 + 30: "Asia/Tehran",
    4 * 60 + 30: "Asia/Kabul",
    6 * 60 + 30: "Asia/Yangon",
    9 * 60 + 30: "Australia/Darwin",
    -(9 * 60 + 30): "Pacific/Marquesas",
}
_OFFSET = re.compile(r"(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?|(?:utc|gmt)(\d{1,2})(?::(\d{2}))?")
_CHINESE_ZONE = re.compile(r"([东東西])(\d{1,2}|[一二三四五六七八九十]{1,3})(?:时区|時區|区|區)")
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-"})
_CITY_LOCALES = ("en", "zh", "zh_Hant")  # Babel's city names that are understood when typed
_CHINESE_NUMBERS = {c: n for n, c in enumerate("一二三四五六七八九十", start=1)}


def find_timezone(typed: str) -> str | None:
    """The IANA zone the user meant, or None: an IANA name (case and spaces forgiven), a city
    in English or Chinese, or an offset (UTC+8, GMT-5, +05:30, 东八区)."""
    text = unicodedata.normalize("NFKC", typed).strip()
    if not text or len(text) > 64:
        return None
    exact = _ZONES_BY_LOWER.get(text.replace(" ", "_").lower())
    compact = re.sub(r"\s+", "", text.casefold()).translate(_DASHES)
    if compact in _UTC_NAMES:
        return "UTC"
    if exact:
        return _canonical(exact)
    if (minutes := _offset_minutes(compact)) is not None:
        return zone_for_offset(minutes)
    return _places().get(_place_key(text))


def _offset_minutes(compact: str) -> int | None:
    if match := _OFFSET.fullmatch(compact):
        sign, hours, minutes, bare_hours, bare_minutes = match.groups()
        direction = -1 if sign == "-" else 1
        hours, minutes = int(hours or bare_hours), int(minutes or bare_minutes or 0)
    elif match := _CHINESE_ZONE.fullmatch(compact):
        side, number = match.groups()
        direction = -1 if side == "西" else 1
        hours, minutes = _chinese_number(number), 0
    else:
        return None
    if minutes not in (0, 30, 45) or hours > 14:
        return None
    return direction * (hours * 60 + minutes)


def _chinese_number(number: str) -> int:
    """八 → 8, 十二 → 12, 12 → 12; anything else is out of range."""
    if number.isdigit():
        return int(number)
    tens, ten, ones = number.partition("十")
    if not ten:
        return _CHINESE_NUMBERS.get(number, 99)
    return (_CHINESE_NUMBERS.get(tens, 99) if tens else 1) * 10 + _CHINESE_NUMBERS.get(ones, 0)


def zone_for_offset(minutes: int) -> str | None:
    """A zone that is always ``minutes`` ahead of UTC: a clear city, else an Etc zone.

    The Etc zones follow POSIX, whose sign is the other way round: UTC+8 is Etc/GMT-8."""
    if minutes == 0:
        return "UTC"
    if minutes in OFFSET_CITIES:
        return OFFSET_CITIES[minutes]
    hours, rest = divmod(abs(minutes), 60)
    if rest or not -12 * 60 <= minutes <= 14 * 60:
        return None
    return f"Etc/GMT{'-' if minutes > 0 else '+'}{hours}"


def _canonical(zone: str) -> str:
    """Old names and links (PRC, Hongkong, Asia/Calcutta) as today's zone."""
    if zone in _UTC_ZONES:
        return "UTC"
    alias = get_global("zone_aliases").get(zone)
    return alias if alias in _ZONES and zone not in _ABBREVIATIONS else zone


def _place_key(name: str) -> str:
    """北京时间, "Beijing time", "São Paulo", "sao-paulo" and "上海市" all become one key."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    key = "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))
    for suffix in ("时间", "時間", "time", "市", "city"):
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
    return key


@cache
def _places() -> dict[str, str]:
    """Place name → zone: each zone's own city in English and Chinese (Babel), then PLACES."""
    found: dict[str, str] = {}
    for zone in sorted(_ZONES):
        if zone.split("/")[0] not in _REGIONS:
            continue
        canonical = _canonical(zone)
        names = {zone.rsplit("/", 1)[-1].replace("_", " ")}
        names.update(
            get_timezone_location(zone, locale, return_city=True) for locale in _CITY_LOCALES
        )
        for name in names:
            found.setdefault(_place_key(name), canonical)
    for zone, places in PLACES.items():
        for place in places:
            found[_place_key(place)] = zone
    return found


def utc_offset(timezone: str, now: datetime | None = None) -> str:
    offset = (now or clock.now()).astimezone(ZoneInfo(timezone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(timezone: str, locale: str, now: datetime | None = None) -> str:
    """上海 · UTC+8, Berlin · UTC+1: the zone's city in ``locale``, and its offset now.
    An offset-only zone (UTC, Etc/GMT-8) is shown as its offset."""
    zone = _canonical(timezone)
    offset = utc_offset(zone, now)
    if zone == "UTC":
        return "UTC"
    if "/" not in zone or zone.startswith("Etc/"):
        return offset
    return f"{get_timezone_location(zone, locale, return_city=True)} · {offset}"


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
