"""Who belongs where and who may do what. Every manager or admin action checks here.

Roles rank worker < manager < admin within one organization; a person belongs to one
organization at a time. ``NotAllowed`` is raised for anything the caller's role or
organization does not permit — callback data is untrusted, so handlers never decide alone.
"""

import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import sqlite_utils

from bot import clock
from bot.config import LANGUAGES
from bot.db import orgs as repo
from bot.db.orgs import Invite, Member, Membership
from bot.db.tx import atomic
from bot.services import text
from bot.services.preferences import find_timezone

log = logging.getLogger(__name__)

ROLES = ("worker", "manager", "admin")
RANK = {role: rank for rank, role in enumerate(ROLES)}
NAME_LENGTH = (2, 64)
# Worker invites hang on the shop floor: many uses, two weeks unless the manager picks 90 days
# or "until withdrawn" for a sheet on a wall (more uses then: a whole plant walks past it).
# Manager and admin invites hand over power: one use, three days, whatever the term.
INVITE_DAYS = 14
INVITE_USES = 100
WALL_INVITE_USES = 1000
PRIVILEGED_INVITE_DAYS = 3
INVITE_TERMS = {"14d": INVITE_DAYS, "90d": 90, "withdrawn": None}  # days; None: until withdrawn
# "Until withdrawn" is stored as a far-future expiry (no schema change); far enough from
# datetime's year 9999 limit that converting it to any time zone never overflows.
UNTIL_WITHDRAWN = datetime(9999, 1, 1, tzinfo=UTC)
# New codes: 12 characters of Crockford's base32 (60 bits), read off a wall and typed on a
# phone: no I, L, O or U; i and l are read as 1, o as 0; any case, with or without dashes.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12


class NotAllowed(Exception):
    """The caller's role or organization does not permit this action."""


def now_text(now: datetime | None = None) -> str:
    return clock.stamp(now)


def membership(db: sqlite_utils.Database, user_id: int) -> Membership | None:
    return repo.membership(db, user_id)


def require(db: sqlite_utils.Database, user_id: int, role: str = "manager") -> Membership:
    """The caller's membership, if their role is at least ``role``; else NotAllowed."""
    found = repo.membership(db, user_id)
    if found is None or RANK[found.role] < RANK[role]:
        raise NotAllowed(f"user {user_id} needs role {role}")
    return found


def clean_name(typed: str) -> str | None:
    """A name for an organization, area or team, or None if it is too short or long. Invisible
    and direction-changing characters are removed first: a name must show what it is."""
    name = text.clean_line(typed)
    if not text.visible(name):
        return None
    return name if NAME_LENGTH[0] <= len(name) <= NAME_LENGTH[1] else None


# ----- organizations ------------------------------------------------------------
@atomic
def create_organization(
    db: sqlite_utils.Database, user_id: int, name: str, timezone: str, language: str
) -> int | None:
    """A new organization with the user as its admin (they leave any other first).
    None if they are the last admin of their current organization."""
    if repo.membership(db, user_id) and leave(db, user_id) == "hand_over_first":
        return None
    org_id = repo.create_organization(db, name, timezone, language, user_id, now_text())
    log.info("organization %s created by user %s", org_id, user_id)
    return org_id


def member_count(db: sqlite_utils.Database, user_id: int) -> int:
    """How many people the caller's organization has (0 if they are in none)."""
    found = repo.membership(db, user_id)
    return repo.count_members(db, found.org_id) if found else 0


def timezone_of(db: sqlite_utils.Database, org_id: int | None, fallback: str) -> str:
    """The organization's time zone (records are dated in it), else ``fallback``."""
    org = repo.organization(db, org_id) if org_id else None
    return org["timezone"] if org else fallback


def totals(db: sqlite_utils.Database) -> dict:
    """Bot-wide numbers for the bot's own administrators."""
    return repo.totals(db)


def alone(db: sqlite_utils.Database, user_id: int) -> bool:
    """Whether the user is the only member of their organization (leaving would close it)."""
    found = repo.membership(db, user_id)
    return found is not None and repo.count_members(db, found.org_id) == 1


def organization(db: sqlite_utils.Database, user_id: int) -> dict | None:
    """The caller's organization (name, time zone, language), if they are in one."""
    found = repo.membership(db, user_id)
    return repo.organization(db, found.org_id) if found else None


def rename(db: sqlite_utils.Database, actor_id: int, typed: str) -> bool:
    actor = require(db, actor_id, "admin")
    name = clean_name(typed)
    if name:
        repo.update_organization(db, actor.org_id, name=name)
    return name is not None


def set_org_language(db: sqlite_utils.Database, actor_id: int, language: str) -> None:
    actor = require(db, actor_id, "admin")
    if language not in LANGUAGES:
        raise NotAllowed(f"unknown language {language!r}")
    repo.update_organization(db, actor.org_id, language=language)


def set_org_timezone(db: sqlite_utils.Database, actor_id: int, typed: str) -> str | None:
    """Set the organization's time zone (for its reminders); None if ``typed`` is not one."""
    actor = require(db, actor_id, "admin")
    timezone = find_timezone(typed)
    if timezone:
        repo.update_organization(db, actor.org_id, timezone=timezone)
    return timezone


LeaveResult = Literal["left", "dissolved", "hand_over_first", "not_member"]


@atomic
def leave(db: sqlite_utils.Database, user_id: int) -> LeaveResult:
    """Leave one's organization. The last admin must hand over first; if nobody else is
    left, leaving dissolves the organization."""
    current = repo.membership(db, user_id)
    if current is None:
        return "not_member"
    others = repo.count_members(db, current.org_id) - 1
    if current.role == "admin" and repo.count_members(db, current.org_id, "admin") == 1:
        if others:
            return "hand_over_first"
        repo.delete_organization(db, current.org_id)
        log.info(
            "organization %s dissolved: its last member, user %s, left", current.org_id, user_id
        )
        return "dissolved"
    repo.remove_member(db, current.org_id, user_id)
    repo.withdraw_invites_by(db, current.org_id, user_id, now_text())
    log.info("user %s left organization %s", user_id, current.org_id)
    return "left"


# ----- members ---------------------------------------------------------------------
def members(db: sqlite_utils.Database, actor_id: int) -> list[Member]:
    actor = require(db, actor_id, "manager")
    return repo.members(db, actor.org_id)


def member(db: sqlite_utils.Database, actor_id: int, target_id: int) -> Member:
    """One member of the caller's own organization (NotAllowed for anyone else)."""
    for found in members(db, actor_id):
        if found.user_id == target_id:
            return found
    raise NotAllowed(f"user {target_id} is not in user {actor_id}'s organization")


def can_manage(actor: Membership, target: Member) -> bool:
    """Managers manage workers and managers; only admins touch admins."""
    return actor.role == "admin" or target.role != "admin"


ChangeResult = Literal["changed", "unchanged", "last_admin"]


@atomic
def change_role(
    db: sqlite_utils.Database, actor_id: int, target_id: int, role: str
) -> ChangeResult:
    actor = require(db, actor_id, "manager")
    target = member(db, actor_id, target_id)
    if role not in RANK or not can_manage(actor, target):
        raise NotAllowed(f"user {actor_id} may not make {target_id} {role}")
    if role == "admin" and actor.role != "admin":
        raise NotAllowed("only admins make admins")
    if target.role == role:
        return "unchanged"
    if target.role == "admin" and repo.count_members(db, actor.org_id, "admin") == 1:
        return "last_admin"
    repo.set_role(db, actor.org_id, target_id, role)
    # Their open invites may not hand out more than they now hold.
    keep = ROLES[: RANK[role] + 1] if role != "worker" else ()  # workers do not invite
    repo.withdraw_invites_by(db, actor.org_id, target_id, now_text(), keep_roles=keep)
    log.info("user %s made user %s %s (organization %s)", actor_id, target_id, role, actor.org_id)
    return "changed"


@atomic
def remove_member(db: sqlite_utils.Database, actor_id: int, target_id: int) -> ChangeResult:
    actor = require(db, actor_id, "manager")
    target = member(db, actor_id, target_id)
    if target_id == actor_id or not can_manage(actor, target):
        raise NotAllowed(f"user {actor_id} may not remove {target_id}")
    if target.role == "admin" and repo.count_members(db, actor.org_id, "admin") == 1:
        return "last_admin"
    repo.remove_member(db, actor.org_id, target_id)
    repo.withdraw_invites_by(db, actor.org_id, target_id, now_text())
    log.info("user %s removed user %s from organization %s", actor_id, target_id, actor.org_id)
    return "changed"


def set_member_team(db: sqlite_utils.Database, actor_id: int, target_id: int, team_id: int | None):
    actor = require(db, actor_id, "manager")
    if not can_manage(actor, member(db, actor_id, target_id)):
        raise NotAllowed(f"user {actor_id} may not move {target_id}")
    if team_id is not None and repo.team_name(db, actor.org_id, team_id) is None:
        raise NotAllowed(f"team {team_id} is not in organization {actor.org_id}")
    repo.set_team(db, actor.org_id, target_id, team_id)


# ----- areas and teams ----------------------------------------------------------------
def places(db: sqlite_utils.Database, user_id: int, kind: str) -> list[tuple[int, str]]:
    """The caller's organization's ``areas`` or ``teams``; every member may read them."""
    found = repo.membership(db, user_id)
    return repo.places(db, kind, found.org_id) if found else []


def add_place(db: sqlite_utils.Database, actor_id: int, kind: str, typed: str) -> str | None:
    """Add an area or team; returns the problem ("bad_name", "exists") or None."""
    actor = require(db, actor_id, "manager")
    name = clean_name(typed)
    if name is None:
        return "bad_name"
    return None if repo.add_place(db, kind, actor.org_id, name) else "exists"


@atomic
def remove_place(db: sqlite_utils.Database, actor_id: int, kind: str, place_id: int) -> None:
    actor = require(db, actor_id, "manager")
    if kind == "teams":  # an invite for a team that is gone would join the whole organization
        repo.withdraw_team_invites(db, actor.org_id, place_id, now_text())
    repo.remove_place(db, kind, actor.org_id, place_id)


# ----- invites -------------------------------------------------------------------------
def create_invite(
    db: sqlite_utils.Database,
    actor_id: int,
    role: str,
    team_id: int | None = None,
    now: datetime | None = None,
    term: str = "14d",
) -> Invite:
    """An unguessable code to join the caller's organization as ``role``, for a ``term`` of
    ``INVITE_TERMS`` (workers; manager and admin invites are always single-use, three days)."""
    actor = require(db, actor_id, "manager")
    if role not in RANK or (role == "admin" and actor.role != "admin"):
        raise NotAllowed(f"user {actor_id} may not invite {role}s")
    if team_id is not None and repo.team_name(db, actor.org_id, team_id) is None:
        raise NotAllowed(f"team {team_id} is not in organization {actor.org_id}")
    if term not in INVITE_TERMS:
        raise NotAllowed(f"unknown invite term {term!r}")
    now = now or clock.now()
    privileged = role != "worker"
    days = PRIVILEGED_INVITE_DAYS if privileged else INVITE_TERMS[term]
    invite = Invite(
        code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
        org_id=actor.org_id,
        role=role,
        team_id=team_id,
        expires_at=now_text(UNTIL_WITHDRAWN if days is None else now + timedelta(days=days)),
        max_uses=1 if privileged else INVITE_USES if term == "14d" else WALL_INVITE_USES,
        uses=0,
        revoked_at=None,
    )
    repo.add_invite(db, invite, actor_id, now_text(now))
    return invite


def until_withdrawn(invite: Invite) -> bool:
    """Whether the invite works until someone withdraws it (it has no real expiry)."""
    return invite.expires_at >= now_text(UNTIL_WITHDRAWN)


def grouped(code: str) -> str:
    """A code as printed and shown, in groups of four (K7M2-QX4P-9TRD); old codes as they are."""
    if len(code) != CODE_LENGTH or not set(code) <= set(CODE_ALPHABET):
        return code
    return "-".join(code[start : start + 4] for start in range(0, CODE_LENGTH, 4))


def open_invites(db: sqlite_utils.Database, actor_id: int, now: datetime | None = None):
    """The organization's open invites the caller may see: none above their own role."""
    actor = require(db, actor_id, "manager")
    return [
        invite
        for invite in repo.open_invites(db, actor.org_id, now_text(now))
        if RANK[invite.role] <= RANK[actor.role]
    ]


@dataclass(frozen=True)
class InviteCard:
    """An open invite with what its screen and its printed sheet say about it."""

    invite: Invite
    team_name: str | None
    org_name: str
    org_language: str
    org_timezone: str


def invite_cards(
    db: sqlite_utils.Database, actor_id: int, now: datetime | None = None
) -> list[InviteCard]:
    """``open_invites``, each with its team's and its organization's name and language."""
    org = organization(db, actor_id) or {}
    return [
        InviteCard(
            invite,
            repo.team_name(db, invite.org_id, invite.team_id),
            org.get("name", ""),
            org.get("language", ""),
            org.get("timezone", ""),
        )
        for invite in open_invites(db, actor_id, now)
    ]


def revoke_invite(
    db: sqlite_utils.Database, actor_id: int, code: str, now: datetime | None = None
) -> bool:
    """Withdraw one of the invites the caller may see; False if there was none open."""
    if code not in {invite.code for invite in open_invites(db, actor_id, now)}:
        return False
    repo.revoke_invite(db, require(db, actor_id).org_id, code, now_text(now))
    return True


def _author_may_still_invite(db: sqlite_utils.Database, invite: Invite) -> bool:
    """An invite speaks for its author: it lapses when they leave or lose the rank it gives."""
    author = repo.membership(db, invite.created_by) if invite.created_by else None
    return (
        author is not None
        and author.org_id == invite.org_id
        and RANK[author.role] >= max(RANK["manager"], RANK[invite.role])
    )


def invite_code(typed: str) -> str:
    """The code in what someone typed or pasted: the code itself, or the whole invite link."""
    found = re.search(r"start=([A-Za-z0-9_-]{1,64})", typed)
    return found.group(1) if found else typed.strip()[:64]


# Phone keyboards offer many dashes (a Chinese IME types — or －): all of them separate groups.
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u30fc\ufe58\ufe63\uff0d]")
# A grouped code inside a sentence; a lookahead, so "CODE FROM WALL K7M2 QX4P 9TRD" is tried
# from every word.
_GROUPED = re.compile(
    r"(?<![0-9A-Z])(?=([0-9A-Z]{4})[\s-]*([0-9A-Z]{4})[\s-]*([0-9A-Z]{4})(?![0-9A-Z]))"
)
_READ_AS = str.maketrans("ILO", "110")


def _new_codes(typed: str) -> list[str]:
    """The new-style codes someone may have meant, in their stored form (K7M2QX4P9TRD): any
    case, full-width or not, i and l read as 1 and o as 0, with or without dashes or spaces,
    alone or in a sentence ("邀请码：k7m2 qx4p 9trd")."""
    text = _DASHES.sub("-", unicodedata.normalize("NFKC", typed[:300]).upper())
    candidates = [re.sub(r"[\s-]+", "", text), *map("".join, _GROUPED.findall(text))]
    codes = []
    for candidate in candidates:
        code = candidate.translate(_READ_AS)
        if len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) and code not in codes:
            codes.append(code)
    return codes[:10]


def find_invite(db: sqlite_utils.Database, typed: str) -> Invite | None:
    """The invite someone typed or pasted. The code exactly as given comes first: codes from
    the previous version are case-sensitive (``token_urlsafe``) and must keep working."""
    exact = repo.invite(db, invite_code(typed))
    if exact is not None:
        return exact
    return next(filter(None, (repo.invite(db, code) for code in _new_codes(typed))), None)


@dataclass(frozen=True)
class JoinCheck:
    status: Literal["ok", "unknown", "expired", "used_up", "revoked", "already_member", "switch"]
    invite: Invite | None = None
    org_name: str = ""
    current: Membership | None = None


def check_invite(
    db: sqlite_utils.Database, user_id: int, code: str, now: datetime | None = None
) -> JoinCheck:
    """What joining with ``code`` would do, before anything changes."""
    invite = find_invite(db, code)
    if invite is None:
        return JoinCheck("unknown")
    org = repo.organization(db, invite.org_id)
    name = org["name"] if org else ""
    if invite.revoked_at:
        return JoinCheck("revoked", invite, name)
    if invite.expires_at <= now_text(now):
        return JoinCheck("expired", invite, name)
    if invite.uses >= invite.max_uses:
        return JoinCheck("used_up", invite, name)
    if not _author_may_still_invite(db, invite):
        return JoinCheck("revoked", invite, name)
    current = repo.membership(db, user_id)
    if current and current.org_id == invite.org_id:
        return JoinCheck("already_member", invite, name, current)
    if current:
        return JoinCheck("switch", invite, name, current)
    return JoinCheck("ok", invite, name)


@atomic
def join(
    db: sqlite_utils.Database,
    user_id: int,
    code: str,
    switch: bool = False,
    now: datetime | None = None,
) -> JoinCheck | LeaveResult:
    """Join with an invite code. A member of another organization must ``switch`` explicitly;
    the last admin of their organization must hand over first."""
    check = check_invite(db, user_id, code, now)
    if check.status == "switch" and switch:
        left = leave(db, user_id)
        if left == "hand_over_first":
            return left
        check = check_invite(db, user_id, code, now)
    if check.status != "ok":
        return check
    if not repo.join(db, check.invite, user_id, now_text(now)):
        return JoinCheck("used_up", check.invite, check.org_name)
    log.info(
        "user %s joined organization %s as %s", user_id, check.invite.org_id, check.invite.role
    )
    return JoinCheck("ok", check.invite, check.org_name, repo.membership(db, user_id))
