"""A report saved is a report its managers are told about, even across a kill -9.

The real `python -m bot run` polls the in-process Bot API over HTTP. Telegram "fails" every
message to the manager, so the notice waits in the outbox; the process is killed with
SIGKILL (no shutdown, nothing flushed); a new process tells the manager, once.
"""

import asyncio
import os
import sys

from bot import ROOT
from bot.db import open_db, users
from bot.localapi import Fault, LocalBotAPI, LocalUser
from bot.localapi.http import serve
from bot.services import library, nc, orgs
from tests.test_transport import wait_for

TOKEN = "123456789:" + "A" * 35


async def start_bot(tmp_path, port: int) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "EVIDENCE_PATH": str(tmp_path / "evidence"),
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


def prepare(tmp_path) -> None:
    """Acme with an admin (501) and a worker (502), made through the services."""
    db = open_db(tmp_path / "bot.sqlite3")
    assert library.load(db) == []
    users.seen(db, 501, "Boss", None, "en")
    users.seen(db, 502, "Wu", None, "en")
    users.mark_onboarded(db, 501)
    users.mark_onboarded(db, 502)
    orgs.create_organization(db, 501, "Acme", "Asia/Shanghai", "en")
    assert orgs.join(db, 502, orgs.create_invite(db, 501, "worker").code).status == "ok"
    db.close()


async def test_a_report_survives_a_kill_9_before_its_managers_are_told(tmp_path):
    prepare(tmp_path)
    api = LocalBotAPI()
    runner, port = await serve(api)

    async def deliver(update: dict) -> None:
        api.enqueue(update)

    boss = LocalUser(api, deliver, 501, "Boss", "en")
    worker = LocalUser(api, deliver, 502, "Wu", "en")
    api.faults.append(Fault(502, "Bad Gateway", method="sendmessage", chat_id=501, times=10**6))
    first = await start_bot(tmp_path, port)
    second = None
    try:

        async def step(action, expected: str) -> None:
            events = len(api.events)
            await action
            await wait_for(lambda: len(api.events) > events and expected in worker.text(), 30)

        await step(worker.send("/report"), "Report a problem")
        await step(worker.send("Guard rail loose at dock 2"), "Where")
        await step(worker.press("⏭ Skip"), "What kind")
        await step(worker.press("Equipment"), "How serious")
        await step(worker.press("🟠 Major"), "Check your report")
        await worker.press("✅ Submit")
        await wait_for(lambda: "Saved as" in worker.text(worker.keyboard_message()))
        # The notice is owed and Telegram keeps failing it: kill the bot mid-retry.
        await wait_for(
            lambda: any(m == "sendmessage" and str(p.get("chat_id")) == "501" for m, p in api.calls)
        )
        first.kill()  # SIGKILL: no shutdown handlers, no flush
        await first.wait()
        assert not any("New report" in m["text"] for m in boss.messages())

        api.faults.clear()  # Telegram is back
        second = await start_bot(tmp_path, port)
        await wait_for(lambda: any("New report" in m["text"] for m in boss.messages()), 30)
        await asyncio.sleep(1)  # a second copy would have arrived by now
        told = [m for m in boss.messages() if "New report" in m["text"]]
        db = open_db(tmp_path / "bot.sqlite3")
        reports = nc.mine(db, 502)
        assert len(reports) == 1 and len(told) == 1
        assert reports[0].reference in told[0]["text"]
        db.close()
    finally:
        for process in (first, second):
            if process and process.returncode is None:
                process.terminate()
                await process.wait()
        await runner.cleanup()
