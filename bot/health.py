"""Is the bot well? The same checks for ``python -m bot status`` and ``/healthz``.

- the database opens, answers, and has every migration applied;
- the outbox keeps up: no letter that could go has waited longer than ``STALL_AFTER``;
- the scheduler ticks: its last tick is more recent than ``STALL_AFTER``;
- (``status`` only) a bot process runs on this database: it holds ``<db>.lock``.
Each check is one line; any failed one makes the whole answer "not well".
"""

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot import backup, clock
from bot.db import outbox as repo
from bot.db.migrations import MIGRATIONS
from bot.outbox import STALL_AFTER, parse_moment


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def status(
    database: Path | str, now: datetime | None = None, scheduler: bool = True
) -> list[Check]:
    """For ``python -m bot status``: a bot process runs on ``database``, and ``checks``
    read from the file without changing it."""
    running = backup.in_use(Path(database))
    found = [Check("process", running, "a bot runs on this database" if running else "no bot runs")]
    try:
        conn = sqlite3.connect(f"file:{Path(database).absolute()}?mode=ro", uri=True, timeout=2)
    except sqlite3.Error as error:
        return [*found, Check("database", False, f"cannot be opened ({error})")]
    try:
        return found + checks(conn, now, scheduler)
    finally:
        conn.close()


def checks(db, now: datetime | None = None, scheduler: bool = True) -> list[Check]:
    """The database, the outbox and (if it runs in this process) the scheduler; ``db`` is a
    ``sqlite_utils.Database`` or a plain ``sqlite3`` connection, only read."""
    now = now or clock.now()
    try:
        applied = {row[0] for row in db.execute("SELECT name FROM _migrations")}
        missing = [name for name, _fn in MIGRATIONS if name not in applied]
        found = [
            Check("database", True, f"{len(applied)} migrations applied")
            if not missing
            else Check("database", False, f"migrations not applied: {', '.join(missing)}")
        ]
        due = parse_moment(repo.oldest_due(db, clock.stamp(now)))
        owed = repo.backlog(db, clock.stamp(now), clock.stamp(now)).owed
        late = due is not None and now - due > STALL_AFTER
        detail = f"{owed} letters owed"
        if late:
            detail += f"; one has waited since {due:%Y-%m-%d %H:%M} UTC"
        found.append(Check("outbox", not late, detail))
        if scheduler:
            tick = parse_moment(repo.last_scheduler_tick(db))
            found.append(
                Check(
                    "scheduler",
                    tick is not None and now - tick <= STALL_AFTER,
                    f"last tick {tick:%Y-%m-%d %H:%M:%S} UTC" if tick else "no tick recorded",
                )
            )
    except sqlite3.Error as error:
        return [Check("database", False, f"cannot be read ({error})")]
    return found
