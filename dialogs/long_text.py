"""Long words, taken whole.

Telegram splits a text longer than 4,096 characters into several messages. On a step that
asks for words, a message long enough to be such a part keeps the step open: the next
messages are added to it until the person taps "That's all" (or sends a short last part).
A text over the step's limit is not taken, but not lost either: the person is told exactly
how much to cut and gets their text back to edit.

``step(...)`` gives a window the input and, while parts are being collected, the count so far
and a "That's all" button.
"""

from typing import Literal

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button
from aiogram_dialog.widgets.text import Text
from magic_filter import F

from bot.services import text
from dialogs.common import T

PART = 3800  # a message at least this long may be one part of a longer text
HARD_CUT = 4096  # a part this long (UTF-16 units, as Telegram counts) was cut, not split
Taken = Literal["done", "more", "empty", "too_long"]


async def take(message: Message, manager: DialogManager, key: str, limit: int) -> Taken:
    """Add the message's words to ``dialog_data[key]``: "done" when the text is complete,
    "more" while parts may follow, "empty" or "too_long" (the person was told) otherwise."""
    data = manager.dialog_data
    typed = text.clean(message.text or message.caption or "")
    continued = data.get(f"{key}_more") and data.get(key)
    # A part cut at the very limit was cut mid-word (Chinese has no spaces to cut at): join
    # it as it was. A shorter part ended where a space or line break was dropped.
    glue = "" if data.get(f"{key}_last", 0) >= HARD_CUT else "\n"
    combined = f"{data[key]}{glue}{typed}" if continued and typed else (typed or data.get(key, ""))
    if not continued and not text.visible(typed):
        return "empty"
    if len(combined) > limit:
        data.pop(f"{key}_more", None)
        await _too_long(message, combined, limit)
        return "too_long"
    data[key] = combined
    data[f"{key}_last"] = len(typed.encode("utf-16-le")) // 2
    if len(typed) >= PART:
        data[f"{key}_more"] = True
        return "more"
    data.pop(f"{key}_more", None)
    return "done"


async def _too_long(message: Message, typed: str, limit: int) -> None:
    await message.answer(
        _(
            "That is {length} characters; this can hold at most {limit}. Please shorten it by "
            "at least {over} characters and send it again. Here is your text to edit:"
        ).format(length=len(typed), limit=limit, over=len(typed) - limit),
        parse_mode=None,
    )
    for piece in text.parts(typed):
        await message.answer(piece, parse_mode=None)


def collecting(manager: DialogManager, key: str) -> bool:
    return bool(manager.dialog_data.get(f"{key}_more"))


def finish(manager: DialogManager, key: str) -> str:
    """The collected text; no more parts are expected."""
    manager.dialog_data.pop(f"{key}_more", None)
    return manager.dialog_data.get(key, "")


class _Collected(Text):
    def __init__(self, key: str) -> None:
        super().__init__(when=F["dialog_data"][f"{key}_more"])
        self.key = key

    async def _render_text(self, data: dict, manager: DialogManager) -> str:
        return _(
            "📝 Got {length} characters so far. If your text goes on, send the rest; "
            "otherwise tap “That's all”."
        ).format(length=length_of(manager, self.key))


def more_text(key: str) -> Text:
    return _Collected(key)


def more_button(key: str, on_done) -> Button:
    return Button(
        T("✅ That's all"), id=f"{key}_done", on_click=on_done, when=F["dialog_data"][f"{key}_more"]
    )


def length_of(manager: DialogManager, key: str) -> int:
    return len(manager.dialog_data.get(key, ""))


def step(key: str, limit: int, save, empty_msgid: str) -> list:
    """The widgets of a step that takes words: ``save(message, manager, text)`` is called
    with the whole text once it is complete; nothing visible gets ``empty_msgid``."""

    async def on_message(message: Message, widget, manager: DialogManager) -> None:
        taken = await take(message, manager, key, limit)
        if taken == "done":
            await save(message, manager, finish(manager, key))
        elif taken == "empty":
            await message.answer(_(empty_msgid))

    async def on_done(callback, button, manager: DialogManager) -> None:
        await save(callback.message, manager, finish(manager, key))

    return [more_text(key), MessageInput(on_message), more_button(key, on_done)]
