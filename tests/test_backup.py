"""Backups while the bot runs (SQLite's online backup API, evidence beside it) and restoring
one: every report and photo comes back; a running bot's database is never overwritten."""

import asyncio
import os
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from bot import ROOT, backup
from bot.db import open_db
from bot.evidence import archive
from bot.local import LocalBot
from bot.services import library, nc
from tests.conftest import SHANGHAI, make_settings
from tests.test_cli import run_cli
from tests.test_onboarding import create_org, new_invite

TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
LEAK = {"description": "3号压力机漏油", "category": "equipment", "severity": "major"}


async def running_bot(tmp_path, boss_id: int):
    """The bot on ``bot.sqlite3`` and ``evidence`` in ``tmp_path``; a manager and a worker."""
    database, evidence = tmp_path / "bot.sqlite3", tmp_path / "evidence"
    settings = make_settings(database_path=str(database), evidence_path=str(evidence))
    local = await LocalBot(settings, open_db(database)).start()
    assert library.load(local.db) == []
    boss = local.user(boss_id, language_code="zh", first_name="王经理")
    await create_org(boss, "华东精密")
    worker = local.user(boss_id + 1, language_code="zh", first_name="小李")
    await worker.send("/start " + await new_invite(boss, "员工"))
    return local, worker


async def test_a_backup_taken_while_the_bot_runs_restores_every_report_and_photo(tmp_path, clock):
    clock(TUESDAY)
    local, worker = await running_bot(tmp_path, 9501)
    database, evidence = tmp_path / "bot.sqlite3", tmp_path / "evidence"
    for n in range(3):
        photo = local.api.store_file(f"photo {n}".encode(), "photos", ".jpg")
        nc.report(local.db, worker.id, LEAK, [(photo.file_id, photo.unique_id)], f"k{n}")
    await local.work()  # the photos archived into the evidence folder
    assert len([p for p in evidence.rglob("*") if p.is_file()]) == 3

    with backup.running(database):  # the bot is running: a backup is fine, a restore is not
        env = {"DATABASE_PATH": str(database), "EVIDENCE_PATH": str(evidence)}
        taken = run_cli("backup", str(tmp_path / "copy"), env=env)
        assert taken.returncode == 0, taken.stderr
        assert "3 reports, 3 photos, 3 evidence files" in taken.stdout
        refused = run_cli("restore", str(tmp_path / "copy"), env=env)
        assert refused.returncode == 2 and "a bot is running on" in refused.stderr
        again = run_cli("backup", str(tmp_path / "copy"), env=env)
        assert again.returncode == 2 and "is not empty" in again.stderr
    await local.stop()

    # On a new machine: an empty disk, the backup restored.
    fresh = {
        "DATABASE_PATH": str(tmp_path / "new" / "bot.sqlite3"),
        "EVIDENCE_PATH": str(tmp_path / "new" / "evidence"),
    }
    restored = run_cli("restore", str(tmp_path / "copy"), env=fresh)
    assert restored.returncode == 0, restored.stderr
    assert "3 reports, 3 photos, 3 evidence files" in restored.stdout
    back = open_db(Path(fresh["DATABASE_PATH"]))
    references = [r.reference for r in nc.repo.of_reporter(back, worker.id)]
    assert sorted(references) == ["NC-2026-0001", "NC-2026-0002", "NC-2026-0003"]
    files = sorted(p.read_bytes() for p in Path(fresh["EVIDENCE_PATH"]).rglob("*.jpg"))
    assert files == [b"photo 0", b"photo 1", b"photo 2"]


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    result = run_cli("restore", str(tmp_path), env=env)
    assert result.returncode == 2 and "not a CertReady backup" in result.stderr


async def test_a_backup_taken_while_reports_keep_coming_holds_each_with_its_photos(tmp_path, clock):
    clock(TUESDAY)
    local, worker = await running_bot(tmp_path, 9511)
    database, evidence = tmp_path / "bot.sqlite3", tmp_path / "evidence"
    filed, twenty, copied = 0, asyncio.Event(), asyncio.Event()

    async def reports_keep_coming() -> None:  # until the copy is taken (the clock stands still)
        nonlocal filed
        for n in range(5000):
            if copied.is_set():
                break
            if n == 20:
                twenty.set()
            photo = local.api.store_file(f"photo {n}".encode(), "photos", ".jpg")
            nc.report(local.db, worker.id, LEAK, [(photo.file_id, photo.unique_id)], f"load{n}")
            filed += 1
            if n % 5 == 4:  # photos archived into the evidence folder as they come
                await archive(local.bot, local.db, evidence)
            await asyncio.sleep(0)

    async def backup_meanwhile() -> tuple[int, int]:
        await twenty.wait()
        before = filed
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env |= {"DATABASE_PATH": str(database), "EVIDENCE_PATH": str(evidence)}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "backup",
            str(tmp_path / "copy"),
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await process.communicate()
        copied.set()
        assert process.returncode == 0, err.decode()
        return before, filed

    with backup.running(database):
        _, (before, after) = await asyncio.gather(reports_keep_coming(), backup_meanwhile())
    await local.stop()
    assert after > before  # reports were being written while the copy was taken
    print(f"filed {before} before the backup began, {after} when it ended")

    copy = sqlite3.connect(tmp_path / "copy" / backup.DATABASE)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    numbers = [row[0] for row in copy.execute("SELECT number FROM nonconformities ORDER BY 1")]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= before  # no gap
    print(f"the copy holds {len(numbers)} reports")
    archived = copy.execute("SELECT local_path FROM nc_photos WHERE local_path IS NOT NULL")
    for (path,) in archived.fetchall():  # every photo the copy says is archived is in it
        kept = tmp_path / "copy" / backup.EVIDENCE / Path(path).relative_to(evidence)
        assert kept.is_file() and kept.read_bytes().startswith(b"photo "), kept
    copy.close()

    fresh = {  # restored on a new machine: every report and archived photo of the copy
        "DATABASE_PATH": str(tmp_path / "new" / "bot.sqlite3"),
        "EVIDENCE_PATH": str(tmp_path / "new" / "evidence"),
    }
    restored = run_cli("restore", str(tmp_path / "copy"), env=fresh)
    assert restored.returncode == 0, restored.stderr
    back = sqlite3.connect(fresh["DATABASE_PATH"])
    assert [r[0] for r in back.execute("SELECT number FROM nonconformities ORDER BY 1")] == numbers
    archived = back.execute("SELECT local_path FROM nc_photos WHERE local_path IS NOT NULL")
    paths = [Path(fresh["EVIDENCE_PATH"]) / Path(p).relative_to(evidence) for (p,) in archived]
    assert paths and all(path.is_file() for path in paths)
    back.close()
