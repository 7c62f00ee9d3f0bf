"""The fake's state and its Bot API methods. Requests and answers are plain JSON values."""

import asyncio
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


@dataclass
class Fault:
    """Make the next ``times`` matching calls fail as Telegram would."""

    status: int  # HTTP status to answer with; 0: the request times out
    description: str = ""
    method: str | None = None  # lower-case Bot API method name; None: any
    chat_id: int | None = None
    retry_after: int | None = None
    times: int = 1


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    data: bytes
    path: str


class _HtmlText(HTMLParser):
    """Telegram's HTML: a few tags, properly nested; the user sees the text only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br" or tag not in HTML_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported tag <{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: unexpected </{tag}>")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(text: str, parse_mode: str | None) -> str:
    if (parse_mode or "").upper() != "HTML":
        return text
    if re.search(r"<(?!/?[a-zA-Z])", text):
        raise ApiError(400, "Bad Request: can't parse entities: unescaped '<'")
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise ApiError(400, f"Bad Request: can't parse entities: <{parser.open[-1]}> not closed")
    return "".join(parser.parts)


class LocalBotAPI:
    def __init__(self, bot_id: int = 7000000001, username: str = "certready_local_bot") -> None:
        self.me = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "CertReady",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.clock: Callable[[], float] = time.time
        self.chats: dict[int, dict] = {}
        self.history: dict[int, list[dict]] = {}  # chat id → messages, user's and bot's
        # ("sent" | "edited" | "deleted", chat id, the message as it was then)
        self.events: list[tuple[str, int, dict]] = []
        self.calls: list[tuple[str, dict]] = []
        self.queries: list[str] = []  # callback query ids users sent, in order
        self.answers: dict[str, dict] = {}  # callback query id → answerCallbackQuery params
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.files: dict[str, StoredFile] = {}
        self.faults: list[Fault] = []
        self.webhook: dict = {}
        self.pending_updates: list[dict] = []
        self._updates_ready = asyncio.Event()
        self._message_ids: dict[int, int] = {}
        self.update_id = 0

    # ----- the user's side -------------------------------------------------
    def new_update_id(self) -> int:
        self.update_id += 1
        return self.update_id

    def new_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def record(self, chat: dict, message: dict) -> dict:
        self.chats[chat["id"]] = chat
        self.history.setdefault(chat["id"], []).append(message)
        return message

    def store_file(self, data: bytes, folder: str, suffix: str) -> StoredFile:
        unique_id = hashlib.sha256(data).hexdigest()[:16]
        file_id = f"{folder[:3]}-{unique_id}-{len(self.files) + 1}"
        stored = StoredFile(file_id, unique_id, data, f"{folder}/{file_id}{suffix}")
        self.files[file_id] = stored
        return stored

    def enqueue(self, update: dict) -> None:
        """Hold an update for ``getUpdates`` (the HTTP transport)."""
        self.pending_updates.append(update)
        self._updates_ready.set()

    def unanswered(self) -> list[str]:
        """Callback queries the bot never answered (the user's button keeps spinning)."""
        return [query_id for query_id in self.queries if query_id not in self.answers]

    def bot_messages(self, chat_id: int) -> list[dict]:
        return [
            m for m in self.history.get(chat_id, []) if m.get("from", {}).get("id") == self.me["id"]
        ]

    # ----- the bot's side --------------------------------------------------
    async def call(self, method: str, params: dict, files: dict[str, bytes]) -> tuple[int, dict]:
        """Run one Bot API method; return (HTTP status, JSON body) as Telegram would."""
        name = method.lower()
        self.calls.append((name, params))
        try:
            self._maybe_fail(name, params)
            handler = getattr(self, f"_m_{name}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = handler(params, files)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            body = {"ok": False, "error_code": error.status, "description": error.description}
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return error.status, body
        return 200, {"ok": True, "result": result}

    def _maybe_fail(self, name: str, params: dict) -> None:
        for fault in self.faults:
            if fault.method not in (None, name):
                continue
            if fault.chat_id is not None and _int(params.get("chat_id")) != fault.chat_id:
                continue
            fault.times -= 1
            if fault.times <= 0:
                self.faults.remove(fault)
            default = {
                403: "Forbidden: bot was blocked by the user",
                429: f"Too Many Requests: retry after {fault.retry_after}",
            }
            raise ApiError(
                fault.status,
                fault.description or default.get(fault.status, "Internal Server Error"),
                fault.retry_after,
            )

    def _chat(self, params: dict) -> dict:
        chat_id = _int(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self.chats[chat_id]

    def _message(self, params: dict) -> tuple[dict, dict]:
        chat = self._chat(params)
        message_id = _int(params.get("message_id"))
        for message in self.history.get(chat["id"], []):
            if message["message_id"] == message_id and not message.get("_deleted"):
                return chat, message
        raise ApiError(400, "Bad Request: message to edit not found")

    def _send(self, params: dict, **content: Any) -> dict:
        chat = self._chat(params)
        message = {
            "message_id": self.new_message_id(chat["id"]),
            "date": int(self.clock()),
            "chat": chat,
            "from": self.me,
            **content,
        }
        markup = _markup(params.get("reply_markup"))
        if markup:
            message["reply_markup"] = markup
        self.record(chat, message)
        self.events.append(("sent", chat["id"], dict(message)))
        return _public(message)

    def _m_getme(self, params, files):
        return self.me

    def _m_sendmessage(self, params, files):
        text = _text(params.get("text"), params.get("parse_mode"), MAX_TEXT)
        return self._send(params, text=text)

    def _m_sendphoto(self, params, files):
        stored = self._file(params.get("photo"), files, "photos", ".jpg")
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "width": 1280,
            "height": 960,
            "file_size": len(stored.data),
        }
        return self._send(params, photo=[size], **self._caption(params))

    def _m_senddocument(self, params, files):
        stored = self._file(params.get("document"), files, "documents", "")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": params.get("_filename") or stored.path.rsplit("/", 1)[-1],
            "file_size": len(stored.data),
        }
        return self._send(params, document=document, **self._caption(params))

    def _m_sendpoll(self, params, files):
        options = [
            {"text": o["text"] if isinstance(o, dict) else o, "voter_count": 0}
            for o in params.get("options", [])
        ]
        poll = {
            "id": str(len(self.calls)),
            "question": params.get("question", ""),
            "options": options,
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": params.get("is_anonymous", True) not in (False, "false"),
            "type": params.get("type", "regular"),
            "allows_multiple_answers": False,
        }
        for key in ("correct_option_id", "explanation"):
            if key in params:
                poll[key] = params[key]
        return self._send(params, poll=poll)

    def _m_sendchataction(self, params, files):
        self._chat(params)
        return True

    def _m_editmessagetext(self, params, files):
        chat, message = self._message(params)
        text = _text(params.get("text"), params.get("parse_mode"), MAX_TEXT)
        markup = _markup(params.get("reply_markup"))
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same",
            )
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        message["text"] = text
        return self._edited(chat, message, markup)

    def _m_editmessagecaption(self, params, files):
        chat, message = self._message(params)
        message.update(self._caption(params))
        return self._edited(chat, message, _markup(params.get("reply_markup")))

    def _m_editmessagereplymarkup(self, params, files):
        chat, message = self._message(params)
        return self._edited(chat, message, _markup(params.get("reply_markup")))

    def _edited(self, chat: dict, message: dict, markup: dict | None) -> dict:
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(self.clock())
        self.events.append(("edited", chat["id"], dict(message)))
        return _public(message)

    def _m_deletemessage(self, params, files):
        chat, message = self._message(params)
        message["_deleted"] = True
        self.events.append(("deleted", chat["id"], dict(message)))
        return True

    def _m_answercallbackquery(self, params, files):
        query_id = str(params.get("callback_query_id"))
        if query_id in self.answers:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.answers[query_id] = params
        return True

    def _m_getfile(self, params, files):
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }

    def _m_setmycommands(self, params, files):
        scope = (params.get("scope") or {}).get("type", "default")
        self.commands[(scope, params.get("language_code") or "")] = params.get("commands", [])
        return True

    def _m_deletemycommands(self, params, files):
        scope = (params.get("scope") or {}).get("type", "default")
        self.commands.pop((scope, params.get("language_code") or ""), None)
        return True

    def _m_setwebhook(self, params, files):
        self.webhook = dict(params)
        return True

    def _m_deletewebhook(self, params, files):
        self.webhook = {}
        return True

    async def _m_getupdates(self, params, files):
        offset = _int(params.get("offset")) or 0
        self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]
        if not self.pending_updates:
            self._updates_ready.clear()
            timeout = float(params.get("timeout") or 0)
            try:
                await asyncio.wait_for(self._updates_ready.wait(), timeout)
            except TimeoutError:
                return []
        limit = _int(params.get("limit")) or 100
        return self.pending_updates[:limit]

    def _file(self, value, files: dict[str, bytes], folder: str, suffix: str) -> StoredFile:
        if isinstance(value, str) and value.startswith("attach://"):
            data = files.get(value.removeprefix("attach://"))
            if data is None:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self.store_file(data, folder, suffix)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        raise ApiError(400, "Bad Request: wrong remote file identifier specified")

    def _caption(self, params: dict) -> dict:
        if not params.get("caption"):
            return {}
        return {"caption": _text(params["caption"], params.get("parse_mode"), MAX_CAPTION)}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value, parse_mode, limit: int) -> str:
    text = plain_text(str(value or ""), parse_mode)
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > limit:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def _markup(markup: dict | None) -> dict | None:
    if not markup or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _public(message: dict) -> dict:
    return {key: value for key, value in message.items() if not key.startswith("_")}


@dataclass
class Screen:
    """What a user sees of one bot message: text and button labels."""

    text: str
    buttons: list[list[str]] = field(default_factory=list)
