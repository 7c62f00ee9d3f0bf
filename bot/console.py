"""python -m bot chat: the real bot in a terminal, against the in-process Bot API.

Lines typed are messages (commands included); a number presses that button of
the newest keyboard; ``:photo PATH`` sends a photo; ``:quit`` or end of input
leaves. Photos and documents the bot sends are saved to files. Works with piped
input, so a script can drive it.
"""

import asyncio
import sys
import threading
from pathlib import Path
from typing import TextIO

from aiogram_dialog import ShowMode

from bot.config import Settings
from bot.db import open_db
from bot.i18n import require_valid_catalogs
from bot.local import LocalBot
from bot.localapi import LocalBotAPI, LocalUser
from bot.services import library

HELP = (
    "CertReady offline console — the real bot, no Telegram needed.\n"
    "Type a message or a /command; type a number to press that button (':say 9001' sends "
    "a number as text); ':photo PATH' sends a photo; ':quit' leaves."
)


class Screen:
    """Prints what the bot did since the last look, numbering the newest keyboard."""

    def __init__(self, api: LocalBotAPI, chat_id: int, files: Path, out: TextIO) -> None:
        self.api, self.chat_id, self.files, self.out = api, chat_id, files, out
        self.seen = 0
        self.shown: dict[int, str] = {}  # message id → text last printed
        self.keyboard: list[dict] = []
        self.keyboard_message: dict | None = None

    def show(self) -> None:
        events = self.api.events[self.seen :]
        self.seen = len(self.api.events)
        for kind, chat_id, message in events:
            if chat_id != self.chat_id or kind == "deleted":
                continue
            self._print(message, edited=kind == "edited")

    def _print(self, message: dict, edited: bool) -> None:
        write = self.out.write
        text = message.get("text") or message.get("caption") or ""
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        if edited and self.shown.get(message["message_id"]) == text:
            if not rows:
                return  # only the buttons of an older message were taken away
        else:
            write("\n── CertReady" + (" (updated)" if edited else "") + " ──\n")
            if text:
                write(text + "\n")
            for key in ("photo", "document"):
                if key in message:
                    write(f"[{key} saved to {self._save(message[key])}]\n")
        self.shown[message["message_id"]] = text
        if rows:
            self.keyboard = [button for row in rows for button in row]
            self.keyboard_message = message
            for number, button in enumerate(self.keyboard, 1):
                link = f" → {button['url']}" if "url" in button else ""
                write(f"  [{number}] {button['text']}{link}\n")
        self.out.flush()

    def _save(self, media: dict | list) -> Path:
        item = media[-1] if isinstance(media, list) else media
        stored = self.api.files[item["file_id"]]
        self.files.mkdir(parents=True, exist_ok=True)
        name = item.get("file_name") or Path(stored.path).name
        path = self.files / name
        path.write_bytes(stored.data)
        return path.resolve()


async def _settle() -> None:
    """Let fire-and-forget work (background dialog updates) finish before printing."""
    for _ in range(20):
        await asyncio.sleep(0.01)
        if len(asyncio.all_tasks()) <= 1:
            return


async def handle(line: str, user: LocalUser, screen: Screen) -> bool:
    """Act on one typed line; False when the user wants to leave."""
    line = line.strip()
    if line in (":quit", ":q", ":exit"):
        return False
    if line == ":help":
        screen.out.write(HELP + "\n")
    elif line.startswith(":photo"):
        path = Path(line.removeprefix(":photo").strip()).expanduser()
        if not path.is_file():
            screen.out.write(f"(no such file: {path})\n")
        else:
            await user.send_photo(path.read_bytes())
    elif line.startswith(":say "):
        await user.send(line.removeprefix(":say "))
    elif line.isascii() and line.isdecimal() and screen.keyboard:
        number = int(line)
        if not 1 <= number <= len(screen.keyboard):
            screen.out.write(
                f"(choose a button from 1 to {len(screen.keyboard)}, or ':say {line}' to send it)\n"
            )
        elif "callback_data" not in screen.keyboard[number - 1]:
            screen.out.write(f"(a link: {screen.keyboard[number - 1].get('url')})\n")
        else:
            data = screen.keyboard[number - 1]["callback_data"]
            await user.press_data(data, screen.keyboard_message)
    elif line:
        await user.send(line)
    await _settle()
    screen.show()
    return True


async def main(settings: Settings, args, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout):
    require_valid_catalogs()
    db = open_db(args.db)
    problems = library.ensure_loaded(db)
    for problem in problems:
        out.write(f"content problem: {problem}\n")
    local = await LocalBot(settings, db).start()
    user = local.user(args.user_id, language_code=args.lang or "en", first_name="Console")
    screen = Screen(local.api, user.chat["id"], Path(args.files), out)
    out.write(HELP + "\n")
    echo = not stdin.isatty()
    lines = _reader(stdin)
    try:
        if (await local.dp.storage.get_data(_stack_key(local, user))).get("intents"):
            out.write("(welcome back: you were here)\n")
            bg = local.dp["dialog_bg_factory"].bg(local.bot, user.id, user.chat["id"])
            await bg.update({}, show_mode=ShowMode.SEND)
            await _settle()
            screen.show()
        else:
            await handle("/start", user, screen)
        while True:
            out.write("\n› ")
            out.flush()
            line = await lines.get()
            if not line:
                break
            if echo:
                out.write(line.rstrip("\n") + "\n")
            if not await handle(line, user, screen):
                break
    finally:
        await local.stop()
        out.write("\nBye.\n")


def _reader(stdin: TextIO) -> asyncio.Queue:
    """Lines from ``stdin`` read in a daemon thread, so Ctrl-C never waits for Enter."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()

    def read() -> None:
        for line in iter(stdin.readline, ""):
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, "")

    threading.Thread(target=read, daemon=True).start()
    return queue


def _stack_key(local: LocalBot, user: LocalUser):
    from aiogram.fsm.storage.base import StorageKey

    return StorageKey(
        bot_id=local.bot.id,
        chat_id=user.chat["id"],
        user_id=user.chat["id"],
        destiny="aiogd:stack:",
    )
