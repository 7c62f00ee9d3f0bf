"""Shared fixtures: a fresh database with the real content, the real bot on the local Bot API."""

import tempfile

import pytest

from bot.config import Settings
from bot.db import open_db
from bot.i18n import compile_catalogs
from bot.local import LocalBot
from bot.services import library

compile_catalogs()


def make_settings(**overrides) -> Settings:
    values = {
        "bot_token": None,
        "database_path": ":memory:",
        "default_language": "en",
        "default_timezone": "Asia/Shanghai",
        "admin_ids": [],
        "send_per_second": 30,
        "evidence_path": tempfile.mkdtemp(prefix="certready-evidence-"),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


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
    "📋 My reports",
    "🎯 Readiness",
    "🏭 Organization",
    "📚 Library",
    "⚙️ Settings",
    "❓ Help",
]
MENU_ZH = [
    "⚠️ 上报问题",
    "📋 我的报告",
    "🎯 认证就绪度",
    "🏭 组织",
    "📚 资料库",
    "⚙️ 设置",
    "❓ 帮助",
]
