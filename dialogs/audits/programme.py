"""The internal audit programme (ISO 9001 9.2): the year's audits with their status, the
suggested frequency per team, planning an audit (what, whose work, which clauses, when, by
whom — never by someone from the team audited), an audit's page with its issued report.

list ─▶ audit (▶️ carry it out: the auditor · 📊 XLSX: managers)
     └▶ ➕ plan: subject ─▶ team ─▶ clauses ─▶ day ─▶ auditor ─▶ list
     └▶ 💡 suggested frequency
Auditors who are not managers see only the audits assigned to them.
"""

from datetime import date

from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, Group, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot import clock
from bot.db import content as content_repo
from bot.db import orgs as orgs_repo
from bot.i18n import N_, format_day
from bot.services import audits, orgs, people, text
from bot.services.orgs import NotAllowed
from dialogs.audits.export import audit_xlsx
from dialogs.calendar import LocalCalendar, org_today, refuse_past
from dialogs.common import Choices, CloseButton, T, current_locale, esc
from dialogs.states import AuditRun, Audits

STATES = {
    "planned": N_("planned"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
    "overdue": N_("overdue"),
}
NOT_INDEPENDENT = N_(
    "This person works in the team audited: auditors do not audit their own work "
    "(ISO 19011). Choose someone else."
)
SHOWN = 60  # audits with a button (paged) on the programme screen
LIST_BUDGET = 3000  # characters of the list above them


def _data(manager: DialogManager):
    return manager.middleware_data["db"], manager.middleware_data["user"]


def _is_manager(db, user) -> bool:
    member = orgs.membership(db, user.id)
    return bool(member and member.role in ("manager", "admin"))


def _line(db, audit, today: date) -> str:
    return _("{reference} · {day} · {subject} · {auditor} · {state}").format(
        reference=audit.reference,
        day=format_day(audit.planned_for, current_locale()),
        subject=esc(text.shorten(audit.subject, 40)),
        auditor=esc(text.shorten(people.name(db, audit.auditor_id), 24)),
        state=_(STATES[audits.state(audit, today)]),
    )


async def listing(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    today = org_today(dialog_manager)
    manager = _is_manager(db, user)
    shown = audits.programme(db, user.id, today) if manager else audits.assigned(db, user.id)
    lines = []
    for audit in shown[:SHOWN]:  # within the message's limit, however long the subjects
        line = _line(db, audit, today)
        if sum(len(x) + 1 for x in lines) + len(line) > LIST_BUDGET:
            break
        lines.append(line)
    if len(lines) < len(shown):
        lines.append(
            _("… and {n} more: open them with the buttons.").format(n=len(shown) - len(lines))
        )
    done = sum(a.status == "done" and a.year == today.year for a in shown)
    head = (
        _("Internal audits {year}: {done} of {total} done.").format(
            year=today.year, done=done, total=sum(a.year == today.year for a in shown)
        )
        if manager
        else _("Audits assigned to you:")
    )
    return {
        "head": head,
        "lines": "\n".join(lines) or _("None yet."),
        "audits": [
            (str(a.id), f"{a.reference} · {text.shorten(a.subject, 30)}") for a in shown[:SHOWN]
        ],
        "is_manager": manager,
    }


async def on_audit(callback: CallbackQuery, widget, manager: DialogManager, item: str) -> None:
    if item.isdecimal() and item.isascii():
        manager.dialog_data["audit"] = int(item)
        await manager.switch_to(Audits.audit)


def _chosen(manager: DialogManager):
    db, user = _data(manager)
    return audits.visible(db, user.id, int(manager.dialog_data.get("audit", 0)))


async def audit_page(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = _chosen(dialog_manager)
    today = org_today(dialog_manager)
    recorded = audits.findings(db, user.id, found.id)
    checklist = audits.checklist(db, found)
    team = orgs_repo.team_name(db, found.org_id, found.team_id)
    counts = {r: sum(f.result == r for f in recorded.values()) for r in audits.RESULTS}
    lines = [
        _("<b>{reference}</b> · {state}").format(
            reference=found.reference, state=_(STATES[audits.state(found, today)])
        ),
        _("Subject: {subject}").format(subject=esc(found.subject)),
        _("Team audited: {team}").format(team=esc(team) if team else "—"),
        _("Clauses: {clauses}").format(clauses=", ".join(found.clauses)),
        _("Day: {day}").format(day=format_day(found.planned_for, current_locale())),
        _("Auditor: {auditor}").format(auditor=esc(people.name(db, found.auditor_id))),
        _("Checked: {done} of {total} clauses").format(done=len(recorded), total=len(checklist)),
    ]
    if recorded:
        lines.append(
            _(
                "Conforming {conforming} · observations {observation} · improvements "
                "{improvement} · minor NC {minor} · major NC {major}"
            ).format(**counts)
        )
    open_ = found.status in ("planned", "in_progress")
    return {
        "body": "\n".join(lines),
        "can_run": found.auditor_id == user.id and open_,
        "can_change": _is_manager(db, user) and open_,
        "is_done": found.status == "done",
    }


async def on_change_auditor(callback: CallbackQuery, button: Button, manager: DialogManager):
    found = _chosen(manager)
    manager.dialog_data.update(reassign=found.id, team=found.team_id)
    await manager.switch_to(Audits.auditor)


async def on_cancel(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    db, user = _data(manager)
    audits.cancel(db, user.id, _chosen(manager).id)


async def on_run(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    found = _chosen(manager)
    await manager.start(AuditRun.item, data={"audit": found.id})


async def on_export(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    db, user = _data(manager)
    found = _chosen(manager)
    data = await audit_xlsx(db, user.id, found.id)
    await manager.middleware_data["bot"].send_document(
        callback.message.chat.id,
        BufferedInputFile(data, f"certready-{found.reference}.xlsx"),
        caption=_("Audit report {reference}: scope, criteria, auditor, dates, findings.").format(
            reference=found.reference
        ),
    )
    manager.show_mode = ShowMode.SEND


# ----- planning ------------------------------------------------------------------------------
async def on_subject(message: Message, widget, manager: DialogManager, typed: str) -> None:
    subject = text.clean_line(typed)
    if not 2 <= len(subject) <= audits.MAX_SUBJECT:
        await message.answer(
            _("Please name what is audited in 2 to {n} characters.").format(n=audits.MAX_SUBJECT)
        )
        return
    manager.dialog_data.update(subject=subject, clauses=[])
    await manager.switch_to(Audits.team)


async def teams(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = orgs.places(db, user.id, "teams")
    return {"teams": [(str(i), name) for i, name in found[:90]]}


async def on_team(callback: CallbackQuery, widget, manager: DialogManager, item: str) -> None:
    db, user = _data(manager)
    known = {str(i) for i, _name in orgs.places(db, user.id, "teams")}
    manager.dialog_data["team"] = int(item) if item in known else None
    await manager.switch_to(Audits.clauses)


async def on_no_team(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    manager.dialog_data["team"] = None
    await manager.switch_to(Audits.clauses)


def _main_clauses(db) -> list[str]:
    """The clauses one plans an audit by: 4.1 … 10.3 (their sub-clauses are in the checklist)."""
    return [
        entry.id
        for chapter in content_repo.children(db, "clause", None, "en")
        for entry in content_repo.children(db, "clause", chapter.id, "en")
    ]


async def clause_choices(dialog_manager: DialogManager, db, **kwargs) -> dict:
    chosen = set(dialog_manager.dialog_data.get("clauses", []))
    items = []
    for clause in _main_clauses(db):
        entry = content_repo.get(db, "clause", clause, current_locale())
        title = entry.texts.get("title", "") if entry else ""
        mark = "✅ " if clause in chosen else ""
        items.append((clause, text.shorten(f"{mark}{clause} {title}", 40)))
    return {"clauses": items, "some": bool(chosen), "count": len(chosen)}


async def on_clause(callback: CallbackQuery, widget, manager: DialogManager, item: str) -> None:
    db = manager.middleware_data["db"]
    if item not in _main_clauses(db):
        return
    chosen = manager.dialog_data.setdefault("clauses", [])
    if item in chosen:
        chosen.remove(item)
    elif len(chosen) < audits.MAX_CLAUSES:
        chosen.append(item)


async def on_day(callback: CallbackQuery, widget, manager: DialogManager, chosen: date) -> None:
    if await refuse_past(callback, manager, chosen):
        return
    manager.dialog_data["day"] = chosen.isoformat()
    await manager.switch_to(Audits.auditor)


async def auditors(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    member = orgs.membership(db, user.id)
    team = dialog_manager.dialog_data.get("team")
    items = []
    for person in orgs.members(db, user.id)[:90]:
        fit = audits.independent(db, member.org_id, person.user_id, team)
        mark = "" if fit else "⛔ "
        items.append((str(person.user_id), text.shorten(f"{mark}{person.name}", 40)))
    return {"auditors": items}


async def on_auditor(callback: CallbackQuery, widget, manager: DialogManager, item: str) -> None:
    db, user = _data(manager)
    data = manager.dialog_data
    if not (item.isdecimal() and item.isascii()):
        return
    if data.get("reassign"):  # another auditor for an audit already planned
        try:
            audits.reassign(db, user.id, int(data.pop("reassign")), int(item))
        except audits.NotIndependent:
            data["reassign"] = data.get("audit")
            await callback.answer(_(NOT_INDEPENDENT), show_alert=True)
            return
        await manager.switch_to(Audits.audit)
        return
    try:
        found = audits.plan(
            db,
            user.id,
            data.get("subject", ""),
            data.get("team"),
            data.get("clauses", []),
            date.fromisoformat(data.get("day", "")),
            int(item),
            org_today(manager),
        )
    except audits.NotIndependent:
        await callback.answer(_(NOT_INDEPENDENT), show_alert=True)
        return
    except (ValueError, NotAllowed):
        await callback.answer(
            _("This audit could not be planned: please start again."), show_alert=True
        )
        await manager.switch_to(Audits.list)
        return
    await callback.message.answer(
        _("✅ {reference} planned: {subject}, {day}. It is on the QMS calendar.").format(
            reference=found.reference,
            subject=esc(found.subject),
            day=format_day(found.planned_for, current_locale()),
        )
    )
    manager.show_mode = ShowMode.SEND
    data["audit"] = found.id
    await manager.switch_to(Audits.audit)


async def suggestions(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = audits.suggestions(db, user.id, clock.now())
    lines = [
        _(
            "• {team}: {reports} reports in 12 months → {n} audits a year ({planned} planned)"
        ).format(
            team=esc(text.shorten(s.team, 40)), reports=s.reports, n=s.per_year, planned=s.planned
        )
        for s in found[:40]
    ]
    return {
        "lines": "\n".join(lines) or _("No teams yet: add them under 📍 Areas and teams."),
        "short": [
            (str(s.team_id), text.shorten(f"➕ {s.team} ({s.planned}/{s.per_year})", 40))
            for s in found[:40]
            if s.planned < s.per_year
        ],
    }


async def on_accept(callback: CallbackQuery, widget, manager: DialogManager, item: str) -> None:
    """Accept the suggestion for a team: plan an audit of its work (what, clauses, day and
    auditor still chosen, so the plan can be changed)."""
    db, user = _data(manager)
    teams_here = dict((str(i), name) for i, name in orgs.places(db, user.id, "teams"))
    if item not in teams_here:
        return
    manager.dialog_data.update(subject=teams_here[item], team=int(item), clauses=[])
    await manager.switch_to(Audits.clauses)


async def on_start(start_data: dict | None, manager: DialogManager) -> None:
    """Opened on one audit (a reminder's button): show it."""
    if start_data and "audit" in start_data:
        manager.dialog_data["audit"] = int(start_data["audit"])


def audits_dialog() -> Dialog:
    back = SwitchTo(T("⬅️ Back"), id="to_list", state=Audits.list)
    return Dialog(
        Window(
            T("<b>📋 Internal audits</b>\n\n{head}\n{lines}"),
            Choices("audits", on_audit, page=8),
            SwitchTo(T("➕ Plan an audit"), id="plan", state=Audits.subject, when="is_manager"),
            SwitchTo(T("💡 How often?"), id="suggest", state=Audits.suggest, when="is_manager"),
            CloseButton(),
            state=Audits.list,
            getter=listing,
        ),
        Window(
            Format("{body}"),
            Button(T("▶️ Carry out the audit"), id="run", on_click=on_run, when="can_run"),
            Button(T("📊 Audit report (XLSX)"), id="export", on_click=on_export, when="is_done"),
            Button(
                T("👤 Another auditor"),
                id="reassign",
                on_click=on_change_auditor,
                when="can_change",
            ),
            Button(T("✖️ Cancel this audit"), id="cancel", on_click=on_cancel, when="can_change"),
            back,
            state=Audits.audit,
            getter=audit_page,
        ),
        Window(
            T("What is audited? A process, an area or a topic, e.g. “Press shop” or “Purchasing”:"),
            TextInput(id="subject", on_success=on_subject),
            back,
            state=Audits.subject,
        ),
        Window(
            T("Whose work is it? The team's members cannot audit it."),
            Choices("teams", on_team),
            Button(T("No one team"), id="no_team", on_click=on_no_team),
            back,
            state=Audits.team,
            getter=teams,
        ),
        Window(
            T("Which clauses? Tap to choose ({count} chosen); each brings its questions."),
            Group(
                Select(
                    Format("{item[1]}"),
                    id="clause",
                    item_id_getter=lambda item: item[0],
                    items="clauses",
                    on_click=on_clause,
                ),
                width=2,
            ),
            SwitchTo(T("Next ➡️"), id="to_day", state=Audits.day, when="some"),
            back,
            state=Audits.clauses,
            getter=clause_choices,
        ),
        Window(
            T("On what day?"),
            LocalCalendar(id="day", on_click=on_day),
            back,
            state=Audits.day,
        ),
        Window(
            T("Who audits it? ⛔ marks people from the team audited."),
            Choices("auditors", on_auditor, page=10),
            back,
            state=Audits.auditor,
            getter=auditors,
        ),
        Window(
            T(
                "<b>💡 How often to audit</b>\n\nMore often where more goes wrong (9.2.2): a "
                "suggestion to accept or change.\n\n{lines}"
            ),
            Choices("short", on_accept, page=10),
            back,
            state=Audits.suggest,
            getter=suggestions,
        ),
        on_start=on_start,
    )
