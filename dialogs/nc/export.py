"""The XLSX of all reports and their history."""

import asyncio
from datetime import date, datetime

from aiogram.utils.i18n import gettext as _

from bot import clock
from bot.services import export, nc, orgs, people
from dialogs.nc.labels import category_name, severity_name, status_name


def _name(db, user_id: int | None) -> str:
    return people.name(db, user_id)


def _local(moment: str, timezone: str) -> datetime:
    """A stored moment as a naive wall-clock time in the organization's zone (Excel has no
    zones: the column heading names it)."""
    return clock.local(moment, timezone).replace(tzinfo=None)


async def reports_xlsx(db, actor_id: int) -> bytes:
    """Every report and every history row, times in the organization's zone."""
    reports, events = nc.export_rows(db, actor_id)
    timezone = orgs.organization(db, actor_id)["timezone"]
    zone = timezone
    rows = [
        [
            r.reference,
            _local(r.created_at, timezone),
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
            date.fromisoformat(r.due_date) if r.due_date else "",
            r.reason or "",
        ]
        for r in reports
    ]
    history = [
        [
            r.reference,
            _local(e.at, timezone),
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
                _("Reported ({zone})").format(zone=zone),
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
            [
                _("Reference"),
                _("When ({zone})").format(zone=zone),
                _("Who"),
                _("From"),
                _("To"),
                _("Note"),
            ],
            history,
        ),
    ]
    return await asyncio.to_thread(export.workbook, sheets, _("continued"))
