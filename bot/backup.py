"""Backups while the bot runs, and restoring one.

``backup`` copies the database with SQLite's online backup API — a consistent snapshot that
includes what is still in the ``-wal`` file (a plain ``cp`` of a running bot's database can
miss every recent report) — and the evidence folder beside it, then a manifest of what it
holds. ``restore`` refuses while a bot runs on the target database (it holds ``<db>.lock``),
keeps the database it replaces, and puts the evidence back.
"""

import fcntl
import json
import shutil
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot import clock

DATABASE = "certready.sqlite3"
EVIDENCE = "evidence"
MANIFEST = "MANIFEST.json"


class BackupError(Exception):
    """Why a backup or restore was refused, in a sentence for the operator."""


@dataclass(frozen=True)
class Copied:
    reports: int
    photos: int
    files: int


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def running(database: Path):
    """Held by a running bot for as long as it runs: restore checks it."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with lock_path(database).open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def in_use(database: Path) -> bool:
    path = lock_path(database)
    if not path.exists():
        return False
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _counts(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as connection:
        reports = connection.execute("SELECT COUNT(*) FROM nonconformities").fetchone()[0]
        photos = connection.execute("SELECT COUNT(*) FROM nc_photos").fetchone()[0]
    return reports, photos


def backup(database: Path, evidence: Path, dest: Path) -> Copied:
    """A consistent copy of the database and the evidence into ``dest`` (new or empty)."""
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: choose a new folder for the backup")
    dest.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(database)
    target = sqlite3.connect(dest / DATABASE)
    try:
        source.backup(target)  # online: the bot may go on writing
    finally:
        target.close()
        source.close()
    files = 0
    if evidence.is_dir():
        for path in sorted(evidence.rglob("*")):
            if path.is_file() and not path.name.endswith(".part"):
                copy = dest / EVIDENCE / path.relative_to(evidence)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, copy)
                files += 1
    reports, photos = _counts(dest / DATABASE)
    manifest = {"taken_at": clock.stamp(), "reports": reports, "photos": photos, "files": files}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return Copied(reports, photos, files)


def restore(src: Path, database: Path, evidence: Path) -> Copied:
    """Put a backup back; refused while a bot runs on ``database``. The database replaced is
    kept as ``<db>.before-restore``."""
    if not (src / DATABASE).is_file():
        raise BackupError(f"{src} holds no {DATABASE}: not a CertReady backup")
    if in_use(database):
        raise BackupError(f"a bot is running on {database}: stop it before restoring")
    database.parent.mkdir(parents=True, exist_ok=True)
    if database.exists():
        kept = database.with_name(database.name + ".before-restore")
        source = sqlite3.connect(database)
        target = sqlite3.connect(kept)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        for extra in ("-wal", "-shm"):
            database.with_name(database.name + extra).unlink(missing_ok=True)
    source = sqlite3.connect(src / DATABASE)
    target = sqlite3.connect(database)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    files = 0
    if (src / EVIDENCE).is_dir():
        for path in sorted((src / EVIDENCE).rglob("*")):
            if path.is_file():
                copy = evidence / path.relative_to(src / EVIDENCE)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, copy)
                files += 1
    reports, photos = _counts(database)
    return Copied(reports, photos, files)
