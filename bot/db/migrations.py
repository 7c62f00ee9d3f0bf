"""Schema changes, applied in order and recorded in the ``_migrations`` table.

Add a new function at the end; never edit one that has shipped.
"""

import sqlite3
from collections.abc import Callable

import sqlite_utils

from bot import clock
from bot.db.tx import write

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def script(db: sqlite_utils.Database, sql: str) -> None:
    """Run several statements inside the caller's transaction (``executescript`` would
    commit first, so a migration that fails half-way would leave half a schema)."""
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {statement[:80]!r}")


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_users(db: sqlite_utils.Database) -> None:
    db["users"].create(
        {
            "id": int,
            "first_name": str,
            "username": str,
            "telegram_language": str,
            "language": str,  # the user's own choice; NULL until they make one
            "timezone": str,
            "active": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"created_at", "updated_at"},
        defaults={"active": 1},
    )


@migration
def m002_dialog_state(db: sqlite_utils.Database) -> None:
    db["fsm"].create({"key": str, "state": str, "data": str}, pk="key")


@migration
def m003_content(db: sqlite_utils.Database) -> None:
    db["content_items"].create(
        {"kind": str, "id": str, "parent": str, "position": int, "attrs": str},
        pk=("kind", "id"),
        not_null={"position"},
    )
    db["content_texts"].create(
        {"kind": str, "item_id": str, "field": str, "lang": str, "text": str},
        pk=("kind", "item_id", "field", "lang"),
        not_null={"text"},
    )
    db["library_search"].create(
        {"kind": str, "item_id": str, "lang": str, "title": str, "body": str},
        pk=("kind", "item_id", "lang"),
    )
    db["library_search"].enable_fts(["title", "body"], tokenize="trigram", create_triggers=True)
    db["meta"].create({"key": str, "value": str}, pk="key")


@migration
def m004_organizations(db: sqlite_utils.Database) -> None:
    db["users"].add_column("onboarded_at", str)
    script(
        db,
        """
        CREATE TABLE organizations (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            timezone TEXT NOT NULL,
            language TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE areas (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            UNIQUE (org_id, name COLLATE NOCASE)
        );
        CREATE TABLE teams (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            UNIQUE (org_id, name COLLATE NOCASE)
        );
        -- One organization per person at a time.
        CREATE TABLE members (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('worker', 'manager', 'admin')),
            team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
            joined_at TEXT NOT NULL
        );
        CREATE INDEX members_org ON members(org_id);
        CREATE TABLE invites (
            code TEXT PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('worker', 'manager', 'admin')),
            team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            max_uses INTEGER NOT NULL,
            uses INTEGER NOT NULL DEFAULT 0,
            revoked_at TEXT
        );
        CREATE INDEX invites_org ON invites(org_id);
        CREATE TABLE group_chats (
            chat_id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
            title TEXT,
            language TEXT NOT NULL CHECK (language IN ('zh', 'en', 'both')),
            linked_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            linked_at TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        );
        """,
    )


@migration
def m005_readiness(db: sqlite_utils.Database) -> None:
    script(
        db,
        """
        CREATE TABLE assessments (
            id INTEGER PRIMARY KEY,
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            org_id INTEGER REFERENCES organizations(id) ON DELETE CASCADE,
            scope TEXT NOT NULL,          -- 'all' or a main clause '4' … '10'
            started_at TEXT NOT NULL,
            finished_at TEXT,
            score REAL                    -- overall readiness 0–1, set when finished
        );
        CREATE INDEX assessments_user ON assessments(user_id, finished_at);
        CREATE INDEX assessments_org ON assessments(org_id, finished_at);
        CREATE TABLE answers (
            assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            answer TEXT NOT NULL CHECK (answer IN ('yes', 'partly', 'no', 'na', 'unsure')),
            note TEXT,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (assessment_id, question_id)
        );
        CREATE TABLE roadmap (
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('todo', 'doing', 'done')),
            target_date TEXT,
            updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (org_id, step_id)
        );
        """,
    )


@migration
def m006_nonconformities(db: sqlite_utils.Database) -> None:
    script(
        db,
        """
        CREATE TABLE nonconformities (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            year INTEGER NOT NULL,
            number INTEGER NOT NULL,       -- NC-<year>-<number>, gap-free per org and year
            reporter_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            description TEXT NOT NULL,
            area TEXT,
            category TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('minor', 'major', 'critical')),
            status TEXT NOT NULL CHECK (status IN ('new', 'contained', 'analysis', 'planned',
                'done', 'verified', 'closed', 'rejected', 'duplicate')),
            containment TEXT,
            root_cause TEXT,
            action TEXT,
            owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            due_date TEXT,
            duplicate_of INTEGER REFERENCES nonconformities(id) ON DELETE SET NULL,
            reason TEXT,
            idempotency_key TEXT UNIQUE,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (org_id, year, number)
        );
        CREATE INDEX nonconformities_org ON nonconformities(org_id, status);
        CREATE INDEX nonconformities_reporter ON nonconformities(reporter_id);
        CREATE TABLE nc_photos (
            nc_id INTEGER NOT NULL REFERENCES nonconformities(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            file_id TEXT NOT NULL,
            file_unique_id TEXT NOT NULL,
            local_path TEXT,
            PRIMARY KEY (nc_id, position)
        );
        -- The audit trail: rows are added, never changed (10.2.2 asks for the record).
        CREATE TABLE nc_history (
            id INTEGER PRIMARY KEY,
            nc_id INTEGER NOT NULL REFERENCES nonconformities(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            from_status TEXT,
            to_status TEXT NOT NULL,
            note TEXT
        );
        CREATE INDEX nc_history_nc ON nc_history(nc_id, id);
        CREATE TRIGGER nc_history_append_only BEFORE UPDATE OF at, from_status, to_status, note,
            nc_id ON nc_history
        BEGIN
            SELECT RAISE(ABORT, 'nc_history is append-only');
        END;
        """,
    )


@migration
def m007_outbox(db: sqlite_utils.Database) -> None:
    script(
        db,
        """
        -- Messages the bot owes people: written first, sent after, retried until sent.
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            dedupe_key TEXT NOT NULL UNIQUE,
            chat_id INTEGER NOT NULL,
            text TEXT NOT NULL,
            reply_markup TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            dropped INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX outbox_pending ON outbox(sent_at, dropped);
        """,
    )


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    table = db["_migrations"]
    if not table.exists():
        table.create({"name": str, "applied_at": str}, pk="name")
    done = {row["name"] for row in table.rows}
    applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with write(db):
            fn(db)
            table.insert({"name": name, "applied_at": clock.stamp()})
        applied.append(name)
    return applied


@migration
def m008_owed_work(db: sqlite_utils.Database) -> None:
    """Notices are owed as what to say (a kind and its parameters) and rendered in the
    recipient's language when sent; rows written before keep their ready text. Evidence to
    archive is owed work too: a photo without a local copy is retried and its failures kept."""
    script(
        db,
        """
        ALTER TABLE outbox ADD COLUMN kind TEXT;
        ALTER TABLE outbox ADD COLUMN params TEXT;
        ALTER TABLE nc_photos ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE nc_photos ADD COLUMN last_error TEXT;
        CREATE INDEX nc_photos_unarchived ON nc_photos(local_path) WHERE local_path IS NULL;
        """,
    )


@migration
def m009_readiness_keeps_everything(db: sqlite_utils.Database) -> None:
    """A note may be written before its question is answered (answer NULL until then), and
    an assessment set aside for another scope is open again: earlier versions closed it
    without a score when a different one was started, discarding the person's progress."""
    script(
        db,
        """
        CREATE TABLE answers_new (
            assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            answer TEXT CHECK (answer IN ('yes', 'partly', 'no', 'na', 'unsure')),
            note TEXT,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (assessment_id, question_id)
        );
        INSERT INTO answers_new SELECT assessment_id, question_id, answer, note, answered_at
            FROM answers;
        DROP TABLE answers;
        ALTER TABLE answers_new RENAME TO answers;
        UPDATE assessments SET finished_at = NULL
            WHERE score IS NULL AND finished_at IS NOT NULL
            AND id = (SELECT MAX(b.id) FROM assessments b
                      WHERE b.user_id IS assessments.user_id AND b.scope = assessments.scope);
        """,
    )


@migration
def m010_visible_names(db: sqlite_utils.Database) -> None:
    """Names stored before invisible and direction-changing characters were removed on the
    way in are cleaned the same way (a name that would then collide keeps its old form)."""
    from bot.services.text import clean_line, visible

    for table, column in (
        ("users", "first_name"),
        ("organizations", "name"),
        ("areas", "name"),
        ("teams", "name"),
    ):
        for row_id, value in db.execute(f"SELECT rowid, {column} FROM {table}").fetchall():
            cleaned = clean_line(value or "")
            if table != "users" and not visible(cleaned):
                cleaned = f"#{row_id}"  # it showed nothing before either: now it can be found
            if value and cleaned != value:
                db.execute(
                    f"UPDATE OR IGNORE {table} SET {column} = ? WHERE rowid = ?", [cleaned, row_id]
                )


@migration
def m011_retries_and_abandoned(db: sqlite_utils.Database) -> None:
    """Owed work waits longer and longer between tries instead of giving up after a minute;
    an assessment an earlier version closed without a score (set aside, not finished) is
    marked so, and no longer counts as anyone's result."""
    script(
        db,
        """
        ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
        ALTER TABLE nc_photos ADD COLUMN next_attempt_at TEXT;
        ALTER TABLE assessments ADD COLUMN abandoned INTEGER NOT NULL DEFAULT 0;
        UPDATE assessments SET abandoned = 1 WHERE finished_at IS NOT NULL AND score IS NULL;
        """,
    )


@migration
def m012_evidence_kinds(db: sqlite_utils.Database) -> None:
    """Evidence is a photo, a voice note or a short video; rows before this are photos."""
    script(db, "ALTER TABLE nc_photos ADD COLUMN kind TEXT NOT NULL DEFAULT 'photo';")


@migration
def m013_speaking_first(db: sqlite_utils.Database) -> None:
    """The bot speaks first: daily tips for people and linked groups (``next_tip_at`` is the
    next local send time in UTC, so a tick finds due tips by index), what a group receives,
    the organization's QMS calendar, and the scheduler's record of work already done."""
    script(
        db,
        """
        CREATE TABLE tip_subscriptions (
            chat_id INTEGER PRIMARY KEY,
            subscribed INTEGER NOT NULL DEFAULT 1,
            send_at TEXT NOT NULL DEFAULT '08:30',
            workdays_only INTEGER NOT NULL DEFAULT 1,
            next_tip_at TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX tip_subscriptions_due ON tip_subscriptions(next_tip_at)
            WHERE subscribed = 1;
        CREATE TABLE tips_seen (
            chat_id INTEGER NOT NULL,
            tip_id TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, tip_id)
        ) WITHOUT ROWID;
        ALTER TABLE users ADD COLUMN tips_asked_at TEXT;
        CREATE INDEX users_not_asked ON users(id) WHERE tips_asked_at IS NULL;
        ALTER TABLE users ADD COLUMN quiet_hours INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE group_chats ADD COLUMN report_severity TEXT;
        ALTER TABLE group_chats ADD COLUMN report_photos INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE calendar_events (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('internal_audit', 'management_review',
                'surveillance_audit', 'recertification', 'certificate_expiry', 'training',
                'custom')),
            title TEXT,
            day TEXT NOT NULL,
            source TEXT,
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            UNIQUE (org_id, source)
        );
        CREATE INDEX calendar_events_day ON calendar_events(day);
        CREATE TABLE jobs_done (
            key TEXT PRIMARY KEY,
            done_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
    )


@migration
def m014_announcements(db: sqlite_utils.Database) -> None:
    """Announcements with acknowledgement (ISO 9001 7.3, 7.4): what a manager sent to the
    organization or one team, in one or both languages, and per recipient when they confirmed
    they read it. A recipient's role and team are kept as they were when it was sent; a person
    erased later stays in the count without their name."""
    script(
        db,
        """
        CREATE TABLE announcements (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
            team_name TEXT,
            author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            text_en TEXT,
            text_zh TEXT,
            to_groups INTEGER NOT NULL DEFAULT 0,
            form_key TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            reminders INTEGER NOT NULL DEFAULT 0,
            CHECK (text_en IS NOT NULL OR text_zh IS NOT NULL),
            UNIQUE (org_id, form_key)
        );
        CREATE INDEX announcements_newest ON announcements(org_id, id DESC);
        CREATE TABLE announcement_recipients (
            id INTEGER PRIMARY KEY,
            announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            role TEXT NOT NULL,
            team_name TEXT,
            acknowledged_at TEXT,
            UNIQUE (announcement_id, user_id)
        );
        CREATE INDEX announcement_recipients_user ON announcement_recipients(user_id);
        """,
    )


@migration
def m015_group_digest(db: sqlite_utils.Database) -> None:
    """A linked group gets the weekly digest summary unless a manager turns it off
    (``/digest off``); groups linked before now get it too."""
    script(db, "ALTER TABLE group_chats ADD COLUMN digest INTEGER NOT NULL DEFAULT 1;")


@migration
def m016_quiz(db: sqlite_utils.Database) -> None:
    """Quizzes (ISO 9001 7.2, 7.3): each person's spaced-repetition card per question, every
    answer given, once per poll or practice step (``answer_key``; the training record: kept,
    without the name, when a person is erased), the
    quiz polls sent to groups (a poll answer names the poll, not the chat) and each group's
    weekly challenge, picked up by the scheduler's tick."""
    script(
        db,
        """
        CREATE TABLE quiz_cards (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            card TEXT NOT NULL,
            due TEXT NOT NULL,
            reviews INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            last_right INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, question_id)
        ) WITHOUT ROWID;
        CREATE INDEX quiz_cards_due ON quiz_cards(user_id, due);
        CREATE TABLE quiz_answers (
            id INTEGER PRIMARY KEY,
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            org_id INTEGER REFERENCES organizations(id) ON DELETE CASCADE,
            team_name TEXT,
            question_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            chosen INTEGER NOT NULL,
            correct INTEGER NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('practice', 'group')),
            answer_key TEXT NOT NULL,
            answered_at TEXT NOT NULL,
            UNIQUE (answer_key, user_id)
        );
        CREATE INDEX quiz_answers_user ON quiz_answers(user_id, answered_at);
        CREATE INDEX quiz_answers_org ON quiz_answers(org_id, answered_at);
        CREATE TABLE quiz_runs (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL,
            started_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            topic TEXT,
            questions TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE INDEX quiz_runs_chat ON quiz_runs(chat_id);
        CREATE TABLE quiz_polls (
            poll_id TEXT PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES quiz_runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            question_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            correct TEXT NOT NULL,
            chat_id INTEGER NOT NULL,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            sent_at TEXT NOT NULL
        );
        CREATE INDEX quiz_polls_run ON quiz_polls(run_id, position);
        CREATE TABLE quiz_challenges (
            chat_id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
            at TEXT NOT NULL,
            size INTEGER NOT NULL,
            topic TEXT,
            next_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL
        );
        CREATE INDEX quiz_challenges_due ON quiz_challenges(next_at);
        """,
    )


@migration
def m017_internal_audits(db: sqlite_utils.Database) -> None:
    """Internal audits (ISO 9001 9.2): the programme (what, which clauses, when, by whom), each
    clause's finding, and the issued reports, frozen as they were issued (a later change is a
    new version). A nonconformity found in an audit becomes a report with its source, audit
    and clause, and is driven to closure like any other."""
    script(
        db,
        """
        CREATE TABLE audits (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            year INTEGER NOT NULL,
            number INTEGER NOT NULL,
            subject TEXT NOT NULL,
            team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
            clauses TEXT NOT NULL,
            planned_for TEXT NOT NULL,
            auditor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            status TEXT NOT NULL DEFAULT 'planned'
                CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
            started_at TEXT,
            finished_at TEXT,
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            UNIQUE (org_id, year, number)
        );
        CREATE INDEX audits_org ON audits(org_id, planned_for);
        CREATE INDEX audits_auditor ON audits(auditor_id, status);
        CREATE TABLE audit_findings (
            audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
            clause TEXT NOT NULL,
            result TEXT NOT NULL CHECK (result IN ('conforming', 'observation', 'improvement',
                'minor', 'major')),
            note TEXT,
            photos TEXT,
            nc_id INTEGER REFERENCES nonconformities(id) ON DELETE SET NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (audit_id, clause)
        ) WITHOUT ROWID;
        CREATE TABLE audit_reports (
            audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            issued_at TEXT NOT NULL,
            issued_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (audit_id, version)
        );
        ALTER TABLE nonconformities ADD COLUMN source TEXT NOT NULL DEFAULT 'report';
        ALTER TABLE nonconformities ADD COLUMN audit_id INTEGER
            REFERENCES audits(id) ON DELETE SET NULL;
        ALTER TABLE nonconformities ADD COLUMN clause TEXT;
        """,
    )


@migration
def m018_quality_objectives(db: sqlite_utils.Database) -> None:
    """Quality objectives (ISO 9001 6.2): what is measured, the target and which way is
    better, who measures it, by when, how often; and the value of each period (a week, a
    month or a quarter), entered by its owner when the bot asks."""
    script(
        db,
        """
        CREATE TABLE objectives (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            target REAL NOT NULL,
            unit TEXT NOT NULL,
            better TEXT NOT NULL CHECK (better IN ('higher', 'lower')),
            owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            due_date TEXT NOT NULL,
            every TEXT NOT NULL CHECK (every IN ('week', 'month', 'quarter')),
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            closed_at TEXT
        );
        CREATE INDEX objectives_org ON objectives(org_id);
        CREATE TABLE objective_values (
            objective_id INTEGER NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
            period TEXT NOT NULL,
            value REAL NOT NULL,
            entered_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            entered_at TEXT NOT NULL,
            PRIMARY KEY (objective_id, period)
        ) WITHOUT ROWID;
        """,
    )


@migration
def m019_management_reviews(db: sqlite_utils.Database) -> None:
    """Management reviews (ISO 9001 9.3): what the manager adds to the inputs the bot cannot
    know, the decisions (9.3.3 a–c) each with an owner and a due date, followed up like
    corrective actions, and the issued minutes, frozen as issued."""
    script(
        db,
        """
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            year INTEGER NOT NULL,
            number INTEGER NOT NULL,
            held_on TEXT NOT NULL,
            since TEXT NOT NULL,
            answers TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued')),
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            UNIQUE (org_id, year, number)
        );
        CREATE TABLE review_decisions (
            id INTEGER PRIMARY KEY,
            review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('improvement', 'change', 'resources')),
            text TEXT NOT NULL,
            owner_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            due_date TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
            done_at TEXT
        );
        CREATE INDEX review_decisions_open ON review_decisions(owner_id, status);
        CREATE TABLE review_minutes (
            review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            issued_at TEXT NOT NULL,
            issued_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (review_id, version)
        );
        """,
    )


@migration
def m020_tick_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for what the scheduler's tick looks up every minute or every morning, so it
    costs what it finds rather than the size of the workforce (bench/scheduler.py lists the
    statements that still read a whole table)."""
    script(
        db,
        """
        CREATE INDEX users_timezone ON users(timezone) WHERE timezone IS NOT NULL;
        CREATE INDEX organizations_timezone ON organizations(timezone);
        CREATE INDEX members_role ON members(role, org_id);
        CREATE INDEX nonconformities_due ON nonconformities(status, due_date);
        CREATE INDEX audits_open ON audits(status, planned_for);
        CREATE INDEX review_decisions_due ON review_decisions(status, due_date);
        CREATE INDEX objectives_open ON objectives(owner_id) WHERE closed_at IS NULL;
        CREATE INDEX group_chats_digest ON group_chats(org_id) WHERE active = 1 AND digest = 1;
        """,
    )
