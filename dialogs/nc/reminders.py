"""The morning's messages: corrective actions due (managers: the organization's; owners:
their own), the Monday digest, and QMS calendar reminders. Worded when sent, from what is
true then: an action closed since the tick is not listed, and nothing is sent if none is left.
"""

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot import clock
from bot.db import nc as nc_repo
from bot.db import orgs as orgs_repo
from bot.i18n import format_day, format_share
from bot.outbox import Media, renders
from bot.services import group_feeds, nc, people, qms_calendar, readiness, routine, text
from bot.services.people import User
from dialogs.common import current_locale, esc
from dialogs.nc.labels import severity_name
from dialogs.nc.notices import OpenReport

SHOWN = 10  # actions listed (and buttons) in one reminder; the rest are counted
ACTION_PREVIEW = 80


class DigestChart(CallbackData, prefix="digest"):
    """The 📈 Chart button of digests sent before the chart came with them."""

    day: str  # the Monday the digest covers up to (org's zone)


class OpenCalendar(CallbackData, prefix="qmscal"):
    pass


def _member(db, person: User, managers_only: bool):
    member = orgs_repo.membership(db, person.id)
    if member is None or (managers_only and member.role not in ("manager", "admin")):
        return None
    return member


def _org_today(db, org_id: int) -> date:
    org = orgs_repo.organization(db, org_id)
    return clock.today(org["timezone"])


def _action_lines(db, rows, today: date, with_owner: bool) -> tuple[str, InlineKeyboardMarkup]:
    lines, buttons = [], []
    for nc_id, due in rows[:SHOWN]:
        found = nc_repo.get(db, nc_id)
        left = (date.fromisoformat(due) - today).days
        when = (
            ngettext("{n} day overdue", "{n} days overdue", -left).format(n=-left)
            if left < 0
            else _("due today")
            if left == 0
            else ngettext("due in {n} day", "due in {n} days", left).format(n=left)
        )
        line = f"• <b>{found.reference}</b> · {format_day(due, current_locale())} ({when})"
        if with_owner:
            line += " · " + esc(people.name(db, found.owner_id))
        line += "\n  " + esc(text.shorten(found.action or "", ACTION_PREVIEW))
        lines.append(line)
        buttons.append(
            [
                InlineKeyboardButton(
                    text=f"👀 {found.reference}", callback_data=OpenReport(id=nc_id).pack()
                )
            ]
        )
    if len(rows) > SHOWN:
        lines.append(_("… and {n} more: see Reports or My tasks.").format(n=len(rows) - SHOWN))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=buttons)


def _counts(rows, today: date) -> tuple[int, int]:
    overdue = sum(date.fromisoformat(due) < today for _, due in rows)
    return overdue, len(rows) - overdue


def _due_notice(db, person: User | None, mine: bool):
    """Managers: the organization's actions due, with owners; owners: their own."""
    member = person and _member(db, person, managers_only=not mine)
    if not member:
        return None
    today = _org_today(db, member.org_id)
    rows = routine.due_actions(db, member.org_id, today, owner=person.id if mine else None)
    if not rows:
        return None
    overdue, soon = _counts(rows, today)
    body, buttons = _action_lines(db, rows, today, with_owner=not mine)
    if not mine:
        head = _("⏰ <b>Corrective actions: {overdue} overdue, {soon} due within two days</b>")
        return f"{head.format(overdue=overdue, soon=soon)}\n\n{body}", buttons
    head = _("⏰ <b>Your corrective actions: {overdue} overdue, {soon} due soon</b>")
    hint = _("Mark each done from its report once it is done.")
    return f"{head.format(overdue=overdue, soon=soon)}\n\n{body}\n\n{hint}", buttons


@renders("actions.due")
def actions_due(db, person: User | None, params: dict):
    return _due_notice(db, person, mine=False)


@renders("actions.mine")
def actions_mine(db, person: User | None, params: dict):
    return _due_notice(db, person, mine=True)


# ----- the Monday digest -----------------------------------------------------------------
def digest_numbers(db, org_id: int, until: datetime, team_id: int | None = None) -> dict:
    """The week before ``until``: reports opened by severity and area, closed, overdue; with
    ``team_id``, only the reports written by that team's members."""
    since = clock.stamp(until - timedelta(days=7))
    end = clock.stamp(until)
    mine = (
        ""
        if team_id is None
        else " AND reporter_id IN (SELECT user_id FROM members WHERE team_id = ?)"
    )
    team = [] if team_id is None else [team_id]
    opened = db.execute(
        "SELECT severity, COALESCE(area, ''), COUNT(*) FROM nonconformities WHERE org_id = ?"
        f" AND created_at >= ? AND created_at < ?{mine} GROUP BY 1, 2",
        [org_id, since, end, *team],
    ).fetchall()
    closed = db.execute(
        "SELECT severity, COUNT(*) FROM nonconformities WHERE org_id = ? AND id IN"
        " (SELECT nc_id FROM nc_history WHERE to_status = 'closed' AND at >= ? AND at < ?)"
        f"{mine} GROUP BY 1",
        [org_id, since, end, *team],
    ).fetchall()
    org = orgs_repo.organization(db, org_id)
    today = clock.today(org["timezone"], until)
    overdue = db.execute(
        "SELECT COUNT(*) FROM nonconformities WHERE org_id = ? AND status = 'planned'"
        f" AND due_date < ?{mine}",
        [org_id, today.isoformat(), *team],
    ).fetchone()[0]
    still_open = db.execute(
        f"SELECT COUNT(*) FROM nonconformities WHERE org_id = ? AND status IN"
        f" ({', '.join('?' * len(nc.OPEN))}){mine}",
        [org_id, *nc.OPEN, *team],
    ).fetchone()[0]
    by_severity = {s: 0 for s in SEVERITIES}
    by_area: dict[str, int] = {}
    for severity, area, count in opened:
        by_severity[severity] += count
        by_area[area] = by_area.get(area, 0) + count
    closed_by = {s: 0 for s in SEVERITIES}
    for severity, count in closed:
        closed_by[severity] = count
    tips_sent = db.execute(
        "SELECT COUNT(*) FROM outbox o JOIN members m ON m.user_id = o.chat_id"
        " WHERE m.org_id = ? AND o.kind = 'tip' AND o.sent_at >= ? AND o.sent_at < ?",
        [org_id, since, end],
    ).fetchone()[0]
    subscribers = db.execute(
        "SELECT COUNT(*) FROM tip_subscriptions s JOIN members m ON m.user_id = s.chat_id"
        " WHERE m.org_id = ? AND s.subscribed = 1",
        [org_id],
    ).fetchone()[0]
    quiz_people, quiz_answers, quiz_right = db.execute(
        "SELECT COUNT(DISTINCT user_id), COUNT(*), COALESCE(SUM(correct), 0) FROM quiz_answers"
        " WHERE org_id = ? AND answered_at >= ? AND answered_at < ?",
        [org_id, since, end],
    ).fetchone()
    return {
        "quiz_people": quiz_people,
        "quiz_answers": quiz_answers,
        "quiz_share": quiz_right / quiz_answers if quiz_answers else None,
        "opened": by_severity,
        "closed": closed_by,
        "areas": sorted(by_area.items(), key=lambda item: (-item[1], item[0])),
        "overdue": overdue,
        "open": still_open,
        "tips_sent": tips_sent,
        "subscribers": subscribers,
        "members": orgs_repo.count_members(db, org_id),
    }


SEVERITIES = ("critical", "major", "minor")


def _readiness_line(db, user_id: int) -> str:
    latest = readiness.latest_results(db, user_id).get("all")
    if latest is None:
        return _("Readiness: no full self-assessment yet.")
    now = readiness.result(db, user_id, latest.id).overall
    before = readiness.previous(db, user_id, latest.id)
    shown = format_share(now, current_locale()) if now is not None else "—"
    if before is None:
        return _("Readiness (latest full self-assessment): {now}").format(now=shown)
    then = readiness.result(db, user_id, before.id).overall
    was = format_share(then, current_locale()) if then is not None else "—"
    return _("Readiness (latest full self-assessment): {now}, previously {was}").format(
        now=shown, was=was
    )


def _audience(db, person: User | None, params: dict) -> tuple[int, int | None, str] | None:
    """Whose week: (organization, team or None, the name to show) for a manager, or for
    the linked group the letter goes to (its team's reports, or the whole organization's)."""
    if person is not None:
        member = _member(db, person, managers_only=True)
        return member and (member.org_id, None, member.org_name)
    group = orgs_repo.group_chat(db, int(params.get("chat", 0)))
    if group is None or not group_feeds.digest_on(db, group.chat_id):
        return None
    org = orgs_repo.organization(db, group.org_id)
    team = orgs_repo.team_name(db, group.org_id, group.team_id)
    return group.org_id, group.team_id, f"{org['name']} · {team}" if team else org["name"]


@renders("digest")
def digest(db, person: User | None, params: dict):
    """Managers: the organization's week with readiness and tips; a linked group: the
    summary of its team's (or organization's) reports. The chart follows as its own letter."""
    audience = _audience(db, person, params)
    if not audience:
        return None
    org_id, team_id, name = audience
    numbers = digest_numbers(db, org_id, _until(db, org_id, params), team_id)
    opened, closed = numbers["opened"], numbers["closed"]
    lines = [
        _("📊 <b>Weekly quality digest · {org}</b>").format(org=esc(name)),
        "",
        _("Reports opened in the last 7 days: {n}").format(n=sum(opened.values())),
    ]
    lines += [
        "  " + _("{severity}: {n}").format(severity=severity_name(s), n=opened[s])
        for s in SEVERITIES
        if opened[s]
    ]
    areas = [f"{esc(area) or '—'} {count}" for area, count in numbers["areas"][:8]]
    if areas:
        lines.append("  📍 " + " · ".join(areas))
    lines.append(_("Reports closed: {n}").format(n=sum(closed.values())))
    lines.append(_("Still open: {open} · actions overdue: {overdue}").format(**numbers))
    if person is not None:
        lines.append(_readiness_line(db, person.id))
        lines.append(
            _(
                "Daily tips: {subscribers} of {members} members subscribed, {tips_sent} tips sent"
            ).format(**numbers)
        )
        share = numbers["quiz_share"]
        lines.append(
            _("Quizzes: {people} of {members} members answered {answers}, {share} right").format(
                people=numbers["quiz_people"],
                members=numbers["members"],
                answers=numbers["quiz_answers"],
                share=format_share(share, current_locale()) if share is not None else "—",
            )
        )
    return "\n".join(lines), None


@renders("digest.chart")
def digest_chart_letter(db, person: User | None, params: dict):
    """The digest's chart, sent right after it to the same chat."""
    audience = _audience(db, person, params)
    if not audience:
        return None
    org_id, team_id, name = audience
    chart = digest_chart_parts(db, org_id, _until(db, org_id, params), team_id)
    caption = _("📈 {org}: reports in the last 7 days").format(org=name)

    async def send(bot, chat_id: int):
        from bot.services.charts import week_chart

        png = await asyncio.to_thread(week_chart, *chart)  # drawing takes ~0.1 s: not here
        return await bot.send_photo(
            chat_id, BufferedInputFile(png, "digest.png"), caption=caption, parse_mode=None
        )

    return Media(send)


def _until(db, org_id: int, params: dict) -> datetime:
    """The digest's week ends on its Monday morning (the organization's zone), however late
    the letter goes out, so the text and its chart count the same week."""
    try:
        day = date.fromisoformat(str(params.get("day")))
    except ValueError:
        return clock.now()
    zone = ZoneInfo(orgs_repo.organization(db, org_id)["timezone"])
    return datetime.combine(day, routine.MORNING, tzinfo=zone)


def digest_chart_parts(db, org_id: int, until: datetime, team_id: int | None = None) -> tuple:
    """What ``charts.week_chart`` draws: opened and closed reports of the week by severity,
    labelled in the reader's language."""
    numbers = digest_numbers(db, org_id, until, team_id)
    # The chart's font has no emoji: the name without its coloured dot.
    labels = [severity_name(s).split(" ", 1)[-1] for s in SEVERITIES]
    return (
        _("Reports in the last 7 days"),
        labels,
        [numbers["opened"][s] for s in SEVERITIES],
        [numbers["closed"][s] for s in SEVERITIES],
        _("opened"),
        _("closed"),
    )


# ----- the QMS calendar -------------------------------------------------------------------
@renders("calendar")
def calendar_reminder(db, person: User | None, params: dict):
    from dialogs.org.calendar import event_title

    member = person and _member(db, person, managers_only=True)
    if not member:
        return None
    event = qms_calendar.get(db, member.org_id, str(params.get("event", "")))
    if event is None or event.day.isoformat() != params.get("day"):
        return None  # deleted or moved since: a new reminder follows the new date
    left = (event.day - _org_today(db, member.org_id)).days
    if left < 0:
        return None
    when = _("today") if left == 0 else ngettext("in {n} day", "in {n} days", left).format(n=left)
    message = _("📅 <b>{title}</b> {when}: {day}").format(
        title=esc(event_title(db, event)), when=when, day=format_day(event.day, current_locale())
    )
    buttons = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=_("📅 QMS calendar"), callback_data=OpenCalendar().pack())]
        ]
    )
    return message, buttons
