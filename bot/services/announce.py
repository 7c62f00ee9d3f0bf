"""Announcements with acknowledgement: the awareness (ISO 9001 7.3) and communication (7.4)
a manager can show an auditor.

A manager or admin writes to the whole organization or one team, in English, Chinese or
both. Sending is one transaction: the announcement, a recipient row per current member of
the audience (the author excepted: they wrote it), a notice owed to each, and a copy owed to
the audience's linked group chats if the author asked for one. Each recipient confirms
"read and understood" once; a second time changes nothing, and someone who has left the
organization can no longer confirm (what they confirmed before stays on record). Managers
see who has confirmed and remind the rest, one reminder per person per round.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlite_utils

from bot import clock
from bot.db import announce as repo
from bot.db import orgs as org_repo
from bot.db import outbox
from bot.db.announce import Announcement, Recipient
from bot.db.tx import write
from bot.services import groups, orgs, text
from bot.services.orgs import NotAllowed

log = logging.getLogger(__name__)

__all__ = ["Announcement", "Recipient"]

LANGUAGES = ("en", "zh")
MAX_TEXT = 3000  # per language, as Telegram counts (UTF-16 units): a message has room for it
TextProblem = Literal["empty", "too_long"]


@dataclass(frozen=True)
class Audience:
    team_id: int | None  # None: the whole organization
    team_name: str | None
    people: int  # who would get it: the members, the author excepted
    groups: int  # linked group chats that can get a copy


@dataclass(frozen=True)
class Sent:
    announcement_id: int
    people: int
    groups: int
    created: bool  # False: this form was sent before; nothing new was written


@dataclass(frozen=True)
class Summary:
    announcement: Announcement
    recipients: int
    acknowledged: int


@dataclass(frozen=True)
class Acknowledged:
    status: Literal["acknowledged", "already", "not_recipient", "left"]
    at: str | None = None  # when they acknowledged (the first time)
    org_name: str = ""


def clean_text(typed: str) -> tuple[str, TextProblem | None]:
    """The text as it will be sent, and what stops that (nothing visible, or too long)."""
    cleaned = text.clean(typed)
    if not text.visible(cleaned):
        return cleaned, "empty"
    return cleaned, "too_long" if text.units(cleaned) > MAX_TEXT else None


def texts_of(found: Announcement) -> dict[str, str]:
    """The languages it was written in, and the text in each."""
    return {lang: t for lang, t in (("en", found.text_en), ("zh", found.text_zh)) if t}


def text_for(found: Announcement | dict[str, str], lang: str) -> tuple[str, str]:
    """(language, text) a reader of ``lang`` gets: theirs if written, else the one there is."""
    texts = found if isinstance(found, dict) else texts_of(found)
    chosen = lang if lang in texts else next(iter(texts))
    return chosen, texts[chosen]


# ----- writing ------------------------------------------------------------------
def _team(db: sqlite_utils.Database, org_id: int, team_id: int | None) -> tuple[int, str] | None:
    if team_id is None:
        return None
    name = org_repo.team_name(db, org_id, team_id)
    if name is None:
        raise NotAllowed(f"team {team_id} is not in organization {org_id}")
    return team_id, name


def audiences(db: sqlite_utils.Database, actor_id: int) -> list[Audience]:
    """Who a manager can write to: the whole organization, then each team."""
    actor = orgs.require(db, actor_id, "manager")
    teams = [(None, None), *org_repo.places(db, "teams", actor.org_id)]
    return [_audience(db, actor, team_id, name) for team_id, name in teams]


def audience(db: sqlite_utils.Database, actor_id: int, team_id: int | None) -> Audience:
    actor = orgs.require(db, actor_id, "manager")
    team = _team(db, actor.org_id, team_id)
    return _audience(db, actor, team_id, team[1] if team else None)


def _audience(db, actor, team_id: int | None, name: str | None) -> Audience:
    people = [p for p in repo.audience(db, actor.org_id, team_id) if p[0] != actor.user_id]
    return Audience(team_id, name, len(people), len(repo.groups(db, actor.org_id, team_id)))


def readers(db: sqlite_utils.Database, actor_id: int, team_id: int | None) -> list[int]:
    """Who would get it now (the author excepted), for the preview's counts by language."""
    actor = orgs.require(db, actor_id, "manager")
    _team(db, actor.org_id, team_id)
    return [p[0] for p in repo.audience(db, actor.org_id, team_id) if p[0] != actor_id]


def group_languages(
    db: sqlite_utils.Database, actor_id: int, team_id: int | None
) -> list[tuple[str, ...]]:
    """The language settings of the audience's linked group chats, each once (for the preview)."""
    actor = orgs.require(db, actor_id, "manager")
    _team(db, actor.org_id, team_id)
    found = []
    for chat_id in repo.groups(db, actor.org_id, team_id):
        langs = groups.languages(org_repo.group_chat(db, chat_id))
        if langs not in found:
            found.append(langs)
    return found


def send(
    db: sqlite_utils.Database,
    actor_id: int,
    team_id: int | None,
    texts: dict[str, str],
    to_groups: bool,
    key: str,
    now: datetime | None = None,
) -> Sent:
    """Record the announcement, its recipients and everything owed to them, in one
    transaction; the same ``key`` (one per filled-in form) sends it once, however often the
    button is pressed. NotAllowed for anyone but a manager, or for texts no form allows."""
    actor = orgs.require(db, actor_id, "manager")
    cleaned = {}
    for lang in LANGUAGES:
        if texts.get(lang):
            cleaned[lang], problem = clean_text(texts[lang])
            if problem:
                raise NotAllowed(f"announcement text ({lang}) is {problem}")
    if not cleaned:
        raise NotAllowed("an announcement needs a text")
    stamp = clock.stamp(now)
    with write(db):
        team = _team(db, actor.org_id, team_id)
        people = [p for p in repo.audience(db, actor.org_id, team_id) if p[0] != actor_id]
        chats = repo.groups(db, actor.org_id, team_id) if to_groups else []
        found, created = repo.create(
            db, actor.org_id, team, actor_id, cleaned, bool(chats), key, stamp
        )
        if not created:
            total, _acknowledged = repo.counts(db, found)
            already = repo.get(db, found)
            return Sent(found, total, len(chats) if already.to_groups else 0, False)
        repo.add_recipients(db, found, people)
        for user_id, _role, _team_name in people:
            outbox.notice(
                db, f"ann:{found}:{user_id}", user_id, "ann.new", {"announcement": found}, stamp
            )
        for chat_id in chats:
            outbox.notice(
                db,
                f"ann:{found}:group:{chat_id}",
                chat_id,
                "ann.group",
                {"announcement": found, "chat": chat_id},
                stamp,
            )
    log.info(
        "announcement %s by user %s: %s people, %s groups to tell",
        found,
        actor_id,
        len(people),
        len(chats),
    )
    return Sent(found, len(people), len(chats), True)


# ----- reading, for managers ------------------------------------------------------
def listing(db: sqlite_utils.Database, actor_id: int) -> list[Summary]:
    actor = orgs.require(db, actor_id, "manager")
    return [Summary(*row) for row in repo.summaries(db, actor.org_id)]


def managed(db: sqlite_utils.Database, actor_id: int, announcement_id: int) -> Summary:
    """One of the manager's organization's announcements; NotAllowed for any other."""
    actor = orgs.require(db, actor_id, "manager")
    found = repo.get(db, announcement_id)
    if found is None or found.org_id != actor.org_id:
        raise NotAllowed(f"user {actor_id} may not see announcement {announcement_id}")
    return Summary(found, *repo.counts(db, announcement_id))


def recipients(db: sqlite_utils.Database, actor_id: int, announcement_id: int) -> list[Recipient]:
    managed(db, actor_id, announcement_id)
    return repo.recipients(db, announcement_id)


def remind(
    db: sqlite_utils.Database,
    actor_id: int,
    announcement_id: int,
    seen_round: int,
    now: datetime | None = None,
) -> int | None:
    """Remind everyone still in the organization who has not acknowledged it: one notice
    each. ``seen_round`` is the number of rounds the manager saw when they pressed: a double
    tap (or a colleague a moment earlier) started that round already, and None is returned."""
    managed(db, actor_id, announcement_id)
    stamp = clock.stamp(now)
    with write(db):
        if not repo.start_round(db, announcement_id, seen_round):
            return None
        number = seen_round + 1
        pending = repo.not_acknowledged(db, announcement_id)
        for user_id in pending:
            outbox.notice(
                db,
                f"ann-remind:{announcement_id}:{user_id}:{number}",
                user_id,
                "ann.remind",
                {"announcement": announcement_id},
                stamp,
            )
    return len(pending)


def still_to_remind(db: sqlite_utils.Database, actor_id: int, announcement_id: int) -> list[int]:
    """Who a reminder would go to now: still in the organization, not yet confirmed."""
    managed(db, actor_id, announcement_id)
    return repo.not_acknowledged(db, announcement_id)


def export_rows(
    db: sqlite_utils.Database, actor_id: int, announcement_id: int
) -> tuple[Announcement, dict, list[Recipient]]:
    """The announcement, its organization (name, time zone) and every recipient."""
    found = managed(db, actor_id, announcement_id).announcement
    return found, org_repo.organization(db, found.org_id), repo.recipients(db, announcement_id)


# ----- for recipients -----------------------------------------------------------
def delivered_to(db: sqlite_utils.Database, user_id: int, announcement_id: int):
    """The announcement and its organization, if the person is one of its recipients and
    still in that organization (someone who left is not sent it any more)."""
    found = repo.get(db, announcement_id)
    if found is None or not repo.acknowledged_at(db, announcement_id, user_id)[0]:
        return None
    member = orgs.membership(db, user_id)
    if member is None or member.org_id != found.org_id:
        return None
    return found, org_repo.organization(db, found.org_id)


def shown_to(db: sqlite_utils.Database, user_id: int, announcement_id: int):
    """The announcement and its organization, if it was sent to the person (for redrawing
    their copy once they confirmed it)."""
    found = repo.get(db, announcement_id)
    if found is None or not repo.acknowledged_at(db, announcement_id, user_id)[0]:
        return None
    return found, org_repo.organization(db, found.org_id)


def acknowledged(db: sqlite_utils.Database, user_id: int, announcement_id: int) -> bool:
    return repo.acknowledged_at(db, announcement_id, user_id)[1] is not None


def for_group(db: sqlite_utils.Database, chat_id: int, announcement_id: int):
    """The announcement and its organization, if the group is still linked to it."""
    found = repo.get(db, announcement_id)
    group = org_repo.group_chat(db, chat_id)
    if found is None or group is None or group.org_id != found.org_id or not group.active:
        return None
    return found, org_repo.organization(db, found.org_id), group


def acknowledge(
    db: sqlite_utils.Database, user_id: int, announcement_id: int, now: datetime | None = None
) -> Acknowledged:
    """Record that the person read and understood it. Only a recipient may, and only while
    in the organization; the first time counts, a second press changes nothing."""
    is_recipient, at = repo.acknowledged_at(db, announcement_id, user_id)
    if not is_recipient:
        return Acknowledged("not_recipient")
    found = repo.get(db, announcement_id)
    org = org_repo.organization(db, found.org_id)
    member = orgs.membership(db, user_id)
    if at is not None:
        return Acknowledged("already", at, org["name"])
    if member is None or member.org_id != found.org_id:
        return Acknowledged("left", None, org["name"])
    stamp = clock.stamp(now)
    if repo.acknowledge(db, announcement_id, user_id, stamp):
        return Acknowledged("acknowledged", stamp, org["name"])
    return Acknowledged(
        "already", repo.acknowledged_at(db, announcement_id, user_id)[1], org["name"]
    )
