"""Management review (ISO 9001 9.3), for managers: a new review covering the time since the
last one; the pack the bot fills from its data; the manager's answers for what it cannot
know; the decisions (9.3.3 a–c) with owners and due dates; the minutes issued as DOCX (and
the data as XLSX), frozen — issuing again makes a new version.

list ─▶ ➕ day ─▶ review ─▶ ✍️ inputs (one after another) · ➕ decision: kind ─▶ words ─▶
owner ─▶ due · 📄 issue the minutes
Decision owners are reminded when one falls due and mark it done from the reminder.
"""

import asyncio
import contextlib
from datetime import date

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import TextInput
from aiogram_dialog.widgets.kbd import Button, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.filters import in_private
from bot.i18n import N_, format_day, format_share
from bot.outbox import renders
from bot.services import export, minutes, reviews, text
from bot.services.orgs import NotAllowed
from bot.services.people import User
from dialogs.calendar import LocalCalendar, org_today, refuse_past
from dialogs.common import (
    Choices,
    CloseButton,
    RowId,
    T,
    choose,
    current_locale,
    esc,
    member_choices,
)
from dialogs.nc.labels import category_name
from dialogs.states import Reviews

QUESTIONS = {
    "context": N_(
        "b) What changed in the issues around and inside the company (customers, "
        "market, regulations, people, climate)?"
    ),
    "customers": N_("c) 1) What do customers say: satisfaction, complaints, praise?"),
    "processes": N_(
        "c) 3) How do the main processes perform, and how conforming is the "
        "product (yield, scrap, on-time delivery)?"
    ),
    "monitoring": N_("c) 5) Other monitoring and measurement results worth noting?"),
    "resources": N_("d) Are resources adequate (people, equipment, time, skills)?"),
    "risks": N_("e) How effective were the actions on risks and opportunities?"),
    "improvement": N_("f) Which opportunities for improvement do you see?"),
}
KIND_NAMES = {
    "improvement": N_("a) Improvement opportunity"),
    "change": N_("b) Change to the QMS"),
    "resources": N_("c) Resource need"),
}
STATUS_NAMES = {
    "open": N_("open"),
    "done": N_("done"),
    "draft": N_("draft"),
    "issued": N_("issued"),
}


class DecisionDone(CallbackData, prefix="mrdone"):
    id: RowId


def _data(manager: DialogManager):
    return manager.middleware_data["db"], manager.middleware_data["user"]


async def listing(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = reviews.of_org(db, user.id)
    lines = [
        f"{r.reference} · {format_day(r.held_on, current_locale())} · {_(STATUS_NAMES[r.status])}"
        for r in found[:30]
    ]
    return {
        "lines": "\n".join(lines) or _("No management review yet."),
        "reviews": [(str(r.id), r.reference) for r in found[:30]],
    }


async def on_review(callback: CallbackQuery, widget, manager: DialogManager, item: str) -> None:
    if item.isdecimal() and item.isascii():
        manager.dialog_data["review"] = int(item)
        await manager.switch_to(Reviews.review)


async def on_day(callback: CallbackQuery, widget, manager: DialogManager, chosen: date) -> None:
    if await refuse_past(callback, manager, chosen):
        return
    db, user = _data(manager)
    manager.dialog_data["review"] = reviews.start(db, user.id, chosen).id
    await manager.switch_to(Reviews.review)


def _chosen(manager: DialogManager) -> reviews.Review:
    db, user = _data(manager)
    return reviews.get(db, user.id, int(manager.dialog_data.get("review", 0)))


async def review_page(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    found = _chosen(dialog_manager)
    body = reviews.pack(db, user.id, found.id)
    locale = current_locale()
    answered = sum(bool(body["answers"].get(k)) for k in reviews.ASKED)
    numbers = body["c4_reports"]
    lines = [
        _("<b>{reference}</b> · {day} · covers {since} to {day}").format(
            reference=found.reference,
            day=format_day(found.held_on, locale),
            since=format_day(found.since, locale),
        ),
        "",
        _("From the bot's records:"),
        _("a) Decisions of earlier reviews: {n} ({open} open)").format(
            n=len(body["a_earlier"]), open=sum(d["status"] == "open" for d in body["a_earlier"])
        ),
        _(
            "c) Reports: {total} ({open} still open, {overdue} actions overdue); complaints "
            "{complaints}; supplier-related {suppliers}"
        ).format(
            total=numbers["total"],
            open=numbers["open"],
            overdue=numbers["overdue"],
            complaints=body["c1_complaints"],
            suppliers=body["c7_suppliers"],
        ),
        _("c) Quality objectives: {n} ({met} on target)").format(
            n=len(body["c2_objectives"]), met=sum(g["met"] is True for g in body["c2_objectives"])
        ),
        _("c) Internal audits done: {n}").format(n=len(body["c6_audits"])),
        _("Readiness: {share}").format(
            share=format_share(body["c5_readiness"], locale)
            if body["c5_readiness"] is not None
            else "—"
        ),
        "",
        _("Your inputs: {n} of {total} answered · decisions: {decisions}").format(
            n=answered, total=len(reviews.ASKED), decisions=len(body["decisions"])
        ),
    ]
    return {"body": "\n".join(lines), "status": _(STATUS_NAMES[found.status])}


async def on_ask(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    manager.dialog_data["asking"] = 0
    await manager.switch_to(Reviews.ask)


async def asked(dialog_manager: DialogManager, **kwargs) -> dict:
    found = _chosen(dialog_manager)
    key = reviews.ASKED[int(dialog_manager.dialog_data.get("asking", 0))]
    now = found.answers.get(key)
    return {
        "question": _(QUESTIONS[key]),
        "now": "\n" + _("Now: {text}").format(text=esc(text.shorten(now, 300))) if now else "",
    }


async def _next_question(manager: DialogManager) -> None:
    position = int(manager.dialog_data.get("asking", 0)) + 1
    if position < len(reviews.ASKED):
        manager.dialog_data["asking"] = position
    else:
        await manager.switch_to(Reviews.review)


async def on_answer(message: Message, widget, manager: DialogManager, typed: str) -> None:
    db, user = _data(manager)
    key = reviews.ASKED[int(manager.dialog_data.get("asking", 0))]
    reviews.answer(db, user.id, _chosen(manager).id, key, typed)
    await _next_question(manager)


async def on_skip(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await _next_question(manager)


async def on_decision(message: Message, widget, manager: DialogManager, typed: str) -> None:
    words = text.clean(typed).strip()
    if not 2 <= len(words) <= reviews.MAX_DECISION:
        await message.answer(
            _("Please write the decision in 2 to {n} characters.").format(n=reviews.MAX_DECISION)
        )
        return
    manager.dialog_data["words"] = words
    await manager.switch_to(Reviews.owner)


async def on_owner(callback: CallbackQuery, widget, manager: DialogManager, item: str) -> None:
    if item.isdecimal() and item.isascii():
        manager.dialog_data["owner"] = int(item)
        await manager.switch_to(Reviews.due)


async def on_due(callback: CallbackQuery, widget, manager: DialogManager, chosen: date) -> None:
    if await refuse_past(callback, manager, chosen):
        return
    db, user = _data(manager)
    data = manager.dialog_data
    try:
        reviews.decide(
            db,
            user.id,
            _chosen(manager).id,
            data.get("kind", ""),
            data.get("words", ""),
            int(data.get("owner", 0)),
            chosen,
            org_today(manager),
        )
    except (ValueError, NotAllowed):
        await callback.answer(
            _("This decision could not be saved: please try again."), show_alert=True
        )
    await manager.switch_to(Reviews.review)


async def on_issue(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    db, user = _data(manager)
    found = _chosen(manager)
    try:
        version = reviews.issue(db, user.id, found.id)
    except reviews.TooEarly:
        await callback.answer(
            _("The review is held on {day}: issue its minutes on that day or after.").format(
                day=format_day(found.held_on, current_locale())
            ),
            show_alert=True,
        )
        return
    _version, _at, body = reviews.issued(db, user.id, found.id)
    lang = current_locale()
    labels = minutes_labels(body)
    data = await asyncio.to_thread(minutes.docx, body, labels, lang)
    sheets = minutes_sheets(body)
    table = await asyncio.to_thread(export.workbook, sheets, _("continued"))
    bot, chat = manager.middleware_data["bot"], callback.message.chat.id
    await bot.send_document(
        chat,
        BufferedInputFile(data, f"certready-{found.reference}-v{version}.docx"),
        caption=_(
            "Minutes of {reference}, version {version}: inputs 9.3.2 a)–f) and "
            "decisions 9.3.3 a)–c)."
        ).format(reference=found.reference, version=version),
    )
    await bot.send_document(chat, BufferedInputFile(table, f"certready-{found.reference}.xlsx"))
    manager.show_mode = ShowMode.SEND


def minutes_labels(body: dict) -> dict:
    """Every word of the minutes in the reader's language, laid out by ``minutes.docx``."""
    locale = current_locale()
    answers = body.get("answers", {})

    def said(key: str) -> str:
        return answers.get(key) or _("(not discussed)")

    reports = body["c4_reports"]
    earlier = [
        [
            d["review"],
            _(KIND_NAMES[d["kind"]]),
            d["text"],
            d["owner"],
            d["due"],
            _(STATUS_NAMES[d["status"]]),
        ]
        for d in body["a_earlier"]
    ]
    goals = []
    for goal in body["c2_objectives"]:
        latest = goal["values"][-1] if goal["values"] else None
        goals.append(
            [
                goal["title"],
                f"{goal['target']:g} {goal['unit']}",
                f"{latest[1]:g} ({latest[0]})" if latest else "—",
                "✓" if goal["met"] else ("✗" if goal["met"] is False else "—"),
            ]
        )
    audits = [
        [a["audit"], a["subject"], a["minor"], a["major"], a["observations"], a["improvements"]]
        for a in body["c6_audits"]
    ]
    decisions = [
        [_(KIND_NAMES[d["kind"]]), d["text"], d["owner"], format_day(d["due"], locale)]
        for d in body["decisions"]
    ]
    objective_charts = [
        ("trend", g["title"], [tuple(v) for v in g["values"]], g["target"], _("target"))
        for g in body["c2_objectives"][:5]
    ]
    readiness = body["c5_readiness"]
    return {
        "title": _("Management review {reference}").format(reference=body["reference"]),
        "meta": _("{organization} · held on {day} · covering {since} to {day}").format(
            organization=body["organization"],
            day=format_day(body["held_on"], locale),
            since=format_day(body["since"], locale),
        ),
        "sections": [
            (
                _("a) Status of actions from previous reviews"),
                [
                    (
                        "table",
                        [_("Review"), _("Kind"), _("Decision"), _("Owner"), _("Due"), _("Status")],
                        earlier,
                    )
                    if earlier
                    else ("text", _("None: this is the first review in CertReady.")),
                ],
            ),
            (_("b) Changes in external and internal issues"), said("context")),
            (
                _("c) 1) Customer satisfaction and feedback"),
                [
                    ("text", said("customers")),
                    ("text", _("Complaints reported: {n}").format(n=body["c1_complaints"])),
                ],
            ),
            (
                _("c) 2) Extent to which quality objectives have been met"),
                [
                    ("table", [_("Objective"), _("Target"), _("Latest"), _("Met")], goals)
                    if goals
                    else ("text", _("No quality objectives recorded.")),
                    *objective_charts,
                ],
            ),
            (
                _("c) 3) Process performance and conformity of products and services"),
                [
                    ("text", said("processes")),
                    (
                        "text",
                        _(
                            "Reports about the product: {product}; about processes: {process}"
                        ).format(**body["c3_product_process"]),
                    ),
                ],
            ),
            (
                _("c) 4) Nonconformities and corrective actions"),
                [
                    (
                        "text",
                        _("{total} reports; {open} still open; {overdue} actions overdue.").format(
                            **reports
                        ),
                    ),
                    ("bars", _("Reports per month"), [tuple(p) for p in reports["by_month"]]),
                    (
                        "table",
                        [_("Area"), _("Reports")],
                        [[a or "—", n] for a, n in reports["by_area"][:15]],
                    ),
                    (
                        "table",
                        [_("Category"), _("Reports")],
                        [[category_name(c), n] for c, n in reports["by_category"]],
                    ),
                ],
            ),
            (
                _("c) 5) Monitoring and measurement results"),
                [
                    ("text", said("monitoring")),
                    (
                        "text",
                        _("Latest readiness self-assessment: {share}").format(
                            share=format_share(readiness, locale) if readiness is not None else "—"
                        ),
                    ),
                ],
            ),
            (
                _("c) 6) Audit results"),
                [
                    (
                        "table",
                        [
                            _("Audit"),
                            _("Subject"),
                            _("Minor"),
                            _("Major"),
                            _("Observations"),
                            _("Improvements"),
                        ],
                        audits,
                    )
                    if audits
                    else ("text", _("No internal audit completed in this period.")),
                ],
            ),
            (
                _("c) 7) Performance of external providers"),
                [
                    ("text", _("Supplier-related reports: {n}").format(n=body["c7_suppliers"])),
                ],
            ),
            (_("d) Adequacy of resources"), said("resources")),
            (
                _("e) Effectiveness of actions taken to address risks and opportunities"),
                said("risks"),
            ),
            (
                _("f) Opportunities for improvement"),
                [
                    ("text", said("improvement")),
                    *[
                        ("text", f"{i['audit']} {i['clause']}: {i['note']}")
                        for i in body["f_from_audits"]
                    ],
                ],
            ),
            (
                _("Outputs (9.3.3): decisions and actions"),
                [
                    ("table", [_("Kind"), _("Decision"), _("Owner"), _("Due")], decisions)
                    if decisions
                    else ("text", _("No decision recorded.")),
                ],
            ),
        ],
    }


def minutes_sheets(body: dict) -> list:
    reports = body["c4_reports"]
    return [
        (
            _("Reports per month"),
            [_("Month"), _("Reports")],
            [list(p) for p in reports["by_month"]],
        ),
        (
            _("Reports per area"),
            [_("Area"), _("Reports")],
            [[a or "—", n] for a, n in reports["by_area"]],
        ),
        (
            _("Objectives"),
            [_("Objective"), _("Target"), _("Period"), _("Value")],
            [
                [g["title"], g["target"], p, v]
                for g in body["c2_objectives"]
                for p, v in g["values"]
            ],
        ),
        (
            _("Audits"),
            [_("Audit"), _("Subject"), _("Minor"), _("Major")],
            [[a["audit"], a["subject"], a["minor"], a["major"]] for a in body["c6_audits"]],
        ),
        (
            _("Decisions"),
            [_("Kind"), _("Decision"), _("Owner"), _("Due"), _("Status")],
            [
                [
                    _(KIND_NAMES[d["kind"]]),
                    d["text"],
                    d["owner"],
                    d["due"],
                    _(STATUS_NAMES[d["status"]]),
                ]
                for d in body["decisions"]
            ],
        ),
    ]


def reviews_dialog() -> Dialog:
    back = SwitchTo(T("⬅️ Back"), id="to_review", state=Reviews.review)
    return Dialog(
        Window(
            T("<b>🧭 Management reviews</b>\n\n{lines}"),
            Choices("reviews", on_review, page=8),
            SwitchTo(T("➕ New management review"), id="new", state=Reviews.day),
            CloseButton(),
            state=Reviews.list,
            getter=listing,
        ),
        Window(
            T("On what day is the review held?"),
            LocalCalendar(id="day", on_click=on_day),
            SwitchTo(T("⬅️ Back"), id="day_back", state=Reviews.list),
            state=Reviews.day,
        ),
        Window(
            Format("{body}"),
            Button(T("✍️ Inputs the bot cannot know"), id="ask", on_click=on_ask),
            SwitchTo(T("➕ Decision or action"), id="decide", state=Reviews.kind),
            Button(T("📄 Issue the minutes (DOCX)"), id="issue", on_click=on_issue),
            SwitchTo(T("⬅️ Back"), id="review_back", state=Reviews.list),
            state=Reviews.review,
            getter=review_page,
        ),
        Window(
            T("{question}\n{now}\nType your answer, or skip."),
            TextInput(id="answer", on_success=on_answer),
            Button(T("Skip ➡️"), id="skip", on_click=on_skip),
            back,
            state=Reviews.ask,
            getter=asked,
        ),
        Window(
            T("What kind of output is it (9.3.3)?"),
            Button(
                T("a) Improvement opportunity"),
                id="improvement",
                on_click=choose("kind", "improvement", Reviews.decision),
            ),
            Button(
                T("b) Change to the QMS"),
                id="change",
                on_click=choose("kind", "change", Reviews.decision),
            ),
            Button(
                T("c) Resource need"),
                id="resources",
                on_click=choose("kind", "resources", Reviews.decision),
            ),
            back,
            state=Reviews.kind,
        ),
        Window(
            T("What was decided? One action a line is easiest to follow up:"),
            TextInput(id="decision", on_success=on_decision),
            back,
            state=Reviews.decision,
        ),
        Window(
            T("Who carries it out?"),
            Choices("owners", on_owner, page=10),
            back,
            state=Reviews.owner,
            getter=member_choices,
        ),
        Window(
            T("Due by?"),
            LocalCalendar(id="due", on_click=on_due),
            back,
            state=Reviews.due,
        ),
    )


@renders("review.decision")
def decision_due(db, person: User | None, params: dict):
    if person is None:
        return None
    found = reviews.decision(db, int(params.get("decision", 0)))
    if found is None or found.status != "open" or found.owner_id != person.id:
        return None
    if not reviews.still_member(db, person.id, found):
        return None  # left the organization since
    message = (
        _("🧭 A management review gave you an action, due {due}:\n{text}")
        if params.get("new")
        else _("🧭 Management review action due {due}:\n{text}")
    ).format(due=format_day(found.due_date, current_locale()), text=esc(found.text))
    button = InlineKeyboardButton(
        text=_("✅ Mark it done"), callback_data=DecisionDone(id=found.id).pack()
    )
    return message, InlineKeyboardMarkup(inline_keyboard=[[button]])


def reviews_router() -> Router:
    router = Router(name="reviews")
    router.callback_query.filter(in_private)

    @router.callback_query(DecisionDone.filter())
    async def done(query: CallbackQuery, callback_data: DecisionDone, db, user) -> None:
        moved = reviews.mark_done(db, user.id, callback_data.id)  # NotAllowed: answered
        await query.answer(_("Done: recorded.") if moved else _("It was already done."))
        if moved:
            with contextlib.suppress(TelegramBadRequest):  # the buttons already gone
                await query.message.edit_reply_markup(reply_markup=None)

    return router
