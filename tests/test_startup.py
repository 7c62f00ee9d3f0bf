"""Start-up failures an operator can fix: each is one line naming its cause, exit 2, no traceback.

The commands run as subprocesses, as a deployment would start them: a clean environment (no
setting unless the test gives it), a temporary working directory.
"""

import ctypes
import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot import LOCALES_DIR, ROOT, runner
from bot.i18n import catalog_fingerprint
from bot.startup import StartupError
from tests.conftest import make_settings

# The shape of a real token (digits, a colon, 35 characters); no bot has it.
TOKEN = "123456:ABCDEFGHIJ_klmnopqrs-tuvwxyz012345678"
SETTINGS = (
    "BOT_TOKEN",
    "TELEGRAM_API_URL",
    "DATABASE_PATH",
    "EVIDENCE_PATH",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "DEFAULT_LANGUAGE",
    "DEFAULT_TIMEZONE",
    "ADMIN_IDS",
    "PORT",
    "LOG_LEVEL",
    "SEND_PER_SECOND",
)
ATTEMPT = "WARNING bot.runner: Telegram API at "
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: Telegram "unreachable", no network."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def drop_root_powers() -> None:
    """In the child: root without the capabilities that let it ignore file modes, so that
    mode 0444 is read-only for it as for the service user a real deployment runs as."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def as_service_user(scratch: Path):
    """How to start a process that file modes apply to: None when they already do (not root),
    ``drop_root_powers`` when that makes them, False when this machine cannot."""
    if os.geteuid() != 0:
        return None
    probe = scratch / "read-only"
    probe.write_text("")
    probe.chmod(0o444)
    check = subprocess.run(
        [sys.executable, "-c", f"open({str(probe)!r}, 'a')"],
        preexec_fn=drop_root_powers,
        capture_output=True,
    )
    return False if check.returncode == 0 else drop_root_powers


@pytest.fixture(scope="module")
def unprivileged(tmp_path_factory):
    as_user = as_service_user(tmp_path_factory.mktemp("probe"))
    if as_user is False:
        pytest.skip("cannot drop root's file powers here: read-only files are not read-only")
    return as_user


def start(command: list[str], cwd: Path, env: dict | None = None, as_user=None):
    """``python -m bot <command>`` with no settings but ``env``; stdin at its end."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return subprocess.run(
        [sys.executable, "-m", "bot", *command],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "PYTHONPATH": str(ROOT), **(env or {})},
        cwd=cwd,
        input="",
        preexec_fn=as_user,
    )


def problems(result) -> list[str]:
    """What stderr says is wrong: every line but ``run``'s opening line of paths."""
    return [line for line in result.stderr.splitlines() if " INFO bot.runner: " not in line]


def database_run(command: str, db_path: Path, tmp_path: Path, as_user=None):
    """``command`` using ``db_path`` as its database; ``run`` would poll a closed port."""
    env = {"BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": f"http://127.0.0.1:{closed_port()}"}
    if command == "chat":
        return start(["chat", "--db", str(db_path)], tmp_path, env, as_user)
    return start([command], tmp_path, {**env, "DATABASE_PATH": str(db_path)}, as_user)


def assert_one_line(result, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = problems(result)
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["run", "migrate", "chat"])
def test_a_damaged_database_file_is_named(tmp_path, command):
    damaged = tmp_path / "certready.sqlite3"
    damaged.write_bytes(bytes(range(256)) * 64)  # what a disk error or a wrong copy leaves
    result = database_run(command, damaged, tmp_path)
    assert_one_line(result, f"database {damaged} is not a SQLite database")


@pytest.mark.slow
@pytest.mark.parametrize("command", ["run", "migrate"])
def test_a_read_only_database_file_is_named(tmp_path, command, unprivileged):
    db_path = tmp_path / "certready.sqlite3"
    assert database_run("migrate", db_path, tmp_path).returncode == 0
    db_path.chmod(0o444)
    result = database_run(command, db_path, tmp_path, unprivileged)
    assert_one_line(result, f"database {db_path} is read-only")


@pytest.mark.slow
def test_a_database_in_a_read_only_folder_is_named(tmp_path, unprivileged):
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    db_path = folder / "console.sqlite3"
    result = database_run("chat", db_path, tmp_path, unprivileged)
    # The console keeps its evidence beside its database: that folder is named first.
    own = folder / "console-console" / "evidence"
    assert_one_line(result, f"the console's evidence folder {own}")


@pytest.mark.parametrize(
    ("token", "fault"),
    [
        ("", "is empty"),
        ("bot" + TOKEN, "is not a bot token"),
        (f'"{TOKEN}"', "is not a bot token"),
        (TOKEN + "\n", "has spaces or a line break around it"),
        (TOKEN[:20], "characters after the colon"),
    ],
)
def test_a_malformed_token_is_a_configuration_error_that_never_shows_it(tmp_path, token, fault):
    result = start(["run"], tmp_path, {"BOT_TOKEN": token})
    assert_one_line(result, "Configuration error in BOT_TOKEN", fault)
    secret = TOKEN.partition(":")[2]
    assert secret[:10] not in result.stderr + result.stdout


def test_an_http_webhook_is_refused_but_a_local_http_api_server_is_fine(tmp_path):
    result = start(
        ["run", "--webhook"],
        tmp_path,
        {
            "BOT_TOKEN": TOKEN,
            "WEBHOOK_URL": "http://bot.example/hook",
            "WEBHOOK_SECRET": "s3cret",
            "TELEGRAM_API_URL": "http://127.0.0.1:8081",
        },
    )
    assert_one_line(result, "Configuration error in WEBHOOK_URL", "https://")


@pytest.mark.slow
def test_an_evidence_folder_that_cannot_be_written_is_named(tmp_path, unprivileged):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    evidence.chmod(0o555)
    result = start(
        ["run"],
        tmp_path,
        {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{closed_port()}",
            "EVIDENCE_PATH": str(evidence),
        },
        unprivileged,
    )
    assert_one_line(result, f"EVIDENCE_PATH {evidence} is not a writable folder")
    assert list(evidence.iterdir()) == []  # the probe did not stay behind


@pytest.mark.slow
def test_the_console_keeps_its_evidence_beside_its_database_and_names_a_bad_folder(tmp_path):
    """The console never writes into the real EVIDENCE_PATH (here a file: it does not care);
    its own folder, beside its database, is checked instead."""
    (tmp_path / "photos").write_text("not a folder")
    own = tmp_path / "data" / "console-console" / "evidence"
    own.parent.mkdir(parents=True)
    own.write_text("not a folder either")
    result = start(["chat"], tmp_path, {"EVIDENCE_PATH": "photos"})
    assert_one_line(result, f"the console's evidence folder {own} is a file, not a folder")


@pytest.mark.slow
def test_telegram_unreachable_at_start_is_retried_one_line_each_and_stops_cleanly(tmp_path):
    """The first line says where the data goes; then each attempt is one line, no tracebacks,
    no unclosed session, and Ctrl-C stops it."""
    api = f"http://127.0.0.1:{closed_port()}"
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env={**clean, "PYTHONPATH": str(ROOT), "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api},
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    try:
        while sum(ATTEMPT in line for line in seen) < 2:
            seen.append(lines.get(timeout=60) or "")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    log = "".join(seen) + "".join(iter(lambda: lines.get(timeout=10), None))
    assert process.returncode == 0, log
    assert (
        seen[0]
        .rstrip()
        .endswith(
            f"INFO bot.runner: database {tmp_path / 'data' / 'certready.sqlite3'}, "
            f"evidence folder {tmp_path / 'data' / 'evidence'} (DATABASE_PATH and EVIDENCE_PATH "
            f"relative: resolved against the working directory {tmp_path})"
        )
    )
    attempts = [line for line in seen if ATTEMPT in line]
    assert f"WARNING bot.runner: Telegram API at {api} unreachable (" in attempts[0]
    assert attempts[0].rstrip().endswith("; retrying in 1s")
    assert attempts[1].rstrip().endswith("; retrying in 2s")
    assert "Traceback" not in log and "Unclosed" not in log
    assert process.stdout.read() == ""
    assert TOKEN.partition(":")[2] not in log


async def test_giving_up_on_telegram_closes_the_session(tmp_path, monkeypatch, caplog):
    """With a short, finite backoff (the injectable one) serve gives up with a StartupError,
    and the HTTP session it opened is closed on the way out."""
    api = f"http://127.0.0.1:{closed_port()}"
    settings = make_settings(
        bot_token=TOKEN,
        telegram_api_url=api,
        database_path=tmp_path / "db.sqlite3",
        evidence_path=tmp_path / "evidence",
    )
    built = []

    def keep(settings):
        built.append(runner_build_bot(settings))
        return built[-1]

    runner_build_bot = runner.build_bot
    monkeypatch.setattr(runner, "build_bot", keep)
    caplog.set_level(logging.INFO, logger="bot.runner")

    with pytest.raises(StartupError) as refused:
        await runner.serve(settings, webhook=False, retry_delays=[0, 0])

    assert refused.value.lines[0].startswith(f"Telegram API at {api} unreachable (")
    assert refused.value.lines[0].endswith("; giving up")
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0].startswith(f"database {tmp_path / 'db.sqlite3'}, evidence folder ")
    assert "relative" not in messages[0]  # both paths were given absolute
    assert sum("; retrying in 0s" in message for message in messages) == 2
    session = built[0].session._session
    assert session is not None and session.closed


def test_every_problem_before_telegram_is_named_at_once(tmp_path, monkeypatch):
    """An empty content tree and an evidence path that is a file: both lines, so the operator
    fixes both in one go; and the database is not touched (an empty tree would unload all)."""
    (tmp_path / "photos").write_text("")
    monkeypatch.setattr(runner, "CONTENT_DIR", tmp_path / "content")
    settings = make_settings(
        bot_token=TOKEN,
        database_path=tmp_path / "db.sqlite3",
        evidence_path=tmp_path / "photos",
    )
    with pytest.raises(StartupError) as refused:
        runner.prepare(settings)
    assert refused.value.lines == (
        f"EVIDENCE_PATH {tmp_path / 'photos'} is a file, not a folder",
        f"content folder {tmp_path / 'content'} does not exist: nothing to load",
    )
    assert not (tmp_path / "db.sqlite3").exists()


def test_a_broken_migration_keeps_its_traceback(tmp_path, monkeypatch):
    """Only problems of the file itself become an operator's line; a bug stays a bug."""
    import sqlite3

    import bot.db

    def broken(db):
        raise sqlite3.OperationalError("no such column: oops")

    monkeypatch.setattr(bot.db, "migrate", broken)
    with pytest.raises(sqlite3.OperationalError, match="oops"):
        bot.db.open_db(tmp_path / "db.sqlite3")


def test_catalogs_are_checked_again_only_when_they_changed(tmp_path, monkeypatch):
    """A start reads and checks both catalogs (about 0.2 s) unless an earlier start found them
    valid exactly as they are; a catalog edited since is checked, and a broken one refuses."""
    settings = make_settings(
        bot_token=TOKEN, database_path=tmp_path / "db.sqlite3", evidence_path=tmp_path / "ev"
    )
    read = []
    real = runner.require_valid_catalogs
    monkeypatch.setattr(runner, "require_valid_catalogs", lambda: read.append(1) or real())
    runner.prepare(settings)
    runner.prepare(settings)
    assert read == [1]  # the second start found them as the first checked them

    broken = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, broken)
    po = broken / "zh" / "LC_MESSAGES" / "messages.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "✅ 提交"', 'msgstr "✅ 提交 {x}"'),
        encoding="utf-8",
    )
    monkeypatch.setattr(runner, "catalog_fingerprint", lambda: catalog_fingerprint(broken))
    monkeypatch.setattr(runner, "require_valid_catalogs", lambda: real(broken))
    with pytest.raises(StartupError) as refused:
        runner.prepare(settings)
    assert 'msgid "✅ Submit": placeholders {x} instead of none' in refused.value.lines[0]
