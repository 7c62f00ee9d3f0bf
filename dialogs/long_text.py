"""Long words, taken whole.

Telegram splits a text longer than 4,096 characters (UTF-16 units) into several messages. On a
step that asks for words, a message long enough to be such a part keeps the step collecting:
the next messages are added to it until a short last part arrives or the person taps "That's
all". A text over the step's limit is not taken, but not lost either: once it is complete the
person is told exactly how much to cut and gets all of it back to edit. Anything that is not
text while collecting (a photo, a sticker) is ignored, never taken as the end.

``step(...)`` gives a window the input and, while parts are being collected, the count so far
and a "That's all" button. Open a step with ``reset`` so nothing collected for another step
or question is carried into it.
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

PART = 2048  # a message at least this long (UTF-16 units) may be one part of a longer text
HARD_CUT = 4096  # a part this long was cut at Telegram's limit, mid-word: rejoin without a gap
Taken = Literal["done", "more", "empty", "too_long"]


def _keys(key: str) -> tuple[str, str, str]:
    return f"{key}_buffer", f"{key}_more", f"{key}_last"


def reset(manager: DialogManager, key: str) -> None:
    for name in _keys(key):
        manager.dialog_data.pop(name, None)


async def take(message: Message, manager: DialogManager, key: str, limit: int) -> Taken:
    """Add the message's words to what is being collected for ``key``. "done": the whole
    text is in ``dialog_data[key]``; "more": parts may follow; "empty": nothing to take (the
    caller says so); "too_long": the person was told what to cut and got their text back."""
    data = manager.dialog_data
    buffer_key, more_key, last_key = _keys(key)
    typed = text.clean(message.text or message.caption or "")
    if not text.visible(typed):
        return "empty"
    if data.get(more_key):
        glue = "" if data.get(last_key, 0) >= HARD_CUT else "\n"
        collected = data.get(buffer_key, "") + glue + typed
    else:
        collected = typed
    data[last_key] = text.units(typed)
    if data[last_key] >= PART:
        data[buffer_key], data[more_key] = collected, True
        return "more"
    return await _complete(message, manager, key, limit, collected)


async def finish(message: Message, manager: DialogManager, key: str, limit: int) -> Taken:
    """ "That's all": the parts collected so far are the whole text."""
    collected = manager.dialog_data.get(_keys(key)[0], "")
    if not text.visible(collected):
        reset(manager, key)
        return "empty"
    return await _complete(message, manager, key, limit, collected)


async def _complete(message: Message, manager: DialogManager, key: str, limit: int, whole: str):
    reset(manager, key)
    if len(whole) > limit:
        await message.answer(
            _(
                "That is {length} characters; this can hold at most {limit}. Please shorten it "
                "by at least {over} characters and send it again. Here is your text to edit:"
            ).format(length=len(whole), limit=limit, over=len(whole) - limit),
            parse_mode=None,
        )
        for piece in text.parts(whole):
            await message.answer(piece, parse_mode=None)
        return "too_long"
    manager.dialog_data[key] = whole
    return "done"


def collecting(manager: DialogManager, key: str) -> bool:
    return bool(manager.dialog_data.get(_keys(key)[1]))


class _Collected(Text):
    def __init__(self, key: str) -> None:
        super().__init__(when=F["dialog_data"][_keys(key)[1]])
        self.key = key

    async def _render_text(self, data: dict, manager: DialogManager) -> str:
        so_far = manager.dialog_data.get(_keys(self.key)[0], "")
        return _(
            "📝 Got {length} characters so far. If your text goes on, send the rest; "
            "otherwise tap “That's all”."
        ).format(length=len(so_far))


def more_text(key: str) -> Text:
    return _Collected(key)


def more_button(key: str, on_done) -> Button:
    return Button(
        T("✅ That's all"), id=f"{key}_done", on_click=on_done, when=F["dialog_data"][_keys(key)[1]]
    )


def step(key: str, limit: int, save, empty_msgid: str) -> list:
    """The widgets of a step that takes words: ``save(message, manager, text)`` is called
    with the whole text once it is complete; nothing visible gets ``empty_msgid``."""

    async def settle(message: Message, manager: DialogManager, taken: Taken) -> None:
        if taken == "done":
            await save(message, manager, manager.dialog_data.pop(key))
        elif taken == "empty":
            await message.answer(_(empty_msgid))

    async def on_message(message: Message, widget, manager: DialogManager) -> None:
        await settle(message, manager, await take(message, manager, key, limit))

    async def on_done(callback, button, manager: DialogManager) -> None:
        await settle(callback.message, manager, await finish(callback.message, manager, key, limit))

    return [more_text(key), MessageInput(on_message), more_button(key, on_done)]
