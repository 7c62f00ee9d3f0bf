"""A day of the scheduler at scale: 100,000 people subscribed to the daily tip.

    python bench/scheduler.py [--people 100000] [--orgs 2000] [--zones 20] [--cap 25] [--json]

People live in ``--orgs`` organizations spread over ``--zones`` time zones (the first 20 of
``ZONES``, weighted as listed: Shanghai first; ``--zones 3 --orgs 3`` is the earlier mix of
Shanghai 70 %, Berlin 20 %, New York 10 %); most want their tip at 08:30, some at 07:30 or
09:00, on workdays. A WAL database on
disk; the scheduler's real tick (``routine.tick``) runs once a minute of simulated time for a
day, from midnight in Shanghai. Sending is not done here (bench/sending.py measures the real
transport): the letters owed are drained on paper at the cap, oldest first, as the outbox does,
to show when each tip would arrive.

Prints how long a tick takes (p50, p95, max) and its longest step (a transaction; the bot
answers people between two steps, so this is the longest a tap can wait), how many tips
were owed, and per zone how late after its send time a tip would arrive (p50, p95, max, in
minutes), and the peak memory of the process.
"""

import argparse
import json
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import clock
from bot.db import open_db, plans, tx
from bot.services import library, routine, tips

ZONES = (  # (zone, weight): where the people of the organizations live
    ("Asia/Shanghai", 0.7),
    ("Europe/Berlin", 0.2),
    ("America/New_York", 0.1),
    ("Asia/Tokyo", 0.05),
    ("Asia/Kolkata", 0.05),
    ("Europe/London", 0.05),
    ("America/Los_Angeles", 0.05),
    ("Asia/Singapore", 0.04),
    ("Asia/Ho_Chi_Minh", 0.04),
    ("Asia/Dubai", 0.03),
    ("Europe/Istanbul", 0.03),
    ("America/Sao_Paulo", 0.03),
    ("America/Mexico_City", 0.03),
    ("Australia/Sydney", 0.03),
    ("Africa/Johannesburg", 0.02),
    ("Europe/Moscow", 0.02),
    ("Asia/Jakarta", 0.02),
    ("America/Chicago", 0.02),
    ("Asia/Kathmandu", 0.01),
    ("Pacific/Auckland", 0.01),
)
TIMES = (("08:30", 0.8), ("07:30", 0.1), ("09:00", 0.1))
START = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # Tuesday 1 December, 00:00 in Shanghai


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def populate(db, people: int, orgs: int, zones: list[tuple[str, float]]) -> dict[int, str]:
    """Organizations, members and their subscriptions, written directly (fast). Organizations
    go to zones by weight; people to organizations evenly. Returns each org's zone."""
    stamp = clock.stamp(START - timedelta(days=30))
    total = sum(weight for _zone, weight in zones)
    zone_of: dict[int, str] = {}
    cumulative = 0.0
    for zone, weight in zones:
        cumulative += weight / total
        while len(zone_of) < round(orgs * cumulative):
            zone_of[len(zone_of) + 1] = zone
    with tx.write(db):
        for org_id, zone in zone_of.items():
            db.execute(
                "INSERT INTO organizations (id, name, timezone, language, created_at)"
                " VALUES (?, ?, ?, 'zh', ?)",
                [org_id, f"Org {org_id}", zone, stamp],
            )
        for n in range(people):
            user = 1_000_001 + n
            org_id = 1 + n % orgs
            zone = zone_of[org_id]
            send_at = TIMES[0][0] if n % 10 < 8 else TIMES[1 + n % 2][0]
            first = tips.next_slot(START, send_at, zone, True, True)
            db.execute(
                "INSERT INTO users (id, first_name, telegram_language, active, created_at,"
                " updated_at, tips_asked_at) VALUES (?, 'P', 'zh', 1, ?, ?, ?)",
                [user, stamp, stamp, stamp],
            )
            db.execute(
                "INSERT INTO members (user_id, org_id, role, joined_at) VALUES (?, ?, ?, ?)",
                [user, org_id, "manager" if n // orgs % 50 == 0 else "worker", stamp],
            )
            db.execute(
                "INSERT INTO tip_subscriptions (chat_id, subscribed, send_at, workdays_only,"
                " next_tip_at, updated_at) VALUES (?, 1, ?, 1, ?, ?)",
                [user, send_at, clock.stamp(first), stamp],
            )
    return zone_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--zones", type=int, default=20)
    parser.add_argument("--cap", type=float, default=25.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="certready-bench-"))
    db = open_db(folder / "bench.sqlite3")
    assert library.load(db) == []
    started = time.perf_counter()
    zones = list(ZONES[: args.zones])
    populate(db, args.people, args.orgs, zones)
    populated = time.perf_counter() - started

    # The same day again on a copy, with every statement traced for EXPLAIN below: tracing
    # costs a callback per statement and per executemany row, so the timed day is not traced.
    with closing(sqlite3.connect(folder / "traced.sqlite3")) as target:
        db.conn.backup(target)
    traced = open_db(folder / "traced.sqlite3")
    with plans.traced(traced) as statements:
        for minute in range(24 * 60):
            for _step in routine.steps(traced, "Asia/Shanghai", START + timedelta(minutes=minute)):
                pass
    ticks: list[float] = []  # a whole tick
    blocks: list[float] = []  # one step: the longest the event loop is held
    for minute in range(24 * 60):
        now = START + timedelta(minutes=minute)
        began = step_began = time.perf_counter()
        for _step in routine.steps(db, "Asia/Shanghai", now):
            blocks.append(time.perf_counter() - step_began)
            step_began = time.perf_counter()
        ticks.append(time.perf_counter() - began)
    scans = plans.full_scans(traced, statements.values())
    traced.close()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size_mb = (folder / "bench.sqlite3").stat().st_size / 1e6

    # The outbox sends oldest first at the cap: when would each tip arrive?
    rows = db.execute(
        "SELECT o.created_at, s.send_at, org.timezone FROM outbox o"
        " JOIN tip_subscriptions s ON s.chat_id = o.chat_id"
        " JOIN members m ON m.user_id = o.chat_id JOIN organizations org ON org.id = m.org_id"
        " WHERE o.kind = 'tip' ORDER BY o.id"
    ).fetchall()
    others = db.execute("SELECT COUNT(*) FROM outbox WHERE kind != 'tip'").fetchone()[0]
    free_at = START
    late: dict[str, list[float]] = {zone: [] for zone, _ in zones}
    for created_at, send_at, zone in rows:
        owed = datetime.fromisoformat(created_at)
        free_at = max(free_at, owed) + timedelta(seconds=1 / args.cap)
        local = clock.local(owed, zone)
        wanted = datetime.combine(local.date(), datetime.strptime(send_at, "%H:%M").time())
        wanted = wanted.replace(tzinfo=local.tzinfo)
        late[zone].append((free_at - wanted).total_seconds() / 60)

    figures = {
        "people": args.people,
        "cap": args.cap,
        "populate_s": round(populated, 1),
        "ticks": len(ticks),
        "tick_p50_ms": round(percentile(ticks, 0.5) * 1000, 1),
        "tick_p95_ms": round(percentile(ticks, 0.95) * 1000, 1),
        "tick_max_ms": round(max(ticks) * 1000, 1),
        "longest_step_ms": round(max(blocks) * 1000, 1),
        "tips_owed": len(rows),
        "other_letters": others,
        "skipped": args.people - len(rows),
        "late_minutes": {
            zone: {
                "p50": round(percentile(values, 0.5), 1),
                "p95": round(percentile(values, 0.95), 1),
                "max": round(max(values), 1) if values else 0.0,
            }
            for zone, values in late.items()
        },
        "orgs": args.orgs,
        "zones": len(zones),
        "db_size_mb": round(size_mb, 1),
        "statements_checked": len(statements),
        "full_scans": scans,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key:>18}: {value}")
    print(f"{'mean tick':>18}: {statistics.mean(ticks) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
