"""A person's own data: a copy on request, and erasure that keeps the organization's records."""

import json
from typing import Literal

import sqlite_utils

from bot import clock
from bot.db import users
from bot.db.tx import atomic
from bot.services import orgs


def export_json(db: sqlite_utils.Database, user_id: int) -> bytes:
    data = {
        "exported_at": clock.stamp(),
        **users.export(db, user_id),
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


@atomic
def erase(db: sqlite_utils.Database, user_id: int) -> Literal["erased", "hand_over_first"]:
    """Delete the person. The last admin of an organization with others must hand over first,
    or the organization would be left without anyone to run it."""
    if orgs.leave(db, user_id) == "hand_over_first":
        return "hand_over_first"
    users.erase(db, user_id)
    return "erased"


def forget_dialogs(db: sqlite_utils.Database, user_id: int) -> None:
    users.forget_dialogs(db, user_id)
