"""Backups while the bot runs (SQLite's online backup API, evidence beside it) and restoring
one: every report and photo comes back; a running bot's database is never overwritten."""

from datetime import datetime
from pathlib import Path

from bot import backup
from bot.db import open_db
from bot.local import LocalBot
from bot.services import library, nc
from tests.conftest import SHANGHAI, make_settings
from tests.test_cli import run_cli
from tests.test_onboarding import create_org, new_invite

TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
LEAK = {"description": "3号压力机漏油", "category": "equipment", "severity": "major"}


async def test_a_backup_taken_while_the_bot_runs_restores_every_report_and_photo(tmp_path, clock):
    clock(TUESDAY)
    database, evidence = tmp_path / "bot.sqlite3", tmp_path / "evidence"
    settings = make_settings(database_path=str(database), evidence_path=str(evidence))
    local = await LocalBot(settings, open_db(database)).start()
    assert library.load(local.db) == []
    boss = local.user(9501, language_code="zh", first_name="王经理")
    await create_org(boss, "华东精密")
    worker = local.user(9502, language_code="zh", first_name="小李")
    await worker.send("/start " + await new_invite(boss, "员工"))
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
