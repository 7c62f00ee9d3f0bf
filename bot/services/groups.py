"""Group chats linked to an organization or one of its teams, each with its language(s)."""

from typing import Literal

import sqlite_utils

from bot.db import orgs as repo
from bot.db.orgs import GroupChat
from bot.services import orgs
from bot.services.orgs import NotAllowed

GROUP_LANGUAGES = ("zh", "en", "both")


def languages(group: GroupChat | None) -> tuple[str, ...]:
    """The languages the group's messages carry, Chinese first when both."""
    if group is None or group.language == "both":
        return ("zh", "en")
    return (group.language,)


def group(db: sqlite_utils.Database, chat_id: int) -> GroupChat | None:
    return repo.group_chat(db, chat_id)


def link(
    db: sqlite_utils.Database, user_id: int, chat_id: int, title: str | None, team: str | None
) -> tuple[Literal["linked", "no_team", "taken"], GroupChat | None]:
    """Link the group to the caller's organization, or to one of its teams by name.

    A group linked to another organization stays with it until its manager unlinks it.
    (That the caller administers the group is checked with Telegram by the handler.)
    """
    actor = orgs.require(db, user_id, "manager")
    known = repo.group_chat(db, chat_id)
    if known and known.active and known.org_id != actor.org_id:
        return "taken", None
    team_id = None
    if team:
        wanted = " ".join(team.split()).casefold()
        matches = [
            i for i, name in repo.places(db, "teams", actor.org_id) if name.casefold() == wanted
        ]
        if not matches:
            return "no_team", None
        team_id = matches[0]
    if known and known.org_id == actor.org_id:
        language = known.language
    else:  # a new link starts in the organization's own language
        language = repo.organization(db, actor.org_id)["language"]
    linked = GroupChat(chat_id, actor.org_id, team_id, title, language, True)
    repo.link_group(db, linked, user_id, orgs.now_text())
    return "linked", linked


def _managed(db: sqlite_utils.Database, user_id: int, chat_id: int) -> GroupChat | None:
    """The group, if the caller manages the organization it is linked to; None if the group
    is not linked at all."""
    actor = orgs.require(db, user_id, "manager")
    found = repo.group_chat(db, chat_id)
    if found is None:
        return None
    if found.org_id != actor.org_id:
        raise NotAllowed(f"user {user_id} does not manage group {chat_id}")
    return found


def set_language(
    db: sqlite_utils.Database, user_id: int, chat_id: int, language: str
) -> GroupChat | None:
    if _managed(db, user_id, chat_id) is None:
        return None
    if language not in GROUP_LANGUAGES:
        raise NotAllowed(f"unknown group language {language!r}")
    repo.set_group_language(db, chat_id, language)
    return repo.group_chat(db, chat_id)


def unlink(db: sqlite_utils.Database, user_id: int, chat_id: int) -> bool:
    """False if the group was not linked."""
    if _managed(db, user_id, chat_id) is None:
        return False
    repo.unlink_group(db, chat_id)
    return True


def removed(db: sqlite_utils.Database, chat_id: int) -> None:
    """The bot was removed from the group: stop sending there, keep the link for a return."""
    repo.deactivate_group(db, chat_id)


def returned(db: sqlite_utils.Database, chat_id: int) -> GroupChat | None:
    """The bot was added to a group it was removed from: its link (organization, team,
    language) holds again, if the organization still exists."""
    found = repo.group_chat(db, chat_id)
    if found is None or repo.organization(db, found.org_id) is None:
        return None
    repo.reactivate_group(db, chat_id)
    return repo.group_chat(db, chat_id)


def organization_name(db: sqlite_utils.Database, group: GroupChat) -> str:
    return repo.organization(db, group.org_id)["name"]


def team_name(db: sqlite_utils.Database, group: GroupChat) -> str | None:
    return repo.team_name(db, group.org_id, group.team_id)


def team_names(db: sqlite_utils.Database, user_id: int) -> list[str]:
    return [name for _id, name in orgs.places(db, user_id, "teams")]
