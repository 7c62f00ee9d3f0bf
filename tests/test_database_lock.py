"""The database held by another process (a backup, an operator's shell), or read-only.

Other people's taps are answered while the lock is held; a report submitted meanwhile is
saved once the lock goes, and only then acknowledged; a change that cannot wait is refused
with a clear message in the person's language, nothing is half-saved, and the bot works
again when the lock goes. Reports numbered from several connections at once never collide.
"""

import asyncio
import sqlite3
import threading

import pytest

from bot.db import open_db, users
from bot.local import LocalBot
from bot.scheduler import tick
from bot.services import library, nc, orgs
from tests.conftest import MONTH_END, make_settings
from tests.test_cases import team


class Holder:
    """Another connection (as another process would) holding SQLite's write lock."""

    def __init__(self, path) -> None:
        self.path = path
        self.taken = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        self.taken.set()
        self.release.wait(30)
        conn.execute("ROLLBACK")
        conn.close()

    def __enter__(self) -> "Holder":
        self.thread.start()
        self.taken.wait()
        return self

    def __exit__(self, *_) -> None:
        self.release.set()
        self.thread.join()


@pytest.fixture
async def on_disk(tmp_path):
    path = tmp_path / "bot.sqlite3"
    db = open_db(path)
    assert library.load(db) == []
    settings = make_settings(database_path=str(path), evidence_path=str(tmp_path / "evidence"))
    bot = await LocalBot(settings, db).start()
    yield bot
    await bot.stop()
    db.close()
    assert bot.api.unanswered() == []


async def fill_report(user, text: str) -> None:
    await user.send("/report")
    await user.send(text)
    await user.press("⏭ Skip")
    await user.press("Equipment")
    await user.press("🟠 Major")


async def test_others_are_answered_while_a_report_waits_for_the_lock(on_disk, clock):
    clock(MONTH_END)
    _boss, worker = await team(on_disk, 7001, "Acme")
    reader = on_disk.user(7003, language_code="zh", first_name="Zhou")
    await reader.send("/library")
    await fill_report(worker, "Guard rail loose at dock 2")

    with Holder(on_disk.settings.database_path) as lock:
        submit = asyncio.create_task(worker.press("✅ Submit"))
        await asyncio.sleep(0.3)  # the submit now waits for the lock, off the event loop
        assert not submit.done()
        # Meanwhile someone else reads the library: their screen changes at once.
        calls = len(on_disk.api.calls)
        tap = asyncio.create_task(reader.press("📖 ISO 9001 条款地图"))
        for _ in range(200):
            if any(
                method == "editmessagetext" and str(params.get("chat_id")) == str(reader.id)
                for method, params in on_disk.api.calls[calls:]
            ):
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the reader got no reply while the lock was held")
        assert not lock.release.is_set() and not submit.done()
        assert "Saved as" not in worker.text()  # nothing acknowledged before it is saved
    await submit
    await tap
    reports = nc.mine(on_disk.db, worker.id)
    assert len(reports) == 1 and f"Saved as {reports[0].reference}" in worker.text()
    assert "条款地图" in reader.text(reader.keyboard_message())


async def test_a_change_refused_by_the_lock_is_said_and_can_be_done_after(on_disk):
    person = on_disk.user(7101, language_code="zh", first_name="Wang")
    await person.send("/menu")
    await person.send("/language")
    with Holder(on_disk.settings.database_path):
        await person.press("English")
        assert "正忙于保存其他内容" in person.text() and "没有保存" in person.text()
        assert users.get(on_disk.db, person.id).language is None  # nothing half-saved
    await person.send("/language")  # the lock is gone: the same change now works
    await person.press("English")
    assert users.get(on_disk.db, person.id).language == "en"


async def test_a_read_only_database_is_said_in_the_persons_language(local):
    person = local.user(7201, language_code="en", first_name="Ann")
    await person.send("/menu")
    await person.send("/language")
    local.db.execute("PRAGMA query_only = ON")  # as a read-only file or disk would refuse
    await person.press("简体中文")
    assert "cannot save anything right now" in person.text()
    local.db.execute("PRAGMA query_only = OFF")
    await person.send("/language")
    await person.press("简体中文")
    assert users.get(local.db, person.id).language == "zh"


def test_reports_numbered_from_several_connections_never_collide(tmp_path, clock):
    clock(MONTH_END)
    path = tmp_path / "bot.sqlite3"
    db = open_db(path)
    users.seen(db, 1, "Boss", None, "en")
    users.mark_onboarded(db, 1)
    orgs.create_organization(db, 1, "Acme", "Asia/Shanghai", "en")
    code = orgs.create_invite(db, 1, "worker").code
    for worker in range(2, 6):
        users.seen(db, worker, f"W{worker}", None, "en")
        assert orgs.join(db, worker, code).status == "ok"
    draft = {"description": "Burr on part", "category": "product", "severity": "minor"}
    failures = []

    def submit_many(worker: int) -> None:
        own = open_db(path)  # one connection per thread, as separate processes would have
        try:
            for n in range(15):
                nc.submit(own, worker, draft, [], f"form-{n}")
        except Exception as error:  # collected: the assertion below names it
            failures.append(error)
        finally:
            own.close()

    threads = [threading.Thread(target=submit_many, args=(w,)) for w in range(2, 6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    numbers = [row[0] for row in db.execute("SELECT number FROM nonconformities ORDER BY number")]
    assert numbers == list(range(1, 61))


async def test_a_tick_that_meets_the_lock_is_put_off_in_one_line_and_catches_up(
    on_disk, clock, caplog
):
    clock(MONTH_END)  # 23:30 in Shanghai: nobody is asked about daily tips in quiet hours
    _boss, worker = await team(on_disk, 9451, "Tick Ltd")
    clock.shift(hours=10)  # 09:30 the next morning: the worker is owed the question
    with Holder(on_disk.settings.database_path):
        await tick(on_disk.db, on_disk.settings, on_disk.dp)
    put_off = [r for r in caplog.records if "tick put off" in r.getMessage()]
    assert len(put_off) == 1 and put_off[0].levelname == "WARNING" and not put_off[0].exc_info
    await tick(on_disk.db, on_disk.settings, on_disk.dp)  # the lock is gone: it catches up
    owed = on_disk.db.execute("SELECT COUNT(*) FROM outbox WHERE chat_id = ?", [worker.id])
    assert owed.fetchone()[0] >= 1
