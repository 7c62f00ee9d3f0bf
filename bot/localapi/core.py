"""The fake's state: chats and their history, files, faults; requests and answers are JSON."""

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.localapi.methods import BotMethods, StoredFile
from bot.localapi.rules import ApiError, as_int


@dataclass
class Fault:
    """Make the next ``times`` matching calls fail as Telegram would."""

    status: int  # HTTP status to answer with; 0: the request times out
    description: str = ""
    method: str | None = None  # lower-case Bot API method name; None: any
    chat_id: int | None = None
    retry_after: int | None = None
    times: int = 1
    migrate_to_chat_id: int | None = None  # with 400: the group became this supergroup


class LocalBotAPI(BotMethods):
    def __init__(
        self,
        bot_id: int = 7000000001,
        username: str = "certready_local_bot",
        files_dir: Path | None = None,
    ) -> None:
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
        self.group_admins: dict[int, set[int]] = {}  # chat id → user ids who administer it
        self.files: dict[str, StoredFile] = {}
        # With a folder, files outlive the process (the console): file ids stay valid
        # across runs on the same database, as they do on Telegram.
        self.files_dir = files_dir
        if files_dir is not None:
            self._load_files()
        self.faults: list[Fault] = []
        self.blocked: set[int] = set()  # private chats whose person blocked the bot
        self.migrated: dict[int, int] = {}  # a group → the supergroup it became
        self.refusals: list[tuple[str, str]] = []  # (method, description) Telegram refused
        self.polls: dict[str, dict] = {}  # poll id → the poll as sent (answers count into it)
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
        if self.files_dir is not None:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            (self.files_dir / file_id).write_bytes(data)
            with (self.files_dir / "index.jsonl").open("a", encoding="utf-8") as index:
                index.write(json.dumps([file_id, unique_id, stored.path]) + "\n")
        return stored

    def _load_files(self) -> None:
        index = self.files_dir / "index.jsonl"
        if not index.is_file():
            return
        for line in index.read_text(encoding="utf-8").splitlines():
            file_id, unique_id, path = json.loads(line)
            data = self.files_dir / file_id
            if data.is_file():
                self.files[file_id] = StoredFile(file_id, unique_id, data.read_bytes(), path)

    def upgrade_group(self, chat_id: int, supergroup_id: int) -> dict:
        """The group becomes a supergroup with a new id, as Telegram does when a group grows
        or gets a public link; sending to the old id is then refused with the new id."""
        old = self.chats[chat_id]
        new = {**old, "id": supergroup_id, "type": "supergroup"}
        self.chats[supergroup_id] = new
        self.migrated[chat_id] = supergroup_id
        if chat_id in self.group_admins:
            self.group_admins[supergroup_id] = set(self.group_admins[chat_id])
        return new

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
            self.refusals.append((name, error.description))
            body = {"ok": False, "error_code": error.status, "description": error.description}
            if parameters := error.parameters():
                body["parameters"] = parameters
            return error.status, body
        return 200, {"ok": True, "result": result}

    def _maybe_fail(self, name: str, params: dict) -> None:
        for fault in self.faults:
            if fault.method not in (None, name):
                continue
            if fault.chat_id is not None and as_int(params.get("chat_id")) != fault.chat_id:
                continue
            fault.times -= 1
            if fault.times <= 0:
                self.faults.remove(fault)
            default = {
                400: "Bad Request: group chat was upgraded to a supergroup chat",
                403: "Forbidden: bot was blocked by the user",
                429: f"Too Many Requests: retry after {fault.retry_after}",
            }
            raise ApiError(
                fault.status,
                fault.description or default.get(fault.status, "Internal Server Error"),
                fault.retry_after,
                fault.migrate_to_chat_id,
            )
