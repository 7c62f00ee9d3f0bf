"""Reports for managers: find them, read them, and drive each one to a verified close.

list (open · closed · all; by severity; by area) ─▶ report: fields, photos, history
report, by status: containment · analyse · root cause (5 Whys or typed) · plan the action
   (owner, due date) · mark done · effective / not effective · close · reject · duplicate
Every step goes through the workflow rules, which check the caller and the status again.
"""

from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.i18n import N_
from bot.services import nc, orgs
from bot.services.orgs import NotAllowed
from dialogs import long_text
from dialogs.common import Choices, CloseButton, T, close
from dialogs.nc import view as case_view
from dialogs.nc.export import reports_xlsx
from dialogs.nc.labels import severity_name, status_name
from dialogs.states import CasePlan, Cases

FILTERS = {"open": nc.OPEN, "closed": ("closed", "rejected", "duplicate"), "all": None}
SEVERITY_CYCLE = (None, "critical", "major", "minor")
ICON = {"critical": "🔴", "major": "🟠", "minor": "🟢"}
# What a manager is asked to type for each step that needs words.
PROMPTS = {
    "containment": "contained",
    "reject": "rejected",
    "cause": None,
    "done": "done",
    "effective": "verified",
    "not_effective": "analysis",
    "duplicate": "duplicate",
    "close": "closed",
}


def _case(manager: DialogManager) -> int:
    return int(manager.dialog_data.get("nc", 0))


async def on_start(start_data: dict | None, manager: DialogManager) -> None:
    manager.dialog_data.update({"filter": "open", "severity": 0, "area": 0})
    manager.dialog_data.update(start_data or {})  # {"nc": id} when opened on one report


# ----- getters --------------------------------------------------------------------------
async def listing(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    data = dialog_manager.dialog_data
    areas = [None] + [name for _id, name in orgs.places(db, user.id, "areas")]
    area = areas[int(data.get("area", 0)) % len(areas)]
    severity = SEVERITY_CYCLE[int(data.get("severity", 0)) % len(SEVERITY_CYCLE)]
    found = nc.for_managers(db, user.id, FILTERS[data.get("filter", "open")], severity, area)
    return {
        "count": len(found),
        "cases": [
            (
                r.id,
                f"{ICON[r.severity]} {r.reference} · {status_name(r.status)}"
                + (f" · {r.area}" if r.area else ""),
            )
            for r in found
        ],
        "filter_open": ("● " if data.get("filter") == "open" else "") + _("Open"),
        "filter_closed": ("● " if data.get("filter") == "closed" else "") + _("Finished"),
        "filter_all": ("● " if data.get("filter") == "all" else "") + _("All"),
        "severity": severity_name(severity) if severity else _("all"),
        "area": area or _("all"),
        "has_areas": len(areas) > 1,
    }


async def one(dialog_manager: DialogManager, db, user, locale, timezone, **kwargs) -> dict:
    report = nc.visible(db, user.id, _case(dialog_manager))
    manager = nc.may_manage(db, user.id, report)
    history = nc.history(db, user.id, report.id)
    allowed = nc.TRANSITIONS[report.status] if manager else ()
    shown = case_view.fields(db, report, locale)
    notes_cut = any(e.note and len(e.note) > case_view.NOTE for e in history)
    return {
        **shown,
        "shortened": shown["shortened"] or notes_cut or bool(report.reason),
        **case_view.recent(db, history, locale, timezone),
        "can_assign": manager and report.status in nc.ASSIGNABLE,
        "can_list": manager,
        "cannot_list": not manager,
        "can_contain": "contained" in allowed,
        "can_analyse": "analysis" in allowed and report.status != "done",
        "can_cause": manager and report.status == "analysis",
        "can_plan": "planned" in allowed,
        "can_done": report.status == "planned" and (manager or report.owner_id == user.id),
        "can_verify": "verified" in allowed,
        "can_close": "closed" in allowed,
        "can_reject": "rejected" in allowed,
        "can_duplicate": "duplicate" in allowed,
    }


async def history_page(dialog_manager: DialogManager, db, user, locale, timezone, **kwargs):
    report = nc.visible(db, user.id, _case(dialog_manager))
    history = nc.history(db, user.id, report.id)
    page = int(dialog_manager.dialog_data.get("page", 0))
    return {
        "reference": report.reference,
        **case_view.history_page(db, history, page, locale, timezone),
    }


async def prompt(dialog_manager: DialogManager, **kwargs) -> dict:
    kind = dialog_manager.dialog_data.get("kind", "")
    return {f"is_{name}": kind == name for name in PROMPTS}


# ----- handlers -------------------------------------------------------------------------
def set_filter(name: str):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        manager.dialog_data["filter"] = name

    return on_click


def cycle(key: str):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        manager.dialog_data[key] = int(manager.dialog_data.get(key, 0)) + 1

    return on_click


async def on_case(callback: CallbackQuery, widget, manager: DialogManager, nc_id: str) -> None:
    if nc_id.isdigit():
        manager.dialog_data["nc"] = int(nc_id)
        await manager.switch_to(Cases.case)


def _check(manager: DialogManager, kind: str) -> None:
    """Refuse at the first step what the workflow would refuse at the last (hidden buttons
    can still be pressed with crafted data)."""
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    report = nc.visible(db, user.id, _case(manager))
    owner_done = kind == "done" and report.owner_id == user.id
    if not (nc.may_manage(db, user.id, report) or owner_done):
        raise NotAllowed(f"user {user.id} may not {kind} report {report.id}")


def ask(kind: str):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        _check(manager, kind)
        manager.dialog_data["kind"] = kind
        long_text.reset(manager, "note")  # nothing typed for another step comes along
        await manager.switch_to(Cases.note)

    return on_click


def plan(state, **extra):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        _check(manager, "plan")
        await manager.start(state, data={"nc": _case(manager), **extra})

    return on_click


async def on_analyse(callback: CallbackQuery, button, manager: DialogManager) -> None:
    await _move(manager, callback.message, "analysis", None)


async def _record(message: Message, manager: DialogManager, typed: str) -> None:
    """What the manager typed for the step they chose, recorded whole."""
    kind = manager.dialog_data.get("kind", "")
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if kind == "cause":
        if nc.note_down(db, user.id, _case(manager), "root_cause", typed) == "stale":
            await case_view.moved_meanwhile(message, typed)
    elif kind == "duplicate":
        original = _by_reference(db, user.id, typed)
        if (
            original is None
            or await _move(manager, message, "duplicate", None, duplicate_of=original) != "moved"
        ):
            await message.answer(
                _(
                    "Type the reference of an open report, like NC-2026-0001: only an open report "
                    "can be the original."
                )
            )
            return
    elif kind == "containment":
        await _move(manager, message, "contained", typed, containment=typed)
    elif PROMPTS.get(kind):
        await _move(manager, message, PROMPTS[kind], typed)
    await manager.switch_to(Cases.case)


def _by_reference(db, user_id: int, typed: str) -> int | None:
    parts = typed.upper().replace(" ", "").split("-")
    if len(parts) != 3 or parts[0] != "NC" or not all(p.isdecimal() for p in parts[1:]):
        return None
    found = [
        r
        for r in nc.for_managers(db, user_id, None)
        if (r.year, r.number) == (int(parts[1]), int(parts[2]))
    ]
    return found[0].id if found else None


async def _move(manager: DialogManager, message: Message, to: str, note: str | None, **fields):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    result = nc.move(db, user.id, _case(manager), to, note, **fields)
    if result == "stale":
        await case_view.moved_meanwhile(message, note or "")
    elif result == "missing" and to == "rejected":
        await message.answer(_("Please give the reason."))
    return result


async def on_export(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user, bot = (manager.middleware_data[k] for k in ("db", "user", "bot"))
    data = await reports_xlsx(db, user.id)
    await bot.send_document(
        callback.message.chat.id,
        BufferedInputFile(data, "certready-reports.xlsx"),
        caption=_("Every report with its full history: the record ISO 9001 10.2.2 asks for."),
    )
    manager.show_mode = ShowMode.SEND


async def on_photos(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user, bot = (manager.middleware_data[k] for k in ("db", "user", "bot"))
    pieces = nc.evidence(db, user.id, _case(manager))
    missing = await case_view.send_evidence(bot, callback.message.chat.id, pieces)
    if missing:
        await callback.message.answer(
            _(
                "{count} photo(s) can no longer be shown: Telegram has forgotten them and no "
                "archived copy was found."
            ).format(count=missing)
        )
    manager.show_mode = ShowMode.SEND


async def on_read_all(callback: CallbackQuery, button, manager: DialogManager) -> None:
    db, user, bot = (manager.middleware_data[k] for k in ("db", "user", "bot"))
    locale, timezone = manager.middleware_data["locale"], manager.middleware_data["timezone"]
    report = nc.visible(db, user.id, _case(manager))
    history = nc.history(db, user.id, report.id)
    for piece in case_view.full_record(db, report, history, locale, timezone):
        await bot.send_message(callback.message.chat.id, piece, parse_mode=None)
    manager.show_mode = ShowMode.SEND


def turn(step: int):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        manager.dialog_data["page"] = max(0, int(manager.dialog_data.get("page", 0)) + step)

    return on_click


async def on_history(callback: CallbackQuery, button, manager: DialogManager) -> None:
    history = nc.history(
        manager.middleware_data["db"], manager.middleware_data["user"].id, _case(manager)
    )
    manager.dialog_data["page"] = max(0, (len(history) - 1) // case_view.PAGE)  # newest first
    await manager.switch_to(Cases.history)


def cases_dialog() -> Dialog:
    back_to_case = SwitchTo(T("⬅️ Back"), id="note_back", state=Cases.case)
    return Dialog(
        Window(
            T("<b>🗂 Reports</b>: {count}\nSeverity: {severity} · Area: {area}"),
            Row(
                Button(Format("{filter_open}"), id="f_open", on_click=set_filter("open")),
                Button(Format("{filter_closed}"), id="f_closed", on_click=set_filter("closed")),
                Button(Format("{filter_all}"), id="f_all", on_click=set_filter("all")),
            ),
            Row(
                Button(T("⚖️ Severity"), id="severity", on_click=cycle("severity")),
                Button(T("📍 Area"), id="area", on_click=cycle("area"), when="has_areas"),
            ),
            Choices("cases", on_case, page=8),
            Button(T("📥 Export all (XLSX)"), id="export", on_click=on_export),
            CloseButton(),
            state=Cases.list,
            getter=listing,
        ),
        Window(
            T(
                "<b>{reference}</b> · {status}\n{severity} · 🏷 {category} · 📍 {area}\n"
                "👤 {reporter}\n\n{description}\n\n"
                "<b>Containment:</b> {containment}\n<b>Root cause:</b> {root_cause}\n"
                "<b>Corrective action:</b> {action}"
            ),
            T("<b>Owner:</b> {owner} · <b>Due:</b> {due}", when="has_action"),
            T("<b>Assigned to:</b> {owner}", when="assigned_only"),
            T("\n<b>History</b> ({zone})\n{history}"),
            T("📷 {unarchived} photo(s) not yet archived.", when="has_unarchived"),
            Row(
                Button(
                    T("📷 Photos ({photos})"), id="photos", on_click=on_photos, when="has_photos"
                ),
                Button(
                    T("📎 Photos and recordings ({photos})"),
                    id="recordings",
                    on_click=on_photos,
                    when="has_recordings",
                ),
                Button(T("📖 Read all"), id="read_all", on_click=on_read_all, when="shortened"),
                Button(
                    T("📜 History ({events})"),
                    id="history",
                    on_click=on_history,
                    when="more_history",
                ),
            ),
            Button(
                T("👤 Assign"),
                id="assign",
                on_click=plan(CasePlan.owner, assign_only=True),
                when="can_assign",
            ),
            Button(
                T("🛡 Containment"), id="contain", on_click=ask("containment"), when="can_contain"
            ),
            Button(
                T("🔍 Start the analysis"), id="analyse", on_click=on_analyse, when="can_analyse"
            ),
            Row(
                Button(T("❓ 5 Whys"), id="whys", on_click=plan(CasePlan.whys), when="can_cause"),
                Button(T("✍️ Root cause"), id="cause", on_click=ask("cause"), when="can_cause"),
            ),
            Button(
                T("📋 Plan the corrective action"),
                id="plan",
                on_click=plan(CasePlan.action),
                when="can_plan",
            ),
            Button(T("✅ Action done"), id="done", on_click=ask("done"), when="can_done"),
            Row(
                Button(
                    T("✔️ Effective"), id="effective", on_click=ask("effective"), when="can_verify"
                ),
                Button(
                    T("↩️ Not effective"),
                    id="not_effective",
                    on_click=ask("not_effective"),
                    when="can_verify",
                ),
            ),
            Button(T("🔒 Close"), id="close_case", on_click=ask("close"), when="can_close"),
            Row(
                Button(T("⛔ Reject"), id="reject", on_click=ask("reject"), when="can_reject"),
                Button(
                    T("🔁 Duplicate"),
                    id="duplicate",
                    on_click=ask("duplicate"),
                    when="can_duplicate",
                ),
            ),
            SwitchTo(T("⬅️ Back"), id="case_back", state=Cases.list, when="can_list"),
            Button(T("⬅️ Back"), id="case_close", on_click=close, when="cannot_list"),
            state=Cases.case,
            getter=one,
        ),
        Window(
            T(
                "What was done to contain the problem (stop, sort, quarantine)?",
                when="is_containment",
            ),
            T("Why is the report rejected? The reporter will read this.", when="is_reject"),
            T("What is the root cause?", when="is_cause"),
            T("What was done? (a short note for the record)", when="is_done"),
            T("How do you know it worked? (the evidence of effectiveness)", when="is_effective"),
            T("Why did it not work? The report goes back to analysis.", when="is_not_effective"),
            T(
                "Type the reference of the original report (for example NC-2026-0001):",
                when="is_duplicate",
            ),
            T("A closing note for the record:", when="is_close"),
            *long_text.step("note", nc.MAX_TEXT, _record, N_("Please type it in words.")),
            back_to_case,
            state=Cases.note,
            getter=prompt,
        ),
        Window(
            T("<b>{reference}</b> · history, page {page} of {pages} ({zone})\n\n{lines}"),
            Row(
                Button(T("« Earlier"), id="hist_prev", on_click=turn(-1), when="has_prev"),
                Button(T("Later »"), id="hist_next", on_click=turn(1), when="has_next"),
            ),
            SwitchTo(T("⬅️ Back"), id="hist_back", state=Cases.case),
            state=Cases.history,
            getter=history_page,
        ),
        on_start=on_start,
    )
