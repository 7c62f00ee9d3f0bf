"""Content tables: items, their texts per language, and the library search index."""

import json
from dataclasses import dataclass, field

import sqlite_utils

from bot.db.tx import write

SEARCHABLE = {"article": ("body",), "clause": ("asks", "evidence")}


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
                        "title": title,
                        "body": body,
                    }
                )
    with write(db):
        for table in ("content_items", "content_texts", "library_search"):
            db.execute(f"DELETE FROM {table}")
        db["content_items"].insert_all(items_rows)
        db["content_texts"].insert_all(text_rows)
        db["library_search"].insert_all(search_rows)
        db["meta"].upsert({"key": "content_fingerprint", "value": fingerprint}, pk="key")


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


def _entries(db: sqlite_utils.Database, lang: str, where: str, params: list) -> list[Entry]:
    rows = db.execute(
        "SELECT i.kind, i.id, i.parent, i.attrs, t.field, t.text FROM content_items i"
        " JOIN content_texts t ON t.kind = i.kind AND t.item_id = i.id AND t.lang = ?"
        f" WHERE {where} ORDER BY i.position, i.id",
        [lang, *params],
    ).fetchall()
    entries: dict[tuple[str, str], Entry] = {}
    for kind, item_id, parent, attrs, field_name, text in rows:
        entry = entries.setdefault(
            (kind, item_id), Entry(kind, item_id, parent, json.loads(attrs or "{}"), {})
        )
        entry.texts[field_name] = text
    return list(entries.values())


def get(db: sqlite_utils.Database, kind: str, item_id: str, lang: str) -> Entry | None:
    found = _entries(db, lang, "i.kind = ? AND i.id = ?", [kind, item_id])
    return found[0] if found else None


def listing(db: sqlite_utils.Database, kind: str, lang: str) -> list[Entry]:
    return _entries(db, lang, "i.kind = ?", [kind])


def children(db: sqlite_utils.Database, kind: str, parent: str | None, lang: str) -> list[Entry]:
    if parent is None:
        return _entries(db, lang, "i.kind = ? AND i.parent IS NULL", [kind])
    return _entries(db, lang, "i.kind = ? AND i.parent = ?", [kind, parent])


def by_attr(db: sqlite_utils.Database, kind: str, attr: str, value: str, lang: str) -> list[Entry]:
    return _entries(
        db, lang, f"i.kind = ? AND json_extract(i.attrs, '$.{attr}') = ?", [kind, value]
    )


def search(db: sqlite_utils.Database, query: str) -> list[tuple[str, str]]:
    """(kind, id) of library items matching ``query`` in any language, best first.

    The trigram index needs three characters; shorter queries (two-character
    Chinese words such as 审核) fall back to a substring scan.
    """
    if len(query) >= 3:
        phrase = '"' + query.replace('"', '""') + '"'
        rows = db.execute(
            "SELECT s.kind, s.item_id FROM library_search_fts f"
            " JOIN library_search s ON s.rowid = f.rowid"
            " WHERE library_search_fts MATCH ? ORDER BY bm25(library_search_fts, 10.0, 1.0)",
            [phrase],
        ).fetchall()
    else:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = db.execute(
            "SELECT kind, item_id FROM library_search"
            " WHERE title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\'"
            " ORDER BY (title LIKE ? ESCAPE '\\') DESC, kind, item_id",
            [pattern, pattern, pattern],
        ).fetchall()
    found: list[tuple[str, str]] = []
    for row in rows:
        if (key := (row[0], row[1])) not in found:
            found.append(key)
    return found
