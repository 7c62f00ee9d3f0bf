"""A management review in English (ISO 9001 9.3): the pack filled from the bot's records and
the manager's answers, a decision followed up with its owner, the minutes as DOCX covering
9.3.2 a)–f) and 9.3.3 a)–c) with charts, frozen when issued (a change is a new version)."""

import io
import json
from datetime import date, datetime, timedelta

import docx
import pytest

from bot.services import audits, nc, objectives, reviews
from bot.services.orgs import NotAllowed
from tests.conftest import SHANGHAI
from tests.test_cases import team

TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
LEAK = {"description": "Oil leak at press 4", "category": "equipment", "severity": "major"}


def text_of(document) -> str:
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def test_a_management_review_from_the_pack_to_its_minutes(local, clock):
    clock(TUESDAY - timedelta(days=40))
    boss, worker = await team(local, 9001, "Acme Metal")
    db, today = local.db, (TUESDAY - timedelta(days=40)).date()
    nc.report(db, worker.id, LEAK, [], "a")
    nc.report(db, worker.id, {**LEAK, "category": "complaint"}, [], "b")
    nc.report(db, worker.id, {**LEAK, "category": "supplier", "severity": "minor"}, [], "c")
    goal = objectives.add(
        db,
        boss.id,
        "On-time delivery",
        98,
        "%",
        "higher",
        worker.id,
        date(2027, 6, 30),
        "month",
        today,
    )
    objectives.enter(db, boss.id, goal.id, "2026-10", 96.5)
    objectives.enter(db, boss.id, goal.id, "2026-11", 98.2)
    audit = audits.plan(db, boss.id, "Warehouse", None, ["7.5"], today, worker.id, today)
    for clause in audits.checklist(db, audit):
        audits.record(db, worker.id, audit.id, clause, "conforming", None)
    audits.record(db, worker.id, audit.id, "7.5.3", "improvement", "Scan the paper master list")
    audits.finish(db, worker.id, audit.id)
    await local.work()  # the managers' news of those reports, sent now

    clock(TUESDAY)
    await boss.send("/review")
    assert "No management review yet." in boss.text()
    await boss.press("➕ New management review")
    await boss.press("15")
    page = boss.text()
    assert "MR-2026-01 · Dec 15, 2026 · covers Dec 15, 2025 to Dec 15, 2026" in page
    assert (
        "c) Reports: 3 (3 still open, 0 actions overdue); complaints 1; supplier-related 1" in page
    )
    assert "c) Quality objectives: 1 (1 on target)" in page and "Internal audits done: 1" in page
    await boss.press("✍️ Inputs the bot cannot know")
    assert boss.text().startswith("b) What changed")
    await boss.send("A new automotive customer; the EU CBAM rules ask for carbon data.")
    await boss.send("Two complaints about late deliveries, one letter of thanks.")
    await boss.press("Skip ➡️")  # c) 3)
    await boss.press("Skip ➡️")  # c) 5)
    await boss.send("One more inspector is needed on the night shift.")
    await boss.send("The flood plan was tested in June and worked.")
    await boss.send("Barcode labels on the warehouse racks.")
    assert "Your inputs: 5 of 7 answered" in boss.text()
    await boss.press("➕ Decision or action")
    await boss.press("c) Resource need")
    await boss.send("Hire a night-shift inspector")
    await boss.press("Wu")
    await boss.press("20")
    assert "decisions: 1" in boss.text()
    told = next(m for m in worker.messages() if m.get("text", "").startswith("🧭"))
    assert told["text"].startswith("🧭 A management review gave you an action, due Dec 20")

    answer = await boss.press("📄 Issue the minutes (DOCX)")  # the review is on the 15th
    assert answer["show_alert"] and "issue its minutes on that day or after" in answer["text"]
    clock(datetime(2026, 12, 15, 17, 0, tzinfo=SHANGHAI))
    await boss.press("📄 Issue the minutes (DOCX)")
    sent = [m for m in boss.messages() if "document" in m]
    minutes = docx.Document(io.BytesIO(local.api.files[sent[-2]["document"]["file_id"]].data))
    words = text_of(minutes)
    for heading in (
        "a) Status of actions from previous reviews",
        "b) Changes in external and internal issues",
        "c) 1) Customer satisfaction and feedback",
        "c) 2) Extent to which quality objectives have been met",
        "c) 3) Process performance and conformity of products and services",
        "c) 4) Nonconformities and corrective actions",
        "c) 5) Monitoring and measurement results",
        "c) 6) Audit results",
        "c) 7) Performance of external providers",
        "d) Adequacy of resources",
        "e) Effectiveness of actions taken to address risks and opportunities",
        "f) Opportunities for improvement",
        "Outputs (9.3.3): decisions and actions",
    ):
        assert heading in words, heading
    assert "EU CBAM" in words and "(not discussed)" in words  # asked, and skipped
    assert "Complaints reported: 1" in words and "Supplier-related reports: 1" in words
    assert "On-time delivery" in words and "98.2 (2026-11)" in words
    assert "IA-2026-01" in words and "Scan the paper master list" in words
    assert "c) Resource need" in words and "Hire a night-shift inspector" in words
    assert len(minutes.inline_shapes) >= 2  # reports per month, the objective's trend
    step = local.db.execute("SELECT status FROM roadmap WHERE step_id = 'management-review'")
    assert step.fetchone()[0] == "done"

    # Issued minutes are frozen: a later decision goes into version 2, not version 1.
    await boss.press("➕ Decision or action")
    await boss.press("b) Change to the QMS")
    await boss.send("Add carbon data to the customer requirements review")
    await boss.press("Al")
    await boss.press("22")
    screen = next(m for m in reversed(boss.messages()) if "📄" in str(m.get("reply_markup")))
    await boss.press("📄 Issue the minutes (DOCX)", screen)  # Al was told of his action
    screen = next(m for m in reversed(boss.messages()) if "📄" in str(m.get("reply_markup")))
    await boss.press("📄 Issue the minutes (DOCX)", screen)  # nothing changed: same version
    versions = local.db.execute("SELECT version, body FROM review_minutes ORDER BY version")
    first, second = versions.fetchall()
    assert len(json.loads(first[1])["decisions"]) == 1
    assert len(json.loads(second[1])["decisions"]) == 2

    # The decision's owner is reminded when it falls due and marks it done.
    clock(datetime(2026, 12, 18, 8, 5, tzinfo=SHANGHAI))
    await local.tick()
    reminder = [m for m in worker.messages() if m.get("text", "").startswith("🧭")][-1]
    assert reminder["text"].startswith("🧭 Management review action due Dec 20")
    assert "Hire a night-shift inspector" in reminder["text"]
    answer = await worker.press("✅ Mark it done", reminder)
    assert answer["text"] == "Done: recorded."
    assert [d.status for d in reviews.decisions(local.db, 1)] == ["done", "open"]


async def test_only_managers_of_the_organization_see_reviews(local, clock):
    clock(TUESDAY)
    boss, worker = await team(local, 9101, "Beta Ltd")
    found = reviews.start(local.db, boss.id, TUESDAY.date())
    for stranger in (worker.id, 424242):
        with pytest.raises(NotAllowed):
            reviews.get(local.db, stranger, found.id)
        with pytest.raises(NotAllowed):
            reviews.answer(local.db, stranger, found.id, "context", "x")
    decision = reviews.decide(
        local.db,
        boss.id,
        found.id,
        "improvement",
        "Try it",
        boss.id,
        TUESDAY.date() + timedelta(days=3),
        TUESDAY.date(),
    )
    with pytest.raises(NotAllowed):  # not the owner, not a manager
        reviews.mark_done(local.db, worker.id, decision.id)
    await worker.send("/review")
    assert "manager" in worker.text().lower()


async def test_crafted_buttons_into_audits_and_review_actions_are_refused(local, clock):
    from dialogs.audits.notices import OpenAudit
    from dialogs.audits.reviews import DecisionDone

    clock(TUESDAY)
    boss, worker = await team(local, 9201, "Gamma Ltd")
    today = TUESDAY.date()
    found = reviews.start(local.db, boss.id, today)
    decision = reviews.decide(
        local.db, boss.id, found.id, "change", "Update the scope", boss.id, today, today
    )
    audit = audits.plan(local.db, boss.id, "Stores", None, ["8.5"], today, boss.id, today)
    outsider = local.user(9299, language_code="en", first_name="Eve")
    await outsider.send("/start")
    for person in (worker, outsider):
        screen = person.messages()[-1]
        answer = await person.press_data(DecisionDone(id=decision.id).pack(), screen)
        assert answer["show_alert"] or answer.get("text")
        answer = await person.press_data(OpenAudit(id=audit.id).pack(), screen)
        assert answer["show_alert"] or answer.get("text")
    assert reviews.decision(local.db, decision.id).status == "open"
    assert "Stores" not in worker.text() and "Stores" not in outsider.text()
