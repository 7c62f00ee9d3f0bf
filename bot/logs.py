"""The log: one line per event, naming the update, chat and user it happened in.

An outer middleware notes which update is being handled; every record logged meanwhile, by us
or by a library, ends with ``[update=… chat=… user=…]``. Nothing a person typed is logged.
Only errors carry a traceback; a lesser record with one names the exception on its line.
"""

import logging
import time
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Update

from bot.filters import chat_of

log = logging.getLogger("bot.updates")
_HANDLING: ContextVar[str] = ContextVar("handling", default="")


def kind(update: Update) -> str:
    try:
        return update.event_type
    except LookupError:  # a kind newer than this aiogram
        return "update"


def where(update: Update) -> str:
    """ "update=7 chat=-100123 user=42": what a record logged while handling it names."""
    event = getattr(update, kind(update), None)
    chat = chat_of(event)
    user = getattr(event, "from_user", None) or getattr(event, "user", None)
    parts = [f"update={update.update_id}"]
    if chat is not None:
        parts.append(f"chat={chat.id}")
    if user is not None:
        parts.append(f"user={user.id}")
    return " ".join(parts)


class UpdateLog(BaseMiddleware):
    """Outer middleware on ``dp.update``: one INFO line per update (its kind and how long it
    took), and the update named on every record logged while it is handled."""

    async def __call__(self, handler, event: Update, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update) or hasattr(event, "aiogd_update"):
            return await handler(event, data)  # a dialog's background update: no Telegram id
        token = _HANDLING.set(where(event))
        started = time.perf_counter()
        try:
            return await handler(event, data)
        finally:
            took = (time.perf_counter() - started) * 1000
            log.info("%s handled in %.0f ms", kind(event), took)
            _HANDLING.reset(token)


class OneLine(logging.Formatter):
    """``time LEVEL logger: message [update=… chat=… user=…]`` on one line; a traceback
    only at ERROR and above."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        failure = record.exc_text or ""
        if failure and record.levelno < logging.ERROR:
            message += f" ({_exception_only(failure)})"
            failure = ""
        message = message.replace("\r", "").replace("\n", " ⏎ ")
        if handling := _HANDLING.get():
            message += f" [{handling}]"
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {message}"
        return f"{line}\n{failure}" if failure else line


def _exception_only(traceback: str) -> str:
    """ "OSError: disk full" of a formatted traceback: the lines after its last frame."""
    lines = traceback.strip().splitlines()
    frames = [i for i, line in enumerate(lines) if line.startswith(" ")]
    return "\n".join(lines[frames[-1] + 1 :] if frames else lines)
