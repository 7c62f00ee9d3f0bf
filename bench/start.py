"""Start time and idle memory: the real bot next to a bare bot started the same way.

    python bench/start.py [--runs 3] [--json]

Both are started as processes polling the in-process Bot API served over HTTP on 127.0.0.1,
with a /start already waiting: "first answer" is the time from starting the process to the
bot's first message, "idle RSS" the process's resident memory 3 s after it. The bare bot
(bench/bare_bot.py) imports the required stack (aiogram, aiogram-dialog, sqlite-utils,
Babel, APScheduler) and answers with one handler. The real bot is `python -m bot run` on a
database already migrated and loaded (as at every start after the first); the first start
on an empty database is shown too (it also compiles the modules, kept as an installed bot
keeps them, outside the source tree). Targets: RSS ≤ bare + 15 MiB, first answer ≤ bare + 0.5 s.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.localapi import LocalBotAPI, LocalUser
from bot.localapi.http import serve

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:" + "A" * 35
PYCACHE = Path(tempfile.gettempdir()) / "certready-bench-pycache"
TARGETS = {"rss_mib_over_bare": 15.0, "first_answer_s_over_bare": 0.5}


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def one_start(command: list[str], database: Path, user_id: int) -> tuple[float, float]:
    api = LocalBotAPI()
    runner, port = await serve(api)

    async def deliver(update: dict) -> None:
        api.enqueue(update)

    person = LocalUser(api, deliver, user_id, "Li", "en")
    await person.send("/start")
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        # Compiled modules kept, as an installed bot has them (pip compiles a package when it
        # installs it): without, every start compiles ~110 modules of ours from source (about
        # 0.2 s here) while the bare bot's libraries come compiled. Outside the source tree.
        "PYTHONPYCACHEPREFIX": str(PYCACHE),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
        "DATABASE_PATH": str(database),
        "EVIDENCE_PATH": str(database.parent / "evidence"),
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command,
        env=env,
        cwd=database.parent,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        while not api.bot_messages(user_id):
            if process.returncode is not None or time.perf_counter() - started > 60:
                raise RuntimeError(f"{command} gave no answer")
            await asyncio.sleep(0.005)
        first = time.perf_counter() - started
        await asyncio.sleep(3)
        rss = rss_mib(process.pid)
    finally:
        process.terminate()
        await process.wait()
        await runner.cleanup()
    return first, rss


async def main(runs: int, as_json: bool) -> int:
    bare_cmd = [sys.executable, str(ROOT / "bench" / "bare_bot.py")]
    real_cmd = [sys.executable, "-m", "bot", "run"]
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="certready-start-") as folder:
        folder = Path(folder)
        fresh = await one_start(real_cmd, folder / "bot.sqlite3", 501)
        await one_start(bare_cmd, folder / "bare.sqlite3", 502)  # its compiled modules kept too
        samples: dict[str, list] = {"bare": [], "bot": []}
        for i in range(runs):  # taking turns: a slow spell of the machine hits both
            for name, command in (("bare", bare_cmd), ("bot", real_cmd)):
                database = folder / ("bare.sqlite3" if name == "bare" else "bot.sqlite3")
                samples[name].append(await one_start(command, database, 600 + i))
        for name, taken in samples.items():
            figures[name] = {
                "first_answer_s": round(statistics.median(s[0] for s in taken), 2),
                "idle_rss_mib": round(statistics.median(s[1] for s in taken), 1),
            }
    figures["bot_first_start_on_empty_db"] = {
        "first_answer_s": round(fresh[0], 2),
        "idle_rss_mib": round(fresh[1], 1),
    }
    over = {
        "rss_mib_over_bare": round(
            figures["bot"]["idle_rss_mib"] - figures["bare"]["idle_rss_mib"], 1
        ),
        "first_answer_s_over_bare": round(
            figures["bot"]["first_answer_s"] - figures["bare"]["first_answer_s"], 2
        ),
    }
    figures.update(over)
    figures["targets"] = TARGETS
    figures["met"] = {key: over[key] <= TARGETS[key] for key in TARGETS}
    if as_json:
        print(json.dumps(figures, indent=2))
    else:
        for name in ("bare", "bot", "bot_first_start_on_empty_db"):
            row = figures[name]
            first, rss = row["first_answer_s"], row["idle_rss_mib"]
            print(f"{name:28} first answer {first:5.2f} s   idle RSS {rss:6.1f} MiB")
        print(
            f"bot over bare: RSS +{over['rss_mib_over_bare']} MiB (target ≤ 15), first answer "
            f"+{over['first_answer_s_over_bare']} s (target ≤ 0.5)"
        )
    return 0 if all(figures["met"].values()) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.runs, args.json)))
