"""The XLSX of one announcement: the awareness record ISO 9001 7.3 asks for.

What was said, by whom, when, to whom; per person when Telegram delivered it and when they
confirmed they read and understood it. Times are in the organization's zone, as real Excel
date cells, and the headings name the zone.
"""

import asyncio

from aiogram.utils.i18n import gettext as _

from bot import clock
from bot.services import announce, export, people
from dialogs.common import role_name


def _local(moment: str | None, timezone: str):
    """A stored moment as a naive wall-clock time in the organization's zone (Excel has no
    zones: the heading names it), or an empty cell."""
    return clock.local(moment, timezone).replace(tzinfo=None) if moment else ""


async def awareness_xlsx(db, actor_id: int, announcement_id: int) -> bytes:
    found, org, recipients = announce.export_rows(db, actor_id, announcement_id)
    zone = org["timezone"]
    texts = announce.texts_of(found)
    acknowledged = sum(1 for r in recipients if r.acknowledged_at)
    summary = [
        org["name"],
        found.team_name or _("whole organization"),
        people.name(db, found.author_id),
        _local(found.sent_at, zone),
        texts.get("en", ""),
        texts.get("zh", ""),
        len(recipients),
        acknowledged,
    ]
    rows = [
        [
            r.name or "—",
            r.team_name or "",
            role_name(r.role),
            _local(r.delivered_at, zone),
            _local(r.acknowledged_at, zone),
            "" if r.member else _("left the organization"),
        ]
        for r in recipients
    ]
    sheets = [
        (
            _("Announcement"),
            [
                _("Organization"),
                _("Audience"),
                _("Author"),
                _("Sent ({zone})").format(zone=zone),
                _("Text in English"),
                _("Text in Chinese"),
                _("Recipients"),
                _("Read and understood"),
            ],
            [summary],
        ),
        (
            _("Recipients"),
            [
                _("Name"),
                _("Team"),
                _("Role"),
                _("Delivered ({zone})").format(zone=zone),
                _("Read and understood ({zone})").format(zone=zone),
                _("Note"),
            ],
            rows,
        ),
    ]
    return await asyncio.to_thread(export.workbook, sheets, _("continued"))
