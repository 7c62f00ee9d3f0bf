"""Announcements, for managers and admins: what was said, and who has read and understood it.

list, newest first, with "✅ 12/15" ─▶ announcement: texts, counts
   ├▶ confirmed (when) · not yet: paged lists of people
   ├▶ 🔔 remind the rest (one reminder each per round; a double tap sends nothing twice)
   └▶ 📊 XLSX: the awareness record (ISO 9001 7.3)
➕ new announcement ─▶ the draft dialog (announce_compose)
Every screen asks the service, which checks the caller's role and organization again.
"""

from datetime import datetime

from aiogram import Router
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Row, Start, SwitchTo

from bot import clock
from bot.i18n import format_day, format_moment
from bot.services import announce, people, text
from dialogs.common import Choices, CloseButton, T, esc
from dialogs.org.announce_compose import announcement_draft_dialog
from dialogs.org.announce_export import awareness_xlsx
from dialogs.states import AnnouncementDraft, Announcements

PAGE = 20  # people a page: 20 lines of name, team and time fit one message easily
SHOWN = 1200  # characters of each text on the announcement's screen; 📖 shows them whole


def _chosen(manager: DialogManager) -> int:
    return int(manager.dialog_data.get("announcement", 0))


def _label(summary: announce.Summary, locale: str, timezone: str) -> str:
    found = summary.announcement
    day = format_day(clock.local(found.sent_at, timezone).date(), locale)
    _lang, body = announce.text_for(found, locale)
    start = text.shorten(" ".join(body.split()), 32)
    return f"{day} · ✅ {summary.acknowledged}/{summary.recipients} · {start}"


async def listing(dialog_manager: DialogManager, db, user, locale, timezone, **kwargs) -> dict:
    found = announce.listing(db, user.id)  # NotAllowed unless a manager
    return {
        "count": len(found),
        "announcements": [(s.announcement.id, _label(s, locale, timezone)) for s in found],
    }


async def one(dialog_manager: DialogManager, db, user, locale, timezone, **kwargs) -> dict:
    summary = announce.managed(db, user.id, _chosen(dialog_manager))
    found = summary.announcement
    texts = announce.texts_of(found)
    waiting = len(announce.still_to_remind(db, user.id, found.id))
    sent = format_moment(datetime.fromisoformat(found.sent_at), locale, timezone)
    return {
        "sent": sent,
        "audience": esc(found.team_name) if found.team_name else _("the whole organization"),
        "author": esc(people.name(db, found.author_id)),
        "acknowledged": summary.acknowledged,
        "recipients": summary.recipients,
        "pending": summary.recipients - summary.acknowledged,
        "reminders": found.reminders,
        "has_en": "en" in texts,
        "has_zh": "zh" in texts,
        "text_en": esc(text.shorten(texts.get("en", ""), SHOWN)),
        "text_zh": esc(text.shorten(texts.get("zh", ""), SHOWN)),
        "shortened": any(text.units(t) > SHOWN for t in texts.values()),
        # The button carries the round the manager saw: pressed twice, it is that round twice.
        "remind": [(found.reminders, _("🔔 Remind the rest ({count})").format(count=waiting))]
        if waiting
        else [],
    }


def _person(recipient, locale: str, timezone: str) -> str:
    name = esc(text.shorten(recipient.name or "—", 40))
    if recipient.team_name:
        name = f"{name} · {esc(text.shorten(recipient.team_name, 30))}"
    if recipient.acknowledged_at:
        moment = datetime.fromisoformat(recipient.acknowledged_at)
        name = f"{name} — {format_moment(moment, locale, timezone, zone=False)}"
    if not recipient.member:
        name = _("{name} (left the organization)").format(name=name)
    return f"• {name}"


async def people_page(dialog_manager: DialogManager, db, user, locale, timezone, **kwargs):
    data = dialog_manager.dialog_data
    confirmed = data.get("who") == "confirmed"
    everyone = announce.recipients(db, user.id, _chosen(dialog_manager))
    shown = [r for r in everyone if bool(r.acknowledged_at) == confirmed]
    pages = max(1, -(-len(shown) // PAGE))
    page = min(max(0, int(data.get("page", 0))), pages - 1)
    lines = [_person(r, locale, timezone) for r in shown[page * PAGE : (page + 1) * PAGE]]
    return {
        "is_confirmed": confirmed,
        "is_waiting": not confirmed,
        "count": len(shown),
        "total": len(everyone),
        "page": page + 1,
        "pages": pages,
        "zone": timezone,
        "lines": "\n".join(lines) or _("Nobody."),
        "has_prev": page > 0,
        "has_next": page + 1 < pages,
    }


# ----- handlers ---------------------------------------------------------------------------
async def on_announcement(callback: CallbackQuery, widget, manager: DialogManager, item: str):
    if item.isdigit():
        manager.dialog_data["announcement"] = int(item)
        await manager.switch_to(Announcements.announcement)


def show(who: str):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        manager.dialog_data.update(who=who, page=0)
        await manager.switch_to(Announcements.people)

    return on_click


def turn(step: int):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        manager.dialog_data["page"] = max(0, int(manager.dialog_data.get("page", 0)) + step)

    return on_click


async def on_remind(callback: CallbackQuery, widget, manager: DialogManager, seen: str) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if not seen.isdigit():
        return
    reminded = announce.remind(db, user.id, _chosen(manager), int(seen))
    if reminded is None:
        await callback.answer(_("They were reminded a moment ago."))
    else:
        await callback.answer(
            _("🔔 Reminder sent to everyone who has not confirmed yet: {count}.").format(
                count=reminded
            ),
            show_alert=True,
        )


async def on_read_all(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user, bot = (manager.middleware_data[k] for k in ("db", "user", "bot"))
    found = announce.managed(db, user.id, _chosen(manager)).announcement
    for body in announce.texts_of(found).values():
        await bot.send_message(callback.message.chat.id, body, parse_mode=None)
    manager.show_mode = ShowMode.SEND


async def on_export(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user, bot = (manager.middleware_data[k] for k in ("db", "user", "bot"))
    announcement_id = _chosen(manager)
    data = await awareness_xlsx(db, user.id, announcement_id)
    await bot.send_document(
        callback.message.chat.id,
        BufferedInputFile(data, f"certready-announcement-{announcement_id}.xlsx"),
        caption=_(
            "Who was told, when it reached them and when they confirmed they read and "
            "understood it: awareness evidence for ISO 9001 7.3."
        ),
    )
    manager.show_mode = ShowMode.SEND


def _announcements_dialog() -> Dialog:
    return Dialog(
        Window(
            T(
                "<b>📣 Announcements</b> ({count})\n\nWhat was sent to the organization or a "
                "team, newest first, with how many people confirmed they read and understood it."
            ),
            Start(T("➕ New announcement"), id="new", state=AnnouncementDraft.draft),
            Choices("announcements", on_announcement, page=8),
            CloseButton(),
            state=Announcements.list,
            getter=listing,
        ),
        Window(
            T(
                "<b>📣 Announcement</b> · {sent}\nTo: {audience} · by {author}\n"
                "✅ Read and understood: {acknowledged}/{recipients}\n"
                "🔔 Reminder rounds: {reminders}"
            ),
            T("\n<b>English</b>\n{text_en}", when="has_en"),
            T("\n<b>Chinese</b>\n{text_zh}", when="has_zh"),
            Row(
                Button(
                    T("✅ Confirmed ({acknowledged})"), id="confirmed", on_click=show("confirmed")
                ),
                Button(T("⏳ Not yet ({pending})"), id="waiting", on_click=show("waiting")),
            ),
            Choices("remind", on_remind),
            Button(T("📖 Read all"), id="read_all", on_click=on_read_all, when="shortened"),
            Button(T("📊 Export XLSX"), id="export", on_click=on_export),
            SwitchTo(T("⬅️ Back"), id="one_back", state=Announcements.list),
            state=Announcements.announcement,
            getter=one,
        ),
        Window(
            T(
                "<b>✅ Confirmed</b> · {count}/{total} · page {page} of {pages} ({zone})\n\n"
                "{lines}",
                when="is_confirmed",
            ),
            T(
                "<b>⏳ Not yet confirmed</b> · {count}/{total} · page {page} of {pages}\n\n{lines}",
                when="is_waiting",
            ),
            Row(
                Button(T("« Earlier"), id="people_prev", on_click=turn(-1), when="has_prev"),
                Button(T("Later »"), id="people_next", on_click=turn(1), when="has_next"),
            ),
            SwitchTo(T("⬅️ Back"), id="people_back", state=Announcements.announcement),
            state=Announcements.people,
            getter=people_page,
        ),
    )


def announcements_dialog() -> Router:
    """The announcements screens and the draft of a new one. (The button under what they
    send is handled by ``acknowledgements_router``, ahead of every dialog.)"""
    router = Router(name="announcements")
    router.include_router(_announcements_dialog())
    router.include_router(announcement_draft_dialog())
    return router
