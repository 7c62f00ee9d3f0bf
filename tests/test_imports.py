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
