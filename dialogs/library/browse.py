"""Library: what the ISO 9000 family is and what ISO 9001 asks, in both languages.

home ─▶ section (family · principles · certification · China) ─▶ article ─▶ related clause
     ├▶ clause map: 4 … 10 ─▶ 10.2 ─▶ sub-clauses, each with what it asks and the evidence
     └▶ search: type words in English or Chinese ─▶ results ─▶ article or clause
Back retraces the user's own path (a short trail kept in dialog data); Library returns home.
"""

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.i18n import format_number
from bot.services import library
from dialogs.common import Choices, T, close, esc, query_too_long
from dialogs.states import Library

PLACE_KEYS = ("section", "article", "clause")
STATES = {state.state: state for state in Library.__states__}
TRAIL_LIMIT = 30


async def go(manager: DialogManager, state: State, **place) -> None:
    """Open ``state`` showing ``place``, remembering where the user was for Back."""
    data = manager.dialog_data
    here = {"state": manager.current_context().state.state}
    here.update({key: data.get(key) for key in PLACE_KEYS})
    data["trail"] = [*data.get("trail", [])[-TRAIL_LIMIT:], here]
    data.update(place)
    await manager.switch_to(state)


async def on_back(callback: CallbackQuery, button, manager: DialogManager) -> None:
    trail = manager.dialog_data.get("trail", [])
    if not trail:
        await close(callback, button, manager)
        return
    place = trail.pop()
    manager.dialog_data.update({key: place.get(key) for key in PLACE_KEYS})
    await manager.switch_to(STATES.get(place["state"], Library.home))


async def on_home(callback: CallbackQuery, button, manager: DialogManager) -> None:
    manager.dialog_data["trail"] = []
    await manager.switch_to(Library.home)


async def on_start(start_data: dict | None, manager: DialogManager) -> None:
    start_data = start_data or {}
    manager.dialog_data.update(
        {key: start_data[key] for key in ("query", "clause", "article") if key in start_data}
    )


# ----- getters: read only -------------------------------------------------
async def home(dialog_manager: DialogManager, db, locale: str, **kwargs) -> dict:
    return {
        "sections": [(s.id, s.texts["title"]) for s in library.sections(db, locale)],
        "edition": esc(library.edition(db, locale)),
    }


async def section(dialog_manager: DialogManager, db, locale: str, **kwargs) -> dict:
    section_id = dialog_manager.dialog_data.get("section") or ""
    found = library.section(db, section_id, locale)
    return {
        "title": esc(found.texts["title"])
        if found
        else _("This section is no longer in the library."),
        "articles": [(a.id, a.texts["title"]) for a in library.articles(db, section_id, locale)],
    }


async def article(dialog_manager: DialogManager, db, locale: str, **kwargs) -> dict:
    found = library.article(db, dialog_manager.dialog_data.get("article") or "", locale)
    if not found:
        return {"title": _("This article is no longer in the library."), "body": "", "related": []}
    related = library.clauses(db, [str(c) for c in found.attrs.get("clauses", [])], locale)
    return {
        "title": esc(found.texts["title"]),
        "body": esc(found.texts["body"]),
        "related": [(c.id, f"§ {c.id} {c.texts['title']}") for c in related],
    }


async def clause(dialog_manager: DialogManager, db, locale: str, **kwargs) -> dict:
    clause_id = dialog_manager.dialog_data.get("clause")
    found = library.clause(db, clause_id, locale) if clause_id else None
    path, parent = [], found.parent if found else None
    while parent:
        above = library.clause(db, parent, locale)
        path.insert(0, f"{above.id} {above.texts['title']}")
        parent = above.parent
    children = library.subclauses(db, found.id if found else None, locale)
    return {
        "is_map": found is None,
        "is_clause": found is not None,
        "edition": esc(library.edition(db, locale)),
        "path": esc(" › ".join(["ISO 9001", *path])),
        "number": found.id if found else "",
        "title": esc(found.texts["title"]) if found else "",
        "asks": esc(found.texts["asks"]) if found else "",
        "evidence": esc(found.texts["evidence"]) if found else "",
        "parent": path[-1] if path else "",  # a button label: plain text, not HTML
        "children": [(c.id, f"{c.id} {c.texts['title']}") for c in children],
    }


async def results(dialog_manager: DialogManager, db, locale: str, **kwargs) -> dict:
    query = dialog_manager.dialog_data.get("query") or ""
    result = library.search(db, query, locale)
    hits = result.best
    return {
        "query": esc(query),
        "count": format_number(result.total, locale),
        "shown": len(hits),
        "found": bool(hits),
        "more": result.total > len(hits),
        "none": not hits,
        "hits": [
            (
                f"{hit.kind[0]}:{hit.id}",
                f"§ {hit.id} {hit.texts['title']}"
                if hit.kind == "clause"
                else f"📄 {hit.texts['title']}",
            )
            for hit in hits
        ],
    }


# ----- handlers: change state ---------------------------------------------
async def on_section(callback, widget, manager: DialogManager, section_id: str) -> None:
    await go(manager, Library.section, section=section_id)


async def on_article(callback, widget, manager: DialogManager, article_id: str) -> None:
    await go(manager, Library.article, article=article_id)


async def on_clause(callback, widget, manager: DialogManager, clause_id: str) -> None:
    await go(manager, Library.clause, clause=clause_id)


async def on_clause_map(callback, button, manager: DialogManager) -> None:
    await go(manager, Library.clause, clause=None)


async def on_up(callback, button, manager: DialogManager) -> None:
    found = library.clause(
        manager.middleware_data["db"], manager.dialog_data.get("clause") or "", "en"
    )
    await go(manager, Library.clause, clause=found.parent if found else None)


async def on_search(callback, button, manager: DialogManager) -> None:
    await go(manager, Library.search)


async def on_hit(callback, widget, manager: DialogManager, hit: str) -> None:
    kind, _sep, item_id = hit.partition(":")
    if kind == "c":
        await go(manager, Library.clause, clause=item_id)
    elif kind == "a":
        await go(manager, Library.article, article=item_id)


async def on_query(message: Message, widget, manager: DialogManager) -> None:
    query, problem = library.parse_query(message.text or "")
    if problem == "empty":
        await message.answer(_("Please type the words to search for."))
    elif problem == "too_long":
        await message.answer(query_too_long())
    else:
        manager.dialog_data["query"] = query
        await manager.switch_to(Library.results)


def library_dialog() -> Dialog:
    back = Button(T("⬅️ Back"), id="back", on_click=on_back)
    home_button = Button(T("📚 Library"), id="home", on_click=on_home)
    return Dialog(
        Window(
            T(
                "<b>Library</b>\n\nThe ISO 9000 family, the seven quality management principles, "
                "how certification works, China's standards and law — and every clause of "
                "ISO 9001 in plain words.\n\n<i>{edition}</i>"
            ),
            Choices("sections", on_section),
            Button(T("📖 ISO 9001 clause map"), id="clause_map", on_click=on_clause_map),
            Button(T("🔎 Search"), id="search", on_click=on_search),
            Button(T("⬅️ Back"), id="close", on_click=close),
            state=Library.home,
            getter=home,
        ),
        Window(
            Format("<b>{title}</b>"),
            Choices("articles", on_article, page=8),
            back,
            state=Library.section,
            getter=section,
        ),
        Window(
            Format("<b>{title}</b>\n\n{body}"),
            Choices("related", on_clause),
            back,
            home_button,
            state=Library.article,
            getter=article,
        ),
        Window(
            T("<b>ISO 9001 clause map</b>\n\n<i>{edition}</i>\n\nChoose a clause:", when="is_map"),
            T(
                "<i>{path}</i>\n\n<b>{number} {title}</b>\n\n<b>What it asks</b>\n{asks}\n\n"
                "<b>What an auditor looks for</b>\n{evidence}",
                when="is_clause",
            ),
            Choices("children", on_clause, page=8),
            Button(T("⬆️ Up to {parent}"), id="up", on_click=on_up, when="parent"),
            back,
            home_button,
            state=Library.clause,
            getter=clause,
        ),
        Window(
            T(
                "<b>Search the library</b>\n\nType a word or phrase in English or Chinese, "
                "the way you would say it: for example “corrective action”, 纠正措施, 内审 or CAPA."
            ),
            MessageInput(on_query),
            back,
            state=Library.search,
        ),
        Window(
            T("Results for “{query}”: {count}", when="found"),
            T("Showing the best {shown}: add a word to narrow the search.", when="more"),
            T(
                "Nothing found for “{query}”. Try a shorter or different word — "
                "in English or Chinese.",
                when="none",
            ),
            Choices("hits", on_hit),
            MessageInput(on_query),
            SwitchTo(T("🔎 New search"), id="again", state=Library.search),
            back,
            state=Library.results,
            getter=results,
        ),
        on_start=on_start,
    )
