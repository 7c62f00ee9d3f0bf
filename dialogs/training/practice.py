"""Personal practice: ten questions at a time, the ones due for review first, each answered
with the explanation at once and a button into the library page it comes from.

home ─▶ 🔁 due for review / ▶️ ten questions / a topic ─▶ question ─▶ feedback ─▶ … ─▶ summary

Every answer is saved as it is given (and scheduled again with FSRS), so a session cut short
loses nothing; the dialog's own state survives a restart and the session goes on.
"""

import secrets

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Group, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot import clock
from bot.db import content as content_repo
from bot.i18n import N_, format_share
from bot.services import quiz, text, tips
from dialogs.common import Choices, CloseButton, T, current_locale, esc
from dialogs.states import Library, Practice

LETTERS = "ABCDEF"
TOPIC_NAMES = {
    "principles": N_("Principles and terms"),
    "clauses": N_("ISO 9001 requirements"),
    "documents": N_("Documented information"),
    "nonconformity": N_("Nonconformity and corrective action"),
    "audit": N_("Internal audit"),
    "iso9004": N_("ISO 9004 and the ISO 9000 family"),
    "certification": N_("Certification"),
    "shop_floor": N_("Shop floor practice"),
}


def topic_name(topic: str) -> str:
    return _(TOPIC_NAMES[topic]) if topic in TOPIC_NAMES else topic


def page_label(db, page: str) -> str:
    """📖 and the library page's number and title (a clause) or title (an article)."""
    kind = "clause" if page[:1].isdigit() else "article"
    entry = content_repo.get(db, kind, page, current_locale())
    title = entry.texts.get("title", "") if entry else ""
    return text.shorten(f"📖 {page} {title}" if kind == "clause" else f"📖 {title or page}", 60)


def _context(manager: DialogManager):
    data = manager.middleware_data
    zone = tips.zone_of(data["db"], data["user"].id, data["settings"].default_timezone)
    return data["db"], data["user"], zone


async def home(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    _db, _user, zone = _context(dialog_manager)
    found = quiz.stats(db, user.id, zone, clock.now())
    counts = quiz.topic_counts(db)
    lines = []
    if found.answered:
        lines.append(
            _("Answered: {answered} · right: {share} · learned: {learned}").format(
                answered=found.answered,
                share=format_share(found.share, current_locale()),
                learned=found.learned,
            )
        )
        lines.append(
            _("🔥 Streak: {n} days in a row").format(n=found.streak)
            if found.streak > 1
            else _("Practise again tomorrow to start a streak.")
        )
    else:
        lines.append(_("Ten questions at a time; the ones you miss come back the next day."))
    return {
        "stats": "\n".join(lines),
        "due": found.due,
        "has_due": found.due > 0,
        "no_due": found.due == 0 and bool(counts),
        "empty": not counts,
        "topics": [(t, f"{topic_name(t)} ({n})") for t, n in counts.items()],
    }


async def _begin(manager: DialogManager, topic: str | None) -> None:
    db, user, _zone = _context(manager)
    ids = quiz.session(db, user.id, topic, clock.now())
    manager.dialog_data.update(
        ids=ids, pos=0, right=0, missed=[], topic=topic, key=secrets.token_hex(6), last=None
    )
    await manager.switch_to(Practice.question if ids else Practice.home)


async def on_due(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await _begin(manager, None)


async def on_topic(callback: CallbackQuery, widget, manager: DialogManager, topic: str) -> None:
    if topic in quiz.topic_counts(manager.middleware_data["db"]):  # callback data is untrusted
        await _begin(manager, topic)


def _current(manager: DialogManager) -> quiz.Question | None:
    """The session's question now, skipping any removed from the bank since it began."""
    data = manager.dialog_data
    db = manager.middleware_data["db"]
    while data.get("pos", 0) < len(data.get("ids", [])):
        found = quiz.question(db, data["ids"][data["pos"]], current_locale())
        if found is not None:
            return found
        data["pos"] += 1
    return None


async def asked(dialog_manager: DialogManager, **kwargs) -> dict:
    data = dialog_manager.dialog_data
    found = _current(dialog_manager)
    if found is None:
        return {"question": _("This session is over."), "options": [], "progress": ""}
    choices = "\n".join(f"{LETTERS[i]}. {esc(option)}" for i, option in enumerate(found.options))
    return {
        "progress": _("Question {n} of {total} · {topic}").format(
            n=data["pos"] + 1, total=len(data["ids"]), topic=topic_name(found.topic)
        ),
        "question": f"{esc(found.text)}\n\n{choices}",
        "options": [(str(i), LETTERS[i]) for i in range(len(found.options))],
    }


async def on_option(callback: CallbackQuery, widget, manager: DialogManager, chosen: str) -> None:
    found = _current(manager)
    valid = chosen.isdecimal() and chosen.isascii() and found and int(chosen) < len(found.options)
    if not valid:  # the session is over, or crafted callback data
        await manager.switch_to(Practice.summary)
        return
    db, user, _zone = _context(manager)
    data = manager.dialog_data
    right = quiz.answer(db, user.id, found.id, int(chosen), f"{data['key']}:{data['pos']}")
    if right is None:  # removed from the bank this very moment
        data["pos"] += 1
        return
    data["last"] = {"id": found.id, "chosen": int(chosen), "right": right}
    if right:
        data["right"] += 1
    else:
        data["missed"].append(found.id)
    await manager.switch_to(Practice.feedback)


async def feedback(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    last = dialog_manager.dialog_data.get("last") or {}
    data = dialog_manager.dialog_data
    steps = {
        "more": data.get("pos", 0) + 1 < len(data.get("ids", [])),
        "last_one": data.get("pos", 0) + 1 >= len(data.get("ids", [])),
    }
    found = quiz.question(db, last.get("id", ""), current_locale())
    if found is None:  # removed from the bank since it was answered
        return {"verdict": _("This question is no longer in the bank."), "page": None, **steps}
    right_ones = ", ".join(
        f"{LETTERS[i]}. {esc(found.options[i])}" for i in found.correct if i < len(found.options)
    )
    verdict = (
        _("✅ Right!")
        if last.get("right")
        else _("❌ Not quite. The answer: {answer}").format(answer=right_ones)
    )
    return {
        "verdict": f"{verdict}\n\n{esc(found.explanation)}",
        "page": page_label(db, found.page),
        **steps,
    }


async def on_next(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    manager.dialog_data["pos"] += 1
    await manager.switch_to(Practice.question)


async def on_page(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    last = manager.dialog_data.get("last") or {}
    found = quiz.question(manager.middleware_data["db"], last.get("id", ""), "en")
    if found is None:
        return
    kind = "clause" if found.page[:1].isdigit() else "article"
    await manager.start(
        Library.clause if kind == "clause" else Library.article, data={kind: found.page}
    )


async def summary(dialog_manager: DialogManager, db, user, **kwargs) -> dict:
    data = dialog_manager.dialog_data
    asked_count = data.get("right", 0) + len(data.get("missed", []))
    missed = [quiz.question(db, q, current_locale()) for q in data.get("missed", [])]
    lines = [
        _("You got {right} of {total} right.").format(right=data.get("right", 0), total=asked_count)
    ]
    if missed:
        lines.append(_("These come back tomorrow:"))
        lines += [f"• {esc(text.shorten(q.text, 90))}" for q in missed if q]
    else:
        lines.append(_("All right: these come back in a few days, to make sure they stay."))
    _db, _user, zone = _context(dialog_manager)
    streak = quiz.stats(db, user.id, zone, clock.now()).streak
    if streak > 1:
        lines.append(_("🔥 Streak: {n} days in a row").format(n=streak))
    return {"summary": "\n".join(lines)}


async def on_again(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await _begin(manager, manager.dialog_data.get("topic"))


async def on_stop(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await manager.switch_to(Practice.summary)


def practice_dialog() -> Dialog:
    return Dialog(
        Window(
            T("<b>🎓 Practice</b>\n\n{stats}"),
            Button(T("🔁 Due for review ({due})"), id="due", on_click=on_due, when="has_due"),
            Button(T("▶️ Ten questions"), id="mixed", on_click=on_due, when="no_due"),
            T("No questions yet.", when="empty"),
            Choices("topics", on_topic),
            CloseButton(),
            state=Practice.home,
            getter=home,
        ),
        Window(
            Format("<b>{progress}</b>\n\n{question}"),
            Group(
                Select(
                    Format("{item[1]}"),
                    id="option",
                    item_id_getter=lambda item: item[0],
                    items="options",
                    on_click=on_option,
                ),
                width=3,
            ),
            Button(T("✖️ Stop"), id="stop", on_click=on_stop),
            state=Practice.question,
            getter=asked,
        ),
        Window(
            Format("{verdict}"),
            Button(Format("{page}"), id="page", on_click=on_page, when="page"),
            Button(T("➡️ Next question"), id="next", on_click=on_next, when="more"),
            SwitchTo(T("🏁 Results"), id="results", state=Practice.summary, when="last_one"),
            Button(T("✖️ Stop"), id="stop_after", on_click=on_stop, when="more"),
            state=Practice.feedback,
            getter=feedback,
        ),
        Window(
            T("<b>🎓 Practice</b>\n\n{summary}"),
            Button(T("🔁 Ten more"), id="again", on_click=on_again),
            SwitchTo(T("⬅️ Back"), id="home", state=Practice.home),
            state=Practice.summary,
            getter=summary,
        ),
    )
