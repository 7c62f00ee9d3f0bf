"""Report a problem (a nonconformity) from the shop floor, in seconds.

photos (optional; several, or an album; or type the text straight away)
  ─▶ what happened ─▶ area (the organization's list, or typed) ─▶ category ─▶ severity
  ─▶ check: every field with a way to change it ─▶ submit: saved, then the reference NC-…
The report is saved before the reporter is told its reference, and one form is one report,
however often Submit is tapped.
"""

import secrets

from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo

from bot.services import nc, orgs, text
from dialogs import long_text
from dialogs.common import Choices, T, close, esc
from dialogs.nc import evidence
from dialogs.nc.labels import category_name, severity_name
from dialogs.nc.mine import saved_window
from dialogs.states import Report

SUMMARY = 1500  # characters of the description on the check screen; all of it is saved


async def on_start(start_data: dict | None, manager: DialogManager) -> None:
    manager.dialog_data.update({"photos": [], "key": secrets.token_hex(8)})
    manager.dialog_data.update(start_data or {})  # a photo or text offered before the form


async def _next(manager: DialogManager, state) -> None:
    """Go on to ``state``, or back to the check screen when a field was being changed."""
    await manager.switch_to(Report.confirm if manager.dialog_data.get("editing") else state)


# ----- getters -----------------------------------------------------------------------
async def photos_step(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    count = len(dialog_manager.dialog_data.get("photos", []))
    member = orgs.membership(db, user.id) is not None
    kinds = evidence.counts(dialog_manager)
    return {
        "count": kinds["photo"],
        "voices": kinds["voice"],
        "videos": kinds["video"],
        "has_recordings": kinds["voice"] + kinds["video"] > 0,
        "evidence": evidence.listing(dialog_manager),
        "has_photos": member and count > 0,
        "no_photos": member and count == 0,
        "outsider": not member,
    }


async def areas(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    listed = orgs.places(db, user.id, "areas")
    return {"areas": listed, "has_areas": bool(listed), "no_areas": not listed}


async def categories(dialog_manager: DialogManager, **kwargs) -> dict:
    return {"categories": [(key, category_name(key)) for key in nc.CATEGORIES]}


async def severities(dialog_manager: DialogManager, **kwargs) -> dict:
    return {"severities": [(key, severity_name(key)) for key in nc.SEVERITIES]}


async def summary(dialog_manager: DialogManager, **kwargs) -> dict:
    data = dialog_manager.dialog_data
    return {
        "photos": len(data.get("photos", [])),
        "description": esc(text.shorten(data.get("description", ""), SUMMARY)),
        "area": esc(data.get("area") or "—"),
        "category": category_name(data["category"]) if data.get("category") else "—",
        "severity": severity_name(data["severity"]) if data.get("severity") else "—",
    }


# ----- handlers ----------------------------------------------------------------------
async def on_remove(callback: CallbackQuery, widget, manager: DialogManager, position: str):
    evidence.remove(manager, position)


async def _take_text(message: Message, manager: DialogManager) -> long_text.Taken:
    """The description from this message (and the parts before it)."""
    taken = await long_text.take(message, manager, "description", nc.MAX_DESCRIPTION)
    if taken == "more" and manager.current_context().state != Report.text:
        await manager.switch_to(Report.text)  # where the parts are collected
    return taken


async def on_photo_step_input(message: Message, widget, manager: DialogManager) -> None:
    if orgs.membership(manager.middleware_data["db"], manager.middleware_data["user"].id) is None:
        return
    taken = await evidence.take(message, manager)
    if taken == "added":  # more of the album may follow: stay here
        if message.caption:
            await _take_text(message, manager)
    elif taken == "refused":
        return
    elif message.text and await _take_text(message, manager) == "done":
        await _next(manager, Report.area)  # typed straight away: the photos were skipped
    elif not text.visible(text.clean(message.text or "")):
        await message.answer(_("Please send a photo, or type what happened."))


async def on_text(message: Message, widget, manager: DialogManager) -> None:
    taken = await evidence.take(message, manager)
    if taken == "refused" or (taken == "added" and not message.caption):
        return
    taken = await _take_text(message, manager)
    if taken == "done":
        await _next(manager, Report.area)
    elif taken == "empty":
        await message.answer(_("Please type what happened."))


async def on_text_complete(callback: CallbackQuery, button, manager: DialogManager) -> None:
    done = await long_text.finish(callback.message, manager, "description", nc.MAX_DESCRIPTION)
    if done == "done":
        await _next(manager, Report.area)


async def on_area(callback: CallbackQuery, widget, manager: DialogManager, area_id: str) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    names = dict(orgs.places(db, user.id, "areas"))
    if area_id.isdigit() and int(area_id) in names:
        manager.dialog_data["area"] = names[int(area_id)]
        await _next(manager, Report.category)


async def on_typed_area(message: Message, widget, manager: DialogManager) -> None:
    if await evidence.take(message, manager) != "none":  # the rest of an album: kept
        return
    typed = text.clean_line(message.text or "")
    if not text.visible(typed):
        await message.answer(_("Please type where it happened, or pick an area."))
        return
    if len(typed) > nc.MAX_AREA:
        await message.answer(
            _("Please name the place in at most {limit} characters (that was {length}).").format(
                limit=nc.MAX_AREA, length=len(typed)
            )
        )
        return
    manager.dialog_data["area"] = typed
    await _next(manager, Report.category)


async def on_skip_area(callback: CallbackQuery, button, manager: DialogManager) -> None:
    manager.dialog_data["area"] = None
    await _next(manager, Report.category)


async def on_category(callback: CallbackQuery, widget, manager: DialogManager, key: str):
    if key in nc.CATEGORIES:
        manager.dialog_data["category"] = key
        await _next(manager, Report.severity)


async def on_severity(callback: CallbackQuery, widget, manager: DialogManager, key: str):
    if key in nc.SEVERITIES:
        manager.dialog_data["severity"] = key
        await manager.switch_to(Report.confirm)


async def on_photos_next(callback: CallbackQuery, button, manager: DialogManager) -> None:
    # A caption already said what happened: no need to ask again.
    await _next(manager, Report.area if manager.dialog_data.get("description") else Report.text)


def back_to(state):
    """Back: to the step before, or to the check screen when a field was being changed."""

    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        await manager.switch_to(Report.confirm if manager.dialog_data.get("editing") else state)

    return on_click


def edit(state):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        manager.dialog_data["editing"] = True
        await manager.switch_to(state)

    return on_click


async def on_submit(callback: CallbackQuery, button, manager: DialogManager) -> None:
    writer, user = manager.middleware_data["writer"], manager.middleware_data["user"]
    data = manager.dialog_data
    photos = [tuple(p) for p in data.get("photos", [])]
    # One call records the report, the notices owed and the photos to archive; this screen
    # only shows what is true once it returned. A repeated Submit finds the same report.
    # If another process holds the lock, off the event loop: it waits without stalling others.
    submitted = await writer.run_quick(nc.submit, user.id, dict(data), photos, data["key"])
    # The form becomes "Saved as", stored only after that screen was sent: killed before, the
    # form is still there, and Submit again finds the same report. (Starting a new stack
    # would drop the form at once: the worker might never hear the report was saved.)
    data["nc"] = submitted.report.id
    await manager.switch_to(Report.done)


async def on_cancel(callback: CallbackQuery, button, manager: DialogManager) -> None:
    await close(callback, button, manager)


def report_dialog() -> Dialog:
    cancel = Button(T("✖️ Cancel"), id="cancel", on_click=on_cancel)

    def nav(back_state, name: str) -> Row:
        return Row(Button(T("⬅️ Back"), id=f"back_{name}", on_click=back_to(back_state)), cancel)

    return Dialog(
        Window(
            T(
                "<b>⚠️ Report a problem</b>\n\nSend one or more photos of it (a voice note or a "
                "short video works too), or skip the photos and type what happened.",
                when="no_photos",
            ),
            T("📷 Photos: {count}. Send more, or go on.", when="has_photos"),
            T("🎤 Voice notes: {voices} · 🎬 Videos: {videos}", when="has_recordings"),
            T(
                "Reports go to your organization's managers: join or create an organization "
                "first (🏭 Organization).",
                when="outsider",
            ),
            MessageInput(on_photo_step_input, content_types=[ContentType.ANY]),
            Button(T("➡️ Next"), id="photos_next", on_click=on_photos_next, when="has_photos"),
            Choices("evidence", on_remove, page=10),
            SwitchTo(T("⏭ No photo"), id="no_photo", state=Report.text, when="no_photos"),
            cancel,
            state=Report.photos,
            getter=photos_step,
        ),
        Window(
            T("What happened? Describe the problem in a few words."),
            long_text.more_text("description"),
            MessageInput(on_text, content_types=[ContentType.ANY]),
            long_text.more_button("description", on_text_complete),
            nav(Report.photos, "text"),
            state=Report.text,
        ),
        Window(
            T("Where? Pick the area, or type it.", when="has_areas"),
            T(
                "Where did it happen? Type the place (for example “Line 3”), or skip.",
                when="no_areas",
            ),
            Choices("areas", on_area, page=8),
            MessageInput(on_typed_area),
            Button(T("⏭ Skip"), id="skip_area", on_click=on_skip_area),
            nav(Report.text, "area"),
            state=Report.area,
            getter=areas,
        ),
        Window(
            T("What kind of problem is it?"),
            Choices("categories", on_category),
            nav(Report.area, "category"),
            state=Report.category,
            getter=categories,
        ),
        Window(
            T(
                "How serious is it?\n\n"
                "🟢 <b>Minor</b>: a small slip; the product or service is still usable.\n"
                "🟠 <b>Major</b>: a product or process fails its requirements, or a customer is "
                "affected.\n"
                "🔴 <b>Critical</b>: safety, the law, or a large delivery is at stake: act now."
            ),
            Choices("severities", on_severity),
            nav(Report.category, "severity"),
            state=Report.severity,
            getter=severities,
        ),
        Window(
            T(
                "<b>Check your report</b>\n\n📷 Photos: {photos}\n📝 {description}\n"
                "📍 {area}\n🏷 {category}\n⚖️ {severity}"
            ),
            Button(T("✅ Submit"), id="submit", on_click=on_submit),
            Row(
                Button(T("✏️ Photos"), id="edit_photos", on_click=edit(Report.photos)),
                Button(T("✏️ Text"), id="edit_text", on_click=edit(Report.text)),
                Button(T("✏️ Area"), id="edit_area", on_click=edit(Report.area)),
            ),
            Row(
                Button(T("✏️ Category"), id="edit_category", on_click=edit(Report.category)),
                Button(T("✏️ Severity"), id="edit_severity", on_click=edit(Report.severity)),
            ),
            cancel,
            state=Report.confirm,
            getter=summary,
        ),
        saved_window(Report.done),
        on_start=on_start,
    )
