"""Shared fixtures: a fresh database with the real content, the real bot on the local Bot API."""

import ipaddress
import shutil
import socket
import tempfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.config import Settings
from bot.db import open_db
from bot.i18n import compile_catalogs
from bot.local import LocalBot
from bot.services import library

compile_catalogs()


# No test touches the network: only loopback (the local Bot API served over HTTP) may be reached.
# On a closed network a stray connection may hang rather than fail; here it fails at once, by name.
def _loopback_only(host) -> None:
    if isinstance(host, bytes):
        host = host.decode()
    if host in ("localhost", "", None):
        return
    try:
        if ipaddress.ip_address(host.split("%")[0]).is_loopback:
            return
    except ValueError:
        pass
    raise OSError(f"a test tried to reach {host!r}: tests must stay on 127.0.0.1")


_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _guarded_getaddrinfo(host, *args, **kwargs):
    _loopback_only(host)
    return _getaddrinfo(host, *args, **kwargs)


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _loopback_only(address[0])
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _loopback_only(address[0])
    return _connect_ex(self, address)


socket.getaddrinfo = _guarded_getaddrinfo
socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex


_FOLDERS: list[str] = []


def _temporary_folder() -> str:
    """A folder for one test's evidence, removed when the test session ends."""
    _FOLDERS.append(tempfile.mkdtemp(prefix="certready-evidence-"))
    return _FOLDERS[-1]


def pytest_sessionfinish(session, exitstatus) -> None:
    for folder in _FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)


def make_settings(**overrides) -> Settings:
    values = {
        "bot_token": None,
        "database_path": ":memory:",
        "default_language": "en",
        "default_timezone": "Asia/Shanghai",
        "admin_ids": [],
        "send_per_second": 30,
        "scheduler": False,  # a test ticks when it means to: ``await local.tick()``
        "evidence_path": _temporary_folder(),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


# Instants where dates go wrong: a month's last day, New Year's Eve in Shanghai before
# and after midnight (still 31 December in UTC), and the nights Berlin changes its clocks.
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
MONTH_END = datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI)
NEW_YEARS_EVE = datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI)
NEW_YEAR = datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI)
DST_SPRING = datetime(2027, 3, 28, 3, 30, tzinfo=BERLIN)  # an hour after clocks went forward
DST_AUTUMN = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN).replace(fold=1)  # the second 2:30
INSTANTS = {
    "month-end": MONTH_END,
    "new-years-eve": NEW_YEARS_EVE,
    "new-year": NEW_YEAR,
    "dst-spring": DST_SPRING,
    "dst-autumn": DST_AUTUMN,
}


@pytest.fixture
def clock():
    """Stand at a chosen instant: ``clock(MONTH_END)``; ``clock.shift(days=1)`` moves on.
    Time stands still between moves, so a test never depends on when it runs."""
    travellers = []

    class Clock:
        def __call__(self, moment: datetime):
            if travellers:
                travellers.pop().stop()
            traveller = time_machine.travel(moment, tick=False)
            traveller.start()
            travellers.append(traveller)
            self.moment = moment
            return self

        def shift(self, **delta):
            from datetime import timedelta

            return self(self.moment + timedelta(**delta))

    yield Clock()
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def db():
    database = open_db(None)
    assert library.load(database) == []
    return database


@pytest.fixture
async def local(settings, db):
    bot = await LocalBot(settings, db).start()
    yield bot
    await bot.stop()
    assert bot.api.unanswered() == [], "every callback query must be answered"


@pytest.fixture
def en_user(local):
    return local.user(1001, language_code="en", first_name="Anna")


@pytest.fixture
def zh_user(local):
    return local.user(1002, language_code="zh-hans", first_name="王芳")


MENU_EN = [
    "⚠️ Report a problem",
    "📋 My tasks",
    "🎯 Readiness",
    "🗺 Roadmap",
    "🎓 Practice",
    "🏭 Organization",
    "📚 Library",
    "⚙️ Settings",
    "❓ Help",
]
MENU_ZH = [
    "⚠️ 上报问题",
    "📋 我的任务",
    "🎯 认证就绪度",
    "🗺 认证路线图",
    "🎓 练习",
    "🏭 组织",
    "📚 资料库",
    "⚙️ 设置",
    "❓ 帮助",
]
