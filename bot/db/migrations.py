"""Schema changes, applied in order and recorded in the ``_migrations`` table.

Add a new function at the end; never edit one that has shipped.
"""

from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_users(db: sqlite_utils.Database) -> None:
    db["users"].create(
        {
            "id": int,
            "first_name": str,
            "username": str,
            "telegram_language": str,
            "language": str,  # the user's own choice; NULL until they make one
            "timezone": str,
            "active": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"created_at", "updated_at"},
        defaults={"active": 1},
    )


@migration
def m002_dialog_state(db: sqlite_utils.Database) -> None:
    db["fsm"].create({"key": str, "state": str, "data": str}, pk="key")


@migration
def m003_content(db: sqlite_utils.Database) -> None:
    db["content_items"].create(
        {"kind": str, "id": str, "parent": str, "position": int, "attrs": str},
        pk=("kind", "id"),
        not_null={"position"},
    )
    db["content_texts"].create(
        {"kind": str, "item_id": str, "field": str, "lang": str, "text": str},
        pk=("kind", "item_id", "field", "lang"),
        not_null={"text"},
    )
    db["library_search"].create(
        {"kind": str, "item_id": str, "lang": str, "title": str, "body": str},
        pk=("kind", "item_id", "lang"),
    )
    db["library_search"].enable_fts(["title", "body"], tokenize="trigram", create_triggers=True)
    db["meta"].create({"key": str, "value": str}, pk="key")


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    table = db["_migrations"]
    if not table.exists():
        table.create({"name": str, "applied_at": str}, pk="name")
    done = {row["name"] for row in table.rows}
    applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with db.conn:
            fn(db)
            table.insert({"name": name, "applied_at": datetime.now(UTC).isoformat()})
        applied.append(name)
    return applied
