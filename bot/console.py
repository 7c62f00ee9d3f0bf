"""python -m bot chat: the real bot in a terminal, against the in-process Bot API.

Lines typed are messages (commands included); a number presses that button of the newest
keyboard; ``:photo PATH`` sends a photo; ``:as 2002 Name --lang zh`` becomes another person
(a worker, then their manager), who sees what the bot sent them while away; ``:quit`` or end of
input leaves. Works with piped input, so a script can drive it.

Everything the console keeps lives beside its database, in ``<db>-console/``: the people played
(their chats, and what they have not read yet), the files sent to the local Bot API (so a photo
from an earlier run still opens), and the evidence folder (never the real ``EVIDENCE_PATH``).
One console at a time per database, like the bot itself.
"""

import asyncio
import fcntl
import json
import re
import shlex
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from aiogram_dialog import ShowMode

from bot import clock
from bot.config import Settings
from bot.console_screen import Screen, render
from bot.db import open_db
from bot.i18n import format_moment, require_valid_catalogs
from bot.local import LocalBot
from bot.localapi import LocalBotAPI, LocalUser
from bot.services import groups, library, routine, tips
from bot.startup import StartupError

HELP = {
    "en": (
        "CertReady offline console — the real bot, no Telegram needed.\n"
        "Type a message or a /command; type a number to press that button (':say 9001' sends "
        "a number as text); ':photo PATH' sends a photo; ':as 2002 Name --lang zh' becomes "
        "another person (':as' alone lists them); ':press TEXT' presses a button by its text; "
        "':link' opens the newest invite link shown; ':group' goes into (and back out of) a "
        "team group chat, ':vote 2' answers its newest quiz poll; ':tick 08:30' runs the "
        "scheduler as if it were that time (the next tip, the morning's reminders; "
        "':tick mon 08:00' for Monday's digest); "
        "':quit' leaves."
    ),
    "zh": (
        "认证通离线控制台：真实的机器人，无需连接 Telegram。\n"
        "直接输入文字或 /命令；输入数字即按下对应按钮（“:say 9001”把数字当文字发送）；"
        "“:photo 路径”发送照片；“:as 2002 姓名 --lang en”切换为另一个人"
        "（只输入“:as”可列出所有人）；“:press 文字”按下含该文字的按钮；"
        "“:link”打开最近出现的邀请链接；“:group”进入（或离开）班组群聊，"
        "“:vote 2”回答群里最新的问答投票；"
        "“:tick 08:30”让调度器按该时刻运行一次（下一条提示、早间提醒；"
        "“:tick 周一 08:00”可看到每周一的简报）；"
        "“:quit”退出。"
    ),
}
INBOX_LIMIT = 30  # messages kept for someone away, across runs
# The one team group chat the console plays (``:group``): link it, run a team quiz, vote.
GROUP = {"id": -1001000000001, "type": "supergroup", "title": "Team group (console)"}


@dataclass
class Person:
    id: int
    name: str
    lang: str
    inbox: list[str] = field(default_factory=list)  # rendered, from earlier runs


class Console:
    """The people played in one console, each with their own screen."""

    def __init__(self, local: LocalBot, folder: Path, files_out: Path, out: TextIO) -> None:
        self.local, self.folder, self.files_out, self.out = local, folder, files_out, out
        self.people: dict[int, Person] = {}
        self.users: dict[int, LocalUser] = {}
        self.screens: dict[int, Screen] = {}
        self.current: int | None = None
        self.in_group: set[int] = set()  # people now typing in the team group
        self.group_users: dict[int, LocalUser] = {}
        self.group_screens: dict[int, Screen] = {}
        self.bot_added = False

    # ----- people, kept beside the database -----------------------------------------
    def load(self) -> int | None:
        saved = self.folder / "people.json"
        if not saved.is_file():
            return None
        data = json.loads(saved.read_text(encoding="utf-8"))
        for raw in data.get("people", []):
            self._add(Person(raw["id"], raw["name"], raw["lang"], raw.get("inbox", [])))
        return data.get("current")

    def save(self) -> None:
        for person_id, screen in self.screens.items():
            unread = render(screen)  # what they have not seen yet, for the next run
            self.people[person_id].inbox = (self.people[person_id].inbox + unread)[-INBOX_LIMIT:]
        data = {"current": self.current, "people": [vars(p) for p in self.people.values()]}
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "people.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
        )

    def _add(self, person: Person) -> None:
        self.people[person.id] = person
        self.users[person.id] = self.local.user(person.id, person.lang, person.name)
        self.screens[person.id] = Screen(self.local.api, person.id, self.files_out, self.out)

    # ----- who is at the keyboard -----------------------------------------------------
    @property
    def user(self) -> LocalUser:
        if self.current in self.in_group:
            return self.group_users[self.current]
        return self.users[self.current]

    @property
    def screen(self) -> Screen:
        if self.current in self.in_group:
            return self.group_screens[self.current]
        return self.screens[self.current]

    async def _group(self) -> None:
        """Into the team group chat (the bot joins it the first time), or back out."""
        person = self.people[self.current]
        if self.current in self.in_group:
            self.in_group.discard(self.current)
            self.out.write(f"\n══ {person.name} ({person.id}) · private chat ══\n")
            return
        api = self.local.api
        api.group_admins.setdefault(GROUP["id"], set()).add(self.current)  # may /link it
        if self.current not in self.group_users:
            self.group_users[self.current] = self.local.user(
                self.current, person.lang, person.name, chat=GROUP
            )
            screen = Screen(api, GROUP["id"], self.files_out, self.out)
            screen.seen = len(api.events)  # from now on
            self.group_screens[self.current] = screen
        self.in_group.add(self.current)
        self.out.write(f"\n══ {person.name} ({person.id}) · {GROUP['title']} ══\n")
        if groups.group(self.local.db, GROUP["id"]) is None and not self.bot_added:
            self.bot_added = True
            me = {"id": api.me["id"], "is_bot": True, "first_name": api.me["first_name"]}
            await self.local.feed(
                {
                    "update_id": api.new_update_id(),
                    "my_chat_member": {
                        "chat": GROUP,
                        "from": self.user.profile,
                        "date": int(api.clock()),
                        "old_chat_member": {"status": "left", "user": me},
                        "new_chat_member": {"status": "member", "user": me},
                    },
                }
            )

    async def _vote(self, typed: str) -> None:
        """Answer, with option ``typed`` (from 1), the first poll shown here that this
        person has not answered yet."""
        voted = self.local.api.polls
        poll = next(
            (p for p in self.screen.polls if self.current not in voted[p["id"]]["voters"]), None
        )
        number = int(typed) if typed.isdecimal() else 0
        if poll is None or not 1 <= number <= len(poll["options"]):
            self.out.write("(usage: :vote N, for the first poll shown here not yet answered)\n")
            return
        self.out.write(f"📊 {poll['question']}\n")
        await self.user.answer_poll(poll["id"], number - 1)
        right = [i + 1 for i in poll.get("correct_option_ids", [])]
        verdict = "" if not right else " ✅" if number in right else f" ❌ → {right[0]}"
        self.out.write(f"(voted {number}{verdict})\n")
        if poll.get("explanation"):  # what Telegram shows the voter
            self.out.write(f"💡 {poll['explanation']}\n")

    async def become(self, person_id: int, name: str | None, lang: str | None) -> None:
        """Switch to ``person_id`` (created if new) and show what they missed."""
        if person_id not in self.people:
            self._add(Person(person_id, name or f"User {person_id}", lang or "en"))
            self.current = person_id
            await self.act("/start")
            return
        person = self.people[person_id]
        if (name and name != person.name) or (lang and lang != person.lang):  # renamed, relanguaged
            person.name, person.lang = name or person.name, lang or person.lang
            self.users[person_id] = self.local.user(person_id, person.lang, person.name)
        self.current = person_id
        self.out.write(f"\n══ {person.name} ({person.id}) ══\n")
        for block in person.inbox:
            self.out.write(block)
        person.inbox = []
        self.screen.show()
        if not self.screen.keyboard:  # nothing to press yet this run: show where they are
            await self.resume()

    async def resume(self) -> None:
        """Show the person's open screen again (after a restart or a switch)."""
        storage = self.local.dp.storage
        if (await storage.get_data(_stack_key(self.local, self.user))).get("intents"):
            bg = self.local.dp["dialog_bg_factory"].bg(self.local.bot, self.current, self.current)
            await bg.update({}, show_mode=ShowMode.SEND)
            await _settle()
            self.screen.show()
        else:
            await self.act("/start")

    def list_people(self) -> None:
        for person in self.people.values():
            mark = "→" if person.id == self.current else " "
            self.out.write(f"{mark} {person.id} {person.name} ({person.lang})\n")

    # ----- one typed line -------------------------------------------------------------
    async def act(self, line: str) -> bool:
        """Act on one typed line; False when the user wants to leave."""
        line = line.strip()
        if line in (":quit", ":q", ":exit"):
            return False
        if line == ":help":
            self.out.write(HELP[self.people[self.current].lang] + "\n")
        elif line == ":as" or line.startswith(":as "):
            await self._as(line)
            return True
        elif line.startswith(":press "):
            await self._press_label(line.removeprefix(":press ").strip())
        elif line == ":link":
            await self._open_link()
        elif line == ":group":
            await self._group()
        elif line.startswith(":vote"):
            await self._vote(line.removeprefix(":vote").strip())
        elif line == ":tick" or line.startswith(":tick "):
            await self._tick(line.removeprefix(":tick").strip())
        elif line.startswith(":photo"):
            path = Path(line.removeprefix(":photo").strip()).expanduser()
            if not path.is_file():
                self.out.write(f"(no such file: {path})\n")
            else:
                await self.user.send_photo(path.read_bytes())
        elif line.startswith(":say "):
            await self.user.send(line.removeprefix(":say "))
        elif line.isascii() and line.isdecimal() and self.screen.keyboard:
            await self._press(int(line))
        elif line:
            await self.user.send(line)
        await _settle()
        self.screen.show()
        return True

    async def _press(self, number: int) -> None:
        keyboard = self.screen.keyboard
        if not 1 <= number <= len(keyboard):
            self.out.write(
                f"(choose a button from 1 to {len(keyboard)}, or ':say {number}' to send it)\n"
            )
        elif "callback_data" not in keyboard[number - 1]:
            self.out.write(f"(a link: {keyboard[number - 1].get('url')})\n")
        else:
            data = keyboard[number - 1]["callback_data"]
            await self.user.press_data(data, self.screen.keyboard_message)

    async def _press_label(self, label: str) -> None:
        """Press a button by (part of) its text: scripts need not count buttons."""
        matches = [i for i, b in enumerate(self.screen.keyboard, 1) if label in b["text"]]
        exact = [i for i, b in enumerate(self.screen.keyboard, 1) if b["text"] == label]
        chosen = exact or matches
        if len(chosen) != 1:
            self.out.write(f"(no single button with “{label}” on the newest keyboard)\n")
            return
        await self._press(chosen[0])

    async def _tick(self, typed: str) -> None:
        """Run the scheduler's tick now, or as if it were the next ``HH:MM`` (on a weekday,
        ``mon 08:00``, for the Monday digest) in the current person's zone: the next tip and
        the morning's reminders arrive without waiting."""
        settings = self.local.settings
        zone = tips.zone_of(self.local.db, self.current, settings.default_timezone)
        moment = clock.now()
        if typed:
            words = typed.lower().split()
            weekday = tips.WEEKDAYS.get(words[0]) if len(words) == 2 else None
            chosen = tips.parse_time(words[-1])
            if chosen is None or (len(words) == 2 and weekday is None) or len(words) > 2:
                self.out.write("(usage: :tick, :tick 08:30 or :tick mon 08:00)\n")
                return
            moment = tips.next_slot(moment, chosen, zone, False, False)
            while weekday is not None and clock.local(moment, zone).weekday() != weekday:
                moment = tips.next_slot(moment, chosen, zone, False, False)
        done = routine.tick(self.local.db, settings.default_timezone, moment)
        await self.local.work()
        when = format_moment(moment, self.people[self.current].lang, zone)
        self.out.write(f"(tick at {when}: {done.tips} tips, {done.reminders} reminders)\n")

    async def _open_link(self) -> None:
        """Open the newest invite link the bot showed anyone here, as if it had been shared
        with the current person and tapped (a QR code on the wall, a link in a chat)."""
        pattern = re.compile(r"https://t\.me/\w+\?start=([\w-]+)")
        for _kind, _chat, message in reversed(self.local.api.events):
            found = pattern.search(message.get("text") or message.get("caption") or "")
            if found:
                await self.user.send(f"/start {found.group(1)}")
                return
        self.out.write("(no invite link has been shown yet: a manager makes one with /invite)\n")

    async def _as(self, line: str) -> None:
        words = shlex.split(line)[1:]
        if not words:
            self.list_people()
            return
        lang = None
        if "--lang" in words:
            at = words.index("--lang")
            lang = words[at + 1] if at + 1 < len(words) else None
            words = words[:at] + words[at + 2 :]
        if not words[0].isdecimal() or lang not in (None, "en", "zh"):
            self.out.write("(usage: :as 2002 [name] [--lang en|zh])\n")
            return
        await self.become(int(words[0]), " ".join(words[1:]) or None, lang)


def console_folder(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.stem}-console"


def console_settings(settings: Settings, db_path: Path) -> Settings:
    """The console's evidence stays beside its own database, never in EVIDENCE_PATH."""
    return settings.model_copy(update={"evidence_path": console_folder(db_path) / "evidence"})


def _lock(folder: Path, db_path: Path):
    """One console per database, like one bot per token: two would answer each other."""
    folder.mkdir(parents=True, exist_ok=True)
    handle = (folder / "lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StartupError(
            f"another console is using {db_path}: close it first, or pass --db another file"
        ) from None
    return handle


async def main(settings: Settings, args, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout):
    require_valid_catalogs()
    db_path = Path(args.db)
    folder = console_folder(db_path)
    lock = _lock(folder, db_path)
    db = open_db(db_path)
    for problem in library.ensure_loaded(db):
        out.write(f"content problem: {problem}\n")
    api = LocalBotAPI(files_dir=folder / "files")
    api.chats[GROUP["id"]] = GROUP  # letters owed to it from an earlier run still go there
    local = await LocalBot(console_settings(settings, db_path), db, api).start()
    console = Console(local, folder, Path(args.files), out)
    console.load()
    lang = args.lang or "en"
    out.write(HELP[lang] + "\n")
    echo = not stdin.isatty()
    lines = _reader(stdin)
    try:
        if args.user_id in console.people:
            out.write("(welcome back: you were here)\n")
            await console.become(args.user_id, None, None)
        else:
            await console.become(args.user_id, "Console", lang)
        while True:
            out.write("\n› ")
            out.flush()
            line = await lines.get()
            if not line:
                break
            if echo:
                out.write(line.rstrip("\n") + "\n")
            if not await console.act(line):
                break
    finally:
        console.save()
        await local.stop()
        lock.close()
        out.write("\nBye.\n")


async def _settle() -> None:
    """Let fire-and-forget work (background dialog updates) finish before printing."""
    for _ in range(20):
        await asyncio.sleep(0.01)
        if len(asyncio.all_tasks()) <= 1:
            return


def _reader(stdin: TextIO) -> asyncio.Queue:
    """Lines from ``stdin`` read in a daemon thread, so Ctrl-C never waits for Enter."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()

    def read() -> None:
        for line in iter(stdin.readline, ""):
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, "")

    threading.Thread(target=read, daemon=True).start()
    return queue


def _stack_key(local: LocalBot, user: LocalUser):
    from aiogram.fsm.storage.base import StorageKey

    return StorageKey(
        bot_id=local.bot.id,
        chat_id=user.chat["id"],
        user_id=user.chat["id"],
        destiny="aiogd:stack:",
    )
