"""Report photos copied into the evidence folder: ``<folder>/<org>/<reference>/<n>.jpg``.

Telegram keeps file ids, but a record should not depend on it. A photo without a local copy
is owed work, tried again after longer and longer pauses (as the outbox does) until it is
archived, its last error kept; the report screen says how many are not yet archived.
"""

import logging
from pathlib import Path

import sqlite_utils
from aiogram import Bot

from bot import clock
from bot.db import nc as repo

log = logging.getLogger(__name__)
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what a bot may download through the Bot API
SUFFIX = {"photo": ".jpg", "voice": ".ogg", "video": ".mp4"}
LOUD_AFTER = 10  # failures before it is logged as an error: someone should look


async def archive(bot: Bot, db: sqlite_utils.Database, folder: Path) -> int:
    """Copy what is owed; returns how many photos were archived in this pass."""
    copied = 0
    for photo in repo.unarchived(db, clock.stamp()):
        name = f"{photo.position + 1}{SUFFIX.get(photo.kind, '.bin')}"
        target = Path(folder) / str(photo.org_id) / photo.reference / name
        try:
            info = await bot.get_file(photo.file_id)
            if (info.file_size or 0) > DOWNLOAD_LIMIT:
                raise OSError(f"{info.file_size} bytes: more than a bot may download")
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")  # never half a file as the record
            await bot.download_file(info.file_path, destination=partial)
            partial.replace(target)
        except Exception as error:  # Telegram, the disk, or the download itself (aiohttp)
            retry_at = clock.stamp(clock.now() + clock.backoff(photo.attempts))
            repo.photo_failed(db, photo.nc_id, photo.position, repr(error), retry_at)
            level = logging.ERROR if photo.attempts + 1 == LOUD_AFTER else logging.WARNING
            log.log(
                level,
                "photo %s of %s not archived yet: %s",
                photo.position + 1,
                photo.reference,
                error,
            )
            continue
        repo.set_photo_path(db, photo.nc_id, photo.position, str(target))
        copied += 1
    return copied
