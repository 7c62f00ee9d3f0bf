"""What each ``python -m bot`` command does."""

import asyncio
import json
import logging
import sys
from collections import Counter
from contextlib import suppress
from pathlib import Path

from pydantic import ValidationError

from bot import CONTENT_DIR
from bot.config import LANGUAGES, Settings, token_problem
from bot.db import open_db
from bot.services import content, library
from bot.startup import (
    StartupError,
    absolute,
    content_problem,
    require_content,
    require_writable_folder,
)


def _settings() -> Settings | None:
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            name = str(problem["loc"][0]).upper() if problem["loc"] else "settings"
            message = problem["msg"].removeprefix("Value error, ")
            print(f"Configuration error in {name}: {message}", file=sys.stderr)
        return None


class _Redact(logging.Filter):
    """Secrets never reach the log, whatever library formats the message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self._clean(record.getMessage()), None
        if record.exc_info:  # tracebacks quote URLs, and URLs hold the token
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def _logging(settings: Settings) -> None:
    from bot.logs import OneLine

    logging.basicConfig(level=settings.log_level.upper())
    # Our own line per update replaces aiogram's "Update id=… is handled" (no chat, no user).
    logging.getLogger("aiogram.event").setLevel(max(logging.WARNING, logging.root.level))
    secrets = [s.get_secret_value() for s in (settings.bot_token, settings.webhook_secret) if s]
    for handler in logging.getLogger().handlers:
        handler.addFilter(_Redact(secrets))
        handler.setFormatter(OneLine())


def run(args) -> int:
    settings = _settings()
    if settings is None:
        return 2
    if problem := token_problem(settings):
        print(problem, file=sys.stderr)
        return 2
    if args.webhook and not (settings.webhook_url and settings.webhook_secret):
        print(
            "--webhook needs WEBHOOK_URL (the public https address Telegram posts to) and "
            "WEBHOOK_SECRET (1-256 characters: A-Z, a-z, 0-9, _ and -).",
            file=sys.stderr,
        )
        return 2
    _logging(settings)
    from bot import backup, runner

    try:
        with backup.running(settings.database_path):  # `bot restore` refuses meanwhile
            asyncio.run(runner.serve(settings, webhook=args.webhook))
    except KeyboardInterrupt:
        pass
    except StartupError as error:
        for line in error.lines:
            logging.getLogger("bot").error("%s", line)
        return 2
    except Exception:
        logging.getLogger("bot").exception("the bot stopped")
        return 1
    return 0


def chat(args) -> int:
    settings = _settings()
    if settings is None:
        return 2
    require_content(CONTENT_DIR)  # an empty tree would unload the console's library
    from bot import console

    # The console keeps its evidence beside its own database, never in EVIDENCE_PATH.
    evidence = console.console_settings(settings, Path(args.db)).evidence_path
    require_writable_folder(evidence, "the console's evidence folder")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    with suppress(KeyboardInterrupt):
        asyncio.run(console.main(settings, args))
    return 0


def status(args) -> int:
    from bot import health

    settings = _settings()
    if settings is None:
        return 2
    found = health.status(settings.database_path, scheduler=settings.scheduler)
    if args.json:
        print(json.dumps({c.name: {"ok": c.ok, "detail": c.detail} for c in found}))
    else:
        print(*(check.line() for check in found), sep="\n")
    return 0 if all(check.ok for check in found) else 1


def backup(args) -> int:
    from bot import backup as backups

    settings = _settings()
    if settings is None:
        return 2
    try:
        copied = backups.backup(settings.database_path, settings.evidence_path, Path(args.dest))
    except backups.BackupError as error:
        print(error, file=sys.stderr)
        return 2
    print(
        f"backup in {absolute(Path(args.dest))}: {copied.reports} reports, "
        f"{copied.photos} photos, {copied.files} evidence files"
    )
    return 0


def restore(args) -> int:
    from bot import backup as backups

    settings = _settings()
    if settings is None:
        return 2
    try:
        copied = backups.restore(Path(args.src), settings.database_path, settings.evidence_path)
    except backups.BackupError as error:
        print(error, file=sys.stderr)
        return 2
    print(
        f"restored into {absolute(settings.database_path)}: {copied.reports} reports, "
        f"{copied.photos} photos, {copied.files} evidence files"
    )
    return 0


def _report(problems: list[content.Problem]) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {CONTENT_DIR}; nothing was loaded.", file=sys.stderr)
    return 1 if problems else 0


def _read_content() -> tuple[list[content.Item], int]:
    """The items of ``content/`` and the exit code so far: 1 (every problem printed) when it
    is invalid, or when it is missing or empty, which would otherwise pass as "OK"."""
    items, problems = content.read(CONTENT_DIR)
    if problems:
        return items, _report(problems)
    if problem := content_problem(CONTENT_DIR, len(items)):
        print(problem, file=sys.stderr)
        return items, 1
    return items, 0


def migrate(args) -> int:
    """The release step: catalogs first (a broken one refuses, exit 2, before anything is
    written), then the database, then the content."""
    settings = _settings()
    if settings is None:
        return 2
    from bot.i18n import require_valid_catalogs  # imports aiogram: seconds, so only here

    require_valid_catalogs()
    print(f"catalogs OK: {', '.join(LANGUAGES)}")
    db = open_db(settings.database_path)
    print(f"database {absolute(settings.database_path)}: migrations applied")
    return content_load(args, db)


def content_load(args, db=None) -> int:
    items, code = _read_content()
    if code:
        return code
    if db is None:
        settings = _settings()
        if settings is None:
            return 2
        db = open_db(settings.database_path)
    problems = library.load(db)
    if not problems:
        print("content loaded: " + ", ".join(f"{k} {n}" for k, n in _per_kind(items).items()))
    return _report(problems)


def content_check(args) -> int:
    items, code = _read_content()
    if not code:
        print(f"content OK: {len(items)} items in {CONTENT_DIR}")
    return code


def _per_kind(items: list[content.Item]) -> dict[str, int]:
    """Items per kind: 50 questions are 50, whatever the number of languages they are in."""
    return dict(sorted(Counter(item.kind for item in items).items()))


def _counts(items: list[content.Item]) -> dict[str, dict[str, int]]:
    """Items per kind and language: an item counts for a language when all its texts have it."""
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        langs = set.intersection(*(set(t) for t in item.texts.values())) if item.texts else set()
        for lang in sorted(langs):
            counts.setdefault(item.kind, {}).setdefault(lang, 0)
            counts[item.kind][lang] += 1
    return counts


def content_stats(args) -> int:
    items, code = _read_content()
    counts = _counts(items)
    if args.json:
        print(json.dumps(counts, ensure_ascii=False, sort_keys=True))
    else:
        for kind, by_lang in sorted(counts.items()):
            print(f"{kind:10} " + "  ".join(f"{lang}: {n}" for lang, n in sorted(by_lang.items())))
    return code
