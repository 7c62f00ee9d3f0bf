"""The real transports: a webhook with its secret header, and polling a Bot API server over HTTP."""

import asyncio
import os
import re
import signal
import sys

from aiohttp.test_utils import TestClient, TestServer

from bot import ROOT
from bot.app import build_bot, build_dispatcher
from bot.localapi import LocalBotAPI, LocalSession, LocalUser
from bot.localapi.http import serve
from bot.runner import webhook_app
from tests.conftest import make_settings

SECRET = "s3cret-Token_1"


async def wait_for(predicate, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("the bot did not answer in time")
        await asyncio.sleep(0.05)


def start_update(update_id: int, text: str = "/start") -> dict:
    user = {"id": 501, "is_bot": False, "first_name": "Web", "language_code": "zh"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1795500000,
            "chat": {"id": 501, "type": "private"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_webhook_rejects_requests_without_the_secret(db):
    settings = make_settings(
        bot_token="1:abc", webhook_url="https://bot.example/hook", webhook_secret=SECRET
    )
    api = LocalBotAPI()
    api.chats[501] = {"id": 501, "type": "private"}
    bot = build_bot(settings, LocalSession(api))
    app = webhook_app(settings, bot, build_dispatcher(settings, db))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert api.webhook["url"] == "https://bot.example/hook"
        assert api.webhook["secret_token"] == SECRET
        missing = await client.post("/hook", json=start_update(1))
        wrong = await client.post(
            "/hook", json=start_update(2), headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
        )
        assert (missing.status, wrong.status) == (401, 401)
        assert api.bot_messages(501) == []

        right = await client.post(
            "/hook", json=start_update(3), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert right.status == 200
        await wait_for(lambda: api.bot_messages(501))
        assert "欢迎使用认证通！" in api.bot_messages(501)[-1]["text"]  # a newcomer, in Chinese
        health = await client.get("/healthz")
        assert health.status == 200


async def test_run_polls_a_bot_api_server_over_http(tmp_path):
    """`python -m bot run` with TELEGRAM_API_URL serves the same flows as the console."""
    api = LocalBotAPI()
    runner, port = await serve(api)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "123456:local-test-token",
        "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
        "DATABASE_PATH": str(tmp_path / "run.sqlite3"),
        "LOG_LEVEL": "INFO",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )

    async def deliver(update: dict) -> None:
        api.enqueue(update)

    user = LocalUser(api, deliver, 777, "Polly", "en")
    try:
        await wait_for(lambda: ("default", "zh") in api.commands, timeout=30)
        await user.send("/menu")
        await wait_for(lambda: user.messages())
        assert "Hello, Polly!" in user.text()
        await user.press("📚 Library")
        # The callback's answer may come before the edit: wait for the screen itself.
        await wait_for(lambda: user.text().startswith("Library"))
        await user.send("/search corrective action")
        await wait_for(lambda: "Results for" in user.text())
        assert "§ 10.2 Nonconformity and corrective action" in user.buttons()
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        await runner.cleanup()
    log = stderr.decode()
    assert "local-test-token" not in log  # the token never reaches the log
    assert "Traceback" not in log, log
    # One line per event, naming the update, chat and user it happened in.
    tap = r"INFO bot\.updates: callback_query handled in \d+ ms \[update=\d+ chat=777 user=777\]"
    assert re.search(tap, log), log


async def test_webhook_url_without_a_path_is_served_where_telegram_posts(db):
    settings = make_settings(
        bot_token="1:abc", webhook_url="https://bot.example", webhook_secret=SECRET
    )
    api = LocalBotAPI()
    api.chats[501] = {"id": 501, "type": "private"}
    app = webhook_app(
        settings, build_bot(settings, LocalSession(api)), build_dispatcher(settings, db)
    )
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        assert api.webhook["url"] == "https://bot.example/webhook"
        odd = await client.post(
            "/webhook", json=start_update(9), headers={"X-Telegram-Bot-Api-Secret-Token": "sécret"}
        )
        assert odd.status == 401  # a non-ASCII header is a mismatch, not a crash
        ok = await client.post(
            "/webhook", json=start_update(10), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert ok.status == 200
        assert api.bot_messages(501)
