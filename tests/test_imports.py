"""Heavy libraries load when first used, not when the bot starts: most updates never draw a
chart, print a QR code or build a spreadsheet."""

import subprocess
import sys

from bot import ROOT

HEAVY = ("openpyxl", "matplotlib", "segno", "PIL", "docx", "fsrs")


def test_building_the_dispatcher_loads_no_heavy_library():
    code = (
        "import sys\n"
        "from bot.app import build_dispatcher\n"
        "from bot.db import open_db\n"
        "from tests.conftest import make_settings\n"
        "build_dispatcher(make_settings(), open_db(None))\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


async def test_no_tap_or_command_is_handed_to_a_thread(local, clock, monkeypatch):
    """aiogram runs a filter or handler that is a plain function (a magic filter too) in a
    worker thread: a hand-over per router an update passes. Ours are coroutines."""
    from aiogram.dispatcher.event import handler

    from tests.conftest import MONTH_END
    from tests.test_cases import file_report, team

    clock(MONTH_END)
    handed = []
    real = handler.asyncio.to_thread

    async def to_thread(fn, *args, **kwargs):
        handed.append(getattr(getattr(fn, "func", fn), "__qualname__", repr(fn)))
        return await real(fn, *args, **kwargs)

    monkeypatch.setattr(handler.asyncio, "to_thread", to_thread)
    boss, worker = await team(local, 9601, "Thread Ltd")
    await worker.send("/menu")
    await worker.press("📚 Library")
    await worker.press("📖 ISO 9001 clause map")
    await worker.press("10 Improvement")
    await file_report(worker, "Oil on the floor", "Equipment")
    await boss.send("/reports")
    await worker.send("hello")
    assert handed == []
