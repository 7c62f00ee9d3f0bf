"""Daily quality tips: who gets one, at what local time, and which one.

A subscription (a person, or a linked group with a negative chat id) keeps ``next_tip_at``:
the next send time in UTC, worked out from the local time chosen, the time zone, workdays
only or every day, and quiet hours. The scheduler's tick takes the rows whose time has come
(an index, so 100,000 subscribers cost what is due, not what exists), owes each a tip under
the key ``tip:{chat}:{local date}``, and moves the time on — all in one transaction, so a
crash repeats nothing and loses nothing. A tip more than three hours late (the bot was down)
is skipped, not sent at dinner time.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import sqlite_utils

from bot import clock
from bot.db import content as content_repo
from bot.db import outbox
from bot.db.tx import write

DEFAULT_AT = "08:30"
STALE = timedelta(hours=3)
QUIET_FROM, QUIET_UNTIL = time(22, 0), time(7, 0)
# Times offered as buttons; any other HH:MM may be typed.
TIMES = ("07:00", "07:30", "08:00", "08:30", "09:00", "10:00", "12:00", "13:30", "17:00", "20:00")
ASK_AFTER = timedelta(minutes=10)
BATCH = 250  # subscriptions owed in one transaction (about 50 ms); the tick goes on after
ASK_BATCH = 5000  # members asked in one tick; the next tick asks the rest


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    subscribed: bool
    send_at: str
    workdays_only: bool
    next_tip_at: str | None


def quiet(moment: time) -> bool:
    return moment >= QUIET_FROM or moment < QUIET_UNTIL


# Days as people type them (console ``:tick mon 08:00``, a group's weekly quiz) → 0 = Monday.
WEEKDAYS = {
    name: day
    for day, names in enumerate(
        (
            ("mon", "monday", "周一", "星期一"),
            ("tue", "tuesday", "周二", "星期二"),
            ("wed", "wednesday", "周三", "星期三"),
            ("thu", "thursday", "周四", "星期四"),
            ("fri", "friday", "周五", "星期五"),
            ("sat", "saturday", "周六", "星期六"),
            ("sun", "sunday", "周日", "星期日", "周天", "星期天"),
        )
    )
    for name in names
}


def parse_time(typed: str) -> str | None:
    """ "8:30", "08.30", "0830", "8：30" → "08:30"; None if it is not a time of day."""
    # isdecimal, not isdigit: "²" is a digit, but no number int() reads
    digits = "".join(c if c.isdecimal() else " " for c in typed.strip().translate(_WIDE)).split()
    if len(digits) == 1 and len(digits[0]) in (3, 4):
        digits = [digits[0][:-2], digits[0][-2:]]
    if len(digits) == 1 and len(digits[0]) <= 2:
        digits.append("0")
    if len(digits) != 2:
        return None
    hour, minute = int(digits[0]), int(digits[1])
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


_WIDE = str.maketrans("０１２３４５６７８９：", "0123456789:")


def next_slot(
    after: datetime, send_at: str, timezone: str, workdays_only: bool, keep_quiet: bool
) -> datetime:
    """The first local ``send_at`` strictly after ``after`` (a workday if asked), moved to
    07:00 when it falls in quiet hours; in UTC. A time the clocks skip (02:30 on the night
    they go forward) is read with the offset before the change, i.e. an hour later."""
    zone = ZoneInfo(timezone)
    wanted = time.fromisoformat(send_at)
    if keep_quiet and quiet(wanted):
        wanted = QUIET_UNTIL
    day = after.astimezone(zone).date()
    for offset in range(9):
        candidate_day = day + timedelta(days=offset)
        if workdays_only and candidate_day.weekday() >= 5:
            continue
        candidate = datetime.combine(candidate_day, wanted, tzinfo=zone)
        if candidate > after:
            return candidate.astimezone(after.tzinfo)
    raise AssertionError("a week always has a workday")


def get(db: sqlite_utils.Database, chat_id: int) -> Subscription | None:
    row = db.execute(
        "SELECT chat_id, subscribed, send_at, workdays_only, next_tip_at FROM tip_subscriptions"
        " WHERE chat_id = ?",
        [chat_id],
    ).fetchone()
    return Subscription(row[0], bool(row[1]), row[2], bool(row[3]), row[4]) if row else None


def zone_of(db: sqlite_utils.Database, chat_id: int, fallback: str) -> str:
    """A person's own zone, else their organization's; a group's organization's."""
    if chat_id < 0:
        row = db.execute(
            "SELECT o.timezone FROM group_chats g JOIN organizations o ON o.id = g.org_id"
            " WHERE g.chat_id = ?",
            [chat_id],
        ).fetchone()
    else:
        row = db.execute(
            "SELECT COALESCE(u.timezone, o.timezone) FROM users u"
            " LEFT JOIN members m ON m.user_id = u.id"
            " LEFT JOIN organizations o ON o.id = m.org_id WHERE u.id = ?",
            [chat_id],
        ).fetchone()
    return (row[0] if row else None) or fallback


def _keeps_quiet(db: sqlite_utils.Database, chat_id: int) -> bool:
    if chat_id < 0:
        return True
    row = db.execute("SELECT quiet_hours FROM users WHERE id = ?", [chat_id]).fetchone()
    return bool(row[0]) if row else True


def choose(
    db: sqlite_utils.Database,
    chat_id: int,
    fallback_zone: str,
    subscribed: bool | None = None,
    send_at: str | None = None,
    workdays_only: bool | None = None,
    now: datetime | None = None,
) -> Subscription:
    """Change what was given, keep the rest (defaults for a first choice), and work out the
    next send time again."""
    now = now or clock.now()
    with write(db):
        old = get(db, chat_id) or Subscription(chat_id, False, DEFAULT_AT, True, None)
        new = Subscription(
            chat_id,
            old.subscribed if subscribed is None else subscribed,
            old.send_at if send_at is None else send_at,
            old.workdays_only if workdays_only is None else workdays_only,
            None,
        )
        next_at = None
        if new.subscribed:
            next_at = clock.stamp(
                next_slot(
                    now,
                    new.send_at,
                    zone_of(db, chat_id, fallback_zone),
                    new.workdays_only,
                    _keeps_quiet(db, chat_id),
                )
            )
        db.execute(
            "INSERT INTO tip_subscriptions (chat_id, subscribed, send_at, workdays_only,"
            " next_tip_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(chat_id) DO UPDATE"
            " SET subscribed = excluded.subscribed, send_at = excluded.send_at,"
            " workdays_only = excluded.workdays_only, next_tip_at = excluded.next_tip_at,"
            " updated_at = excluded.updated_at",
            [
                chat_id,
                int(new.subscribed),
                new.send_at,
                int(new.workdays_only),
                next_at,
                clock.stamp(now),
            ],
        )
    return Subscription(new.chat_id, new.subscribed, new.send_at, new.workdays_only, next_at)


def reschedule(db: sqlite_utils.Database, chat_id: int, fallback_zone: str) -> None:
    """After a change of time zone or quiet hours: the next tip at the right local time."""
    found = get(db, chat_id)
    if found and found.subscribed:
        choose(db, chat_id, fallback_zone)


def ask_new_members(db: sqlite_utils.Database, now: datetime, fallback_zone: str) -> int:
    """Each member is asked once whether they want a daily tip: ten minutes after joining,
    so the question does not cut into their first steps, and not in their quiet hours."""
    rows = db.execute(
        "SELECT u.id, COALESCE(u.timezone, o.timezone) FROM users u"
        " JOIN members m ON m.user_id = u.id JOIN organizations o ON o.id = m.org_id"
        " WHERE u.tips_asked_at IS NULL AND u.active = 1 AND m.joined_at <= ?"
        " AND NOT EXISTS (SELECT 1 FROM tip_subscriptions s WHERE s.chat_id = u.id) LIMIT ?",
        [clock.stamp(now - ASK_AFTER), ASK_BATCH],
    ).fetchall()
    stamp, asked = clock.stamp(now), 0
    with write(db):
        for user_id, zone in rows:
            if quiet(clock.local(now, zone or fallback_zone).time()):
                continue  # in their morning
            db.execute("UPDATE users SET tips_asked_at = ? WHERE id = ?", [stamp, user_id])
            asked += outbox.notice(db, f"tips-ask:{user_id}", user_id, "tips.ask", {}, stamp)
    return asked


def _order(chat_id: int, tip_id: str) -> str:
    """Each person's own shuffle of the tips, the same every time (floor and office mixed)."""
    return hashlib.blake2s(f"{chat_id}:{tip_id}".encode(), digest_size=8).hexdigest()


def pick(db: sqlite_utils.Database, chat_id: int, now: str, mark: bool = True) -> str | None:
    """The next tip this chat has not seen in the current round; a round ends when all were
    seen. Marks it seen (inside the caller's transaction) unless told not to."""
    tips = [entry.id for entry in content_repo.listing(db, "tip", "en")]  # read once, cached
    if not tips:
        return None
    already = _seen(db, chat_id)
    unseen = [tip for tip in tips if tip not in already] or tips
    chosen = min(unseen, key=lambda tip: _order(chat_id, tip))
    if mark:
        seen(db, chat_id, chosen, now)
    return chosen


def _seen(db: sqlite_utils.Database, chat_id: int) -> set[str]:
    return {r[0] for r in db.execute("SELECT tip_id FROM tips_seen WHERE chat_id = ?", [chat_id])}


def seen(db: sqlite_utils.Database, chat_id: int, tip_id: str, now: str) -> None:
    """Mark a tip seen; when the chat had seen them all, this one starts the next round."""
    tips = [entry.id for entry in content_repo.listing(db, "tip", "en")]
    if not set(tips) - _seen(db, chat_id):
        db.execute("DELETE FROM tips_seen WHERE chat_id = ?", [chat_id])
    db.execute(
        "INSERT OR REPLACE INTO tips_seen (chat_id, tip_id, seen_at) VALUES (?, ?, ?)",
        [chat_id, tip_id, now],
    )


def tip_now(db: sqlite_utils.Database, chat_id: int) -> str | None:
    """/tip: the next tip at once (it counts as seen, like a daily one)."""
    with write(db):
        return pick(db, chat_id, clock.stamp())


def _owed(db: sqlite_utils.Database, key: str) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE dedupe_key = ?", [key]).fetchone() is not None


@dataclass(frozen=True)
class Enqueued:
    owed: int = 0
    skipped: int = 0  # too late (downtime) or nobody to tell any more


def enqueue_due(db: sqlite_utils.Database, now: datetime, fallback_zone: str) -> Enqueued:
    """Owe a tip to every subscription whose time has come; move each to its next time.

    A batch at a time, as a few statements: a person's tip is chosen when it is sent (see
    ``chosen_for``), so owing it is one row; subscriptions with the same zone, time and
    days share their next time, worked out once. A group's tip is chosen now: it is worded
    in both languages from one choice."""
    stamp = clock.stamp(now)
    rows = db.execute(
        "SELECT s.chat_id, s.send_at, s.workdays_only, s.next_tip_at,"
        " CASE WHEN s.chat_id < 0 THEN g.active ELSE u.active END,"
        " CASE WHEN s.chat_id < 0 THEN go.timezone ELSE COALESCE(u.timezone, o.timezone) END,"
        " COALESCE(u.quiet_hours, 1)"
        " FROM tip_subscriptions s"
        " LEFT JOIN users u ON u.id = s.chat_id"
        " LEFT JOIN members m ON m.user_id = s.chat_id"
        " LEFT JOIN organizations o ON o.id = m.org_id"
        " LEFT JOIN group_chats g ON g.chat_id = s.chat_id"
        " LEFT JOIN organizations go ON go.id = g.org_id"
        " WHERE s.subscribed = 1 AND s.next_tip_at <= ? ORDER BY s.next_tip_at LIMIT ?",
        [stamp, BATCH],
    ).fetchall()
    day_of = cache(
        lambda zone, due_at: clock.today(zone, datetime.fromisoformat(due_at)).isoformat()
    )
    stale = cache(lambda due_at: now - datetime.fromisoformat(due_at) > STALE)
    following = cache(
        lambda send_at, zone, workdays, keep_quiet: clock.stamp(
            next_slot(now, send_at, zone, bool(workdays), bool(keep_quiet))
        )
    )
    letters, moves = [], []
    with write(db):
        for chat_id, send_at, workdays_only, due_at, active, zone, keep_quiet in rows:
            zone = zone or fallback_zone
            moves.append((following(send_at, zone, workdays_only, keep_quiet), chat_id))
            if not active or stale(due_at):
                continue
            key = f"tip:{chat_id}:{day_of(zone, due_at)}"
            params = None
            if chat_id < 0:
                chosen = None if _owed(db, key) else pick(db, chat_id, stamp)
                if chosen is None:
                    continue
                params = json.dumps({"tip": chosen})
            letters.append((key, chat_id, stamp, params))
        owed = db.conn.executemany(
            "INSERT INTO outbox (dedupe_key, chat_id, text, created_at, kind, params)"
            " VALUES (?, ?, '', ?, 'tip', ?) ON CONFLICT(dedupe_key) DO NOTHING",
            letters,
        ).rowcount
        db.conn.executemany("UPDATE tip_subscriptions SET next_tip_at = ? WHERE chat_id = ?", moves)
    if owed > 0:
        outbox.more_owed()
    return Enqueued(max(owed, 0), len(rows) - max(owed, 0))


def chosen_for(db: sqlite_utils.Database, chat_id: int, params: dict) -> str | None:
    """The tip a letter carries: the one chosen when it was owed (a group's, or a letter
    owed by an earlier version), else this person's next unseen one. Choosing marks
    nothing: the same tip is chosen again if the letter must be sent again, and
    ``seen`` marks it once Telegram has it."""
    return params.get("tip") or pick(db, chat_id, clock.stamp(), mark=False)


def tip_text(db: sqlite_utils.Database, tip_id: str, lang: str):
    """The tip's entry in ``lang`` and the library page it points at (kind, id, title)."""
    entry = content_repo.get(db, "tip", tip_id, lang)
    if entry is None:
        return None, None
    page = entry.attrs.get("page")
    for kind in ("clause", "article"):
        target = content_repo.get(db, kind, page, lang)
        if target:
            return entry, (kind, page, target.texts.get("title", page))
    return entry, None
