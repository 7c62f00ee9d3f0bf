"""Which language a user gets: their choice, else their Telegram app's, else the default."""

from datetime import UTC, datetime

import pytest

from bot.i18n import format_moment, resolve_locale


@pytest.mark.parametrize(
    ("saved", "telegram", "default", "expected"),
    [
        ("zh", "en", "en", "zh"),  # a saved choice wins
        ("en", "zh-hans", "zh", "en"),
        (None, "zh", "en", "zh"),
        (None, "zh-hans", "en", "zh"),
        (None, "zh-cn", "en", "zh"),
        (None, "zh-sg", "en", "zh"),
        (None, "zh-hant", "en", "zh"),
        (None, "zh-TW", "en", "zh"),
        (None, "zh-hk", "en", "zh"),
        (None, "zh_Hans_CN", "en", "zh"),
        (None, "en", "zh", "en"),
        (None, "en-GB", "zh", "en"),
        (None, "de", "en", "en"),  # a language we do not have → default
        (None, "de", "zh", "zh"),
        (None, None, "en", "en"),
        (None, "", "zh", "zh"),
        ("fr", "zh", "en", "zh"),  # a stale saved value we no longer offer is ignored
    ],
)
def test_resolve_locale(saved, telegram, default, expected):
    assert resolve_locale(saved, telegram, default) == expected


def test_dates_follow_locale_and_time_zone():
    moment = datetime(2026, 11, 24, 16, 5, tzinfo=UTC)
    assert format_moment(moment, "en", "Asia/Shanghai") == "Nov 25, 2026, 00:05 UTC+8"
    assert format_moment(moment, "zh", "Asia/Shanghai") == "2026年11月25日 00:05 UTC+8"
    assert format_moment(moment, "en", "Europe/Berlin") == "Nov 24, 2026, 17:05 UTC+1"
