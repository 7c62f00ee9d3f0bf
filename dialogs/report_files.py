"""Report files: photos copied into the evidence folder, and the XLSX of all reports."""

import asyncio
import logging
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import gettext as _

from bot.db import users
from bot.db.nc import Nonconformity
from bot.services import export, nc
from dialogs.nc_labels import category_name, severity_name, status_name

log = logging.getLogger(__name__)
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what a bot may download through the Bot API


async def keep_evidence(bot: Bot, db, folder: Path, report: Nonconformity) -> int:
    """Copy the report's photos into ``folder/<org>/<reference>/`` (Telegram keeps file ids,
    but evidence should not depend on it). Returns how many were copied."""
    copied = 0
    for position, file_id in nc.photos_to_keep(db, report.id):
        target = folder / str(report.org_id) / report.reference / f"{position + 1}.jpg"
        try:
            info = await bot.get_file(file_id)
            if (info.file_size or 0) > DOWNLOAD_LIMIT:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            await bot.download_file(info.file_path, destination=target)
        except (TelegramAPIError, OSError) as error:
            log.warning("could not keep photo %s of %s: %s", position, report.reference, error)
            continue
        nc.kept(db, report.id, position, str(target))
        copied += 1
    return copied


def _name(db, user_id: int | None) -> str:
    person = users.get(db, user_id) if user_id else None
    return person.first_name if person else "—"


async def reports_xlsx(db, actor_id: int) -> bytes:
    reports, events = nc.export_rows(db, actor_id)
    rows = [
        [
            r.reference,
            r.created_at[:16].replace("T", " "),
            status_name(r.status),
            severity_name(r.severity),
            category_name(r.category),
            r.area or "",
            _name(db, r.reporter_id),
            r.description,
            r.containment or "",
            r.root_cause or "",
            r.action or "",
            _name(db, r.owner_id) if r.owner_id else "",
            r.due_date or "",
            r.reason or "",
        ]
        for r in reports
    ]
    history = [
        [
            r.reference,
            e.at[:16].replace("T", " "),
            _name(db, e.actor_id),
            status_name(e.from_status) if e.from_status else "",
            status_name(e.to_status),
            e.note or "",
        ]
        for r, e in events
    ]
    sheets = [
        (
            _("Reports"),
            [
                _("Reference"),
                _("Reported"),
                _("Status"),
                _("Severity"),
                _("Category"),
                _("Area"),
                _("Reporter"),
                _("What happened"),
                _("Containment"),
                _("Root cause"),
                _("Corrective action"),
                _("Owner"),
                _("Due"),
                _("Reason"),
            ],
            rows,
        ),
        (
            _("History"),
            [_("Reference"), _("When"), _("Who"), _("From"), _("To"), _("Note")],
            history,
        ),
    ]
    return await asyncio.to_thread(export.workbook, sheets)
