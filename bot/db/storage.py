"""aiogram FSM storage in our SQLite file, so dialog stacks survive a restart.

aiogram-dialog keeps one record per stack and one per open dialog (``destiny``
``aiogd:stack:…`` / ``aiogd:context:…``), hence ``with_destiny=True``. Values go
through JSON, so a non-JSON value in ``dialog_data`` fails here as it would in
production, not silently in memory.
"""

import json
from collections.abc import Mapping
from typing import Any

import sqlite_utils
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from bot.db.tx import write


class SqliteStorage(BaseStorage):
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.key_builder = DefaultKeyBuilder(with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    def _row(self, key: StorageKey) -> dict[str, Any] | None:
        rows = self.db.execute(
            "SELECT state, data FROM fsm WHERE key = ?", [self._key(key)]
        ).fetchall()
        return {"state": rows[0][0], "data": rows[0][1]} if rows else None

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        with write(self.db):
            self.db.execute(
                "INSERT INTO fsm (key, state) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET state = excluded.state",
                [self._key(key), value],
            )

    async def get_state(self, key: StorageKey) -> str | None:
        row = self._row(key)
        return row["state"] if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        encoded = json.dumps(dict(data), ensure_ascii=False) if data else None
        with write(self.db):
            self.db.execute(
                "INSERT INTO fsm (key, data) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET data = excluded.data",
                [self._key(key), encoded],
            )
            self.db.execute(
                "DELETE FROM fsm WHERE key = ? AND state IS NULL AND data IS NULL",
                [self._key(key)],
            )

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = self._row(key)
        return json.loads(row["data"]) if row and row["data"] else {}

    async def close(self) -> None:
        pass
