"""Evidence on a report: photos (an album too), voice notes and short videos from a noisy floor.

What a person sends on the report form is checked here: an image sent as a file counts as a
photo; any other file is refused with a clear message (a spreadsheet is not evidence the
managers can look at on a phone); anything over what a bot may download (20 MB) is refused
before it is promised to be kept. Each piece can be removed from the draft one by one.
"""

from typing import Literal

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from bot.services import nc
from dialogs.common import esc

DOWNLOAD_LIMIT = 20 * 1024 * 1024
ICON = {"photo": "📷", "voice": "🎤", "video": "🎬"}
Taken = Literal["added", "refused", "none"]


def piece(message: Message):
    """(kind, file) of the evidence in the message, "not_media" for another file, or None."""
    if message.photo:
        return "photo", message.photo[-1]
    if message.voice or message.audio:
        return "voice", message.voice or message.audio
    if message.video or message.video_note:
        return "video", message.video or message.video_note
    if message.document:
        mime = message.document.mime_type or ""
        if mime.startswith("image/"):
            return "photo", message.document
        if mime.startswith("video/"):
            return "video", message.document
        return "not_media", message.document
    return None


async def take(message: Message, manager: DialogManager) -> Taken:
    """Add the message's photo, voice note or video to the draft; say why if it cannot be."""
    found = piece(message)
    if found is None:
        return "none"
    kind, item = found
    if kind == "not_media":
        await message.answer(
            _(
                "“{name}” is a file, not a photo, voice note or video, so it cannot go with the "
                "report. Please send a photo (or record a voice note or a short video)."
            ).format(name=esc(item.file_name or "…"))  # the name is the sender's: HTML-safe
        )
        return "refused"
    if (item.file_size or 0) > DOWNLOAD_LIMIT:
        await message.answer(
            _("That file is over 20 MB, more than can be kept: please send a shorter one.")
        )
        return "refused"
    pieces = manager.dialog_data.setdefault("photos", [])
    if any(p[1] == item.file_unique_id for p in pieces):
        return "added"  # the same file again (a repeated update): kept once
    if len(pieces) >= nc.MAX_PHOTOS:
        await message.answer(
            _("A report keeps at most {limit} photos or recordings.").format(limit=nc.MAX_PHOTOS)
        )
        return "refused"
    pieces.append([item.file_id, item.file_unique_id, kind])
    return "added"


def listing(manager: DialogManager) -> list[tuple[int, str]]:
    """(position, label) of the draft's evidence, for the remove buttons."""
    pieces = manager.dialog_data.get("photos", [])
    return [
        (i, f"🗑 {i + 1} {ICON[(p[2] if len(p) > 2 else 'photo')]}") for i, p in enumerate(pieces)
    ]


def remove(manager: DialogManager, position: str) -> None:
    pieces = manager.dialog_data.get("photos", [])
    if position.isdigit() and int(position) < len(pieces):
        pieces.pop(int(position))


def counts(manager: DialogManager) -> dict[str, int]:
    pieces = manager.dialog_data.get("photos", [])
    kinds = [p[2] if len(p) > 2 else "photo" for p in pieces]
    return {kind: kinds.count(kind) for kind in ICON}
