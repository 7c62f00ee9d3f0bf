"""The library: ISO 9000 family, principles, certification, China's frame, the clause map.

Search meets people as they type: a query and the indexed text are compared in one search
form (``repo.search_form``: ＩＳＯ９００１ = ISO-9001 = iso 9001), and the synonym table in
``content/library/synonyms.yaml`` turns what people say (内审, CAPA, 5why) into the standard's
terms, with the pages that explain them first.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from bot import CONTENT_DIR
from bot.config import LANGUAGES
from bot.db import content as repo
from bot.db.content import CJK, Concept, Entry, search_form
from bot.services.content import Problem, fingerprint, read

MAX_QUERY = 100
# Short Latin words and abbreviations from the synonym table match whole words only:
# CAPA must not find "capacity", 8D not "8 days".
WHOLE_WORD = 4
# A long list of words is searched for its first ones; the rest would only slow it down.
MAX_CONCEPTS = 8
_WORD_EDGE = f"[^\\W{CJK}]"  # a letter or digit of a script that separates words


def load(db: sqlite_utils.Database, root: Path = CONTENT_DIR) -> list[Problem]:
    """Validate the sources and, only if they are all valid, replace the loaded content."""
    items, problems = read(root)
    if not problems:
        repo.replace_all(db, items, fingerprint(root))
    return problems


def ensure_loaded(db: sqlite_utils.Database, root: Path = CONTENT_DIR) -> list[Problem]:
    """Load the content if the sources changed since the last load (or nothing is loaded)."""
    if repo.loaded_fingerprint(db) == fingerprint(root):
        return []
    return load(db, root)


def sections(db: sqlite_utils.Database, lang: str) -> list[Entry]:
    return repo.listing(db, "section", lang)


def section(db: sqlite_utils.Database, section_id: str, lang: str) -> Entry | None:
    return repo.get(db, "section", section_id, lang)


def articles(db: sqlite_utils.Database, section_id: str, lang: str) -> list[Entry]:
    return repo.by_attr(db, "article", "section", section_id, lang)


def article(db: sqlite_utils.Database, article_id: str, lang: str) -> Entry | None:
    return repo.get(db, "article", article_id, lang)


def clause(db: sqlite_utils.Database, clause_id: str, lang: str) -> Entry | None:
    return repo.get(db, "clause", clause_id, lang)


def subclauses(db: sqlite_utils.Database, clause_id: str | None, lang: str) -> list[Entry]:
    """The clauses directly under ``clause_id``; under None, the main clauses 4–10."""
    return repo.children(db, "clause", clause_id, lang)


def clauses(db: sqlite_utils.Database, clause_ids: list[str], lang: str) -> list[Entry]:
    return [found for cid in clause_ids if (found := clause(db, cid, lang))]


def edition(db: sqlite_utils.Database, lang: str) -> str:
    note = repo.get(db, "meta", "edition", lang)
    return note.texts["text"] if note else ""


def parse_query(typed: str) -> tuple[str, str | None]:
    """The query to search for, and what is wrong with it: None, "empty" (nothing to search
    for: no letter, digit or Chinese character, e.g. only punctuation or emoji) or "too_long"."""
    query = " ".join(typed.split())
    if not search_form(query):
        return query, "empty"
    if len(query) > MAX_QUERY:
        return query[:MAX_QUERY], "too_long"
    return query, None


@dataclass(frozen=True)
class SearchResult:
    best: list[Entry]  # the best matches, in ``lang``
    total: int  # how many items match in all


def search(db: sqlite_utils.Database, query: str, lang: str, limit: int = 8) -> SearchResult:
    """Library items matching ``query`` in either language, shown in ``lang``.

    Every part of the query must match (a synonym's terms count as one part); when nothing
    matches a query of several words, items matching any of them are offered instead.
    """
    query, problem = parse_query(query)
    if problem is not None:
        return SearchResult([], 0)
    synonyms = _synonyms(db)
    concepts = _concepts(query, synonyms, whole_phrases=True)
    hits = repo.search(db, concepts)
    if not hits:
        words = _concepts(query, synonyms, whole_phrases=False)
        if len(words) > 1:
            hits = repo.search(db, words, every=False)
    return SearchResult(repo.entries(db, hits[:limit], lang), len(hits))


@dataclass(frozen=True)
class Synonyms:
    """The synonym table as search uses it: which typed words mean which standard terms."""

    finder: re.Pattern | None  # finds any term or variant in a query in search form
    # term or variant (search form) → (entry, language it is a word of), for each entry
    meanings: dict[str, tuple[tuple[int, str], ...]]
    terms: tuple[dict[str, tuple[str, ...]], ...]  # per entry, per language: its term's patterns
    pages: tuple[tuple[tuple[str, str], ...], ...]  # per entry: its pages, first in results


_loaded: dict[str | None, Synonyms] = {}  # by content fingerprint: built once per content set


def _synonyms(db: sqlite_utils.Database) -> Synonyms:
    key = repo.loaded_fingerprint(db)
    if key not in _loaded:
        _loaded.clear()
        _loaded[key] = _build_synonyms(db)
    return _loaded[key]


def _build_synonyms(db: sqlite_utils.Database) -> Synonyms:
    by_lang = {lang: {e.id: e for e in repo.listing(db, "synonym", lang)} for lang in LANGUAGES}
    meanings: dict[str, list[tuple[int, str]]] = {}
    terms, pages = [], []
    for index, entry in enumerate(by_lang[LANGUAGES[0]].values()):
        term = {lang: search_form(by_lang[lang][entry.id].texts["term"]) for lang in LANGUAGES}
        words = [(form, lang) for lang, form in term.items()] + [
            (search_form(word), lang)
            for lang, listed in entry.attrs.get("variants", {}).items()
            for word in listed
        ]
        for form, lang in dict.fromkeys(words):
            meanings.setdefault(form, []).append((index, lang))
        terms.append({lang: _patterns(form, synonym=True) for lang, form in term.items()})
        pages.append(tuple(_page(db, ref) for ref in entry.attrs.get("pages", [])))
    if not meanings:
        return Synonyms(None, {}, (), ())
    forms = sorted(meanings, key=len, reverse=True)  # the longest at a place wins
    finder = re.compile("|".join(map(_trigger, forms)))
    return Synonyms(finder, {k: tuple(v) for k, v in meanings.items()}, tuple(terms), tuple(pages))


def _page(db: sqlite_utils.Database, ref: str) -> tuple[str, str]:
    """A synonym's page: a clause number or an article id (the loader checked it is one)."""
    return ("clause", ref) if repo.get(db, "clause", ref, LANGUAGES[0]) else ("article", ref)


def _trigger(form: str) -> str:
    """A regex finding ``form`` in a query: as whole words where it starts or ends with a
    letter or digit (a plural s allowed), anywhere in CJK text. In search form CJK and other
    letters are always apart, so a plain \\w is the word's edge."""
    pattern = re.escape(form)
    if re.match(_WORD_EDGE, form):
        pattern = rf"(?<!\w){pattern}"
    if re.match(_WORD_EDGE, form[-1]):
        pattern = rf"{pattern}s?(?!\w)"
    return pattern


def _patterns(form: str, synonym: bool = False) -> tuple[str, ...]:
    """What to look for in the index (padded with spaces) for a search form.

    Latin text matches from the start of a word (audit finds audits, not plaudit); a short
    synonym matches the whole word.
    """
    start = " " if re.match(_WORD_EDGE, form) else ""
    if synonym and start and len(form) <= WHOLE_WORD and re.match(_WORD_EDGE, form[-1]):
        return (f" {form} ",)
    return (start + form,)


def _concepts(query: str, synonyms: Synonyms, whole_phrases: bool) -> list[Concept]:
    """The parts of ``query``: each synonym found in it, and the text between them (as
    phrases, or with ``whole_phrases=False`` word by word)."""
    form = search_form(query)
    concepts: list[Concept] = []

    def plain(text: str) -> None:
        parts = [text.strip()] if whole_phrases else text.split()
        concepts.extend(Concept(_patterns(part)) for part in parts if part.strip())

    done = 0
    for found in synonyms.finder.finditer(form) if synonyms.finder else ():
        plain(form[done : found.start()])
        done = found.end()
        typed = found.group()
        meant = synonyms.meanings.get(typed) or synonyms.meanings[typed[:-1]]  # plural s
        # what was typed and the term it means, in the language it was typed in: the library
        # says everything in both, and every pattern more costs time
        patterns = _patterns(typed, synonym=True) + tuple(
            p for entry, lang in meant for p in synonyms.terms[entry][lang]
        )
        pages = (page for entry, _lang in meant for page in synonyms.pages[entry])
        concepts.append(Concept(tuple(dict.fromkeys(patterns)), tuple(dict.fromkeys(pages))))
    plain(form[done:])
    return concepts[:MAX_CONCEPTS]
