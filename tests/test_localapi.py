"""The local Bot API answers as Telegram does, so tests catch what Telegram would refuse."""

import asyncio

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import limiter
from bot.localapi import Fault
from tests.conftest import MENU_EN

CHAT = 1001


@pytest.fixture
def chat(local, en_user):
    return en_user.chat["id"]


async def test_html_is_checked_and_shown_as_text(local, en_user, chat):
    await local.bot.send_message(chat, "<b>Bold</b> &amp; plain")
    assert en_user.text() == "Bold & plain"
    for broken in ("<b>open", "<div>x</div>", "a </i> b", "1 < 2 <3"):
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await local.bot.send_message(chat, broken)


async def test_telegram_limits(local, chat):
    with pytest.raises(TelegramBadRequest, match="too long"):
        await local.bot.send_message(chat, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="empty"):
        await local.bot.send_message(chat, "   ")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="ok", callback_data="x" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await local.bot.send_message(chat, "hi", reply_markup=markup)
    sent = await local.bot.send_message(chat, "same")
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await local.bot.edit_message_text("same", chat_id=chat, message_id=sent.message_id)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(429, retry_after=7, times=4), TelegramRetryAfter),  # more 429s than retries
        (Fault(403), TelegramForbiddenError),
        (Fault(502, "Bad Gateway"), TelegramServerError),
        (Fault(0), TelegramNetworkError),
    ],
)
async def test_injected_faults(local, en_user, chat, fault, error, clock):
    local.api.faults.append(fault)
    with pytest.raises(error) as raised:
        await local.bot.send_message(chat, "tip of the day")
    if isinstance(raised.value, TelegramRetryAfter):
        assert raised.value.retry_after == 7
    await local.bot.send_message(chat, "tip of the day")  # the fault was used up
    assert en_user.text() == "tip of the day"


class FakeClock:
    """Sleeping moves this clock instead of the real one."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.waits: list[float] = []

    def now(self) -> float:
        return asyncio.get_running_loop().time() + self.offset

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(limiter, "_sleep", fake.sleep)
    monkeypatch.setattr(limiter, "_now", fake.now)
    return fake


async def test_429_pauses_sending_and_the_message_still_goes(local, en_user, chat, clock):
    local.api.faults.append(Fault(429, retry_after=5, times=2))
    await local.bot.send_message(chat, "weekly digest")
    assert en_user.text() == "weekly digest"
    assert len(clock.waits) == 2 and all(4 < w <= 5 for w in clock.waits)


async def test_groups_get_at_most_their_share(local, en_user):
    from bot.limiter import SendLimiter

    slow = SendLimiter(per_second=30, group_per_minute=2)
    local.bot.session.middleware(slow)
    group = {"id": -1001, "type": "supergroup", "title": "Line 3"}
    local.api.chats[-1001] = group
    await local.bot.send_message(-1001, "one")
    await local.bot.send_message(-1001, "two")
    with pytest.raises(TimeoutError):  # the third waits for the minute to move on
        await asyncio.wait_for(local.bot.send_message(-1001, "three"), 0.3)
    await local.bot.send_message(1001, "a private chat is not held up")


async def test_fault_for_one_method_and_chat_only(local, en_user, chat):
    local.api.faults.append(Fault(403, method="sendmessage", chat_id=999, times=5))
    await local.bot.send_message(chat, "still fine")
    assert en_user.text() == "still fine"


async def test_command_menu_failure_is_logged_not_fatal(settings, db, caplog):
    from bot.local import LocalBot

    bot = LocalBot(settings, db)
    bot.api.faults.append(Fault(500, method="setmycommands", times=10))
    await bot.start()
    assert "could not set the" in caplog.text
    user = bot.user(5, language_code="en")
    await user.send("/menu")
    assert user.buttons() == MENU_EN
    await bot.stop()
