"""Every screen fits Telegram's limits whatever people typed, and no word is lost on the way.

Names at Telegram's and our limits, a 20,000-character description pasted (Telegram's app sends
it as five messages), containment, root cause and action as long, forty long area names: every
screen opens, the whole text is stored and can be read back, the spreadsheet keeps it all.
"""

import io

from openpyxl import load_workbook

from bot.services import nc, orgs
from bot.services.export import CELL_LIMIT, workbook
from tests.test_onboarding import create_org, new_invite

LONG_NAME = "Ü" * 63 + "名"  # 64 characters: Telegram's limit for a first name
WORDS = "The seal at press 4 leaks oil onto the walkway again. "


def long_text(size: int, mark: str) -> str:
    text = (mark + " " + WORDS * (size // len(WORDS) + 1))[:size]
    return text[:-1] + "!"


def broken_limits(local) -> list:
    """What Telegram refused for being too long or malformed (not "not modified")."""
    return [r for r in local.api.refusals if "not modified" not in r[1]]


async def test_every_screen_of_a_report_opens_with_every_field_at_its_limit(local):
    boss = local.user(9101, language_code="en", first_name=LONG_NAME)
    await create_org(boss, "O" * 64, lang="en")
    await boss.send("/org")
    await boss.press("📍 Areas and teams")
    for number in range(40):
        await boss.press("➕ Add an area")
        await boss.send(f"{number:02d} " + ("Assembly hall north wing " * 3)[:61])  # 64
        await boss.press("➕ Add a team")
        await boss.send(f"{number:02d} " + ("Second shift maintenance crew " * 3)[:61])
    screen = boss.text()
    assert "… and " in screen and len(screen) < 4096  # "Areas and teams" fits
    worker = local.user(9102, language_code="en", first_name=LONG_NAME)
    code = await new_invite(boss, "worker", "Whole organization", zh=False)
    await worker.send("/start " + code)

    description = long_text(nc.MAX_DESCRIPTION, "DESCRIPTION")
    await worker.send("/report")
    await worker.send(description)  # arrives as five messages, as Telegram's app sends it
    await worker.press(worker.buttons()[0])  # the first of forty long areas
    await worker.press("Equipment")
    await worker.press("🟠 Major")
    assert "Check your report" in worker.text()
    await worker.press("✅ Submit")
    report = nc.mine(local.db, worker.id)[0]
    assert report.description.split() == description.split()  # every word kept, in order

    notice = next(m for m in boss.messages() if "New report" in m["text"])
    await boss.press("👀 Open the report", notice)
    await boss.press("🛡 Containment")
    await boss.send(long_text(nc.MAX_TEXT, "CONTAINMENT"))  # the short last part ends it
    await boss.press("🔍 Start the analysis")
    await boss.press("✍️ Root cause")
    await boss.send(long_text(nc.MAX_TEXT, "CAUSE"))
    await boss.press("📋 Plan the corrective action")
    await boss.send(long_text(nc.MAX_TEXT, "ACTION"))
    await boss.press(next(b for b in boss.buttons() if b.endswith("· worker")))
    await boss.press(next(b for b in boss.buttons() if b.startswith("[")))  # today
    stored = nc.visible(local.db, boss.id, report.id)
    assert stored.status == "planned"
    assert len(stored.containment) == len(stored.root_cause) == len(stored.action) == nc.MAX_TEXT
    case = boss.text(boss.keyboard_message())
    assert "📖 Read all" in boss.buttons() and len(case) < 4096

    before = len(boss.messages())
    await boss.press("📖 Read all")  # the whole record, in messages that each fit
    read_back = " ".join(m["text"] for m in boss.messages()[before:])
    for field in (stored.description, stored.containment, stored.root_cause, stored.action):
        assert " ".join(field.split()) in " ".join(read_back.split())
    await boss.press("📜 History (5)")
    assert "page 1 of 1" in boss.text()

    owner_notice = worker.messages()[-1]["text"]
    assert "You own the corrective action" in owner_notice and len(owner_notice) < 4096
    await worker.press("👀 Open the report", worker.messages()[-1])
    assert "✅ Action done" in worker.buttons()

    await boss.send("/reports")
    await boss.press("📥 Export all (XLSX)")
    document = [m for m in boss.messages() if "document" in m][-1]
    book = load_workbook(io.BytesIO(local.api.files[document["document"]["file_id"]].data))
    row = list(book[book.sheetnames[0]].iter_rows(values_only=True))[1]
    assert report.description in row  # the spreadsheet holds the whole description
    assert broken_limits(local) == []
    assert not any("Sorry, something went wrong" in m.get("text", "") for m in boss.messages())


async def test_a_text_that_may_go_on_waits_for_the_rest(local):
    boss = local.user(9301, language_code="en", first_name="Ann")
    await create_org(boss, "Acme", lang="en")
    await boss.send("/report")
    await boss.send("x" * 4000)  # as long as a part of a split message: more may come
    assert "📝 Got 4000 characters so far" in boss.text()
    await boss.send("and the rest of it")
    assert "Got 4019 characters so far" not in boss.text()  # a short part ends the text
    assert boss.text().startswith("Where did it happen?")
    await boss.press("⏭ Skip")
    await boss.press("Other")
    await boss.press("🟢 Minor")
    assert "📝 " + "x" * 1499 in boss.text()  # the check screen shows it shortened …
    await boss.press("✅ Submit")
    assert nc.mine(local.db, boss.id)[0].description == "x" * 4000 + "\nand the rest of it"


async def test_too_long_text_is_given_back_with_exactly_what_to_cut(local):
    boss = local.user(9201, language_code="zh", first_name="周")
    await create_org(boss, "星河")
    await boss.send("/report")
    await boss.send("漏" * (nc.MAX_DESCRIPTION + 5))
    shown = "\n".join(m["text"] for m in boss.messages()[-8:])
    assert "这段文字有 20005 个字符，这里最多只能保存 20000 个。请至少删减 5 个字符" in shown
    returned = "".join(m["text"] for m in boss.messages() if set(m["text"]) == {"漏"})
    assert returned == "漏" * (nc.MAX_DESCRIPTION + 5)  # given back whole, to edit
    await boss.send("地面漏油")
    assert "在哪里" in boss.text()  # the form goes on with the shorter text


def test_the_spreadsheet_keeps_control_characters_out_and_long_text_whole():
    huge = "A" * CELL_LIMIT + "B" * 10
    data = workbook(
        [("Reports", ["What", "Note"], [["tab\there\x0b\x1bend", "=SUM(A1)"], [huge, "x"]])],
        continued="continued",
    )
    sheet = load_workbook(io.BytesIO(data))["Reports"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("What", "Note", "continued")
    assert rows[1][:2] == ("tab\thereend", "=SUM(A1)")  # a formula stays text
    assert rows[2] == ("A" * CELL_LIMIT, "x", "B" * 10)  # nothing cut


def test_invisible_and_spoofing_names_are_refused_or_cleaned(db):
    from bot.db import users

    users.seen(db, 1, "Ann", None, "en")
    assert orgs.clean_name("\u200b\u200b\u200b") is None  # shows nothing
    assert orgs.clean_name("Acme\u202eLtd") == "AcmeLtd"  # a right-to-left override is removed
    assert nc.clean_text("\u200b \u2060")[1] == "empty"
