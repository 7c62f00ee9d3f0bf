"""Carrying out an internal audit on a phone: clause by clause, what the clause asks and the
evidence to look for, then the finding — conforming, an observation, an opportunity for
improvement, or a nonconformity (不符合, minor or major) with a note and photos. Findings
are saved as they are given: pause any time and go on later. Finishing turns each
nonconformity into a report (source: internal audit) and issues the audit report.

item ─▶ (note, photos) ─▶ next item … ─▶ summary ─▶ 🏁 finish ─▶ done
"""

from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput, TextInput
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.db import content as content_repo
from bot.services import audits, text
from bot.services.nc import MAX_PHOTOS
from dialogs.audits.export import result_name
from dialogs.common import T, current_locale, esc
from dialogs.states import AuditRun

MAX_NOTE = 1000
SUMMARY_BUDGET = 3200  # characters of findings on the summary; the message stays < 4,096


def _audit(manager: DialogManager):
    data = manager.middleware_data
    return audits.runnable(data["db"], data["user"].id, int(manager.dialog_data.get("audit", 0)))


async def on_start(start_data: dict | None, manager: DialogManager) -> None:
    manager.dialog_data["audit"] = int((start_data or {}).get("audit", 0))
    found = _audit(manager)
    db = manager.middleware_data["db"]
    done = audits.findings(db, manager.middleware_data["user"].id, found.id)
    checklist = audits.checklist(db, found)
    # Go on where one stopped: the first clause without a finding.
    manager.dialog_data["pos"] = next(
        (i for i, clause in enumerate(checklist) if clause not in done), 0
    )


async def item(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = _audit(dialog_manager)
    checklist = audits.checklist(db, found)
    pos = min(int(dialog_manager.dialog_data.get("pos", 0)), len(checklist) - 1)
    clause = checklist[pos]
    entry = content_repo.get(db, "clause", clause, current_locale())
    texts = entry.texts if entry else {}
    recorded = audits.findings(db, user.id, found.id).get(clause)
    lines = [
        _("<b>{reference}</b> · clause {n} of {total}").format(
            reference=found.reference, n=pos + 1, total=len(checklist)
        ),
        f"<b>{clause} {esc(texts.get('title', ''))}</b>",
        "",
        _("What it asks:"),
        esc(texts.get("asks", "")),
        "",
        _("What to look for:"),
        esc(texts.get("evidence", "")),
    ]
    if recorded:
        lines += ["", _("Your finding: {result}").format(result=result_name(recorded.result))]
    return {
        "body": "\n".join(lines),
        "has_prev": pos > 0,
        "has_next": pos + 1 < len(checklist),
    }


async def on_result(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    result = button.widget_id.removeprefix("r_")
    if result not in audits.RESULTS:
        return
    if result == "conforming":
        await _save(manager, result, None)
        return
    manager.dialog_data.update(result=result, photos=[])
    await manager.switch_to(AuditRun.note)


async def _save(manager: DialogManager, result: str, note: str | None) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    found = _audit(manager)
    checklist = audits.checklist(db, found)
    pos = min(int(manager.dialog_data.get("pos", 0)), len(checklist) - 1)
    photos = manager.dialog_data.get("photos", []) if result != "conforming" else []
    audits.record(db, user.id, found.id, checklist[pos], result, note, photos)
    manager.dialog_data.update(result=None, photos=[])
    if pos + 1 < len(checklist):
        manager.dialog_data["pos"] = pos + 1
        await manager.switch_to(AuditRun.item)
    else:
        await manager.switch_to(AuditRun.summary)


async def note_prompt(dialog_manager: DialogManager, **kwargs) -> dict:
    result = dialog_manager.dialog_data.get("result")
    hint = {
        "observation": _(
            "An observation: not a nonconformity today, but worth watching before it becomes one."
        ),
        "improvement": _(
            "An opportunity for improvement: the requirement is met; this would make it better."
        ),
        "minor": _(
            "A minor nonconformity: a requirement is not fully met, but the system can still "
            "achieve its intended results."
        ),
        "major": _(
            "A major nonconformity: the system's ability to achieve its intended results is in "
            "doubt — for example a requirement not met at all, or several minor findings that "
            "together show a systemic failure."
        ),
    }.get(result, "")
    return {
        "result": result_name(result),
        "hint": hint,
        "photos": len(dialog_manager.dialog_data.get("photos", [])),
    }


async def on_note(message: Message, widget, manager: DialogManager, typed: str) -> None:
    note = text.clean(typed).strip()
    if not note or len(note) > MAX_NOTE:
        await message.answer(
            _("Please describe what you saw in 1 to {n} characters.").format(n=MAX_NOTE)
        )
        return
    await _save(manager, manager.dialog_data.get("result") or "observation", note)


async def on_photo(message: Message, widget, manager: DialogManager) -> None:
    photos = manager.dialog_data.setdefault("photos", [])
    if message.photo and len(photos) < MAX_PHOTOS:
        best = message.photo[-1]
        photos.append([best.file_id, best.file_unique_id])


def step(delta: int):
    async def on_click(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
        manager.dialog_data["pos"] = max(0, int(manager.dialog_data.get("pos", 0)) + delta)

    return on_click


async def summary(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = _audit(dialog_manager)
    checklist = audits.checklist(db, found)
    recorded = audits.findings(db, user.id, found.id)
    lines = [
        _("<b>{reference}</b>: {done} of {total} clauses checked.").format(
            reference=found.reference, done=len(recorded), total=len(checklist)
        )
    ]
    listed = [
        f"• {clause} · {result_name(recorded[clause].result)}: "
        + esc(text.shorten(recorded[clause].note or "", 80))
        for clause in checklist
        if clause in recorded and recorded[clause].result != "conforming"
    ]
    shown = 0
    for line in listed:  # a long audit: the rest is in the report and its XLSX
        if sum(len(x) for x in lines) + len(line) > SUMMARY_BUDGET:
            break
        lines.append(line)
        shown += 1
    if shown < len(listed):
        lines.append(_("… and {n} more in the audit report.").format(n=len(listed) - shown))
    unchecked = len(checklist) - len([c for c in checklist if c in recorded])
    if unchecked:
        lines += [
            "",
            _("{n} clauses are not checked yet: check them to finish.").format(n=unchecked),
        ]
    elif any(f.result in audits.NONCONFORMING for f in recorded.values()):
        lines += ["", _("Each nonconformity becomes a report when you finish.")]
    return {"body": "\n".join(lines), "complete": not unchecked}


async def on_finish(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    finished = audits.finish(db, user.id, int(manager.dialog_data.get("audit", 0)))
    manager.dialog_data["reports"] = [r.reference for r in finished.reports]
    manager.dialog_data["reference"] = finished.audit.reference
    await manager.switch_to(AuditRun.done)


async def done(dialog_manager: DialogManager, **kwargs) -> dict:
    reports = dialog_manager.dialog_data.get("reports", [])
    body = _("✅ {reference} is done and its report issued.").format(
        reference=dialog_manager.dialog_data.get("reference", "")
    )
    if reports:
        body += "\n" + _("New reports, now in the corrective-action workflow: {reports}").format(
            reports=", ".join(reports)
        )
    return {"body": body}


def audit_run_dialog() -> Dialog:
    return Dialog(
        Window(
            Format("{body}"),
            Row(
                Button(T("✅ Conforming"), id="r_conforming", on_click=on_result),
                Button(T("👁 Observation"), id="r_observation", on_click=on_result),
            ),
            Button(T("💡 Opportunity for improvement"), id="r_improvement", on_click=on_result),
            Row(
                Button(T("🟡 Minor NC"), id="r_minor", on_click=on_result),
                Button(T("🔴 Major NC"), id="r_major", on_click=on_result),
            ),
            Row(
                Button(T("⬅️ Previous"), id="prev", on_click=step(-1), when="has_prev"),
                Button(T("Skip ➡️"), id="skip", on_click=step(1), when="has_next"),
            ),
            SwitchTo(T("🏁 Summary"), id="to_summary", state=AuditRun.summary),
            Button(T("⏸ Pause"), id="pause", on_click=_close),
            state=AuditRun.item,
            getter=item,
        ),
        Window(
            T(
                "{result}: what did you see? Type a note; send photos first if you have any."
                "\n\n{hint}\n\n📷 {photos}"
            ),
            TextInput(id="note", on_success=on_note),
            MessageInput(on_photo, content_types=[ContentType.PHOTO]),
            SwitchTo(T("⬅️ Back"), id="note_back", state=AuditRun.item),
            state=AuditRun.note,
            getter=note_prompt,
        ),
        Window(
            Format("{body}"),
            Button(
                T("🏁 Finish and issue the report"),
                id="finish",
                on_click=on_finish,
                when="complete",
            ),
            SwitchTo(T("⬅️ Back to the checklist"), id="sum_back", state=AuditRun.item),
            Button(T("⏸ Pause"), id="pause2", on_click=_close),
            state=AuditRun.summary,
            getter=summary,
        ),
        Window(
            Format("{body}"),
            Button(T("✅ Done"), id="done", on_click=_close),
            state=AuditRun.done,
            getter=done,
        ),
        on_start=on_start,
    )


async def _close(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await manager.done()
