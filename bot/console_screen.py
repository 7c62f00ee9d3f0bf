"""What one person sees in the console: the bot's messages to their chat, printed once each,
with the newest keyboard's buttons numbered."""

import io
from pathlib import Path
from typing import TextIO

from bot.localapi import LocalBotAPI


class Screen:
    """Prints what the bot did in one chat since the last look, numbering the newest keyboard."""

    def __init__(self, api: LocalBotAPI, chat_id: int, files: Path, out: TextIO) -> None:
        self.api, self.chat_id, self.files, self.out = api, chat_id, files, out
        self.seen = 0
        self.shown: dict[int, str] = {}  # message id → text last printed
        self.keyboard: list[dict] = []
        self.keyboard_message: dict | None = None
        self.polls: list[dict] = []  # the polls shown, in order (":vote N" answers them)

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
            for key in ("photo", "document", "voice", "video"):
                if key in message:
                    write(f"[{key} saved to {self._save(message[key])}]\n")
            if "poll" in message:
                poll = message["poll"]
                self.polls.append(poll)
                write(f"📊 {poll['question']}\n")
                for number, option in enumerate(poll["options"], 1):
                    write(f"  ({number}) {option['text']}\n")
                write("(answer with :vote N)\n")
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


def render(screen: Screen) -> list[str]:
    """What the person has not seen yet, as printed text (kept for when they are back)."""
    out, screen.out = screen.out, io.StringIO()
    try:
        screen.show()
        text = screen.out.getvalue()
    finally:
        screen.out = out
    return [text] if text.strip() else []
