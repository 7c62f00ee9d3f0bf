"""What a report looks like on screen: every field, shortened to fit one Telegram message
whatever people typed, with the whole record a tap away ("Read all") and the history paged.
"""

from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import FSInputFile, InputMediaPhoto
from aiogram.utils.i18n import gettext as _

from bot import clock
from bot.i18n import format_day, format_moment
from bot.services import nc, people
from bot.services.nc import Event, Nonconformity
from bot.services.text import parts, shorten
from dialogs.common import esc
from dialogs.nc.labels import category_name, severity_name, status_name

# Characters of each field on the report screen; the sum stays well under Telegram's 4,096.
DESCRIPTION = 700
FIELD = 350
NOTE = 100
RECENT = 4  # history entries on the report screen
PAGE = 8  # history entries a page


def name(db, user_id: int | None) -> str:
    return people.name(db, user_id)


def step_name(event: Event) -> str:
    """What happened, as people say it: a status reached, or a finding noted on the way
    (the report is assigned before any action exists; a root cause is recorded)."""
    if event.from_status != event.to_status or event.from_status is None:
        return status_name(event.to_status)
    if (event.note or "").startswith("→ "):
        return _("assigned to {name}").format(name=event.note[2:])
    return _("root cause recorded")


def event_text(event: Event) -> str | None:
    """The event's note, unless the step's name already says it (the assignee's name)."""
    if event.from_status == event.to_status and (event.note or "").startswith("→ "):
        return None
    return event.note


def event_line(db, event: Event, locale: str, timezone: str, note_limit: int) -> str:
    when = format_moment(clock.local(event.at, timezone), locale, timezone, zone=False)
    line = f"• {when} · {esc(shorten(name(db, event.actor_id), 64))} · "
    line += esc(shorten(step_name(event), 100))
    note = event_text(event)
    if not note:
        return line
    return _("{step}: {note}").format(step=line, note=esc(shorten(note, note_limit)))


def fields(db, report: Nonconformity, locale: str) -> dict:
    """The report's fields for its screen, each within its share of the message."""
    shown = {
        "description": shorten(report.description, DESCRIPTION),
        "containment": shorten(report.containment or "—", FIELD),
        "root_cause": shorten(report.root_cause or "—", FIELD),
        "action": shorten(report.action or "—", FIELD),
    }
    whole = (report.description, report.containment, report.root_cause, report.action)
    photos = nc.photo_count(db, report.id)
    waiting = nc.unarchived_count(db, report.id)
    recordings = nc.recordings_count(db, report.id)
    return {
        "reference": report.reference,
        "status": status_name(report.status),
        "severity": severity_name(report.severity),
        "category": category_name(report.category),
        "area": esc(shorten(report.area or "—", 64)),
        "reporter": esc(shorten(name(db, report.reporter_id), 64)),
        "owner": esc(shorten(name(db, report.owner_id), 64)),
        "has_action": bool(report.action),
        "assigned_only": report.owner_id is not None and not report.action,
        "due": format_day(report.due_date, locale) if report.due_date else "—",
        **{key: esc(value) for key, value in shown.items()},
        "shortened": any(v and len(v) > len(s) for v, s in zip(whole, shown.values(), strict=True)),
        "photos": photos,
        "has_photos": photos > 0 and not recordings,
        "has_recordings": recordings > 0,
        "unarchived": waiting,
        "has_unarchived": waiting > 0,
    }


def recent(db, history: list[Event], locale: str, timezone: str) -> dict:
    lines = [event_line(db, e, locale, timezone, NOTE) for e in history[-RECENT:]]
    return {
        "history": "\n".join(lines),
        "zone": timezone,  # the IANA name: right whatever the offset was then
        "events": len(history),
        "more_history": len(history) > RECENT,
    }


def history_page(db, history: list[Event], page: int, locale: str, timezone: str) -> dict:
    pages = max(1, -(-len(history) // PAGE))
    page = min(max(page, 0), pages - 1)
    chunk = history[page * PAGE : (page + 1) * PAGE]
    return {
        "lines": "\n".join(event_line(db, e, locale, timezone, 200) for e in chunk),
        "page": page + 1,
        "pages": pages,
        "zone": timezone,  # the IANA name: right whatever the offset was then
        "has_prev": page > 0,
        "has_next": page < pages - 1,
    }


def full_record(db, report: Nonconformity, history: list[Event], locale: str, timezone: str):
    """The whole report as plain text, in pieces that each fit one message."""
    labels = (
        (_("What happened"), report.description),
        (_("Containment"), report.containment),
        (_("Root cause"), report.root_cause),
        (_("Corrective action"), report.action),
        (_("Reason"), report.reason),
    )
    body = [f"{report.reference} · {status_name(report.status)}"]
    body += [f"{label}:\n{value}" for label, value in labels if value]
    trail = [_("History ({zone})").format(zone=timezone)]
    for event in history:
        when = format_moment(clock.local(event.at, timezone), locale, timezone, zone=False)
        line = f"{when} · {name(db, event.actor_id)} · {step_name(event)}"
        note = event_text(event)
        trail.append(_("{step}: {note}").format(step=line, note=note) if note else line)
    return parts("\n\n".join([*body, "\n".join(trail)]))


async def send_evidence(bot: Bot, chat_id: int, pieces: list[tuple]) -> int:
    """The report's photos (as one album), voice notes and videos. What Telegram no longer
    knows (files sent to another bot, or to a console's earlier run) is sent from its archived
    copy; returns how many could be shown neither way."""
    missing = 0
    photos = [p for p in pieces if p[3] == "photo"][:10]
    if photos:
        missing += await _send_or_archive(bot, chat_id, photos, _album)
    for piece in (p for p in pieces if p[3] != "photo"):
        missing += await _send_or_archive(bot, chat_id, [piece], _recording)
    return missing


async def _send_or_archive(bot: Bot, chat_id: int, pieces: list[tuple], send) -> int:
    try:
        await send(bot, chat_id, pieces, [file_id for _pos, file_id, _path, _kind in pieces])
        return 0
    except TelegramBadRequest:
        pass
    kept = [p for p in pieces if p[2] and Path(p[2]).is_file()]
    if kept:
        files = [FSInputFile(path, Path(path).name) for _pos, _id, path, _kind in kept]
        await send(bot, chat_id, kept, files)
    return len(pieces) - len(kept)


async def _album(bot: Bot, chat_id: int, pieces: list[tuple], media: list) -> None:
    if len(media) == 1:
        await bot.send_photo(chat_id, media[0])
    else:
        await bot.send_media_group(chat_id, [InputMediaPhoto(media=m) for m in media])


async def _recording(bot: Bot, chat_id: int, pieces: list[tuple], media: list) -> None:
    if pieces[0][3] == "voice":
        await bot.send_voice(chat_id, media[0])
    else:
        await bot.send_video(chat_id, media[0])


async def moved_meanwhile(message, typed: str = "") -> None:
    """Someone moved the report on while this person was typing for it: say so, and give
    them their words back so nothing they wrote is lost."""
    if not typed:
        await message.answer(_("Someone else moved this report on meanwhile; here it is now."))
        return
    await message.answer(
        _(
            "Someone else moved this report on meanwhile, so this was not recorded. "
            "Here is what you wrote:"
        )
    )
    for piece in parts(typed):
        await message.answer(piece, parse_mode=None)
