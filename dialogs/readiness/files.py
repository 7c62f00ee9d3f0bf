"""What a readiness result looks like outside its screen: gap lines, the chart, the
spreadsheet. Shared by the person's own result and the team view."""

import asyncio

import sqlite_utils
from aiogram.types import BufferedInputFile
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import ShowMode

from bot import clock
from bot.i18n import N_
from bot.services import charts, export, library, orgs, readiness
from bot.services.readiness import Score
from dialogs.common import esc

ICONS = {"no": "❌", "unsure": "❓", "partly": "🟡", "yes": "✅", "na": "➖"}


def answer_names() -> dict[str, str]:
    return {
        "yes": _("Yes"),
        "partly": _("Partly"),
        "no": _("No"),
        "na": _("Not applicable"),
        "unsure": _("Not sure"),
    }


# Gaps the bot itself helps close: where to do it here.
IN_THE_BOT = {
    "9.2": N_("Plan and carry out internal audits here: /audits"),
    "9.3": N_("Prepare and record the management review here: /review"),
    "6.2": N_("Set quality objectives and track them here: /objectives"),
}


def gap_lines(db: sqlite_utils.Database, scored: Score, locale: str, limit: int) -> str:
    lines = []
    for gap in scored.gaps[:limit]:
        entry = readiness.question(db, gap.question_id, locale)
        line = f"{ICONS[gap.answer]} <b>{gap.clause}</b> {esc(entry.texts['action'])}"
        here = next((m for c, m in IN_THE_BOT.items() if gap.clause.startswith(c)), None)
        if here:
            line += " → " + _(here)
        lines.append(line)
    return "\n".join(lines)


def exclusion_lines(db: sqlite_utils.Database, scored: Score, locale: str) -> str:
    lines = []
    for excluded in scored.exclusions:
        title = library.clause(db, excluded.clause, locale).texts["title"]
        lines.append(f"➖ <b>{excluded.clause}</b> {esc(title)}")
    return "\n".join(lines)


def chart_title(db: sqlite_utils.Database, viewer_id: int, assessment_id: int) -> str:
    assessment = readiness.viewable(db, viewer_id, assessment_id)
    if assessment.scope == "all":
        return _("Readiness per clause")
    return _("Clause {clause} only: not the overall readiness").format(clause=assessment.scope)


async def chart_png(db: sqlite_utils.Database, viewer_id: int, assessment_id: int, locale: str):
    scored = readiness.result(db, viewer_id, assessment_id)
    labels = [f"{c} {library.clause(db, c, locale).texts['title']}" for c in scored.by_clause]
    assessment = readiness.viewable(db, viewer_id, assessment_id)
    if assessment.scope == "all":
        title = _("Readiness per clause")
    else:
        title = _("Clause {clause} only: not the overall readiness").format(clause=assessment.scope)
    return await asyncio.to_thread(
        charts.readiness_chart,
        title,
        labels,
        list(scored.by_clause.values()),
        _("not applicable"),
    )


async def spreadsheet(
    db: sqlite_utils.Database, viewer_id: int, assessment_id: int, locale: str, timezone: str
) -> bytes:
    """The XLSX of an assessment: read here, built in a thread (SQLite stays on this one)."""
    sheets = _sheets(db, viewer_id, assessment_id, locale, timezone)
    return await asyncio.to_thread(export.workbook, sheets, _("continued"))


def _sheets(
    db: sqlite_utils.Database, viewer_id: int, assessment_id: int, locale: str, timezone: str
) -> list:
    assessment = readiness.viewable(db, viewer_id, assessment_id)
    given = readiness.answers_of(db, viewer_id, assessment_id)
    scored = readiness.result(db, viewer_id, assessment_id)
    names = answer_names()
    excluded = {gap.question_id for gap in scored.exclusions}
    rows = []
    for question in readiness.questions(db, assessment.scope, locale):
        answer = given.get(question.id)
        chosen = answer.answer if answer else None
        shown = names[chosen] if chosen else ""
        to_do = bool(chosen) and chosen != "yes" and question.id not in excluded
        if chosen == "na" and question.id not in excluded:
            shown = _("Not applicable (not allowed here: counted as Not sure)")
        rows.append(
            [
                question.attrs["clause"],
                question.texts["question"],
                shown,
                (answer.note or "") if answer else "",
                question.texts["action"] if to_do else "",
            ]
        )
    summary = [
        [
            clause,
            library.clause(db, clause, locale).texts["title"],
            round(value * 100) if value is not None else "",
        ]
        for clause, value in scored.by_clause.items()
    ]
    overall = round(scored.overall * 100) if scored.overall is not None else ""
    if assessment.scope == "all":
        summary.append(["", _("Overall readiness"), overall])
    else:
        label = _("Clause {clause} only: not the overall readiness").format(clause=assessment.scope)
        summary.append(["", label, overall])
    for gap in scored.exclusions:
        title = library.clause(db, gap.clause, locale).texts["title"]
        summary.append([gap.clause, _("Declared not applicable: {title}").format(title=title), ""])
    zone = _org_zone(db, assessment, timezone)
    finished = clock.local(assessment.finished_at or assessment.started_at, zone)
    summary.append(["", _("Date ({zone})").format(zone=zone), finished.replace(tzinfo=None)])
    return [
        (_("Summary"), [_("Clause"), _("Title"), _("Readiness %")], summary),
        (
            _("Answers"),
            [_("Clause"), _("Question"), _("Answer"), _("Note"), _("Next action")],
            rows,
        ),
    ]


def _org_zone(db, assessment, fallback: str) -> str:
    """Records carry the organization's time zone; a person on their own uses theirs."""
    return orgs.timezone_of(db, assessment.org_id, fallback)


async def send_chart(callback, manager, assessment_id: int) -> None:
    """Send the chart of an assessment under the screen, which then moves below it."""
    db, user, bot = (manager.middleware_data[k] for k in ("db", "user", "bot"))
    png = await chart_png(db, user.id, assessment_id, manager.middleware_data["locale"])
    await bot.send_photo(
        callback.message.chat.id,
        BufferedInputFile(png, "readiness.png"),
        caption=chart_title(db, user.id, assessment_id),
    )
    manager.show_mode = ShowMode.SEND


async def send_spreadsheet(callback, manager, assessment_id: int) -> None:
    db, user, bot = (manager.middleware_data[k] for k in ("db", "user", "bot"))
    locale, timezone = manager.middleware_data["locale"], manager.middleware_data["timezone"]
    data = await spreadsheet(db, user.id, assessment_id, locale, timezone)
    await bot.send_document(
        callback.message.chat.id,
        BufferedInputFile(data, "certready-readiness.xlsx"),
        caption=_("The assessment, question by question, for your management review."),
    )
    manager.show_mode = ShowMode.SEND
