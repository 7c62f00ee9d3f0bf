"""A person in a chat with the bot: sends messages and photos, presses buttons, reads the screen."""

from collections.abc import Awaitable, Callable
from itertools import count

from bot.localapi.core import LocalBotAPI
from bot.localapi.methods import described
from bot.localapi.rules import MAX_TEXT
from bot.services.text import parts

Deliver = Callable[[dict], Awaitable[object]]
_query_ids = count(1)


class LocalUser:
    def __init__(
        self,
        api: LocalBotAPI,
        deliver: Deliver,
        user_id: int,
        first_name: str = "Test",
        language_code: str | None = "en",
        chat: dict | None = None,
    ) -> None:
        self.api = api
        self.deliver = deliver
        self.profile = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.profile["language_code"] = language_code
        self.chat = chat or {"id": user_id, "type": "private", "first_name": first_name}
        api.chats[self.chat["id"]] = self.chat

    @property
    def id(self) -> int:
        return self.profile["id"]

    async def _message(self, **content) -> dict:
        message = {
            "message_id": self.api.new_message_id(self.chat["id"]),
            "date": int(self.api.clock()),
            "chat": self.chat,
            "from": self.profile,
            **content,
        }
        self.api.record(self.chat, message)
        await self.deliver({"update_id": self.api.new_update_id(), "message": message})
        return message

    async def send(self, text: str) -> dict:
        """Type a message; a leading ``/word`` is a command, as in the Telegram app. A text
        over 4,096 characters arrives as several messages, as Telegram's apps send it."""
        if len(text) > MAX_TEXT:
            for piece in parts(text, MAX_TEXT):
                sent = await self.send(piece)
            return sent
        content: dict = {"text": text}
        if text.startswith("/"):
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return await self._message(**content)

    async def send_photo(
        self, data: bytes, caption: str | None = None, media_group_id: str | None = None
    ) -> dict:
        stored = self.api.store_file(data, "photos", ".jpg")
        content: dict = {"photo": [described(stored, "photo")]}
        if caption:
            content["caption"] = caption
        if media_group_id:
            content["media_group_id"] = media_group_id
        return await self._message(**content)

    async def send_voice(self, data: bytes) -> dict:
        return await self._message(
            voice=described(self.api.store_file(data, "voice", ".ogg"), "voice")
        )

    async def send_video(self, data: bytes) -> dict:
        stored = self.api.store_file(data, "videos", ".mp4")
        return await self._message(video=described(stored, "video"))

    async def send_document(self, data: bytes, file_name: str, mime_type: str) -> dict:
        stored = self.api.store_file(data, "documents", "")
        document = described(stored, "document", file_name=file_name, mime_type=mime_type)
        return await self._message(document=document)

    async def press(self, label: str, message: dict | None = None) -> dict | None:
        """Press the button labelled ``label`` (exact text, else the only one containing it)
        on ``message`` or on the newest bot message that has buttons.

        Returns how the bot answered the callback query, or None if it did not.
        """
        message = message or self.keyboard_message()
        if message is None:
            raise LookupError("no message with buttons in this chat")
        button = find_button(message, label)
        if "callback_data" not in button:
            raise LookupError(f"button {label!r} is a link, not a callback: {button.get('url')}")
        return await self.press_data(button["callback_data"], message)

    async def press_data(self, data: str, message: dict) -> dict | None:
        """Send a callback query with arbitrary data, as a crafted client could."""
        query_id = f"q{next(_query_ids)}"
        query = {
            "id": query_id,
            "from": self.profile,
            "chat_instance": str(self.chat["id"]),
            "data": data,
            "message": {k: v for k, v in message.items() if not k.startswith("_")},
        }
        self.api.queries.append(query_id)
        await self.deliver({"update_id": self.api.new_update_id(), "callback_query": query})
        return self.api.answers.get(query_id)

    async def answer_poll(self, poll_id: str, *option_ids: int) -> None:
        """Vote in a poll (a quiz takes one answer, once), as the Telegram app does: the bot
        gets a ``poll_answer`` naming the poll and the person, not the chat."""
        poll = self.api.polls[poll_id]
        if self.id in poll["voters"] and poll["type"] == "quiz":
            return  # a quiz answer cannot be taken back
        poll["voters"][self.id] = list(option_ids)
        answer = {
            "poll_id": poll_id,
            "user": self.profile,
            "option_ids": list(option_ids),
            "option_persistent_ids": [poll["options"][i]["persistent_id"] for i in option_ids],
        }
        await self.deliver({"update_id": self.api.new_update_id(), "poll_answer": answer})

    def polls(self) -> list[dict]:
        """The polls the bot sent to this chat, oldest first."""
        return [m["poll"] for m in self.messages() if "poll" in m]

    async def block(self) -> None:
        """Block the bot (a private chat): Telegram refuses its messages and tells it."""
        self.api.blocked.add(self.chat["id"])
        await self._bot_status("member", {"status": "kicked", "until_date": 0})

    async def unblock(self) -> None:
        """Unblock the bot: the app's "Restart" button (Telegram tells the bot so, then the
        app sends /start, which a test may send itself)."""
        self.api.blocked.discard(self.chat["id"])
        await self._bot_status("kicked", {"status": "member"})

    async def _bot_status(self, old: str, new: dict) -> None:
        me = {key: self.api.me[key] for key in ("id", "is_bot", "first_name", "username")}
        change = {
            "chat": self.chat,
            "from": self.profile,
            "date": int(self.api.clock()),
            "old_chat_member": {"status": old, "user": me, "until_date": 0},
            "new_chat_member": {**new, "user": me},
        }
        if old != "kicked":
            change["old_chat_member"].pop("until_date")
        await self.deliver({"update_id": self.api.new_update_id(), "my_chat_member": change})

    async def upgrade_group(self, supergroup_id: int) -> None:
        """Upgrade this group to a supergroup, as its creator can: Telegram moves the chat to
        a new id and posts a service message in each (``migrate_to_chat_id`` in the old
        group, ``migrate_from_chat_id`` in the new supergroup)."""
        old_id = self.chat["id"]
        new = self.api.upgrade_group(old_id, supergroup_id)
        await self._message(migrate_to_chat_id=supergroup_id)
        self.chat = new
        await self._message(migrate_from_chat_id=old_id)

    # ----- what the user sees ---------------------------------------------
    def messages(self) -> list[dict]:
        return [m for m in self.api.bot_messages(self.chat["id"]) if not m.get("_deleted")]

    def last(self) -> dict:
        shown = self.messages()
        if not shown:
            raise LookupError("the bot has not sent anything to this chat")
        return shown[-1]

    def keyboard_message(self) -> dict | None:
        for message in reversed(self.messages()):
            if message.get("reply_markup", {}).get("inline_keyboard"):
                return message
        return None

    def text(self, message: dict | None = None) -> str:
        message = message or self.last()
        return message.get("text") or message.get("caption") or ""

    def transcript(self, last: int = 3) -> str:
        """The texts of the bot's last few messages, oldest first."""
        return "\n".join(self.text(m) for m in self.messages()[-last:])

    def buttons(self, message: dict | None = None) -> list[str]:
        message = message or self.keyboard_message()
        if not message:
            return []
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        return [button["text"] for row in rows for button in row]


def find_button(message: dict, label: str) -> dict:
    buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
    for button in buttons:
        if button["text"] == label:
            return button
    partial = [b for b in buttons if label in b["text"]]
    if len(partial) == 1:
        return partial[0]
    labels = [b["text"] for b in buttons]
    raise LookupError(f"no single button {label!r} among {labels}")
