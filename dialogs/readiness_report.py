"""What a readiness result looks like outside its screen: gap lines, the chart, the
spreadsheet. Shared by the person's own result and the team view."""

import asyncio
from datetime import datetime

import sqlite_utils
from aiogram.types import BufferedInputFile
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import ShowMode

from bot.i18n import format_moment
from bot.services import charts, export, library, readiness
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


def gap_lines(db: sqlite_utils.Database, scored: Score, locale: str, limit: int) -> str:
    lines = []
    for gap in scored.gaps[:limit]:
        entry = readiness.question(db, gap.question_id, locale)
        lines.append(f"{ICONS[gap.answer]} <b>{gap.clause}</b> {esc(entry.texts['action'])}")
    return "\n".join(lines)


async def chart_png(db: sqlite_utils.Database, viewer_id: int, assessment_id: int, locale: str):
    scored = readiness.result(db, viewer_id, assessment_id)
    labels = [f"{c} {library.clause(db, c, locale).texts['title']}" for c in scored.by_clause]
    title = _("Readiness per clause")
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
    return await asyncio.to_thread(export.workbook, sheets)


def _sheets(
    db: sqlite_utils.Database, viewer_id: int, assessment_id: int, locale: str, timezone: str
) -> list:
    assessment = readiness.viewable(db, viewer_id, assessment_id)
    given = readiness.answers_of(db, viewer_id, assessment_id)
    scored = readiness.result(db, viewer_id, assessment_id)
    names = answer_names()
    rows = []
    for question in readiness.questions(db, assessment.scope, locale):
        answer = given.get(question.id)
        rows.append(
            [
                question.attrs["clause"],
                question.texts["question"],
                names[answer.answer] if answer else "",
                (answer.note or "") if answer else "",
                question.texts["action"] if answer and answer.answer not in ("yes", "na") else "",
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
    finished = assessment.finished_at or assessment.started_at
    summary.append(
        ["", _("Overall"), round(scored.overall * 100) if scored.overall is not None else ""]
    )
    summary.append(
        ["", _("Date"), format_moment(datetime.fromisoformat(finished), locale, timezone)]
    )
    return [
        (_("Summary"), [_("Clause"), _("Title"), _("Readiness %")], summary),
        (
            _("Answers"),
            [_("Clause"), _("Question"), _("Answer"), _("Note"), _("Next action")],
            rows,
        ),
    ]


async def send_chart(callback, manager, assessment_id: int) -> None:
    """Send the chart of an assessment under the screen, which then moves below it."""
    db, user, bot = (manager.middleware_data[k] for k in ("db", "user", "bot"))
    png = await chart_png(db, user.id, assessment_id, manager.middleware_data["locale"])
    await bot.send_photo(
        callback.message.chat.id,
        BufferedInputFile(png, "readiness.png"),
        caption=_("Readiness per clause"),
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
