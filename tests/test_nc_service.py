"""Nonconformity rules on their own: numbering, idempotency, the workflow, who may do what."""

from datetime import UTC, date, datetime

import pytest

from bot.db import nc as repo
from bot.db import users
from bot.services import nc, orgs
from bot.services.orgs import NotAllowed
from tests.conftest import NEW_YEAR

LEAK = {
    "description": "Oil leak at press 4",
    "area": "Line 3",
    "category": "equipment",
    "severity": "major",
}


@pytest.fixture
def acme(db):
    """Acme (Asia/Shanghai): admin 1, manager 2, workers 3 and 4; Other Ltd: admin 10."""
    for uid in (1, 2, 3, 4, 10):
        users.seen(db, uid, f"P{uid}", None, "en")
    orgs.create_organization(db, 1, "Acme", "Asia/Shanghai", "zh")
    for uid, role in ((2, "manager"), (3, "worker"), (4, "worker")):
        assert orgs.join(db, uid, orgs.create_invite(db, 1, role).code).status == "ok"
    orgs.create_organization(db, 10, "Other Ltd", "UTC", "en")


def test_references_are_gap_free_per_organization_and_year(db, acme, clock):
    clock(NEW_YEAR)  # 00:30 on 1 January in Shanghai, 16:30 on 31 December in UTC
    first = nc.report(db, 3, LEAK, [], "a")
    second = nc.report(db, 4, LEAK, [], "b")
    other = nc.report(db, 10, LEAK, [], "c")  # Other Ltd counts in UTC: still 2026 there
    assert (first.reference, second.reference) == ("NC-2027-0001", "NC-2027-0002")
    assert other.reference == "NC-2026-0001"  # another organization counts on its own
    new_year = datetime(2027, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 Jan 2028 in Shanghai
    assert nc.report(db, 3, LEAK, [], "d", now=new_year).reference == "NC-2028-0001"


def test_the_same_form_submitted_twice_is_one_report(db, acme):
    once = nc.report(db, 3, LEAK, [("f1", "u1"), ("f2", "u2")], "form-7")
    again = nc.report(db, 3, LEAK, [("f1", "u1")], "form-7")
    assert once.id == again.id
    assert db["nonconformities"].count == 1 and repo.photos(db, once.id) == ["f1", "f2"]


def test_a_report_needs_an_organization_and_complete_fields(db, acme):
    users.seen(db, 50, "Solo", None, "en")
    with pytest.raises(NotAllowed):
        nc.report(db, 50, LEAK, [], "x")
    with pytest.raises(NotAllowed):
        nc.report(db, 3, {**LEAK, "severity": "huge"}, [], "y")
    assert nc.clean_description("x" * nc.MAX_DESCRIPTION)[1] is None  # a record: kept whole
    assert nc.clean_description("x" * (nc.MAX_DESCRIPTION + 1))[1] == "too_long"
    assert nc.clean_description("   ")[1] == "empty"
    assert nc.clean_description("\u200b\u200b\u2060")[1] == "empty"  # only invisible characters


def test_the_whole_workflow_with_its_history(db, acme):
    leak = nc.report(db, 3, LEAK, [], "k")
    assert nc.move(db, 2, leak.id, "contained", "Press stopped, oil soaked up") == "moved"
    assert (
        nc.move(db, 2, leak.id, "analysis", "Why? Seal worn. Why? No replacement plan.") == "moved"
    )
    assert (
        nc.move(
            db,
            2,
            leak.id,
            "planned",
            action="Replace seals every 6 months",
            owner_id=4,
            due_date=date(2027, 1, 15),
        )
        == "moved"
    )
    assert nc.move(db, 4, leak.id, "done", "Seals replaced, plan in CMMS") == "moved"  # the owner
    assert nc.move(db, 2, leak.id, "analysis", "Leaking again: not effective") == "moved"
    assert (
        nc.move(
            db, 2, leak.id, "planned", action="New seal type", owner_id=4, due_date=date(2027, 2, 1)
        )
        == "moved"
    )
    assert nc.move(db, 4, leak.id, "done") == "moved"
    assert nc.move(db, 2, leak.id, "verified", "No leak for 30 days") == "moved"
    assert nc.move(db, 1, leak.id, "closed") == "moved"
    trail = nc.history(db, 3, leak.id)
    assert [(e.from_status, e.to_status) for e in trail] == [
        (None, "new"),
        ("new", "contained"),
        ("contained", "analysis"),
        ("analysis", "planned"),
        ("planned", "done"),
        ("done", "analysis"),
        ("analysis", "planned"),
        ("planned", "done"),
        ("done", "verified"),
        ("verified", "closed"),
    ]
    assert trail[4].actor_id == 4 and trail[1].note == "Press stopped, oil soaked up"
    final = repo.get(db, leak.id)
    assert (final.status, final.action, final.due_date) == ("closed", "New seal type", "2027-02-01")


def test_steps_the_workflow_does_not_allow_are_refused(db, acme):
    leak = nc.report(db, 3, LEAK, [], "k")
    for to in ("closed", "verified", "done", "planned-ish"):  # for a manager: nothing happens
        assert nc.move(db, 2, leak.id, to) == "stale"
    assert repo.get(db, leak.id).status == "new" and len(nc.history(db, 2, leak.id)) == 1
    assert nc.move(db, 2, leak.id, "rejected") == "missing"  # a reason is required
    assert (
        nc.move(db, 2, leak.id, "rejected", "Not a nonconformity: planned maintenance") == "moved"
    )
    assert nc.move(db, 2, leak.id, "analysis") == "stale"  # rejected is final
    assert repo.get(db, leak.id).status == "rejected"


def test_who_may_see_and_move(db, acme):
    leak = nc.report(db, 3, LEAK, [], "k")
    with pytest.raises(NotAllowed):
        nc.move(db, 3, leak.id, "contained")  # a worker, even the reporter
    with pytest.raises(NotAllowed):
        nc.visible(db, 4, leak.id)  # another worker
    with pytest.raises(NotAllowed):
        nc.visible(db, 10, leak.id)  # another organization's admin
    with pytest.raises(NotAllowed):
        nc.for_managers(db, 3)
    assert [r.id for r in nc.for_managers(db, 2)] == [leak.id]
    assert nc.for_managers(db, 10) == []
    assert nc.visible(db, 3, leak.id).id == leak.id  # the reporter sees their own


def test_double_tap_moves_once_and_duplicates_stay_in_the_organization(db, acme):
    leak = nc.report(db, 3, LEAK, [], "k")
    other_org = nc.report(db, 10, LEAK, [], "o")
    assert nc.move(db, 2, leak.id, "duplicate", duplicate_of=other_org.id) == "missing"
    assert nc.move(db, 2, leak.id, "duplicate", duplicate_of=leak.id) == "missing"
    original = nc.report(db, 4, LEAK, [], "p")
    assert nc.move(db, 2, leak.id, "duplicate", duplicate_of=original.id) == "moved"
    assert len(nc.history(db, 2, leak.id)) == 2


def test_history_is_append_only(db, acme):
    leak = nc.report(db, 3, LEAK, [], "k")
    with pytest.raises(Exception, match="append-only"):
        db.execute("UPDATE nc_history SET note = 'edited' WHERE nc_id = ?", [leak.id])


def test_an_erased_reporter_leaves_the_report_anonymous(db, acme):
    from bot.services import privacy

    leak = nc.report(db, 3, LEAK, [], "k")
    assert privacy.erase(db, 3) == "erased"
    kept = repo.get(db, leak.id)
    assert kept.reporter_id is None and kept.description == LEAK["description"]
    assert nc.history(db, 2, leak.id)[0].actor_id is None


def test_taking_a_report_is_for_before_the_plan_and_only_once(db, acme):
    leak = nc.report(db, 3, LEAK, [], "k")
    assert nc.note_down(db, 2, leak.id, "owner_id", 2) == "noted"
    assert nc.note_down(db, 2, leak.id, "owner_id", 2) == "unchanged"  # no new history row
    assert nc.history(db, 2, leak.id)[-1].note == "→ P2"
    nc.move(db, 2, leak.id, "analysis")
    nc.move(db, 2, leak.id, "planned", action="x", owner_id=3, due_date=date(2027, 1, 1))
    assert nc.note_down(db, 2, leak.id, "owner_id", 2) == "stale"  # the plan's owner stays
    assert repo.get(db, leak.id).owner_id == 3


def test_people_who_left_lose_access(db, acme):
    leak = nc.report(db, 3, LEAK, [], "k")
    nc.move(db, 2, leak.id, "analysis")
    nc.move(db, 2, leak.id, "planned", action="x", owner_id=4, due_date=date(2027, 1, 1))
    assert orgs.leave(db, 4) == "left"
    with pytest.raises(NotAllowed):
        nc.move(db, 4, leak.id, "done")
    assert [r.id for r in nc.mine(db, 3)] == [leak.id]  # the reporter still sees their list
