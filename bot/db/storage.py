"""aiogram FSM storage in our SQLite file, so dialog stacks survive a restart.

aiogram-dialog keeps one record per stack and one per open dialog (``destiny``
``aiogd:stack:…`` / ``aiogd:context:…``), hence ``with_destiny=True``. Values go
through JSON, so a non-JSON value in ``dialog_data`` fails here as it would in
production, not silently in memory.

aiogram-dialog reads a stack and a context at every update and writes both back after it,
changed or not. So recent records are kept in memory as their JSON text (a fresh copy each
read: aiogram-dialog changes what it reads), a record written unchanged is not written
again, and a write is one statement, done by the database's ``Writer`` off the event loop
(it may wait for another process's lock; the person already has their reply). aiogram-
dialog holds the stack's lock until its records are saved, so nobody reads a record while
its write is pending.
"""

import json
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import sqlite_utils
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from bot.db.offloop import Writer

KEEP = 4096  # records kept in memory (two per person with a dialog open)
_STORAGES: "weakref.WeakKeyDictionary[sqlite_utils.Database, SqliteStorage]" = (
    weakref.WeakKeyDictionary()
)


def forget_cached(db: sqlite_utils.Database, prefix: str) -> None:
    """Records under ``prefix`` were deleted from the database directly (erasure)."""
    storage = _STORAGES.get(db)
    if storage is not None:
        for key in [key for key in storage.cache if key.startswith(prefix)]:
            del storage.cache[key]


def _save(db: sqlite_utils.Database, key: str, state: str | None, data: str | None) -> None:
    """One statement: the row as it now is, or none when it holds nothing."""
    if state is None and data is None:
        db.execute("DELETE FROM fsm WHERE key = ?", [key])
    else:
        db.execute(
            "INSERT INTO fsm (key, state, data) VALUES (?, ?, ?) ON CONFLICT(key)"
            " DO UPDATE SET state = excluded.state, data = excluded.data",
            [key, state, data],
        )


class SqliteStorage(BaseStorage):
    def __init__(self, db: sqlite_utils.Database, writer: Writer | None = None) -> None:
        self.db = db
        self.writer = writer or Writer(db)
        self.key_builder = DefaultKeyBuilder(with_destiny=True)
        self.cache: OrderedDict[str, tuple[str | None, str | None]] = OrderedDict()
        _STORAGES[db] = self

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    def _row(self, key: str) -> tuple[str | None, str | None]:
        """(state, data as JSON) of ``key``, from memory or the database."""
        row = self.cache.get(key)
        if row is None:
            found = self.db.execute("SELECT state, data FROM fsm WHERE key = ?", [key]).fetchall()
            row = (found[0][0], found[0][1]) if found else (None, None)
            self._keep(key, row)
        else:
            self.cache.move_to_end(key)
        return row

    def _keep(self, key: str, row: tuple[str | None, str | None]) -> None:
        self.cache[key] = row
        self.cache.move_to_end(key)
        while len(self.cache) > KEEP:
            self.cache.popitem(last=False)

    async def _write(self, key: str, column: str, value: str | None) -> None:
        state, data = self._row(key)
        row = (value, data) if column == "state" else (state, value)
        if row == (state, data):
            return
        self.cache.pop(key, None)  # until it is written: a failed write must not linger
        await self.writer.run_quick(_save, key, *row)  # one statement
        self._keep(key, row)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(self._key(key), "state", value)

    async def get_state(self, key: StorageKey) -> str | None:
        return self._row(self._key(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        encoded = json.dumps(dict(data), ensure_ascii=False) if data else None
        await self._write(self._key(key), "data", encoded)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        data = self._row(self._key(key))[1]
        return json.loads(data) if data else {}

    async def close(self) -> None:
        self.writer.close()
