"""APScheduler in the bot's own process, with one fixed job: a tick every minute.

The tick finds due work in our tables (``bot/services/routine.py``) and owes it in the
outbox; the outbox's sender does the sending, through the one limiter, behind people's own
taps. No job per person or per reminder lives in APScheduler, so there is nothing to lose
or to run twice across a restart: keys in our tables make every tick idempotent.
"""

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime

import sqlite_utils
from aiogram import Dispatcher

from bot import clock
from bot.config import Settings
from bot.db.offloop import held_by_another
from bot.services import routine

log = logging.getLogger(__name__)
EVERY = 60  # seconds


async def tick(db: sqlite_utils.Database, settings: Settings, dispatcher: Dispatcher) -> None:
    """The tick's steps one after the other, letting people's updates in between; the
    sender is woken as soon as something is owed."""
    done = routine.Tick()
    try:
        for step in routine.steps(db, settings.default_timezone, clock.now()):
            done += step
            if step.owed and (wake := dispatcher.workflow_data.get("outbox_wake")):
                wake.set()
            await asyncio.sleep(0)
    except sqlite3.OperationalError as error:
        if not held_by_another(error):
            log.exception("scheduler tick failed")
        else:  # another process holds the write lock (a backup, a shell): nothing is lost
            log.warning("tick put off (database %s); the next tick catches up", error)
    except Exception:
        log.exception("scheduler tick failed")
    if done.owed or done.skipped:
        log.info(
            "tick: %s tips, %s reminders owed, %s skipped", done.tips, done.reminders, done.skipped
        )


async def start_scheduler(
    dispatcher: Dispatcher, db: sqlite_utils.Database, settings: Settings
) -> None:
    if not settings.scheduler:
        return
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = AsyncIOScheduler(timezone=UTC, event_loop=asyncio.get_running_loop())
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=EVERY, timezone=UTC),
        kwargs={"db": db, "settings": settings, "dispatcher": dispatcher},
        id="tick",
        next_run_time=datetime.now(UTC),  # at start: catch up at once
        coalesce=True,
        max_instances=1,
        misfire_grace_time=EVERY,
        replace_existing=True,
    )
    scheduler.start()
    dispatcher["scheduler"] = scheduler
    log.info("scheduler started: a tick every %s s", EVERY)


async def stop_scheduler(dispatcher: Dispatcher) -> None:
    scheduler = dispatcher.workflow_data.pop("scheduler", None)
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)
