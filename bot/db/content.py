"""Content tables: items, their texts per language, and the library search index."""

import json
import re
import time
import unicodedata
import weakref
from dataclasses import dataclass, field

import sqlite_utils

from bot.db.tx import write

SEARCHABLE = {"article": ("body",), "clause": ("asks", "evidence")}
# The trigram index finds nothing shorter than three characters: shorter patterns are scanned.
TRIGRAM = 3
# Scripts written without spaces between words: matched anywhere, never by word.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Punctuation, symbols and spaces (underscore included), except a dot between digits (9.2).
_SEPARATORS = re.compile(r"(?:(?!(?<=\d)\.(?=\d))[\W_])+")
# Where a space goes: between CJK and other letters or digits, and between letters and digits.
_BOUNDARIES = re.compile(
    rf"(?<=[{CJK}])(?=[^\W{CJK}])|(?<=[^\W{CJK}])(?=[{CJK}])"
    rf"|(?<=[^\W\d{CJK}])(?=\d)|(?<=\d)(?=[^\W\d{CJK}])"
)


def search_form(text: str) -> str:
    """``text`` as the search index holds it, and as queries are matched against it.

    Full-width forms become plain (ＩＳＯ → iso), case is folded, punctuation and symbols
    become spaces, and letters, digits and CJK are set apart by one space, so that ISO9001,
    ISO-9001 and ISO 9001 are one form, and so are ISO 9001认证 and ISO 9001 认证. Only a dot
    between digits is kept: clause numbers stay whole (8.5.2).
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _BOUNDARIES.sub(" ", _SEPARATORS.sub(" ", text))
    return " ".join(text.split())


@dataclass
class Item:
    """One content item as read from its source file, ready to store."""

    kind: str
    id: str
    source: str
    position: int
    parent: str | None = None
    attrs: dict = field(default_factory=dict)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)  # field → lang → text
    line: int = 0  # where the item starts in its source file, for problems
    field_lines: dict[str, int] = field(default_factory=dict)  # field → line


@dataclass(frozen=True)
class Entry:
    kind: str
    id: str
    parent: str | None
    attrs: dict
    texts: dict[str, str]  # field → text in the requested language


def replace_all(db: sqlite_utils.Database, items: list[Item], fingerprint: str) -> None:
    """Swap the whole content set in one transaction: readers never see half of it."""
    items_rows, text_rows, search_rows = [], [], []
    for item in items:
        items_rows.append(
            {
                "kind": item.kind,
                "id": item.id,
                "parent": item.parent,
                "position": item.position,
                "attrs": json.dumps(item.attrs, ensure_ascii=False),
            }
        )
        for field_name, by_lang in item.texts.items():
            for lang, text in by_lang.items():
                text_rows.append(
                    {
                        "kind": item.kind,
                        "item_id": item.id,
                        "field": field_name,
                        "lang": lang,
                        "text": text,
                    }
                )
        if item.kind in SEARCHABLE:
            for lang, title in item.texts["title"].items():
                if item.kind == "clause":
                    title = f"{item.id} {title}"
                body = "\n".join(item.texts[f].get(lang, "") for f in SEARCHABLE[item.kind])
                search_rows.append(
                    {
                        "kind": item.kind,
                        "item_id": item.id,
                        "lang": lang,
                        # padded: a pattern " audit" finds a word starting at the very beginning
                        "title": f" {search_form(title)} ",
                        "body": f" {search_form(body)} ",
                    }
                )
    with write(db):
        for table in ("content_items", "content_texts", "library_search"):
            db.execute(f"DELETE FROM {table}")
        db["content_items"].insert_all(items_rows)
        db["content_texts"].insert_all(text_rows)
        db["library_search"].insert_all(search_rows)
        db["meta"].upsert({"key": "content_fingerprint", "value": fingerprint}, pk="key")
    forget(db)


def loaded_fingerprint(db: sqlite_utils.Database) -> str | None:
    rows = list(db["meta"].rows_where("key = ?", ["content_fingerprint"]))
    return rows[0]["value"] if rows else None


def stats(db: sqlite_utils.Database) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for kind, lang, count in db.execute(
        "SELECT kind, lang, COUNT(DISTINCT item_id) FROM content_texts GROUP BY kind, lang"
    ):
        counts.setdefault(kind, {})[lang] = count
    return counts


class _Snapshot:
    """Every entry of one language, read in one query: content changes only when it is
    loaded, so a screen needs no query for it. Callers must not change what they get."""

    def __init__(self, db: sqlite_utils.Database, lang: str) -> None:
        rows = db.execute(
            "SELECT i.kind, i.id, i.parent, i.attrs, t.field, t.text FROM content_items i"
            " JOIN content_texts t ON t.kind = i.kind AND t.item_id = i.id AND t.lang = ?"
            " ORDER BY i.kind, i.position, i.id",
            [lang],
        ).fetchall()
        self.by_key: dict[tuple[str, str], Entry] = {}
        self.by_kind: dict[str, list[Entry]] = {}
        self.by_parent: dict[tuple[str, str | None], list[Entry]] = {}
        for kind, item_id, parent, attrs, field_name, text in rows:
            entry = self.by_key.get((kind, item_id))
            if entry is None:
                entry = Entry(kind, item_id, parent, json.loads(attrs or "{}"), {})
                self.by_key[(kind, item_id)] = entry
                self.by_kind.setdefault(kind, []).append(entry)
                self.by_parent.setdefault((kind, parent), []).append(entry)
            entry.texts[field_name] = text


# Per database: (the content's fingerprint, when it was last compared, snapshots by language).
_CACHE: "weakref.WeakKeyDictionary[sqlite_utils.Database, list]" = weakref.WeakKeyDictionary()
RECHECK_SECONDS = 10  # content loaded by another process shows within this


def _snapshot(db: sqlite_utils.Database, lang: str) -> _Snapshot:
    cached = _CACHE.get(db)
    now = time.monotonic()
    if cached is None or now - cached[1] > RECHECK_SECONDS:
        fingerprint = loaded_fingerprint(db)
        if cached is None or cached[0] != fingerprint:
            cached = _CACHE[db] = [fingerprint, now, {}]
        cached[1] = now
    snapshots = cached[2]
    if lang not in snapshots:
        snapshots[lang] = _Snapshot(db, lang)
    return snapshots[lang]


def forget(db: sqlite_utils.Database) -> None:
    """Content changed in this process: read it again at the next use."""
    _CACHE.pop(db, None)


def get(db: sqlite_utils.Database, kind: str, item_id: str, lang: str) -> Entry | None:
    return _snapshot(db, lang).by_key.get((kind, item_id))


def entries(db: sqlite_utils.Database, keys: list[tuple[str, str]], lang: str) -> list[Entry]:
    """The entries for (kind, id) ``keys``, in their order."""
    found = _snapshot(db, lang).by_key
    return [found[key] for key in keys if key in found]


def listing(db: sqlite_utils.Database, kind: str, lang: str) -> list[Entry]:
    return list(_snapshot(db, lang).by_kind.get(kind, ()))


def children(db: sqlite_utils.Database, kind: str, parent: str | None, lang: str) -> list[Entry]:
    return list(_snapshot(db, lang).by_parent.get((kind, parent), ()))


def by_attr(db: sqlite_utils.Database, kind: str, attr: str, value: str, lang: str) -> list[Entry]:
    return [e for e in listing(db, kind, lang) if e.attrs.get(attr) == value]


@dataclass(frozen=True)
class Concept:
    """One thing a query asks for: any of ``patterns`` (in search form, a leading space for
    "a word starting so", a trailing one for "a whole word"), or one of ``pages`` outright,
    which then come first, in their order."""

    patterns: tuple[str, ...]
    pages: tuple[tuple[str, str], ...] = ()  # (kind, id)


Key = tuple[str, str]  # (kind, id)
Found = dict[Key, tuple[bool, float]]  # → (in a title, bm25: lower is better)


def search(db: sqlite_utils.Database, concepts: list[Concept], every: bool = True) -> list[Key]:
    """(kind, id) of library items matching every concept (with ``every=False``: any), best
    first: an item a concept names outright, then items matching more concepts in their
    title, then by bm25 (titles weigh ten times the body), summed over the concepts.

    The trigram index needs three characters; shorter patterns (two-character Chinese words
    such as 审核) fall back to a substring scan: both sides are in search form, so a plain
    ``instr`` is exact.
    """
    pins: dict[Key, tuple[int, int]] = {}
    for c, concept in enumerate(concepts):
        for p, page in enumerate(concept.pages):
            pins.setdefault(page, (c, p))
    if not every:  # one indexed query for any of the words; too short ones would find all
        patterns = tuple(p for c in concepts for p in c.patterns if len(p) >= TRIGRAM)
        concepts = [Concept(patterns, tuple(pins))]
    found: list[Found] = []
    common: set[Key] | None = None
    # indexed concepts first: when one finds nothing, the scans are never needed
    for concept in sorted(concepts, key=lambda c: min(map(len, c.patterns), default=0) < TRIGRAM):
        matches = _matches(db, concept)
        if every:
            common = set(matches) if common is None else common & set(matches)
            if not common:
                return []
        found.append(matches)
    keys = common if every else {key for matches in found for key in matches}
    titles = dict.fromkeys(keys or (), 0)
    scores = dict.fromkeys(keys or (), 0.0)
    for matches in found:
        for key, (in_title, score) in matches.items():
            if key in titles:
                titles[key] += in_title
                scores[key] += score
    return sorted(
        titles,
        key=lambda key: (key not in pins, pins.get(key, (0, 0)), -titles[key], scores[key], key),
    )


def _matches(db: sqlite_utils.Database, concept: Concept) -> Found:
    """Items matching ``concept``: whether one of its titles does, and its best bm25."""
    in_title = " OR ".join(["instr(s.title, ?)"] * len(concept.patterns)) or "0"
    indexed = [p for p in concept.patterns if len(p) >= TRIGRAM]
    scanned = [p for p in concept.patterns if len(p) < TRIGRAM]
    rows: list[tuple[str, str, int, float]] = []
    if indexed:
        rows += db.execute(
            f"SELECT s.kind, s.item_id, {in_title}, bm25(library_search_fts, 10.0, 1.0)"
            " FROM library_search_fts f JOIN library_search s ON s.rowid = f.rowid"
            " WHERE library_search_fts MATCH ?",
            [*concept.patterns, " OR ".join('"' + p.replace('"', '""') + '"' for p in indexed)],
        ).fetchall()
    if scanned:  # a plain scan, ranked below any indexed match
        where = " OR ".join(["instr(s.title, ?) OR instr(s.body, ?)"] * len(scanned))
        rows += db.execute(
            f"SELECT s.kind, s.item_id, {in_title}, 0.0 FROM library_search s WHERE {where}",
            [*concept.patterns, *(p for p in scanned for _column in ("title", "body"))],
        ).fetchall()
    found: Found = {page: (False, 0.0) for page in concept.pages}
    for kind, item_id, title, rank in rows:  # a row per language: the item takes the best
        was_in_title, best = found.get((kind, item_id), (False, 0.0))
        found[(kind, item_id)] = (bool(title) or was_in_title, min(rank, best))
    return found
