"""Throughput and latency of the real dispatcher and dialogs on the local Bot API.

    python bench/dialogs.py [--users 50] [--rounds 20]

Prints updates per second for /menu and for library clicks (each click: callback →
storage read/write → getter → editMessageText + answerCallbackQuery), search latency
for trigram (FTS5) and short (LIKE) queries, content load time and peak memory.
The database is a WAL file on disk, as in production.
"""

import argparse
import asyncio
import logging
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings
from bot.db import open_db
from bot.local import LocalBot
from bot.services import library

CLICKS = [
    "📖 ISO 9001 clause map",
    "10 Improvement",
    "10.2 Nonconformity and corrective action",
    "⬅️ Back",
    "⬅️ Back",
    "📚 Library",
]
QUERIES = ["corrective action", "纠正措施", "internal audit", "管理评审", "审核", "ISO", "9.2"]


async def main(users: int, rounds: int) -> None:
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "bench.sqlite3")
        started = time.perf_counter()
        assert library.load(db) == []
        load_ms = (time.perf_counter() - started) * 1000
        settings = Settings(
            _env_file=None, bot_token=None, database_path=":memory:", send_per_second=30
        )
        local = await LocalBot(settings, db).start()
        people = [
            local.user(10_000 + i, language_code="zh" if i % 2 else "en") for i in range(users)
        ]

        started = time.perf_counter()
        await asyncio.gather(*(p.send("/menu") for p in people))
        await asyncio.gather(
            *(p.press("📚 Library" if p.id % 2 == 0 else "📚 资料库") for p in people)
        )
        start_rate = 2 * users / (time.perf_counter() - started)
        for person in people:  # the rest of the walk in English
            await person.send("/language")
            await person.press("English")
            await person.send("/library")

        clicks = 0
        started = time.perf_counter()
        for _ in range(rounds):
            for label in CLICKS:
                await asyncio.gather(*(p.press(label) for p in people))
                clicks += users
        click_rate = clicks / (time.perf_counter() - started)
        assert local.api.unanswered() == []

        timings: dict[str, list[float]] = {}
        for query in QUERIES:
            for _ in range(200):
                t0 = time.perf_counter()
                hits = library.search(db, query, "en")
                timings.setdefault(query, []).append((time.perf_counter() - t0) * 1000)
            assert hits.best, query
        await local.stop()

    print(f"content load:            {load_ms:8.1f} ms")
    print(
        f"/menu + first click:     {start_rate:8.0f} updates/s  ({users} users; new messages"
        " are held to 30/s by the send limiter)"
    )
    print(f"library clicks:          {click_rate:8.0f} updates/s  ({clicks} clicks)")
    for query, samples in timings.items():
        samples.sort()
        p95 = samples[int(len(samples) * 0.95)]
        print(f"search {query!r:22} p50 {statistics.median(samples):6.2f} ms  p95 {p95:6.2f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS):       {peak:8.1f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.rounds))
