"""Random people do random things to the real bot; nothing breaks, leaks or changes unasked.

Two organizations share one bot: Acme (English) and Beta (Chinese), each with an admin and a
worker, and a stranger who belongs to neither. Every name and record of an organization carries
its tag ("Acme" / "Beta"), so a reply that quotes the other one is caught. Hypothesis then lets
them type anything (5,000 characters, emoji, right-to-left text, zero-width characters, HTML and
SQL lookalikes), send every command with junk after it, press whatever is on their screen or on
an older one, replay the other organization's buttons, craft callback data, and send photos,
voice, video, documents, stickers, locations, contacts, edits and channel posts. After each step:

1. nothing failed: no log record at ERROR or above, and ``feed`` never raised;
2. every button press was answered (the button does not keep spinning);
3. nobody saw a word of the other organization (texts, captions, buttons, documents sent);
4. nothing of an organization changed at the hands of someone it does not allow: an outsider
   changes nothing of it, a worker changes no role, invite, place or report (but their own);
5. Telegram refused nothing but what it refuses in normal use (an edit that changes nothing):
   no text too long, no broken HTML, no button data over 64 bytes, no keyboard too big.

The normal run (``python -m pytest -q``) runs a short profile: 40 sequences of 20 steps.
The long run, 10,000 sequences, is::

    CERTREADY_FUZZ=long python -m pytest -q tests/test_fuzz.py -p no:cacheprovider

``CERTREADY_FUZZ_EXAMPLES=500`` sets the number of sequences of either profile (a trial run);
``--hypothesis-seed=N`` repeats a run. What the fuzzer found is kept below as plain stories.
"""

import asyncio
import copy
import io
import json
import logging
import os
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils
import time_machine
from hypothesis import HealthCheck, assume
from hypothesis import settings as profile
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from bot import limiter
from bot.db import open_db, users
from bot.local import LocalBot
from bot.localapi.user import LocalUser
from bot.services import announce, audits, library, nc, objectives, orgs
from tests.conftest import make_settings
from tests.test_cases import file_report, team

# Start each sequence at the same moment (a Tuesday morning in Shanghai): no wall clock.
START = datetime(2026, 11, 10, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = START.date()

# Nothing written into the repository: no example database, and Hypothesis's caches (Unicode
# tables, constants) in the temporary folder rather than in ./.hypothesis.
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "certready-hypothesis"))
COMMON = {"deadline": None, "database": None, "print_blob": True}
COMMON["suppress_health_check"] = [
    HealthCheck.too_slow,
    HealthCheck.function_scoped_fixture,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
]
profile.register_profile("certready-fast", max_examples=40, stateful_step_count=20, **COMMON)
profile.register_profile("certready-long", max_examples=10_000, stateful_step_count=30, **COMMON)
FUZZ = profile.get_profile(
    "certready-long" if os.environ.get("CERTREADY_FUZZ") == "long" else "certready-fast"
)
if examples := os.environ.get("CERTREADY_FUZZ_EXAMPLES"):
    FUZZ = profile(FUZZ, max_examples=int(examples))


@dataclass(frozen=True)
class Person:
    key: str
    id: int
    first_name: str
    language_code: str
    org: str | None  # the organization's tag; None: the stranger


PEOPLE = (
    Person("acme_admin", 71001, "Acme Alice", "en", "Acme"),
    Person("acme_worker", 71002, "Acme Wu", "en", "Acme"),
    Person("beta_admin", 72001, "Beta 王经理", "zh-hans", "Beta"),
    Person("beta_worker", 72002, "Beta 小李", "zh-hans", "Beta"),
    Person("stranger", 73001, "Sam", "en", None),
)
PERSON = {person.key: person for person in PEOPLE}
PERSON_BY_ID = {person.id: person for person in PEOPLE}
TAGS = ("Acme", "Beta")
ORG_NAMES = {"Acme": "Acme Anvils", "Beta": "Beta 精密制造"}
CHANNEL = {"id": -1007300000001, "type": "channel", "title": "Plant news"}
PNG = b"\x89PNG\r\n\x1a\n"
# Messages the bot never asks for, as Telegram shapes them ("text" is replaced by a random one).
UNASKED = {
    "sticker": {
        "sticker": {
            "file_id": "stk-1",
            "file_unique_id": "stk1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
    },
    "location": {"location": {"latitude": 31.2304, "longitude": 121.4737}},
    "contact": {"contact": {"phone_number": "+8613800000000", "first_name": "Zed", "user_id": 9}},
    "dice": {"dice": {"emoji": "🎲", "value": 6}},
    "forward": {
        "text": "",
        "forward_origin": {"type": "hidden_user", "date": 0, "sender_user_name": "Anon"},
    },
    "reply": {"text": ""},  # to the bot's newest message
}

# ----- what people type ---------------------------------------------------------------------
NASTY = [
    "x" * 5000,
    "漏油" * 2500,
    "👩‍🔧" * 700,
    "🔥💧⚠️🛠",
    "مرحبا بالعالم، هناك تسرب في الخط ٣",
    "שלום, יש דליפה בקו 3",
    "\u202eevil\u202c name",
    "\u200b",
    "\u200b\u200d\ufeff",
    "a\u200bb\u200dc\ufeffd",
    "<b>bold</b> <i>it",
    "</i></b>",
    "&amp; &lt; &gt; &#128512; &bogus;",
    '<a href="https://example.com">link</a>',
    "<script>alert(1)</script>",
    "<tg-spoiler>x</tg-spoiler> <br/> < >",
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "%s %d {name} {0} {} %(x)s",
    " ",
    "\n\t\n",
    ".",
    "0",
    "-1",
    "99999999999999999999999",
    "2026-02-30",
    "1e308",
    "NaN",
    "yes",
    "Line 3",
    "Oil leak at press 4, parts quarantined",
    "\x00\x07\x1b[31m",
    "\ud7ff\ue000\U0010ffff",
    "Ω≈ç√∫˜µ≤≥÷",
    "ǅ ﬁ Ⅻ ｆｕｌｌ",
    "/",
    "//menu",
    "@certready_local_bot",
]
COMMANDS = [
    "/start",
    "/menu",
    "/report",
    "/mytasks",
    "/myreports",
    "/reports",
    "/readiness",
    "/roadmap",
    "/practice",
    "/library",
    "/search",
    "/settings",
    "/language",
    "/help",
    "/mydata",
    "/org",
    "/invite",
    "/audits",
    "/objectives",
    "/review",
    "/training",
    "/calendar",
    "/tip",
    "/quiz",
    "/leaderboard",
    "/stats",
    "/deleteme",
    "/link",
    "/unknown",
    "/MENU",
    "/menu@certready_local_bot",
    "/menu@other_bot",
    "/start report",
    "/start mytasks",
    "/start menu",
    "/start ABCD-EFGH-JKMN",
]
SCREENS = [c for c in COMMANDS if c.count("/") == 1 and " " not in c and c != "/unknown"]
ARGS = st.one_of(
    st.just(""),
    st.sampled_from(["quality", "质量", "9.2", "'; DROP TABLE users; --", "<b>", "x" * 300]),
    st.text(max_size=40),
)


def untagged(text: str) -> bool:
    return not any(tag in text for tag in TAGS)


TEXTS = st.one_of(
    st.sampled_from(NASTY),
    st.text(min_size=1, max_size=60),
    st.lists(st.sampled_from(NASTY[3:]), min_size=2, max_size=4).map(" ".join),
).filter(untagged)
# Where a button carries an id or a choice: ids of either organization's rows, none, too big
# for SQLite, digits that are no ASCII digits, markup.
ITEMS = ["1", "2", "3", "0", "-1", "", "9" * 25, "³", "٣", "１", "x", "<b>", "None", "2026-02-30"]
CALLBACK_DATA = st.one_of(
    st.sampled_from(ITEMS),
    st.text(min_size=1, max_size=64).filter(lambda d: len(d.encode()) <= 64),
    st.builds(
        "{}:{}".format,
        st.sampled_from(["nc", "audit", "ann", "mrdone", "objv", "page", "tipask", "digest"]),
        st.sampled_from([*ITEMS, "1:1", "2:1", "1:2026-11", "clause:9.2", "article:x"]),
    ),
    st.sampled_from(["qmscal", "glang:en", "glang:xx", "\x1d", "\x1d\x1d", "aiogd"]),
)


# ----- the two organizations, made through the services -------------------------------------
def found_organizations(db: sqlite_utils.Database) -> dict[str, int]:
    """Acme and Beta, each an admin and a worker, a place, a report, an objective, an audit and
    an announcement, all named with the organization's tag; the stranger has only said hello."""
    org_ids = {}
    for person in PEOPLE:
        users.seen(db, person.id, person.first_name, None, person.language_code)
        users.mark_onboarded(db, person.id)
    for tag, lang in (("Acme", "en"), ("Beta", "zh")):
        admin, worker = (p for p in PEOPLE if p.org == tag)
        users.set_language(db, admin.id, lang)
        users.set_language(db, worker.id, lang)
        org_ids[tag] = orgs.create_organization(db, admin.id, ORG_NAMES[tag], "Asia/Shanghai", lang)
        invite = orgs.create_invite(db, admin.id, "worker")
        assert orgs.join(db, worker.id, invite.code).status == "ok"
        orgs.add_place(db, admin.id, "areas", f"{tag} dock")
        orgs.add_place(db, admin.id, "teams", f"{tag} line")
        draft = {"description": f"{tag} oil leak", "category": "equipment", "severity": "major"}
        nc.report(db, worker.id, draft, [], f"{tag}-seed")
        due = date(2027, 6, 30)
        objectives.add(
            db, admin.id, f"{tag} on time", 95, "%", "higher", worker.id, due, "month", TODAY
        )
        audits.plan(
            db, admin.id, f"{tag} stores", None, ["7.5"], date(2026, 12, 1), admin.id, TODAY
        )
        announce.send(db, admin.id, None, {lang: f"{tag}: helmets on"}, False, f"{tag}-ann")
    return org_ids


# ----- what must not change unasked ---------------------------------------------------------
def keyed(db: sqlite_utils.Database, sql: str, *params) -> dict:
    """Rows by their first column."""
    return {row[0]: tuple(row[1:]) for row in db.execute(sql, params).fetchall()}


def guarded(db: sqlite_utils.Database, org_id: int, actor_id: int) -> dict[str, dict]:
    """What of an organization someone who may not manage it must leave as it was. Their own
    membership may go (leaving, erasing themselves), a report they own the action of may move
    on, an audit they were made the auditor of may be run."""
    return {
        "organization": keyed(
            db, "SELECT id, name, timezone, language FROM organizations WHERE id = ?", org_id
        ),
        "members": keyed(
            db,
            "SELECT user_id, role, team_id FROM members WHERE org_id = ? AND user_id != ?",
            org_id,
            actor_id,
        ),
        "invites": keyed(
            db, "SELECT code, role, expires_at, revoked_at FROM invites WHERE org_id = ?", org_id
        ),
        "areas": keyed(db, "SELECT id, name FROM areas WHERE org_id = ?", org_id),
        "teams": keyed(db, "SELECT id, name FROM teams WHERE org_id = ?", org_id),
        "reports": keyed(
            db,
            "SELECT id, status, containment, root_cause, action, due_date, reason FROM"
            " nonconformities WHERE org_id = ? AND owner_id IS NOT ?",
            org_id,
            actor_id,
        ),
        "objectives": keyed(
            db,
            "SELECT id, title, target, due_date, closed_at FROM objectives WHERE org_id = ?",
            org_id,
        ),
        "audits": keyed(
            db,
            "SELECT id, subject, planned_for, CASE WHEN auditor_id IS ? THEN NULL ELSE status END"
            " FROM audits WHERE org_id = ?",
            actor_id,
            org_id,
        ),
        "reviews": keyed(db, "SELECT id, held_on, status FROM reviews WHERE org_id = ?", org_id),
        "announcements": keyed(db, "SELECT id, org_id FROM announcements WHERE org_id = ?", org_id),
    }


def changes(before: dict[str, dict], after: dict[str, dict], reported: set[int]) -> list[str]:
    """What differs, but for reports the actor filed (``reported``: anyone may report)."""
    found = []
    for table, was in before.items():
        now = after[table]
        if table == "reports":
            now = {key: row for key, row in now.items() if key not in reported}
        for key in was.keys() | now.keys():
            if was.get(key) != now.get(key):
                found.append(f"{table} {key}: {was.get(key)} → {now.get(key)}")
    return found


# ----- what a person sees -------------------------------------------------------------------
def shown(api, message: dict) -> str:
    """Everything one can read of a message the bot sent: its text or caption, its buttons, a
    poll, the insides of a document (JSON, CSV, or the XML inside XLSX and DOCX)."""
    parts = [message.get("text") or "", message.get("caption") or ""]
    for button in buttons_of(message):
        parts += [button.get("text") or "", button.get("url") or ""]
    if poll := message.get("poll"):
        parts += [poll["question"], *(option["text"] for option in poll["options"])]
    if document := message.get("document"):
        stored = api.files.get(document["file_id"])
        data = stored.data if stored else b""
        if data.startswith(b"PK"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                data = b"".join(archive.read(name) for name in archive.namelist())
        parts += [document.get("file_name") or "", data.decode("utf-8", "ignore")]
    return "\n".join(parts)


def buttons_of(message: dict) -> list[dict]:
    return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def callback_data_of(message: dict) -> list[str]:
    return [b["callback_data"] for b in buttons_of(message) if "callback_data" in b]


# What Telegram refuses in normal use, and the bot expects: an edit that changes nothing (a
# double tap), a second answer to one query, an edit of a message that is gone or has no text
# (a crafted press).
HARMLESS = (
    "message is not modified",
    "query is too old",
    "message to edit not found",
    "there is no text in the message to edit",
)


class Errors(logging.Handler):
    """Every record at ERROR or above, from anywhere (the bot's "update … failed", asyncio's
    "Task exception was never retrieved")."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


KEYS = st.sampled_from([person.key for person in PEOPLE])
PICK = st.integers(0, 10_000)  # which one of what is there (modulo: it shrinks to the first)


class Bot(RuleBasedStateMachine):
    """One sequence: a fresh bot and database with Acme and Beta, then random steps."""

    template: sqlite_utils.Database  # the content, loaded once per test run
    screens: Counter  # the windows people were on after their steps, over the whole run

    def __init__(self) -> None:
        super().__init__()
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()
        self.loop = asyncio.new_event_loop()
        self.limiter_clock = limiter._sleep, limiter._now
        limiter._sleep, limiter._now = self.waited, self.loop_time  # a second costs nothing
        self.waiting = 0.0
        self.errors = Errors()
        logging.getLogger().addHandler(self.errors)
        db = open_db(":memory:")
        self.template.conn.backup(db.conn)  # a copy in a millisecond; loading takes a second
        self.org_ids = found_organizations(db)
        self.local = self.run(LocalBot(make_settings(), db).start())
        self.people = {
            p.key: self.local.user(p.id, language_code=p.language_code, first_name=p.first_name)
            for p in PEOPLE
        }
        self.run(self.local.work())  # the seeded notices: report and announcement buttons
        self.step, self.actor = "the start", None
        self.seen_events = self.seen_refusals = self.seen_queries = 0

    async def waited(self, seconds: float) -> None:
        self.waiting += max(seconds, 0.0)

    def loop_time(self) -> float:
        return self.loop.time() + self.waiting

    def run(self, awaitable):
        return self.loop.run_until_complete(awaitable)

    def teardown(self) -> None:
        try:
            self.run(self.local.stop())
            self.local.db.close()
        finally:
            self.loop.close()
            limiter._sleep, limiter._now = self.limiter_clock
            logging.getLogger().removeHandler(self.errors)
            self.traveller.stop()

    # ----- one step, and what it may change ------------------------------------------------
    def act(self, key: str | None, what: str, action) -> None:
        """Run one step of ``key`` (None: no person, a channel); check that nothing of an
        organization they may not manage changed."""
        self.step, self.actor = f"{key}: {what}", key
        actor_id = PERSON[key].id if key else 0
        db = self.local.db
        before = {tag: guarded(db, org_id, actor_id) for tag, org_id in self.org_ids.items()}
        roles = {tag: self.role(actor_id, org_id) for tag, org_id in self.org_ids.items()}
        earlier = self.reports_of(actor_id)
        self.run(action)
        self.screens[self.screen_of(actor_id)] += 1  # how deep the sequences go (printed)
        reported = self.reports_of(actor_id) - earlier
        for tag, org_id in self.org_ids.items():
            if roles[tag] in ("manager", "admin"):
                continue
            changed = changes(before[tag], guarded(db, org_id, actor_id), reported)
            assert not changed, f"{self.step}: as {roles[tag] or 'an outsider'} changed {changed}"

    def screen_of(self, user_id: int) -> str | None:
        """The dialog window open on top of the person's stack, from the dialog storage."""
        stack = self.local.db.execute(
            "SELECT data FROM fsm WHERE key = ?", [f"fsm:{user_id}:{user_id}:aiogd:stack:"]
        ).fetchone()
        intents = json.loads(stack[0])["intents"] if stack else []
        if not intents:
            return None
        key = f"fsm:{user_id}:{user_id}:aiogd:context:{intents[-1]}"
        context = self.local.db.execute("SELECT data FROM fsm WHERE key = ?", [key]).fetchone()
        return json.loads(context[0])["state"] if context else None

    def reports_of(self, user_id: int) -> set[int]:
        sql = "SELECT id FROM nonconformities WHERE reporter_id = ?"
        return {row[0] for row in self.local.db.execute(sql, [user_id])}

    def role(self, user_id: int, org_id: int) -> str | None:
        member = orgs.membership(self.local.db, user_id)
        return member.role if member and member.org_id == org_id else None

    def screen(self, user: LocalUser) -> dict | None:
        """The message a crafted press claims to come from: the bot's newest with buttons in
        the presser's own chat (Telegram sends no callback query for any other)."""
        newest = user.keyboard_message()
        return copy.deepcopy(newest) if newest else None

    # ----- what people do ------------------------------------------------------------------
    @rule(key=KEYS, text=TEXTS)
    def types(self, key, text):
        self.act(key, f"types {text[:80]!r}", self.people[key].send(text))

    @rule(key=KEYS, command=st.sampled_from(COMMANDS), args=ARGS)
    def commands(self, key, command, args):
        typed = f"{command} {args}" if args else command
        assume(untagged(typed))
        self.act(key, f"sends {typed[:80]!r}", self.people[key].send(typed))

    @initialize(opened=st.tuples(*[st.sampled_from(SCREENS)] * len(PEOPLE)))
    def everyone_opens_a_screen(self, opened):
        """Each person starts somewhere different: the sequences go deeper in 20 steps."""
        for person, command in zip(PEOPLE, opened, strict=True):
            self.act(person.key, f"sends {command}", self.people[person.key].send(command))

    @rule(key=KEYS, picks=st.lists(PICK, min_size=1, max_size=10))
    def presses(self, key, picks):
        """A few buttons in a row, each on the newest screen: deeper into the dialogs."""
        for pick in picks:
            self.press(key, pick, older=False)

    @rule(key=KEYS, pick=PICK)
    def presses_an_old_button(self, key, pick):
        """A button of any message the bot sent before (stale, or a double tap)."""
        self.press(key, pick, older=True)

    def press(self, key: str, pick: int, older: bool) -> None:
        user = self.people[key]
        screens = [m for m in user.messages() if callback_data_of(m)]
        if not screens:
            return
        screen = screens[pick % len(screens)] if older else screens[-1]
        button = [b for b in buttons_of(screen) if "callback_data" in b]
        button = button[pick % len(button)]
        pressed = user.press_data(button["callback_data"], screen)
        self.act(key, f"presses {button['text']!r}", pressed)

    @rule(
        key=KEYS,
        data=CALLBACK_DATA,
        how=st.sampled_from(["alone", "after an intent", "as an item"]),
        pick=PICK,
    )
    def crafts(self, key, data, how, pick):
        """Callback data a modified client could send: alone, after a real intent id (a widget
        of the open dialog), or in place of the id or choice a real button carries."""
        user = self.people[key]
        screen = self.screen(user)
        if screen is None:
            return
        real = callback_data_of(screen)
        real = real[pick % len(real)] if real else ""
        if how == "after an intent" and "\x1d" in real:
            data = f"{real.split(chr(0x1D))[0]}\x1d{data}"
        elif how == "as an item" and ":" in real:
            data = f"{real.rsplit(':', 1)[0]}:{data}"
        data = data.encode()[:64].decode("utf-8", "ignore") or "x"
        self.act(key, f"crafts {data!r}", user.press_data(data, screen))

    @rule(key=KEYS, victim=KEYS, pick=PICK)
    def replays(self, key, victim, pick):
        """Someone else's real button (often another organization's), on one's own screen."""
        user = self.people[key]
        theirs = [d for m in self.people[victim].messages() for d in callback_data_of(m)]
        screen = self.screen(user)
        if key == victim or not theirs or screen is None:
            return
        data = theirs[pick % len(theirs)]
        self.act(key, f"replays {victim}'s {data!r}", user.press_data(data, screen))

    @rule(
        key=KEYS,
        kind=st.sampled_from(["photo", "album", "voice", "video", "html", "pdf"]),
        caption=st.one_of(st.none(), TEXTS.map(lambda t: t[:1024])),
    )
    def sends_media(self, key, kind, caption):
        user = self.people[key]
        sends = {
            "photo": lambda: user.send_photo(PNG + b"photo", caption=caption),
            "album": lambda: self.album(user, caption),
            "voice": lambda: user.send_voice(b"OggS voice"),
            "video": lambda: user.send_video(b"\x00\x00\x00\x18ftypmp42 video"),
            "html": lambda: user.send_document(b"<b>", caption or "<b>.html", "text/html"),
            "pdf": lambda: user.send_document(b"%PDF-1.4", "报告.pdf", "application/pdf"),
        }
        self.act(key, f"sends a {kind} ({caption!r:.40})", sends[kind]())

    async def album(self, user: LocalUser, caption: str | None) -> None:
        album = f"album-{self.local.api.update_id}"
        await user.send_photo(PNG + b"one", caption=caption, media_group_id=album)
        await user.send_photo(PNG + b"two", media_group_id=album)

    @rule(key=KEYS, kind=st.sampled_from(sorted(UNASKED)), text=TEXTS)
    def sends_unasked(self, key, kind, text):
        """What else a private chat carries: stickers, places, contacts, dice, forwards,
        replies to the bot's own messages."""
        user = self.people[key]
        content = copy.deepcopy(UNASKED[kind])
        if "text" in content:
            content["text"] = text
        if kind == "reply" and user.messages():
            content["reply_to_message"] = copy.deepcopy(user.last())
        self.act(key, f"sends a {kind}", user._message(**content))

    @rule(key=KEYS, text=TEXTS)
    def edits(self, key, text):
        """An edit of one's last message, as Telegram reports it (``edited_message``)."""
        user, api = self.people[key], self.local.api
        mine = [m for m in api.history.get(user.chat["id"], []) if m["from"]["id"] == user.id]
        if not mine:
            return
        edited = {**copy.deepcopy(mine[-1]), "edit_date": int(api.clock())}
        edited["caption" if "text" not in edited else "text"] = text
        update = {"update_id": api.new_update_id(), "edited_message": edited}
        self.act(key, f"edits it to {text[:80]!r}", self.local.feed(update))

    @rule(text=TEXTS)
    def channel_posts(self, text):
        """A channel the bot was added to posts (no sender, a ``sender_chat``)."""
        api = self.local.api
        api.chats[CHANNEL["id"]] = CHANNEL
        post = {"message_id": api.new_message_id(CHANNEL["id"]), "date": int(api.clock())}
        post |= {"chat": CHANNEL, "sender_chat": CHANNEL, "text": text}
        update = {"update_id": api.new_update_id(), "channel_post": post}
        self.act(None, f"a channel posts {text[:80]!r}", self.local.feed(update))

    @rule(hours=st.sampled_from([1, 6, 24, 24 * 7, 24 * 40]))
    def time_passes(self, hours):
        """The clock moves on and the scheduler ticks: reminders, digests and tips go out."""
        self.clock.shift(hours * 3600)
        self.act(None, f"{hours} hours pass", self.local.tick())

    # ----- after every step ----------------------------------------------------------------
    @invariant()
    def nothing_failed(self):
        failed = [f"{r.name}: {self.errors.format(r)[-2000:]}" for r in self.errors.records]
        assert not failed, f"after {self.step}: {failed}"

    @invariant()
    def every_press_answered(self):
        assert self.local.api.unanswered() == [], f"after {self.step}: a button keeps spinning"

    @invariant()
    def nobody_sees_the_other_organization(self):
        api = self.local.api
        for what, chat_id, message in api.events[self.seen_events :]:
            if what != "deleted" and chat_id in PERSON_BY_ID:
                self.only_own(PERSON_BY_ID[chat_id], shown(api, message))
        self.seen_events = len(api.events)
        if self.actor:  # what a pressed button answered, in a toast or an alert
            for query_id in api.queries[self.seen_queries :]:
                self.only_own(PERSON[self.actor], api.answers.get(query_id, {}).get("text") or "")
        self.seen_queries = len(api.queries)

    def only_own(self, person: Person, text: str) -> None:
        for tag in TAGS:
            leaked = tag != person.org and tag in text
            assert not leaked, f"after {self.step}: {person.key} was shown {tag}: {text[:300]!r}"

    @invariant()
    def telegram_refused_nothing_real(self):
        refusals = self.local.api.refusals[self.seen_refusals :]
        self.seen_refusals = len(self.local.api.refusals)
        real = [(m, d) for m, d in refusals if not any(h in d for h in HARMLESS)]
        assert not real, f"after {self.step}: Telegram refused {real}"


@pytest.mark.timeout(max(300, FUZZ.max_examples * 5))  # the long profile runs for hours
def test_random_people_break_nothing_leak_nothing_change_nothing_unasked():
    template = open_db(":memory:")
    assert library.load(template) == []
    Bot.template, Bot.screens = template, Counter()
    try:
        run_state_machine_as_test(Bot, settings=FUZZ)
    finally:
        template.close()
        print(f"{len(Bot.screens)} screens reached:", dict(Bot.screens.most_common()))  # -s


# ----- what the fuzzer found, each as a plain story ------------------------------------------
def errors_in(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_file_named_like_markup_is_refused_by_its_name(local, clock, caplog):
    clock(START)
    _boss, worker = await team(local, 9701, "Markup Ltd")
    await worker.send("/report")
    await worker.send_document(b"<b>", "<b>plan.html", "text/html")
    assert "“<b>plan.html” is a file, not a photo" in worker.transcript(2)  # as it is named
    assert local.api.refusals == [] and errors_in(caplog) == []


async def test_ids_too_big_for_the_database_in_crafted_buttons_are_no_buttons(local, clock, caplog):
    clock(START)
    boss, worker = await team(local, 9711, "Big Ltd")
    await file_report(worker, "Loose rail", "Safety")
    notice = next(m for m in boss.messages() if "New report" in m.get("text", ""))
    big = "9" * 25
    for data in (f"nc:{big}:1", f"audit:{big}", f"ann:{big}", f"mrdone:{big}", f"objv:{big}:x"):
        assert await boss.press_data(data, notice) is not None  # answered, quietly
    assert errors_in(caplog) == []


async def test_a_choice_no_database_could_hold_changes_nothing(local, clock, caplog):
    clock(START)
    _boss, worker = await team(local, 9721, "Choice Ltd")
    await file_report(worker, "Loose rail", "Safety")
    await worker.send("/mytasks")
    screen = copy.deepcopy(worker.keyboard_message())
    task = next(d for d in callback_data_of(screen) if "tasks:" in d)
    for item in ("9" * 25, "³", "٣"):  # too big for SQLite; digits, but no ASCII ones
        await worker.press_data(f"{task.rsplit(':', 1)[0]}:{item}", screen)
        assert "My tasks" in worker.text()
    await worker.press_data(task, screen)  # the real one still opens the report
    assert worker.text().startswith("NC-2026-0001 · new")
    assert errors_in(caplog) == [] and local.api.unanswered() == []


async def test_a_double_tap_on_yes_to_daily_tips_is_quiet(local, clock, caplog):
    clock(START)
    _boss, worker = await team(local, 9731, "Tips Ltd")
    clock.shift(minutes=11)
    await local.tick()
    question = copy.deepcopy(worker.keyboard_message())
    assert "Would you like one short quality tip each day?" in worker.text(question)
    await worker.press("✅ Yes, please", question)
    await worker.press("✅ Yes, please", question)  # the second tap of a double tap, in flight
    assert worker.text().startswith("✅ Daily tips are on.")
    assert "Sorry, something went wrong" not in worker.transcript(3)
    assert errors_in(caplog) == []


async def test_a_roadmap_step_that_does_not_exist_opens_nothing(local, clock, caplog):
    clock(START)
    _boss, worker = await team(local, 9741, "Road Ltd")
    await worker.send("/roadmap")
    screen = copy.deepcopy(worker.keyboard_message())
    step = next(d for d in callback_data_of(screen) if "steps:" in d)
    await worker.press_data(f"{step.rsplit(':', 1)[0]}:1", screen)  # steps have names, not numbers
    assert "Certification roadmap" in worker.text()
    await worker.press_data(step, screen)
    assert worker.text().startswith("1. Define the scope")
    assert errors_in(caplog) == []


async def test_a_superscript_typed_as_a_time_is_no_time(local, clock, caplog):
    clock(START)
    _boss, worker = await team(local, 9751, "Time Ltd")
    await worker.send("/settings")
    await worker.press("💡 Daily tips")
    await worker.press("🕒 Time")
    await worker.send("¹²:³⁰")  # digits to Python, but no number int() reads
    assert "Sorry, something went wrong" not in worker.transcript(3)
    assert errors_in(caplog) == []


async def test_a_calendar_day_that_no_calendar_shows_picks_nothing(local, clock, caplog):
    clock(START)
    boss, _worker = await team(local, 9761, "Day Ltd")
    await boss.send("/review")
    await boss.press_data(callback_data_of(boss.keyboard_message())[0], boss.keyboard_message())
    screen = copy.deepcopy(boss.keyboard_message())
    day = next(d for d in callback_data_of(screen) if "\x1dday:" in d).rsplit(":", 1)[0]
    for item in ("", "MONTH13", "YEAR9999", "9" * 25, "99999999999"):  # the last: year 5138
        await boss.press_data(f"{day}:{item}", screen)
        assert "On what day is the review held?" in boss.text()
    assert errors_in(caplog) == [] and local.api.unanswered() == []
