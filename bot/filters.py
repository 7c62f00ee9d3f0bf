"""Where an update comes from, as filters.

Coroutines on purpose: aiogram runs a plain function — and a magic filter such as
``F.chat.type == "private"`` — in a worker thread, one hand-over per router an update
passes (bench/updates.py showed five per click).
"""

from aiogram.enums import ChatType
from aiogram.types import TelegramObject

GROUPS = {ChatType.GROUP, ChatType.SUPERGROUP}


def chat_of(event: TelegramObject):
    """The chat of a message, a membership change, or the message under a button."""
    return getattr(event, "chat", None) or getattr(getattr(event, "message", None), "chat", None)


def _chat_type(event: TelegramObject) -> str | None:
    chat = chat_of(event)
    return chat.type if chat is not None else None


async def in_private(event: TelegramObject) -> bool:
    """A private chat (a message, or a button under a message in one)."""
    return _chat_type(event) == ChatType.PRIVATE


async def in_group(event: TelegramObject) -> bool:
    """A group or supergroup (a message, a button, a change of the bot's membership)."""
    return _chat_type(event) in GROUPS


async def a_command(message: TelegramObject) -> bool:
    """Text that starts with a slash."""
    return (getattr(message, "text", None) or "").startswith("/")
