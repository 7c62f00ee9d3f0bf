"""The one clock. Every "now" and "today" the bot uses comes from here, so a test (or the
console's demo) can stand on New Year's Eve in Shanghai by moving one thing.

Moments are stored in UTC; a date only means something in a time zone, so ``today`` takes one.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime | None = None) -> str:
    """A moment as stored: ISO 8601 in UTC, to the second."""
    return (moment or now()).astimezone(UTC).isoformat(timespec="seconds")


def today(timezone: str, moment: datetime | None = None) -> date:
    """The date it is in ``timezone`` at ``moment`` (default: now)."""
    return (moment or now()).astimezone(ZoneInfo(timezone)).date()


def local(moment: datetime | str, timezone: str) -> datetime:
    """A stored moment as wall-clock time in ``timezone``."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone))


def backoff(attempts: int, first: int = 5, longest: int = 3600) -> timedelta:
    """How long owed work waits after its ``attempts``-th failure: 5 s, 10 s, 20 s … an hour."""
    return timedelta(seconds=min(first * 2 ** min(attempts, 20), longest))
