"""Stale buttons, crafted callbacks and our own bugs: every callback answered, nothing lost."""

import copy
import logging

from bot.localapi.user import find_button
from bot.services import library
from tests.conftest import MENU_EN


async def test_old_button_after_dialog_closed_reopens_where_the_user_is(en_user, local):
    await en_user.send("/library")
    home = copy.deepcopy(en_user.keyboard_message())
    stale = find_button(home, "⬅️ Back")["callback_data"]
    await en_user.press("⬅️ Back")  # library closes: main menu
    assert en_user.buttons() == MENU_EN
    answer = await en_user.press_data(stale, home)  # a double tap on the same Back
    assert answer["text"] == "That button was out of date; here is where you are now."
    assert en_user.buttons() == MENU_EN


async def test_button_of_a_covered_dialog_keeps_the_users_place(zh_user):
    await zh_user.send("/menu")
    menu = copy.deepcopy(zh_user.keyboard_message())  # the fake edits messages in place
    await zh_user.press("📚 资料库")
    await zh_user.press("📖 ISO 9001 条款地图")
    await zh_user.press("10 改进")
    await zh_user.press("10.2 不合格和纠正措施")
    # The main menu message was replaced in place; an old copy of it is pressed.
    answer = await zh_user.press_data(find_button(menu, "⚙️ 设置")["callback_data"], menu)
    assert answer is not None
    assert "10.2 不合格和纠正措施" in zh_user.text()  # still where they were
    await zh_user.press("⬅️ 返回")  # and the path back is intact
    assert "10 改进" in zh_user.text() and "10.2 不合格和纠正措施" in zh_user.buttons()


async def test_crafted_callback_data_is_answered_and_refused(en_user):
    await en_user.send("/menu")
    message = en_user.keyboard_message()
    for data in ("hello", "x" * 64, "zzzz\x1dlibrary", "\x1d", "999999\x1dsettings:1"):
        answer = await en_user.press_data(data, message)
        assert answer is not None, data
    assert en_user.buttons() == MENU_EN


async def test_unexpected_error_is_logged_and_the_user_told_in_their_language(
    zh_user, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(library, "search", broken)
    caplog.set_level(logging.ERROR)
    await zh_user.send("/menu")
    await zh_user.send("/search 审核")
    assert "抱歉，我们这边出了点问题" in zh_user.text()
    named = f"update failed [update={zh_user.api.update_id} chat={zh_user.id} user={zh_user.id}]"
    failed = [r for r in caplog.records if r.getMessage() == named]
    assert failed and "disk on fire" in str(failed[0].exc_info[1])


async def test_unexpected_error_on_a_button_still_answers_it(en_user, monkeypatch):
    await en_user.send("/library")
    monkeypatch.setattr(library, "subclauses", lambda *a: 1 / 0)
    answer = await en_user.press("📖 ISO 9001 clause map")
    assert answer is not None
    assert "Sorry, something went wrong on our side" in en_user.text()


async def test_stray_text_brings_the_current_screen_back(en_user):
    await en_user.send("/menu")
    sent = len(en_user.messages())
    await en_user.send("asdf qwerty")
    assert len(en_user.messages()) == sent + 2  # a hint, and the menu again below it
    assert "Please use the buttons" in en_user.transcript(2)
    assert en_user.buttons() == MENU_EN


async def test_text_with_no_dialog_open_gets_a_hint(en_user):
    await en_user.send("asdf qwerty")
    assert en_user.text() == "Please use the buttons, or send /menu for the main menu."
    await en_user.send("/nonsense")
    assert "I don't know that command" in en_user.text()


async def test_commands_typed_again_and_again_never_pile_up(en_user, local):
    await en_user.send("/menu")
    for _ in range(40):  # aiogram-dialog refuses a 101st open dialog
        await en_user.send("/help")
        await en_user.send("/library")
        await en_user.send("/settings")
    assert en_user.text().startswith("Settings")
    for _ in range(4):  # a short way back to the menu, one screen at a time
        await en_user.press("⬅️ Back")
        if en_user.buttons() == MENU_EN:
            break
    assert en_user.buttons() == MENU_EN
    rows = local.db.execute("SELECT COUNT(*) FROM fsm WHERE key LIKE '%aiogd:context:%'").fetchone()
    assert rows[0] <= 6


async def test_crafted_item_ids_inside_a_real_dialog(en_user):
    await en_user.send("/settings")
    await en_user.press("🕒 Time zone")
    screen = copy.deepcopy(en_user.keyboard_message())
    intent = find_button(screen, "⬅️ Back")["callback_data"].split("\x1d")[0]
    for data in (f"{intent}\x1dzones:abc", f"{intent}\x1dzones:", f"{intent}\x1dzones:Mars/Base"):
        assert await en_user.press_data(data, screen) is not None
    assert "Your time zone: Shanghai · UTC+8" in en_user.text()  # nothing changed

    await en_user.send("/library")
    home = copy.deepcopy(en_user.keyboard_message())
    intent = find_button(home, "🔎 Search")["callback_data"].split("\x1d")[0]
    assert await en_user.press_data(f"{intent}\x1dsections:zzz", home) is not None
    assert "This section is no longer in the library." in en_user.text()
    await en_user.press("⬅️ Back")
    assert en_user.text().startswith("Library")


async def test_group_talk_is_left_alone_and_menus_point_to_a_private_chat(local):
    group = {"id": -100123, "type": "supergroup", "title": "Line 3"}
    member = local.user(4242, language_code="zh", chat=group)
    await member.send("大家好")
    assert member.messages() == []  # ordinary talk in a group is not the bot's business
    await member.send("/menu")
    assert "请在私聊中打开我" in member.text()  # an unlinked group gets both languages
    assert "open me in a private chat" in member.text()


def test_intent_ids_never_repeat_within_one_clock_tick(monkeypatch):
    from aiogram_dialog.api.entities import stack

    monkeypatch.setattr("time.time_ns", lambda: 1_795_500_000_000_000_000)
    ids = [stack.new_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
