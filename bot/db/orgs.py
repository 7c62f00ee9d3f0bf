"""Organizations and their people: members, areas, teams, invites, linked group chats."""

from dataclasses import dataclass

import sqlite_utils

from bot.db.tx import write


@dataclass(frozen=True)
class Membership:
    user_id: int
    org_id: int
    org_name: str
    role: str
    team_id: int | None
    team_name: str | None


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    username: str | None
    role: str
    team_name: str | None


@dataclass(frozen=True)
class Invite:
    code: str
    org_id: int
    role: str
    team_id: int | None
    expires_at: str
    max_uses: int
    uses: int
    revoked_at: str | None
    created_by: int | None = None


@dataclass(frozen=True)
class GroupChat:
    chat_id: int
    org_id: int
    team_id: int | None
    title: str | None
    language: str
    active: bool


def organization(db: sqlite_utils.Database, org_id: int) -> dict | None:
    cursor = db.execute("SELECT * FROM organizations WHERE id = ?", [org_id])
    rows = [dict(zip([c[0] for c in cursor.description], row, strict=True)) for row in cursor]
    return rows[0] if rows else None


def create_organization(
    db: sqlite_utils.Database, name: str, timezone: str, language: str, user_id: int, now: str
) -> int:
    with write(db):
        cursor = db.execute(
            "INSERT INTO organizations (name, timezone, language, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [name, timezone, language, user_id, now],
        )
        org_id = cursor.lastrowid
        _put_member(db, org_id, user_id, "admin", None, now)
    return org_id


def delete_organization(db: sqlite_utils.Database, org_id: int) -> None:
    with write(db):
        db.execute("DELETE FROM organizations WHERE id = ?", [org_id])


def membership(db: sqlite_utils.Database, user_id: int) -> Membership | None:
    row = db.execute(
        "SELECT m.user_id, m.org_id, o.name, m.role, m.team_id, t.name FROM members m"
        " JOIN organizations o ON o.id = m.org_id LEFT JOIN teams t ON t.id = m.team_id"
        " WHERE m.user_id = ?",
        [user_id],
    ).fetchone()
    return Membership(*row) if row else None


def _put_member(db, org_id: int, user_id: int, role: str, team_id: int | None, now: str) -> None:
    db.execute(
        "INSERT INTO members (user_id, org_id, role, team_id, joined_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(user_id) DO UPDATE SET org_id = excluded.org_id, role = excluded.role,"
        " team_id = excluded.team_id, joined_at = excluded.joined_at",
        [user_id, org_id, role, team_id, now],
    )


def join(db: sqlite_utils.Database, invite: Invite, user_id: int, now: str) -> bool:
    """Use one of the invite's uses and make the user a member, in one transaction.

    False if the invite ran out in the meantime (two people on its last use).
    """
    with write(db):
        used = db.execute(
            "UPDATE invites SET uses = uses + 1 WHERE code = ? AND uses < max_uses"
            " AND revoked_at IS NULL",
            [invite.code],
        ).rowcount
        if used:
            _put_member(db, invite.org_id, user_id, invite.role, invite.team_id, now)
    return bool(used)


def remove_member(db: sqlite_utils.Database, org_id: int, user_id: int) -> None:
    with write(db):
        db.execute("DELETE FROM members WHERE org_id = ? AND user_id = ?", [org_id, user_id])


def set_role(db: sqlite_utils.Database, org_id: int, user_id: int, role: str) -> None:
    with write(db):
        db.execute(
            "UPDATE members SET role = ? WHERE org_id = ? AND user_id = ?", [role, org_id, user_id]
        )


def set_team(db: sqlite_utils.Database, org_id: int, user_id: int, team_id: int | None) -> None:
    with write(db):
        db.execute(
            "UPDATE members SET team_id = ? WHERE org_id = ? AND user_id = ?",
            [team_id, org_id, user_id],
        )


def members(db: sqlite_utils.Database, org_id: int) -> list[Member]:
    rows = db.execute(
        "SELECT m.user_id, COALESCE(u.first_name, ''), u.username, m.role, t.name FROM members m"
        " JOIN users u ON u.id = m.user_id LEFT JOIN teams t ON t.id = m.team_id"
        " WHERE m.org_id = ?"
        " ORDER BY CASE m.role WHEN 'admin' THEN 0 WHEN 'manager' THEN 1 ELSE 2 END,"
        " u.first_name COLLATE NOCASE, m.user_id",
        [org_id],
    ).fetchall()
    return [Member(*row) for row in rows]


def count_members(db: sqlite_utils.Database, org_id: int, role: str | None = None) -> int:
    if role is None:
        return db["members"].count_where("org_id = ?", [org_id])
    return db["members"].count_where("org_id = ? AND role = ?", [org_id, role])


def managers(db: sqlite_utils.Database, org_id: int) -> list[int]:
    return [
        row[0]
        for row in db.execute(
            "SELECT user_id FROM members WHERE org_id = ? AND role IN ('manager', 'admin')",
            [org_id],
        )
    ]


# ----- areas and teams -------------------------------------------------------
def places(db: sqlite_utils.Database, table: str, org_id: int) -> list[tuple[int, str]]:
    """(id, name) of the organization's ``areas`` or ``teams``, by name."""
    assert table in ("areas", "teams")
    return [
        tuple(row)
        for row in db.execute(
            f"SELECT id, name FROM {table} WHERE org_id = ? ORDER BY name COLLATE NOCASE", [org_id]
        )
    ]


def add_place(db: sqlite_utils.Database, table: str, org_id: int, name: str) -> bool:
    """False if the organization already has one of that name."""
    assert table in ("areas", "teams")
    with write(db):
        cursor = db.execute(
            f"INSERT INTO {table} (org_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [org_id, name],
        )
    return cursor.rowcount == 1


def remove_place(db: sqlite_utils.Database, table: str, org_id: int, place_id: int) -> None:
    assert table in ("areas", "teams")
    with write(db):
        db.execute(f"DELETE FROM {table} WHERE org_id = ? AND id = ?", [org_id, place_id])


def team_name(db: sqlite_utils.Database, org_id: int, team_id: int | None) -> str | None:
    if team_id is None:
        return None
    row = db.execute(
        "SELECT name FROM teams WHERE org_id = ? AND id = ?", [org_id, team_id]
    ).fetchone()
    return row[0] if row else None


# ----- invites ----------------------------------------------------------------
def add_invite(db: sqlite_utils.Database, invite: Invite, created_by: int, now: str) -> None:
    with write(db):
        db["invites"].insert(
            {
                "code": invite.code,
                "org_id": invite.org_id,
                "role": invite.role,
                "team_id": invite.team_id,
                "created_by": created_by,
                "created_at": now,
                "expires_at": invite.expires_at,
                "max_uses": invite.max_uses,
                "uses": 0,
            }
        )


def invite(db: sqlite_utils.Database, code: str) -> Invite | None:
    row = db.execute(
        "SELECT code, org_id, role, team_id, expires_at, max_uses, uses, revoked_at, created_by"
        " FROM invites WHERE code = ?",
        [code],
    ).fetchone()
    return Invite(*row) if row else None


def open_invites(db: sqlite_utils.Database, org_id: int, now: str) -> list[Invite]:
    rows = db.execute(
        "SELECT code, org_id, role, team_id, expires_at, max_uses, uses, revoked_at FROM invites"
        " WHERE org_id = ? AND revoked_at IS NULL AND expires_at > ? AND uses < max_uses"
        " ORDER BY created_at DESC",
        [org_id, now],
    ).fetchall()
    return [Invite(*row) for row in rows]


def withdraw_invites_by(
    db: sqlite_utils.Database, org_id: int, user_id: int, now: str, keep_roles: tuple = ()
) -> None:
    """Withdraw the open invites ``user_id`` made, except those for ``keep_roles``."""
    keep = list(keep_roles) or [""]
    with write(db):
        db.execute(
            "UPDATE invites SET revoked_at = ? WHERE org_id = ? AND created_by = ?"
            f" AND revoked_at IS NULL AND role NOT IN ({', '.join('?' * len(keep))})",
            [now, org_id, user_id, *keep],
        )


def withdraw_team_invites(db: sqlite_utils.Database, org_id: int, team_id: int, now: str) -> None:
    with write(db):
        db.execute(
            "UPDATE invites SET revoked_at = ? WHERE org_id = ? AND team_id = ?"
            " AND revoked_at IS NULL",
            [now, org_id, team_id],
        )


def revoke_invite(db: sqlite_utils.Database, org_id: int, code: str, now: str) -> None:
    with write(db):
        db.execute(
            "UPDATE invites SET revoked_at = ?"
            " WHERE org_id = ? AND code = ? AND revoked_at IS NULL",
            [now, org_id, code],
        )


# ----- group chats --------------------------------------------------------------
def link_group(db, group: GroupChat, linked_by: int, now: str) -> None:
    with write(db):
        db.execute(
            "INSERT INTO group_chats (chat_id, org_id, team_id, title, language, linked_by,"
            " linked_at, active) VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT(chat_id) DO UPDATE"
            " SET org_id = excluded.org_id, team_id = excluded.team_id, title = excluded.title,"
            " language = excluded.language, linked_by = excluded.linked_by,"
            " linked_at = excluded.linked_at, active = 1",
            [
                group.chat_id,
                group.org_id,
                group.team_id,
                group.title,
                group.language,
                linked_by,
                now,
            ],
        )


def group_chat(db: sqlite_utils.Database, chat_id: int) -> GroupChat | None:
    row = db.execute(
        "SELECT chat_id, org_id, team_id, title, language, active FROM group_chats"
        " WHERE chat_id = ?",
        [chat_id],
    ).fetchone()
    return GroupChat(*row[:5], active=bool(row[5])) if row else None


def groups_of(db: sqlite_utils.Database, org_id: int) -> list[GroupChat]:
    rows = db.execute(
        "SELECT chat_id, org_id, team_id, title, language, active FROM group_chats"
        " WHERE org_id = ? AND active = 1 ORDER BY title",
        [org_id],
    ).fetchall()
    return [GroupChat(*row[:5], active=bool(row[5])) for row in rows]


def set_group_language(db: sqlite_utils.Database, chat_id: int, language: str) -> None:
    with write(db):
        db.execute("UPDATE group_chats SET language = ? WHERE chat_id = ?", [language, chat_id])


def reactivate_group(db: sqlite_utils.Database, chat_id: int) -> None:
    db.execute("UPDATE group_chats SET active = 1 WHERE chat_id = ?", [chat_id])


def deactivate_group(db: sqlite_utils.Database, chat_id: int) -> None:
    with write(db):
        db.execute("UPDATE group_chats SET active = 0 WHERE chat_id = ?", [chat_id])


def unlink_group(db: sqlite_utils.Database, chat_id: int) -> None:
    """The link goes, and with it what the group was set to receive (its daily tip and its
    weekly quiz): linked again, to this or another organization, it starts afresh."""
    with write(db):
        for table in ("group_chats", "tip_subscriptions", "quiz_challenges"):
            db.execute(f"DELETE FROM {table} WHERE chat_id = ?", [chat_id])


def move_group_chat(db: sqlite_utils.Database, old_id: int, new_id: int) -> bool:
    """A group upgraded to a supergroup gets a new chat id: its link (organization, team,
    language, what it receives), its tip subscription, the tips it has seen and its weekly
    quiz challenge move there; its quiz runs and polls follow.
    Where the new id already has a row (linked again meanwhile), that one is kept. Running
    it twice is harmless. True if a linked group moved."""
    moved = {}
    with write(db):
        for table in ("group_chats", "tip_subscriptions", "tips_seen", "quiz_challenges"):
            moved[table] = db.execute(
                f"UPDATE OR IGNORE {table} SET chat_id = ? WHERE chat_id = ?", [new_id, old_id]
            ).rowcount
            db.execute(f"DELETE FROM {table} WHERE chat_id = ?", [old_id])  # new_id's kept
        for table in ("quiz_runs", "quiz_polls"):  # history: every row moves
            db.execute(f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", [new_id, old_id])
    return moved["group_chats"] > 0


def update_organization(db: sqlite_utils.Database, org_id: int, **fields: str) -> None:
    allowed = {k: v for k, v in fields.items() if k in ("name", "timezone", "language")}
    if allowed:
        with write(db):
            db["organizations"].update(org_id, allowed)


def totals(db: sqlite_utils.Database) -> dict[str, int]:
    """Bot-wide counts, for the bot's own administrators."""
    count = db.execute
    roles = dict(count("SELECT role, COUNT(*) FROM members GROUP BY role").fetchall())
    return {
        "users": count("SELECT COUNT(*) FROM users").fetchone()[0],
        "orgs": count("SELECT COUNT(*) FROM organizations").fetchone()[0],
        "admins": roles.get("admin", 0),
        "managers": roles.get("manager", 0),
        "workers": roles.get("worker", 0),
        "groups": count("SELECT COUNT(*) FROM group_chats WHERE active = 1").fetchone()[0],
    }
