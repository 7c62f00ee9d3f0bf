"""Team results, for managers: everyone's latest full assessment and the average per clause,
to take into the management review.

overview: average per clause, one line a person ─▶ person: their result · chart · spreadsheet
"""

from datetime import datetime

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo

from bot.i18n import format_moment, format_share
from bot.services import library, orgs, readiness
from dialogs.common import Choices, CloseButton, T, esc
from dialogs.readiness.assessment import bar
from dialogs.readiness.files import gap_lines, send_chart, send_spreadsheet
from dialogs.states import ReadinessTeam


def _clause_lines(db, by_clause: dict, locale: str) -> str:
    lines = []
    for clause, value in by_clause.items():
        title = library.clause(db, clause, locale).texts["title"]
        shown = format_share(value, locale) if value is not None else "—"
        lines.append(f"{bar(value or 0)} {shown} · {clause} {esc(title)}")
    return "\n".join(lines)


async def overview(dialog_manager: DialogManager, db, user, locale, timezone, **kwargs) -> dict:
    view = readiness.team(db, user.id)  # NotAllowed unless a manager
    people = []
    for assessment in view.assessments:
        name = view.names.get(assessment.user_id) or _("former member")
        when = format_moment(datetime.fromisoformat(assessment.finished_at), locale, timezone)
        people.append(
            (assessment.id, f"{name} · {format_share(view.scores[assessment.id], locale)} · {when}")
        )
    return {
        "org": esc(orgs.membership(db, user.id).org_name),
        "count": len(people),
        "any": bool(people),
        "none": not people,
        "clauses": _clause_lines(db, view.by_clause, locale),
        "people": people,
    }


async def person(dialog_manager: DialogManager, db, user, locale, **kwargs) -> dict:
    assessment_id = int(dialog_manager.dialog_data.get("assessment", 0))
    assessment = readiness.viewable(db, user.id, assessment_id)
    scored = readiness.result(db, user.id, assessment_id)
    name = readiness.team(db, user.id).names.get(assessment.user_id) or _("former member")
    return {
        "name": esc(name),
        "overall": format_share(scored.overall, locale) if scored.overall is not None else "—",
        "clauses": _clause_lines(db, scored.by_clause, locale),
        "gaps": gap_lines(db, scored, locale, limit=5),
        "has_gaps": bool(scored.gaps),
    }


async def on_person(callback: CallbackQuery, widget, manager: DialogManager, assessment_id: str):
    if assessment_id.isdigit():
        manager.dialog_data["assessment"] = int(assessment_id)
        await manager.switch_to(ReadinessTeam.person)


async def on_chart(callback: CallbackQuery, button, manager: DialogManager) -> None:
    await send_chart(callback, manager, int(manager.dialog_data.get("assessment", 0)))


async def on_export(callback: CallbackQuery, button, manager: DialogManager) -> None:
    await send_spreadsheet(callback, manager, int(manager.dialog_data.get("assessment", 0)))


def readiness_team_dialog() -> Dialog:
    return Dialog(
        Window(
            T("<b>👥 {org}: readiness</b>\n\nLatest full assessments: {count}"),
            T("\n<b>Average per clause</b>\n{clauses}", when="any"),
            T("\nNobody has finished a full assessment yet.", when="none"),
            Choices("people", on_person, page=10),
            CloseButton(),
            state=ReadinessTeam.overview,
            getter=overview,
        ),
        Window(
            T("<b>{name}: {overall}</b>\n\n{clauses}"),
            T("\n<b>Biggest gaps</b>\n{gaps}", when="has_gaps"),
            Row(
                Button(T("📊 Chart"), id="chart", on_click=on_chart),
                Button(T("📥 Spreadsheet"), id="export", on_click=on_export),
            ),
            SwitchTo(T("⬅️ Back"), id="person_back", state=ReadinessTeam.overview),
            state=ReadinessTeam.person,
            getter=person,
        ),
    )
