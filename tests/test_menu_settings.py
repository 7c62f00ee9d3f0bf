"""A new user meets the bot, reads the help, switches language and sets a time zone."""

from bot.db import users
from tests.conftest import MENU_EN, MENU_ZH, NEW_YEARS_EVE


async def test_new_english_user_sees_the_main_menu(en_user, db):
    await en_user.send("/menu")
    assert "CertReady" in en_user.text()
    assert "Hello, Anna!" in en_user.text()
    assert en_user.buttons() == MENU_EN
    stored = users.get(db, en_user.id)
    assert stored.telegram_language == "en" and stored.language is None


async def test_chinese_telegram_app_gets_chinese(zh_user):
    await zh_user.send("/menu")
    assert "您好，王芳！" in zh_user.text()
    assert zh_user.buttons() == MENU_ZH


async def test_help_opens_on_top_and_back_returns(en_user):
    await en_user.send("/menu")
    await en_user.press("📚 Library")
    await en_user.send("/help")
    assert "/language" in en_user.text() and "/search" in en_user.text()
    answer = await en_user.press("⬅️ Back")
    assert answer is not None
    assert en_user.text().startswith("Library")


async def test_language_command_switches_and_persists(en_user, local, db):
    await en_user.send("/menu")
    await en_user.send("/language")
    assert en_user.buttons() == ["✅ English", "简体中文", "⬅️ Back"]
    await en_user.press("简体中文")
    assert users.get(db, en_user.id).language == "zh"
    # Back where the user was, now in Chinese.
    assert "您好，Anna！" in en_user.text()
    await en_user.send("/menu")
    assert en_user.buttons() == MENU_ZH


async def test_chinese_user_switches_to_english_in_settings(zh_user, db):
    await zh_user.send("/menu")
    await zh_user.press("⚙️ 设置")
    assert "语言：简体中文" in zh_user.text()
    await zh_user.press("🌐 语言")
    await zh_user.press("English")
    assert "Language: English" in zh_user.text()
    assert users.get(db, zh_user.id).language == "en"


async def test_time_zone_from_the_list(en_user, db, clock):
    clock(NEW_YEARS_EVE)  # winter: Berlin is at UTC+1
    await en_user.send("/settings")
    assert "Time zone: Shanghai · UTC+8" in en_user.text()
    await en_user.press("🕒 Time zone")
    await en_user.press("Berlin")
    assert "Time zone: Berlin · UTC+1" in en_user.text()
    assert users.get(db, en_user.id).timezone == "Europe/Berlin"


async def test_typed_time_zone_is_validated_in_the_users_language(zh_user, db, clock):
    clock(NEW_YEARS_EVE)
    await zh_user.send("/settings")
    await zh_user.press("🕒 时区")
    await zh_user.send("Mars/Olympus")
    assert "“Mars/Olympus”不是有效的时区" in zh_user.transcript(2)
    assert "请选择其他时区" in zh_user.text()  # and the question is asked again below it
    assert users.get(db, zh_user.id).timezone is None
    await zh_user.send("america/sao paulo")  # case and spaces forgiven
    assert "时区：圣保罗 · UTC−3" in zh_user.text()
    assert users.get(db, zh_user.id).timezone == "America/Sao_Paulo"


async def test_command_menus_are_set_per_language(local):
    commands = local.api.commands
    assert {c["command"] for c in commands[("default", "")]} >= {"menu", "help", "language"}
    zh = {c["command"]: c["description"] for c in commands[("default", "zh")]}
    assert zh["help"] == "帮助与隐私" and zh["org"] == "我的组织"
    en = {c["command"]: c["description"] for c in commands[("default", "en")]}
    assert en["help"] == "Help and privacy" and en["deleteme"] == "Erase your data"


async def test_back_from_language_returns_to_where_the_user_was(en_user):
    await en_user.send("/library")
    await en_user.send("/language")
    await en_user.press("⬅️ Back")
    assert en_user.text().startswith("Library")
