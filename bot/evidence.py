"""Report photos copied into the evidence folder: ``<folder>/<org>/<reference>/<n>.jpg``.

Telegram keeps file ids, but a record should not depend on it. A photo without a local copy
is owed work, retried on every pass of the background sender until archived (or given up
after ``MAX_ATTEMPTS``, its last error kept); the report screen says how many are not yet
archived.
"""

import logging
from pathlib import Path

import sqlite_utils
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.db import nc as repo

log = logging.getLogger(__name__)
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what a bot may download through the Bot API
MAX_ATTEMPTS = 20


async def archive(bot: Bot, db: sqlite_utils.Database, folder: Path) -> int:
    """Copy what is owed; returns how many photos were archived in this pass."""
    copied = 0
    for photo in repo.unarchived(db, MAX_ATTEMPTS):
        target = Path(folder) / str(photo.org_id) / photo.reference / f"{photo.position + 1}.jpg"
        try:
            info = await bot.get_file(photo.file_id)
            if (info.file_size or 0) > DOWNLOAD_LIMIT:
                raise OSError(f"{info.file_size} bytes: more than a bot may download")
            target.parent.mkdir(parents=True, exist_ok=True)
            await bot.download_file(info.file_path, destination=target)
        except (TelegramAPIError, OSError) as error:
            repo.photo_failed(db, photo.nc_id, photo.position, str(error))
            if photo.attempts + 1 >= MAX_ATTEMPTS:
                log.error(
                    "gave up archiving photo %s of %s: %s",
                    photo.position + 1,
                    photo.reference,
                    error,
                )
            else:
                log.warning(
                    "photo %s of %s not archived yet: %s",
                    photo.position + 1,
                    photo.reference,
                    error,
                )
            continue
        repo.set_photo_path(db, photo.nc_id, photo.position, str(target))
        copied += 1
    return copied
