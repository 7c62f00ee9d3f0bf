"""Names shown for report categories, severities and statuses, translated when shown."""

from aiogram.utils.i18n import gettext as _

from bot.i18n import N_

CATEGORY_NAMES = {
    "product": N_("Product"),
    "process": N_("Process"),
    "supplier": N_("Supplier"),
    "complaint": N_("Customer complaint"),
    "equipment": N_("Equipment"),
    "safety": N_("Safety and environment"),
    "documentation": N_("Documentation"),
    "other": N_("Other"),
}
SEVERITY_NAMES = {"minor": N_("🟢 Minor"), "major": N_("🟠 Major"), "critical": N_("🔴 Critical")}
STATUS_NAMES = {
    "new": N_("new"),
    "contained": N_("contained"),
    "analysis": N_("under analysis"),
    "planned": N_("action planned"),
    "done": N_("action done"),
    "verified": N_("verified effective"),
    "closed": N_("closed"),
    "rejected": N_("rejected"),
    "duplicate": N_("duplicate"),
}


def category_name(category: str) -> str:
    return _(CATEGORY_NAMES[category])


def severity_name(severity: str) -> str:
    return _(SEVERITY_NAMES[severity])


def status_name(status: str) -> str:
    return _(STATUS_NAMES[status])
