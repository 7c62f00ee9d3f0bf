"""Training, for managers: who practised this week, how well, the weakest topics of the
organization, of each team and of each person, and the XLSX training record (every answer)
for the management review and the auditor (ISO 9001 7.2, 7.3).

overview ─▶ people (a page at a time) · 📊 XLSX
"""

import asyncio

from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo

from bot import clock
from bot.i18n import format_share
from bot.services import export, quiz, training
from bot.services.text import shorten
from dialogs.common import CloseButton, T, current_locale, esc
from dialogs.states import Training
from dialogs.training.practice import topic_name

PAGE = 25  # people a page: each line is short, the page stays far below 4,096 characters
TOPICS_SHOWN = 3


def _share(score: training.Score) -> str:
    return format_share(score.share, current_locale()) if score.share is not None else "—"


def _weak(topics: list) -> str:
    return " · ".join(
        f"{topic_name(t)} {_share(s)} ({s.answers})" for t, s in topics[:TOPICS_SHOWN]
    )


async def overview(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = training.overview(db, user.id, clock.now())
    lines = [
        _(
            "This week: {active} of {members} members practised · {answers} answers, {share} right"
        ).format(
            active=found.active,
            members=found.members,
            answers=found.week.answers,
            share=_share(found.week),
        ),
        _("In all: {answers} answers, {share} right").format(
            answers=found.total.answers, share=_share(found.total)
        ),
    ]
    if found.topics:
        lines += ["", _("Weakest topics: {topics}").format(topics=_weak(found.topics))]
    if found.teams:
        lines += ["", _("Teams:")]
        for team in found.teams[:20]:
            line = _("• {team}: {active} of {members} practised this week · {share} right").format(
                team=esc(shorten(team.name, 40)),
                active=team.active,
                members=team.members,
                share=_share(team.total),
            )
            if team.weakest:
                line += " · " + _("weakest: {topic}").format(topic=topic_name(team.weakest))
            lines.append(line)
    if not found.total.answers:
        lines += [
            "",
            _("Nobody has practised yet: /practice in a private chat, /quiz in a team group."),
        ]
    return {"org": esc(found.org_name), "body": "\n".join(lines)}


async def people_page(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = training.overview(db, user.id, clock.now())
    pages = max(1, -(-len(found.people) // PAGE))
    page = min(max(0, int(dialog_manager.dialog_data.get("page", 0))), pages - 1)
    lines = []
    for person in found.people[page * PAGE : (page + 1) * PAGE]:
        line = _("{name}: {week} this week, {answers} in all, {share} right").format(
            name=esc(shorten(person.name, 32)),
            week=person.week.answers,
            answers=person.total.answers,
            share=_share(person.total),
        )
        if person.team:
            line = f"{esc(shorten(person.team, 24))} · {line}"
        if person.weakest:
            line += " · " + _("weakest: {topic}").format(topic=topic_name(person.weakest))
        lines.append("• " + line)
    return {
        "lines": "\n".join(lines) or _("Nobody."),
        "page": page + 1,
        "pages": pages,
        "has_prev": page > 0,
        "has_next": page + 1 < pages,
    }


def turn(step: int):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        manager.dialog_data["page"] = max(0, int(manager.dialog_data.get("page", 0)) + step)

    return on_click


async def on_export(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    db, user, bot = (manager.middleware_data[k] for k in ("db", "user", "bot"))
    data = await training_xlsx(db, user.id)
    await bot.send_document(
        callback.message.chat.id,
        BufferedInputFile(data, "certready-training-record.xlsx"),
        caption=_("The training record: every answer, and each person's totals."),
    )
    manager.show_mode = ShowMode.SEND  # the screen comes back below the file


async def training_xlsx(db, actor_id: int) -> bytes:
    org, answers = training.record(db, actor_id)
    found = training.overview(db, actor_id, clock.now())
    zone = org["timezone"]
    lang = current_locale()
    sources = {"practice": _("practice"), "group": _("team quiz")}
    bank = {q.id: q for q in quiz.bank(db, lang)}
    rows = []
    for a in answers:
        asked = bank.get(a.question_id)
        rows.append(
            [
                clock.local(a.answered_at, zone).replace(tzinfo=None),
                a.name,
                a.team or "",
                sources.get(a.source, a.source),
                topic_name(a.topic),
                asked.page if asked else "",
                asked.text if asked else a.question_id,
                "ABCDEF"[a.chosen] if 0 <= a.chosen < 6 else "",
                _("yes") if a.correct else _("no"),
            ]
        )
    people = [
        [
            p.name,
            p.team or "",
            p.total.answers,
            p.total.right,
            p.total.share if p.total.share is not None else "",
            p.week.answers,
            clock.local(p.last_at, zone).replace(tzinfo=None) if p.last_at else "",
            topic_name(p.weakest) if p.weakest else "",
        ]
        for p in found.people
    ]
    sheets = [
        (
            _("People"),
            [
                _("Name"),
                _("Team"),
                _("Answers"),
                _("Right"),
                _("Share right"),
                _("Answers this week"),
                _("Last practised ({zone})").format(zone=zone),
                _("Weakest topic"),
            ],
            people,
        ),
        (
            _("Answers"),
            [
                _("When ({zone})").format(zone=zone),
                _("Name"),
                _("Team"),
                _("How"),
                _("Topic"),
                _("Clause or page"),
                _("Question"),
                _("Answer"),
                _("Right"),
            ],
            rows,
        ),
    ]
    return await asyncio.to_thread(export.workbook, sheets, _("continued"))


def training_dialog() -> Dialog:
    return Dialog(
        Window(
            T("<b>🎓 Training · {org}</b>\n\n{body}"),
            SwitchTo(T("👥 People"), id="people", state=Training.people),
            Button(T("📊 Training record (XLSX)"), id="export", on_click=on_export),
            CloseButton(),
            state=Training.overview,
            getter=overview,
        ),
        Window(
            T("<b>👥 People</b> · page {page} of {pages}\n\n{lines}"),
            Row(
                Button(T("◀️"), id="prev", on_click=turn(-1), when="has_prev"),
                Button(T("▶️"), id="next", on_click=turn(1), when="has_next"),
            ),
            SwitchTo(T("⬅️ Back"), id="back", state=Training.overview),
            state=Training.people,
            getter=people_page,
        ),
    )
