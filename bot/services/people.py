"""People as screens and notices name them, and what the bot knows of their first steps."""

import sqlite_utils

from bot.db import users as repo
from bot.db.users import User

__all__ = ["User", "get", "mark_onboarded", "name", "onboarded"]


def get(db: sqlite_utils.Database, user_id: int | None) -> User | None:
    return repo.get(db, user_id) if user_id else None


def name(db: sqlite_utils.Database, user_id: int | None) -> str:
    """The person's first name, or "—" for nobody (left, erased, never known)."""
    person = get(db, user_id)
    return person.first_name if person and person.first_name else "—"


def onboarded(db: sqlite_utils.Database, user_id: int) -> bool:
    return repo.onboarded(db, user_id)


def mark_onboarded(db: sqlite_utils.Database, user_id: int) -> None:
    repo.mark_onboarded(db, user_id)
