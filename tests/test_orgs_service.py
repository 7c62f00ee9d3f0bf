"""Organization rules on their own: roles, invites, the last admin, one organization each."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import orgs as repo
from bot.db import users
from bot.services import orgs
from bot.services.orgs import NotAllowed


def person(db, user_id: int, name: str = "P") -> int:
    users.seen(db, user_id, name, None, "en")
    return user_id


@pytest.fixture
def acme(db):
    """Acme: admin 1, manager 2, worker 3; stranger 9; Other Ltd: admin 10, worker 11."""
    for uid in (1, 2, 3, 9, 10, 11):
        person(db, uid, f"P{uid}")
    org = orgs.create_organization(db, 1, "Acme", "Asia/Shanghai", "zh")
    for uid, role in ((2, "manager"), (3, "worker")):
        assert orgs.join(db, uid, orgs.create_invite(db, 1, role).code).status == "ok"
    orgs.create_organization(db, 10, "Other Ltd", "UTC", "en")
    assert orgs.join(db, 11, orgs.create_invite(db, 10, "worker").code).status == "ok"
    return org


MANAGER_ACTIONS = [
    ("members", lambda db, uid: orgs.members(db, uid)),
    ("member", lambda db, uid: orgs.member(db, uid, 3)),
    ("change role", lambda db, uid: orgs.change_role(db, uid, 3, "manager")),
    ("remove", lambda db, uid: orgs.remove_member(db, uid, 3)),
    ("team", lambda db, uid: orgs.set_member_team(db, uid, 3, None)),
    ("add area", lambda db, uid: orgs.add_place(db, uid, "areas", "Line 3")),
    ("remove area", lambda db, uid: orgs.remove_place(db, uid, "areas", 1)),
    ("invite", lambda db, uid: orgs.create_invite(db, uid, "worker")),
    ("invites", lambda db, uid: orgs.open_invites(db, uid)),
    ("revoke", lambda db, uid: orgs.revoke_invite(db, uid, "x")),
]


@pytest.mark.parametrize(("name", "action"), MANAGER_ACTIONS, ids=[a[0] for a in MANAGER_ACTIONS])
@pytest.mark.parametrize("who", [3, 9, 11], ids=["worker", "stranger", "other-org admin's worker"])
def test_no_manager_action_for_workers_strangers_or_other_orgs(db, acme, name, action, who):
    with pytest.raises(NotAllowed):
        action(db, who)
    assert repo.membership(db, 3).role == "worker"  # nothing changed


def test_another_organizations_admin_cannot_touch_our_people(db, acme):
    for action in (
        lambda: orgs.member(db, 10, 3),
        lambda: orgs.change_role(db, 10, 3, "manager"),
        lambda: orgs.remove_member(db, 10, 3),
        lambda: orgs.set_member_team(db, 10, 3, None),
    ):
        with pytest.raises(NotAllowed):
            action()
    assert [m.user_id for m in orgs.members(db, 10)] == [10, 11]


def test_managers_manage_workers_but_not_admins(db, acme):
    assert orgs.change_role(db, 2, 3, "manager") == "changed"
    with pytest.raises(NotAllowed):
        orgs.change_role(db, 2, 3, "admin")
    with pytest.raises(NotAllowed):
        orgs.change_role(db, 2, 1, "worker")
    with pytest.raises(NotAllowed):
        orgs.create_invite(db, 2, "admin")
    with pytest.raises(NotAllowed):
        orgs.remove_member(db, 2, 2)  # leaving is done with leave()


def test_the_last_admin_must_hand_over(db, acme):
    assert orgs.leave(db, 1) == "hand_over_first"
    assert orgs.change_role(db, 1, 1, "manager") == "last_admin"
    assert orgs.change_role(db, 1, 2, "admin") == "changed"
    assert orgs.change_role(db, 2, 1, "manager") == "changed"  # now someone else is admin
    assert orgs.leave(db, 1) == "left"
    assert orgs.membership(db, 1) is None


def test_a_lone_admin_leaving_dissolves_the_organization(db):
    person(db, 5)
    org_id = orgs.create_organization(db, 5, "Solo", "UTC", "en")
    assert orgs.leave(db, 5) == "dissolved"
    assert repo.organization(db, org_id) is None


def test_invites_expire_run_out_and_can_be_revoked(db, acme):
    now = datetime(2026, 11, 24, tzinfo=UTC)
    code = orgs.create_invite(db, 1, "worker", now=now).code
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{12}", code)  # Crockford base32, 60 bits
    person(db, 20)
    late = now + timedelta(days=orgs.INVITE_DAYS, seconds=1)
    assert orgs.join(db, 20, code, now=late).status == "expired"
    orgs.revoke_invite(db, 2, code, now=now)
    assert orgs.join(db, 20, code, now=now).status == "revoked"
    assert orgs.join(db, 20, "nonsense").status == "unknown"
    assert orgs.membership(db, 20) is None


def test_an_invite_has_a_maximum_number_of_uses(db, acme, monkeypatch):
    monkeypatch.setattr(orgs, "INVITE_USES", 2)
    code = orgs.create_invite(db, 1, "worker").code
    for uid in (21, 22, 23):
        person(db, uid)
    assert orgs.join(db, 21, code).status == "ok"
    assert orgs.join(db, 22, code).status == "ok"
    assert orgs.join(db, 23, code).status == "used_up"
    assert orgs.open_invites(db, 1) == [i for i in orgs.open_invites(db, 1) if i.code != code]


def test_joining_another_organization_needs_a_switch(db, acme):
    code = orgs.create_invite(db, 10, "worker").code
    check = orgs.join(db, 3, code)
    assert check.status == "switch" and check.current.org_name == "Acme"
    assert orgs.membership(db, 3).org_name == "Acme"  # nothing changed yet
    assert orgs.join(db, 3, code, switch=True).status == "ok"
    assert orgs.membership(db, 3).org_name == "Other Ltd"
    assert orgs.join(db, 3, code).status == "already_member"


def test_invite_for_a_team(db, acme):
    assert orgs.add_place(db, 2, "teams", "  Night   shift ") is None
    assert orgs.add_place(db, 2, "teams", "Night shift") == "exists"
    assert orgs.add_place(db, 2, "teams", "x") == "bad_name"
    ((team_id, name),) = orgs.places(db, 3, "teams")
    assert name == "Night shift"
    person(db, 30)
    assert orgs.join(db, 30, orgs.create_invite(db, 2, "worker", team_id).code).status == "ok"
    assert orgs.membership(db, 30).team_name == "Night shift"
    with pytest.raises(NotAllowed):  # another organization's team
        orgs.create_invite(db, 10, "worker", team_id)


def test_managers_do_not_see_or_withdraw_admin_invites(db, acme):
    admin_code = orgs.create_invite(db, 1, "admin").code
    assert admin_code not in {i.code for i in orgs.open_invites(db, 2)}
    assert orgs.revoke_invite(db, 2, admin_code) is False
    assert admin_code in {i.code for i in orgs.open_invites(db, 1)}


def test_privileged_invites_are_single_use_and_short(db, acme):
    now = datetime(2026, 11, 24, tzinfo=UTC)
    invite = orgs.create_invite(db, 1, "manager", now=now)
    assert invite.max_uses == 1
    assert invite.expires_at == "2026-11-27T00:00:00+00:00"
    for uid in (40, 41):
        person(db, uid)
    assert orgs.join(db, 40, invite.code, now=now).status == "ok"
    assert orgs.join(db, 41, invite.code, now=now).status == "used_up"


def test_an_invite_dies_with_its_authors_role(db, acme):
    code = orgs.create_invite(db, 2, "manager").code  # manager Bob invites a manager
    worker_code = orgs.create_invite(db, 2, "worker").code
    assert orgs.change_role(db, 1, 2, "worker") == "changed"  # Bob is demoted
    person(db, 42)
    assert orgs.join(db, 42, code).status == "revoked"
    assert orgs.join(db, 42, worker_code).status == "revoked"  # he may still not invite at all
    orgs.change_role(db, 1, 2, "manager")
    fresh = orgs.create_invite(db, 2, "worker").code
    orgs.remove_member(db, 1, 2)  # Bob leaves the company
    assert orgs.join(db, 42, fresh).status == "revoked"


def test_a_pasted_link_is_as_good_as_the_code(db, acme):
    code = orgs.create_invite(db, 1, "worker").code
    person(db, 43)
    link = f"  https://t.me/certready_bot?start={code}  "
    assert orgs.join(db, 43, link).status == "ok"


def test_removing_a_team_withdraws_its_invites(db, acme):
    orgs.add_place(db, 1, "teams", "Night")
    ((team_id, _name),) = orgs.places(db, 1, "teams")
    code = orgs.create_invite(db, 1, "worker", team_id).code
    orgs.remove_place(db, 1, "teams", team_id)
    person(db, 44)
    assert orgs.join(db, 44, code).status == "revoked"


def test_the_last_admin_cannot_start_a_new_organization_and_strand_the_old(db, acme):
    assert orgs.create_organization(db, 1, "New", "UTC", "en") is None
    assert orgs.membership(db, 1).org_name == "Acme"


def test_a_manager_cannot_move_an_admin_between_teams(db, acme):
    orgs.add_place(db, 2, "teams", "Night")
    ((team_id, _name),) = orgs.places(db, 2, "teams")
    with pytest.raises(NotAllowed):
        orgs.set_member_team(db, 2, 1, team_id)
    orgs.set_member_team(db, 2, 3, team_id)
    assert orgs.membership(db, 3).team_name == "Night"


def test_a_new_username_is_recorded(db):
    users.seen(db, 50, "Al", "al_old", "en")
    users.seen(db, 50, "Al", "al_new", "en")
    assert users.get(db, 50).username == "al_new"
    users.seen(db, 50, "Al", None, "en")
    assert users.get(db, 50).username is None
