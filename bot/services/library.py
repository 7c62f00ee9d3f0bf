"""The library: ISO 9000 family, principles, certification, China's frame, the clause map."""

from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from bot import CONTENT_DIR
from bot.db import content as repo
from bot.db.content import Entry
from bot.services.content import Problem, fingerprint, read

MAX_QUERY = 100


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
    """The query to search for, and what is wrong with it: None, "empty" or "too_long"."""
    query = " ".join(typed.split())
    if not query:
        return query, "empty"
    if len(query) > MAX_QUERY:
        return query[:MAX_QUERY], "too_long"
    return query, None


@dataclass(frozen=True)
class SearchResult:
    best: list[Entry]  # the best matches, in ``lang``
    total: int  # how many items match in all


def search(db: sqlite_utils.Database, query: str, lang: str, limit: int = 8) -> SearchResult:
    """Library items matching ``query`` in either language, shown in ``lang``."""
    query, problem = parse_query(query)
    hits = repo.search(db, query) if problem is None else []
    best = [entry for kind, item_id in hits[:limit] if (entry := repo.get(db, kind, item_id, lang))]
    return SearchResult(best, len(hits))
