"""The XLSX of all reports and their history."""

import asyncio

from aiogram.utils.i18n import gettext as _

from bot.db import users
from bot.services import export, nc
from dialogs.nc_labels import category_name, severity_name, status_name


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
