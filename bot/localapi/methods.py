"""The Bot API methods the bot uses, as the fake answers them (mixed into ``LocalBotAPI``)."""

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any

from bot.localapi.rules import (
    MAX_CAPTION,
    MAX_POLL_EXPLANATION,
    MAX_POLL_OPTION,
    MAX_POLL_OPTIONS,
    MAX_POLL_QUESTION,
    MAX_TEXT,
    ApiError,
    as_int,
    checked_markup,
    checked_text,
    plain_text,
    public,
)


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    data: bytes
    path: str


# What an administrator's ChatMember carries (all granted in the fake).
ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
)


# What Telegram says about a file of each kind (sizes and durations are the fake's own).
KIND_FIELDS = {
    "photo": {"width": 1280, "height": 960},
    "voice": {"duration": 4, "mime_type": "audio/ogg"},
    "video": {"width": 640, "height": 480, "duration": 6},
    "document": {},
}


def described(stored: StoredFile, kind: str, **extra: Any) -> dict:
    """A stored file as Telegram describes it in a message."""
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.unique_id,
        **KIND_FIELDS[kind],
        **extra,
        "file_size": len(stored.data),
    }


class BotMethods:
    """``_m_<method>`` answers the Bot API method of that (lower-case) name."""

    def _chat(self, params: dict) -> dict:
        chat_id = as_int(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        if chat_id in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self.migrated[chat_id],
            )
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return self.chats[chat_id]

    def _message(self, params: dict) -> tuple[dict, dict]:
        chat = self._chat(params)
        message_id = as_int(params.get("message_id"))
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
        markup = checked_markup(params.get("reply_markup"))
        if markup:
            message["reply_markup"] = markup
        self.record(chat, message)
        self.events.append(("sent", chat["id"], dict(message)))
        return public(message)

    def _m_getme(self, params, files):
        return self.me

    def _m_sendmessage(self, params, files):
        text = checked_text(params.get("text"), params.get("parse_mode"), MAX_TEXT)
        return self._send(params, text=text)

    def _m_sendphoto(self, params, files):
        stored = self._file(params.get("photo"), files, "photos", ".jpg")
        return self._send(params, photo=[described(stored, "photo")], **self._caption(params))

    def _m_senddocument(self, params, files):
        stored = self._file(params.get("document"), files, "documents", "")
        name = params.get("_filename") or stored.path.rsplit("/", 1)[-1]
        document = described(stored, "document", file_name=name)
        return self._send(params, document=document, **self._caption(params))

    def _m_sendvoice(self, params, files):
        stored = self._file(params.get("voice"), files, "voice", ".ogg")
        return self._send(params, voice=described(stored, "voice"), **self._caption(params))

    def _m_sendvideo(self, params, files):
        stored = self._file(params.get("video"), files, "videos", ".mp4")
        return self._send(params, video=described(stored, "video"), **self._caption(params))

    def _m_sendmediagroup(self, params, files):
        """An album: one message per photo, as Telegram shows it."""
        media = params.get("media") or []
        if not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media in the album")
        return [
            self._send(
                params,
                photo=[described(self._file(item.get("media"), files, "photos", ".jpg"), "photo")],
                media_group_id="album",
            )
            for item in media
        ]

    def _m_sendpoll(self, params, files):
        """A poll, checked as Telegram checks it (a quiz needs its right option(s)); the
        default parse mode applies to the question and explanation, as in aiogram."""
        question = checked_text(
            params.get("question"), params.get("question_parse_mode"), MAX_POLL_QUESTION
        )
        raw = params.get("options") or []
        raw = json.loads(raw) if isinstance(raw, str) else raw
        options = [
            {"text": checked_text(o["text"] if isinstance(o, dict) else o, None, MAX_POLL_OPTION)}
            for o in raw
        ]
        if not 2 <= len(options) <= MAX_POLL_OPTIONS:
            raise ApiError(400, "Bad Request: poll must have 2-12 options")
        poll = {
            "id": f"poll-{uuid.uuid4().hex[:12]}",  # unique across runs, like Telegram's
            "question": question,
            "options": [
                {**o, "persistent_id": str(n), "voter_count": 0} for n, o in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": params.get("is_anonymous", True) not in (False, "false"),
            "type": params.get("type", "regular"),
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
        if poll["type"] == "quiz":
            right = params.get("correct_option_ids") or (
                [params["correct_option_id"]] if "correct_option_id" in params else []
            )
            if not right or not all(0 <= as_int(i) < len(options) for i in right):
                raise ApiError(400, "Bad Request: wrong correct option id specified")
            poll["correct_option_id"] = as_int(right[0])
            poll["correct_option_ids"] = [as_int(i) for i in right]
        if params.get("explanation"):
            explanation = plain_text(
                str(params["explanation"]), params.get("explanation_parse_mode")
            )
            if len(explanation) > MAX_POLL_EXPLANATION or explanation.count("\n") > 2:
                raise ApiError(400, "Bad Request: explanation is too long")
            poll["explanation"] = explanation
        sent = self._send(params, poll=poll)
        self.polls[poll["id"]] = {**poll, "chat_id": sent["chat"]["id"], "voters": {}}
        return sent

    def _m_sendchataction(self, params, files):
        self._chat(params)
        return True

    def _m_editmessagetext(self, params, files):
        chat, message = self._message(params)
        text = checked_text(params.get("text"), params.get("parse_mode"), MAX_TEXT)
        markup = checked_markup(params.get("reply_markup"))
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
        return self._edited(chat, message, checked_markup(params.get("reply_markup")))

    def _m_editmessagereplymarkup(self, params, files):
        chat, message = self._message(params)
        return self._edited(chat, message, checked_markup(params.get("reply_markup")))

    def _edited(self, chat: dict, message: dict, markup: dict | None) -> dict:
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(self.clock())
        self.events.append(("edited", chat["id"], dict(message)))
        return public(message)

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

    def _m_getchatmember(self, params, files):
        chat = self._chat(params)
        user_id = as_int(params.get("user_id"))
        user = {"id": user_id, "is_bot": False, "first_name": str(user_id)}
        if user_id not in self.group_admins.get(chat["id"], set()):
            return {"status": "member", "user": user}
        rights = {right: right != "is_anonymous" for right in ADMIN_RIGHTS}
        return {"status": "administrator", "user": user, **rights}

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
        offset = as_int(params.get("offset")) or 0
        self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]
        if not self.pending_updates:
            self._updates_ready.clear()
            timeout = float(params.get("timeout") or 0)
            try:
                await asyncio.wait_for(self._updates_ready.wait(), timeout)
            except TimeoutError:
                return []
        limit = as_int(params.get("limit")) or 100
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
        return {"caption": checked_text(params["caption"], params.get("parse_mode"), MAX_CAPTION)}
