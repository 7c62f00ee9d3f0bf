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


async def paste(user, text: str) -> None:
    """Paste a long text: Telegram's app sends it in parts; tap "That's all" if asked."""
    await user.send(text)
    for label in ("✅ That's all", "✅ 输入完毕"):
        if label in user.buttons():
            await user.press(label)


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
    await paste(worker, description)  # arrives as five messages, as Telegram's app sends it
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
    await paste(boss, long_text(nc.MAX_TEXT, "CONTAINMENT"))
    await boss.press("🔍 Start the analysis")
    await boss.press("✍️ Root cause")
    await paste(boss, long_text(nc.MAX_TEXT, "CAUSE"))
    await boss.press("📋 Plan the corrective action")
    await paste(boss, long_text(nc.MAX_TEXT, "ACTION"))
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
    await paste(boss, "漏" * (nc.MAX_DESCRIPTION + 5))
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


async def test_a_paste_over_the_limit_is_given_back_whole_and_the_form_waits(local):
    boss = local.user(9211, language_code="en", first_name="Ann")
    await create_org(boss, "Acme", lang="en")
    await boss.send("/report")
    pasted = long_text(21_000, "TOO-LONG")
    await paste(boss, pasted)
    shown = boss.messages()
    told = next(i for i, m in enumerate(shown) if "this can hold at most 20000" in m["text"])
    back = [m["text"] for m in shown[told + 1 :] if "reply_markup" not in m]
    assert " ".join(" ".join(back).split()) == " ".join(pasted.split())  # every word, once
    assert boss.text(boss.keyboard_message()).startswith("What happened?")  # still asked
    await boss.send("Oil on the floor by press 4")
    assert boss.text().startswith("Where did it happen?")


async def test_text_split_at_paragraphs_is_collected_whole(local):
    boss = local.user(9221, language_code="en", first_name="Ann")
    await create_org(boss, "Acme", lang="en")
    paragraph = (WORDS * 30)[:1475].strip()
    text = "\n".join(f"{n} {paragraph}" for n in range(12))
    await boss.send("/report")
    await paste(boss, text)
    await boss.press("⏭ Skip")
    await boss.press("Other")
    await boss.press("🟢 Minor")
    await boss.press("✅ Submit")
    assert nc.mine(local.db, boss.id)[0].description.split() == text.split()


async def test_words_collected_for_one_step_never_land_in_another(local):
    boss = local.user(9231, language_code="en", first_name="Ann")
    await create_org(boss, "Acme", lang="en")
    worker = local.user(9232, language_code="en", first_name="Wu")
    await worker.send("/start " + await new_invite(boss, "worker", zh=False))
    await worker.send("/report")
    await worker.send("Puddle of oil")
    await worker.press("⏭ Skip")
    await worker.press("Other")
    await worker.press("🟢 Minor")
    await worker.press("✅ Submit")
    await boss.press("👀 Open the report", boss.messages()[-1])
    await boss.press("🛡 Containment")
    await boss.send("C" * 3000)  # may go on …
    assert "Got 3000 characters so far" in boss.text()
    await boss.send_photo(b"\x89PNG\r\n\x1a\nnot words")  # not text: ignored, still collecting
    assert "Got 3000 characters so far" in boss.text(boss.keyboard_message())
    await boss.press("⬅️ Back")  # … but the manager changes their mind
    await boss.press("⛔ Reject")
    assert "Got" not in boss.text() and "✅ That's all" not in boss.buttons()
    await boss.send("Not a quality matter")
    report = nc.mine(local.db, worker.id)[0]
    assert report.status == "rejected" and report.reason == "Not a quality matter"
    assert report.containment is None


async def test_a_crafted_thats_all_with_nothing_collected_moves_nothing(local):
    boss = local.user(9241, language_code="en", first_name="Ann")
    await create_org(boss, "Acme", lang="en")
    await boss.send("/report")
    await boss.send("x" * 3000)
    screen = boss.keyboard_message()
    done = next(
        b["callback_data"]
        for r in screen["reply_markup"]["inline_keyboard"]
        for b in r
        if b["text"] == "✅ That's all"
    )
    await boss.press("✅ That's all")
    await boss.press("✏️ Text") if "✏️ Text" in boss.buttons() else None
    await boss.press_data(done, screen)  # again, stale: nothing is being collected now
    assert nc.mine(local.db, boss.id) == []
