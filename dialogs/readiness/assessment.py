"""Certification readiness: a self-assessment against ISO 9001 clauses 4–10.

home ─▶ full assessment · one clause (4 … 10) ─▶ question 1/50 … ─▶ result
         question: Yes · Partly · No · Not sure · (Not applicable, only where ISO 9001 allows
         it) · why it matters · note (before or after answering) · back
home ─▶ continue any assessment in progress (one per scope: starting a chapter never sets a
        full one aside; answers are saved as given) · latest result per scope · roadmap · team
result: the scope's readiness (a chapter result says it is one), per clause, the biggest gaps
        with next actions, declared exclusions, the change since the last result of the same
        scope, the next roadmap step; a chart and a spreadsheet on request.
"""

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Row, Start, SwitchTo
from aiogram_dialog.widgets.text import Format, Multi

from bot import clock
from bot.i18n import N_, format_moment, format_share
from bot.services import library, orgs, readiness, roadmap
from bot.services.text import shorten
from dialogs import long_text
from dialogs.common import Choices, CloseButton, T, esc
from dialogs.readiness.files import exclusion_lines, gap_lines, send_chart, send_spreadsheet
from dialogs.states import Readiness, ReadinessTeam, Roadmap

BAR = 10


def bar(part: float) -> str:
    filled = round(part * BAR)
    return "▓" * filled + "░" * (BAR - filled)


def _assessment(manager: DialogManager) -> int:
    return int(manager.dialog_data.get("assessment", 0))


# ----- getters: read only ---------------------------------------------------------
def scope_name(db, scope: str, locale: str) -> str:
    if scope == "all":
        return _("full assessment")
    title = library.clause(db, scope, locale).texts["title"]
    return _("clause {clause} {title} only").format(clause=scope, title=title)


async def home(dialog_manager: DialogManager, db, user, locale, timezone, **kwargs) -> dict:
    open_ones = []
    for assessment in readiness.in_progress(db, user.id):
        total = len(readiness.clause_of(db, assessment.scope))
        done = len(readiness.answers(db, user.id, assessment.id))
        label = _("▶️ Continue: {scope} ({done}/{total})").format(
            scope=scope_name(db, assessment.scope, locale), done=done, total=total
        )
        open_ones.append((assessment.id, label))
    results, lines = [], []
    for scope, done in sorted(readiness.latest_results(db, user.id).items(), key=_scope_order):
        scored = readiness.result(db, user.id, done.id)
        shown = format_share(scored.overall, locale) if scored.overall is not None else "—"
        when = format_moment(clock.local(done.finished_at, timezone), locale, timezone)
        name = scope_name(db, scope, locale)
        lines.append(
            _("• {scope}: <b>{score}</b> ({date})").format(scope=esc(name), score=shown, date=when)
        )
        results.append((done.id, f"📊 {name} · {shown}"))
    found = orgs.membership(db, user.id)
    return {
        "open": open_ones,
        "results": results,
        "has_results": bool(results),
        "result_lines": "\n".join(lines),
        "count": len(readiness.questions(db, "all", locale)),
        "is_manager": found is not None and found.role in ("manager", "admin"),
    }


def _scope_order(item) -> tuple:
    scope = item[0]
    return (0, 0) if scope == "all" else (1, int(scope))


async def scopes(dialog_manager: DialogManager, db, locale, **kwargs) -> dict:
    items = []
    for clause in readiness.MAIN_CLAUSES:
        entry = library.clause(db, clause, locale)
        count = len(readiness.questions(db, clause, locale))
        items.append((clause, f"{clause} {entry.texts['title']} ({count})"))
    return {"clauses": items}


async def question(dialog_manager: DialogManager, db, user, locale, **kwargs) -> dict:
    assessment = readiness.own(db, user.id, _assessment(dialog_manager))
    asked = readiness.questions(db, assessment.scope, locale)
    index = min(int(dialog_manager.dialog_data.get("index", 0)), len(asked) - 1)
    current = asked[index]
    given = readiness.answers(db, user.id, assessment.id)
    note = readiness.notes(db, user.id, assessment.id).get(current.id, "")
    clause = library.clause(db, current.attrs["clause"], locale)
    chosen = given.get(current.id)
    return {
        "position": index + 1,
        "total": len(asked),
        "bar": bar(len(given) / len(asked)),
        "clause": f"{clause.id} {esc(clause.texts['title'])}",
        "question": esc(current.texts["question"]),
        "note": esc(shorten(note, 600)),
        "has_note": bool(note),
        "guidance": esc(current.texts["guidance"]),
        "evidence": esc(current.texts["evidence"]),
        "action": esc(current.texts["action"]),
        "not_first": index > 0,
        "na_allowed": bool(current.attrs.get("na_allowed")),
        **{f"mark_{answer}": "● " if chosen == answer else "" for answer in readiness.ANSWERS},
    }


async def result(dialog_manager: DialogManager, db, user, locale, timezone, **kwargs) -> dict:
    assessment_id = _assessment(dialog_manager)
    assessment = readiness.own(db, user.id, assessment_id)
    scored = readiness.result(db, user.id, assessment_id)
    lines = []
    for clause, value in scored.by_clause.items():
        title = library.clause(db, clause, locale).texts["title"]
        shown = format_share(value, locale) if value is not None else "—"
        lines.append(f"{bar(value or 0)} {shown} · {clause} {esc(title)}")
    before = readiness.previous(db, user.id, assessment_id)
    earlier = readiness.result(db, user.id, before.id).overall if before else None
    change = (
        round((scored.overall - earlier) * 100)
        if earlier is not None and scored.overall is not None
        else None
    )
    step = roadmap.next_step(db, user.id, locale)
    scope_title = (
        library.clause(db, assessment.scope, locale) if assessment.scope != "all" else None
    )
    return {
        "overall": format_share(scored.overall, locale) if scored.overall is not None else "—",
        "scope_all": assessment.scope == "all",
        "scope_clause": assessment.scope != "all",
        "scope": assessment.scope,
        "scope_title": esc(scope_title.texts["title"]) if scope_title else "",
        "clauses": "\n".join(lines),
        "gaps": gap_lines(db, scored, locale, limit=5),
        "has_gaps": bool(scored.gaps),
        "no_gaps": scored.overall is not None and not scored.gaps,
        "nothing_scored": scored.overall is None,
        "exclusions": exclusion_lines(db, scored, locale),
        "has_exclusions": bool(scored.exclusions),
        "has_change": change is not None,
        "change": f"{change:+d}" if change is not None else "",
        "before": format_moment(clock.local(before.finished_at, timezone), locale, timezone)
        if before
        else "",
        "has_next": step is not None,
        "next_step": f"{step.number}. {esc(step.title)}" if step else "",
    }


# ----- handlers: change state -------------------------------------------------------
async def _open(manager: DialogManager, scope: str) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    await _show_question(manager, readiness.begin(db, user.id, scope))


async def _show_question(manager: DialogManager, assessment) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    asked = readiness.questions(db, assessment.scope, "en")
    given = readiness.answers(db, user.id, assessment.id)
    first_open = next((i for i, q in enumerate(asked) if q.id not in given), 0)
    manager.dialog_data.update({"assessment": assessment.id, "index": first_open})
    await manager.switch_to(Readiness.question)


async def on_full(callback: CallbackQuery, button, manager: DialogManager) -> None:
    await _open(manager, "all")


async def on_continue(callback: CallbackQuery, widget, manager: DialogManager, item: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if item.isdigit():
        assessment = readiness.own(db, user.id, int(item))  # NotAllowed for anyone else's
        if assessment.finished_at is None:
            await _show_question(manager, assessment)


async def on_scope(callback: CallbackQuery, widget, manager: DialogManager, clause: str):
    if clause in readiness.MAIN_CLAUSES:
        await _open(manager, clause)


async def on_result(callback: CallbackQuery, widget, manager: DialogManager, item: str):
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    if item.isdigit():
        readiness.own(db, user.id, int(item))
        manager.dialog_data["assessment"] = int(item)
        await manager.switch_to(Readiness.result)


def answer_with(answer: str):
    async def on_click(callback: CallbackQuery, button, manager: DialogManager) -> None:
        db, user = manager.middleware_data["db"], manager.middleware_data["user"]
        assessment = readiness.own(db, user.id, _assessment(manager))
        asked = readiness.questions(db, assessment.scope, "en")
        index = min(int(manager.dialog_data.get("index", 0)), len(asked) - 1)
        if answer == "na" and not asked[index].attrs.get("na_allowed"):
            await callback.answer(_("ISO 9001 does not allow this requirement to be excluded."))
            return
        readiness.record(db, user.id, assessment.id, asked[index].id, answer)
        given = readiness.answers(db, user.id, assessment.id)
        later = [i for i in range(index + 1, len(asked)) if asked[i].id not in given]
        earlier = [i for i in range(len(asked)) if asked[i].id not in given]
        if later or earlier:  # the next unanswered question, else the first one skipped
            manager.dialog_data["index"] = (later or earlier)[0]
            return
        readiness.complete(db, user.id, assessment.id)
        await manager.switch_to(Readiness.result)

    return on_click


async def on_previous(callback: CallbackQuery, button, manager: DialogManager) -> None:
    manager.dialog_data["index"] = max(0, int(manager.dialog_data.get("index", 0)) - 1)


async def on_to_note(callback: CallbackQuery, button, manager: DialogManager) -> None:
    long_text.reset(manager, "note_text")  # a note begun for another question stays there
    await manager.switch_to(Readiness.note)


async def _save_note(message: Message, manager: DialogManager, typed: str) -> None:
    db, user = manager.middleware_data["db"], manager.middleware_data["user"]
    assessment = readiness.own(db, user.id, _assessment(manager))
    asked = readiness.questions(db, assessment.scope, "en")
    index = min(int(manager.dialog_data.get("index", 0)), len(asked) - 1)
    readiness.note(db, user.id, assessment.id, asked[index].id, typed)
    await manager.switch_to(Readiness.question)


async def on_chart(callback: CallbackQuery, button, manager: DialogManager) -> None:
    await send_chart(callback, manager, _assessment(manager))


async def on_export(callback: CallbackQuery, button, manager: DialogManager) -> None:
    await send_spreadsheet(callback, manager, _assessment(manager))


def readiness_dialog() -> Dialog:
    answers = [
        ("yes", N_("✅ Yes")),
        ("partly", N_("🟡 Partly")),
        ("no", N_("❌ No")),
        ("na", N_("➖ Not applicable")),
        ("unsure", N_("❓ Not sure")),
    ]
    buttons = {
        key: Button(
            Multi(Format("{mark_" + key + "}"), T(label), sep=""),
            id=f"a_{key}",
            on_click=answer_with(key),
            when="na_allowed" if key == "na" else None,
        )
        for key, label in answers
    }
    return Dialog(
        Window(
            T(
                "<b>🎯 Certification readiness</b>\n\nAnswer questions clause by clause "
                "(ISO 9001 clauses 4–10) to see how far you are from passing a certification "
                "audit and what to do next. Your answers are saved as you go."
            ),
            T("\n<b>Your latest results</b>\n{result_lines}", when="has_results"),
            Choices("open", on_continue),
            Button(T("📝 Full assessment ({count} questions)"), id="full", on_click=on_full),
            SwitchTo(T("📂 One clause"), id="to_scope", state=Readiness.scope),
            Choices("results", on_result),
            Start(T("🗺 Certification roadmap"), id="roadmap", state=Roadmap.steps),
            Start(T("👥 Team results"), id="team", state=ReadinessTeam.overview, when="is_manager"),
            CloseButton(),
            state=Readiness.home,
            getter=home,
        ),
        Window(
            T("Which clause? (number of questions in brackets)"),
            Choices("clauses", on_scope),
            SwitchTo(T("⬅️ Back"), id="scope_back", state=Readiness.home),
            state=Readiness.scope,
            getter=scopes,
        ),
        Window(
            T("<b>{position}/{total}</b> {bar}\n<i>§ {clause}</i>\n\n{question}"),
            T("\n📝 {note}", when="has_note"),
            Row(buttons["yes"], buttons["partly"], buttons["no"]),
            Row(buttons["na"], buttons["unsure"]),
            T(
                "<i>Not applicable is offered only where ISO 9001 allows a requirement to be "
                "excluded; the scope statement (4.3) must say why.</i>",
                when="na_allowed",
            ),
            Row(
                SwitchTo(T("💡 Why it matters"), id="why", state=Readiness.why),
                Button(T("📝 Note"), id="to_note", on_click=on_to_note),
            ),
            Row(
                Button(T("⬅️ Previous"), id="previous", on_click=on_previous, when="not_first"),
                SwitchTo(T("⏸ Pause"), id="pause", state=Readiness.home),
            ),
            state=Readiness.question,
            getter=question,
        ),
        Window(
            T(
                "<b>💡 Why it matters</b>\n\n{guidance}\n\n{evidence}\n\n"
                "<b>If not yet:</b> {action}"
            ),
            SwitchTo(T("⬅️ Back to the question"), id="why_back", state=Readiness.question),
            state=Readiness.why,
            getter=question,
        ),
        Window(
            T("Type a short note for this question (what exists, who owns it, what is missing):"),
            *long_text.step(
                "note_text", readiness.MAX_NOTE, _save_note, N_("Please type your note in words.")
            ),
            SwitchTo(T("⬅️ Back to the question"), id="note_back", state=Readiness.question),
            state=Readiness.note,
        ),
        Window(
            T("<b>🎯 Readiness: {overall}</b>", when="scope_all"),
            T(
                "<b>🎯 Clause {scope} {scope_title}: {overall}</b>\n<i>One chapter only: this "
                "is not your overall readiness.</i>",
                when="scope_clause",
            ),
            T("{change} points since {before}.", when="has_change"),
            Format("\n{clauses}"),
            T("\n<b>Biggest gaps and what to do next</b>\n{gaps}", when="has_gaps"),
            T("\nNo gaps found: keep the evidence ready for the auditor.", when="no_gaps"),
            T(
                "\nNothing could be scored: every requirement here was declared not applicable.",
                when="nothing_scored",
            ),
            T(
                "\n<b>Declared not applicable</b> (your scope statement, 4.3, must justify "
                "each):\n{exclusions}",
                when="has_exclusions",
            ),
            T("\n🗺 Next on your roadmap: {next_step}", when="has_next"),
            Row(
                Button(T("📊 Chart"), id="chart", on_click=on_chart),
                Button(T("📥 Spreadsheet"), id="export", on_click=on_export),
            ),
            Start(T("🗺 Certification roadmap"), id="result_roadmap", state=Roadmap.steps),
            SwitchTo(T("⬅️ Back"), id="result_back", state=Readiness.home),
            state=Readiness.result,
            getter=result,
        ),
    )
