"""Dialog state lives in SQLite: a restarted bot continues where the user was."""

from bot.db import open_db
from bot.local import LocalBot
from bot.localapi import LocalBotAPI


async def test_user_continues_after_restart(settings, tmp_path):
    path = tmp_path / "bot.sqlite3"
    telegram = LocalBotAPI()  # Telegram outlives our process: same chat, same old messages

    first = await LocalBot(settings, open_db(path), telegram).start()
    from bot.services import library

    assert library.load(first.db) == []
    user = first.user(42, language_code="zh-cn", first_name="小李")
    await user.send("/menu")
    await user.press("📚 资料库")
    await user.press("📖 ISO 9001 条款地图")
    await user.press("10 改进")
    old_screen = user.keyboard_message()
    await first.stop()
    first.db.close()

    second = await LocalBot(settings, open_db(path), telegram).start()
    user.deliver = second.feed  # the same person, now talking to the new process
    answer = await user.press("10.2 不合格和纠正措施", old_screen)
    assert answer is not None
    assert "10.2 不合格和纠正措施" in user.text()
    await user.press("⬅️ 返回")  # the trail survived too
    assert "10 改进" in user.text()
    await user.press("⬅️ 返回")
    assert "ISO 9001 条款地图" in user.text()
    await second.stop()


async def test_two_dispatchers_share_one_file(settings, tmp_path):
    """Each start opens the file afresh; state written by one is read by the next."""
    path = tmp_path / "bot.sqlite3"
    telegram = LocalBotAPI()
    a = await LocalBot(settings, open_db(path), telegram).start()
    user = a.user(7, language_code="en")
    await user.send("/settings")
    await user.press("🕒 Time zone")
    b = await LocalBot(settings, open_db(path), telegram).start()
    user.deliver = b.feed
    await user.send("Europe/Berlin")  # typed into the window opened by the first process
    assert "Time zone: Berlin · UTC+" in user.text()
    await a.stop()
    await b.stop()
