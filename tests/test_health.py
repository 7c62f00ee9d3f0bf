"""Health checks: ``python -m bot status`` (polling) and ``/healthz`` (webhook) say what is
wrong, one line each, and fail when the database, the outbox or the scheduler is not well."""

from aiohttp.test_utils import TestClient, TestServer

from bot import backup, health
from bot.app import build_bot, build_dispatcher
from bot.clock import stamp
from bot.db import open_db
from bot.db import outbox as letters
from bot.localapi import LocalBotAPI, LocalSession
from bot.runner import webhook_app
from bot.services import routine
from tests.conftest import MONTH_END, make_settings
from tests.test_cli import run_cli
from tests.test_transport import SECRET


def lines(found) -> dict[str, bool]:
    return {check.name: check.ok for check in found}


def test_status_is_well_only_while_the_bot_runs_sends_and_ticks(tmp_path, clock):
    clock(MONTH_END)
    path = tmp_path / "bot.sqlite3"
    db = open_db(path)
    routine.tick(db, "Asia/Shanghai")
    with backup.running(path):  # what `python -m bot run` holds
        found = health.status(path)
        assert all(lines(found).values()) and len(found) == 4
        assert "migrations applied" in found[1].detail

        letters.notice(db, "k1", 42, "nc.new", {"nc": 1}, stamp())
        clock.shift(minutes=11)  # the letter waited, and the scheduler has not ticked since
        found = health.status(path)
        assert lines(found) == {
            "process": True,
            "database": True,
            "outbox": False,
            "scheduler": False,
        }
        assert "1 letters owed; one has waited since 2026-11-30 15:30 UTC" in found[2].line()
        assert found[3].line().startswith("FAIL scheduler: last tick 2026-11-30 15:30:00 UTC")
    assert lines(health.status(path))["process"] is False  # the bot stopped


def test_status_command_exits_non_zero_when_no_bot_runs(tmp_path):
    open_db(tmp_path / "bot.sqlite3").close()
    done = run_cli("status", env={"DATABASE_PATH": str(tmp_path / "bot.sqlite3")})
    assert done.returncode == 1
    assert "FAIL process: no bot runs" in done.stdout
    assert "ok   database" in done.stdout
    missing = run_cli("status", env={"DATABASE_PATH": str(tmp_path / "none" / "x.sqlite3")})
    assert missing.returncode == 1 and "FAIL database: cannot be opened" in missing.stdout


async def test_healthz_answers_503_when_the_outbox_stalls(db, clock):
    clock(MONTH_END)
    settings = make_settings(
        bot_token="1:abc", webhook_url="https://bot.example/hook", webhook_secret=SECRET
    )
    bot = build_bot(settings, LocalSession(LocalBotAPI()))
    app = webhook_app(settings, bot, build_dispatcher(settings, db))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        well = await client.get("/healthz")
        assert well.status == 200 and "ok   outbox: 0 letters owed" in await well.text()
        letters.notice(db, "k1", 42, "nc.new", {"nc": 1}, stamp())
        clock.shift(minutes=11)
        stalled = await client.get("/healthz")
        assert stalled.status == 503
        assert "FAIL outbox: 1 letters owed" in await stalled.text()
