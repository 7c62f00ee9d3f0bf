"""The log an operator reads: one line per event, naming the update, chat and user, with the
business events (a report submitted, a notice sent, a report moved on) at INFO."""

import logging
import re

import pytest

from bot.logs import OneLine
from tests.conftest import MONTH_END
from tests.test_cases import file_report, team


class Lines(logging.Handler):
    """What ``python -m bot run`` would print, line by line."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(OneLine())
        self.printed: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.printed.append(self.format(record))

    def find(self, pattern: str) -> list[str]:
        return [line for line in self.printed if re.search(pattern, line)]


@pytest.fixture
def lines():
    handler, root = Lines(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


async def test_a_report_leaves_a_trail_of_one_line_events(local, clock, lines):
    clock(MONTH_END)
    boss, worker = await team(local, 9901, "Trail Ltd")
    await file_report(worker, "Oil leak\nat press 4", "Equipment")
    await local.work()  # the outbox tells the manager

    submitted = lines.find(r"report NC-2026-0001 submitted by user 9902: 1 managers to tell")
    assert len(submitted) == 1
    # Logged while the Submit tap was handled: the line names that update, chat and user.
    assert re.search(r"\[update=\d+ chat=9902 user=9902\]$", submitted[0])
    assert lines.find(r"bot\.outbox: outbox \d+ sent: nc\.new to chat 9901")
    taps = lines.find(r"bot\.updates: callback_query handled in \d+ ms \[update=\d+ chat=9902")
    assert len(taps) >= 4  # skip, category, severity, submit
    assert lines.find(r"organization \d+ created by user 9901")
    assert lines.find(r"user 9902 joined organization \d+ as worker")

    await boss.press("👀 Open the report")
    await boss.press("🛡 Containment")
    await boss.send("Press stopped, parts quarantined")
    assert lines.find(r"report NC-2026-0001 new → contained by user 9901")

    assert all("\n" not in line for line in lines.printed)
    assert not any("Oil leak" in line or "quarantined" in line for line in lines.printed)


def test_a_lesser_record_with_a_traceback_stays_on_one_line():
    try:
        raise OSError("disk on fire\nsecond line")
    except OSError as error:
        caught = error
    formatter = OneLine()
    warning = logging.LogRecord("bot.x", logging.WARNING, "", 0, "retry: %s", ("later",), None)
    warning.exc_info = (OSError, caught, caught.__traceback__)
    line = formatter.format(warning)
    assert "\n" not in line
    assert line.endswith("WARNING bot.x: retry: later (OSError: disk on fire ⏎ second line)")

    failed = logging.LogRecord("bot.x", logging.ERROR, "", 0, "update failed", (), None)
    failed.exc_info = (OSError, caught, caught.__traceback__)
    assert "Traceback (most recent call last)" in formatter.format(failed)  # errors keep it
