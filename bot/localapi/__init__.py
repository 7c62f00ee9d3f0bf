"""An in-process stand-in for the Telegram Bot API.

One fake serves the offline console, the tests and the benchmarks. The bot talks
to it through ``LocalSession`` (same request preparation and response checks as
the real HTTP session) or over HTTP on 127.0.0.1 (``bot.localapi.http``); a
``LocalUser`` plays a person: sends text, commands and photos, presses buttons.
It keeps each chat's history, answers like Telegram does (HTML checked, 4096
characters, 64-byte callback data, "message is not modified"), and injects
faults on request: 429 with ``retry_after``, 403, 5xx.
"""

from bot.localapi.core import Fault, LocalBotAPI
from bot.localapi.session import LocalSession
from bot.localapi.user import LocalUser

__all__ = ["Fault", "LocalBotAPI", "LocalSession", "LocalUser"]
