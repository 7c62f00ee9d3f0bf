"""The audit report as XLSX, from its issued (frozen) version: scope, criteria, auditor,
dates, and per clause the finding and the report it became (with that report's status now)."""

import asyncio

from aiogram.utils.i18n import gettext as _

from bot import clock
from bot.db import content as content_repo
from bot.db import orgs as orgs_repo
from bot.i18n import N_
from bot.services import audits, export, nc
from dialogs.common import current_locale
from dialogs.nc.labels import status_name

RESULT_NAMES = {
    "conforming": N_("Conforming"),
    "observation": N_("Observation"),
    "improvement": N_("Opportunity for improvement"),
    "minor": N_("Minor nonconformity"),
    "major": N_("Major nonconformity"),
}


def result_name(result: str | None) -> str:
    return _(RESULT_NAMES[result]) if result in RESULT_NAMES else _("Not checked")


async def audit_xlsx(db, viewer_id: int, audit_id: int) -> bytes:
    found = audits.visible(db, viewer_id, audit_id)
    version, issued_at, body = audits.issued(db, viewer_id, audit_id) or (0, None, {})
    zone = orgs_repo.organization(db, found.org_id)["timezone"]
    lang = current_locale()

    def moment(stamp):
        return clock.local(stamp, zone).replace(tzinfo=None) if stamp else ""

    summary = [
        body.get("reference", found.reference),
        version,
        moment(issued_at),
        body.get("subject", found.subject),
        body.get("team") or "",
        ", ".join(body.get("clauses", found.clauses)),
        _("ISO 9001:2015 (GB/T 19001-2016), the clauses listed; the organization's own procedures"),
        body.get("auditor", ""),
        body.get("planned_for", found.planned_for),
        moment(body.get("started_at")),
        moment(body.get("finished_at")),
    ]
    linked = audits.findings(db, viewer_id, audit_id)  # for each report's status now
    rows = []
    for finding in body.get("findings", []):
        entry = content_repo.get(db, "clause", finding["clause"], lang)
        now = linked.get(finding["clause"])
        report = nc.repo.get(db, now.nc_id) if now and now.nc_id else None
        rows.append(
            [
                finding["clause"],
                entry.texts.get("title", "") if entry else "",
                result_name(finding.get("result")),
                finding.get("note") or "",
                finding.get("report") or "",
                status_name(report.status) if report else "",
            ]
        )
    sheets = [
        (
            _("Audit"),
            [
                _("Reference"),
                _("Version"),
                _("Issued ({zone})").format(zone=zone),
                _("Subject"),
                _("Team audited"),
                _("Scope (clauses)"),
                _("Criteria"),
                _("Auditor"),
                _("Planned"),
                _("Started ({zone})").format(zone=zone),
                _("Finished ({zone})").format(zone=zone),
            ],
            [summary],
        ),
        (
            _("Findings"),
            [
                _("Clause"),
                _("Title"),
                _("Finding"),
                _("Note"),
                _("Report"),
                _("Report status now"),
            ],
            rows,
        ),
    ]
    return await asyncio.to_thread(export.workbook, sheets, _("continued"))
