"""The command line: every command documented, clear failures, content tools for authors."""

import json
import os
import subprocess
import sys

import pytest

from bot import CONTENT_DIR, ROOT
from bot.__main__ import main, parser
from bot.services import content

# The shape of a real token (digits, a colon, 35 characters); no bot has it.
TOKEN = "123456:ABCDEFGHIJ_klmnopqrs-tuvwxyz012345678"


def run_cli(*args: str, env: dict | None = None, stdin: str | None = None, cwd=None):
    """Run ``python -m bot`` as a user would, in a clean environment."""
    base = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_PATH"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, "PYTHONPATH": str(ROOT), **(env or {})},
        input=stdin,
        cwd=cwd or ROOT,
    )


def commands():
    found = []
    for name, sub in parser()._subparsers._group_actions[0].choices.items():
        found.append((name,))
        if sub._subparsers:
            found += [(name, action) for action in sub._subparsers._group_actions[0].choices]
    return found


@pytest.mark.parametrize("command", commands(), ids=" ".join)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args([*command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m bot " + " ".join(command))
    assert len(out.splitlines()) >= 3


def test_commands_are_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in commands():
        assert "python -m bot " + " ".join(command) in readme, command


def test_run_without_token_says_what_to_do(tmp_path):
    result = run_cli("run", cwd=tmp_path, env={"DATABASE_PATH": str(tmp_path / "db.sqlite3")})
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "BOT_TOKEN" in lines[0] and "python -m bot chat" in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_setting_is_one_clear_line(tmp_path):
    result = run_cli("run", cwd=tmp_path, env={"BOT_TOKEN": TOKEN, "DEFAULT_TIMEZONE": "Mars/Base"})
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_webhook_needs_url_and_secret(tmp_path):
    result = run_cli("run", "--webhook", cwd=tmp_path, env={"BOT_TOKEN": TOKEN})
    assert result.returncode == 2 and "WEBHOOK_SECRET" in result.stderr


def test_content_stats_json_counts_both_languages():
    result = run_cli("content", "stats", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["clause"]["en"] == stats["clause"]["zh"] >= 70
    assert stats["article"]["en"] == stats["article"]["zh"] >= 20
    assert set(stats) >= {"article", "clause", "meta", "section"}
    assert all(by_lang["en"] == by_lang["zh"] for by_lang in stats.values())


def test_content_check_passes_on_the_shipped_content():
    result = run_cli("content", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("content OK")


def test_migrate_prepares_a_fresh_database(tmp_path):
    db_path = tmp_path / "fresh.sqlite3"
    result = run_cli("migrate", env={"DATABASE_PATH": str(db_path)})
    assert result.returncode == 0, result.stderr
    assert "catalogs OK: en, zh" in result.stdout
    assert f"database {db_path}: migrations applied" in result.stdout
    loaded = result.stdout.split("content loaded: ")[1].strip()
    items, _ = content.read(CONTENT_DIR)
    questions = sum(item.kind == "question" for item in items)
    assert f"question {questions}," in loaded  # 50 questions are 50, not 50 × 2 languages
    assert sum(int(part.split()[1]) for part in loaded.split(", ")) == len(items)
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {r["name"] for r in db["_migrations"].rows} >= {"m001_users", "m003_content"}
    assert db["content_items"].count > 100


def test_secrets_never_reach_the_log_even_in_tracebacks():
    import logging

    from bot.cli import _Redact

    record = None
    try:
        raise ConnectionError("POST http://api/bot123:SECRETTOKEN/getMe failed")
    except ConnectionError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "calling %s", ("bot123:SECRETTOKEN",), sys.exc_info()
        )
    assert _Redact(["123:SECRETTOKEN"]).filter(record)
    text = logging.Formatter().format(record)
    assert "SECRETTOKEN" not in text
    assert "ConnectionError" in text and "***" in text


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"TELEGRAM_API_URL": "127.0.0.1:8081"}, "TELEGRAM_API_URL"),
        ({"LOG_LEVEL": "verbose"}, "LOG_LEVEL"),
        ({"WEBHOOK_SECRET": "bad secret!"}, "WEBHOOK_SECRET"),
    ],
)
def test_bad_settings_fail_in_one_line_without_the_token(tmp_path, env, name):
    result = run_cli("run", cwd=tmp_path, env={"BOT_TOKEN": "123:SECRETTOKEN", **env})
    assert result.returncode == 2
    assert name in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "SECRETTOKEN" not in result.stderr + result.stdout


@pytest.mark.parametrize("tree", ["missing", "empty"])
@pytest.mark.parametrize("command", [["content", "check"], ["content", "load"], ["migrate"]])
def test_no_content_is_an_error_not_ok(tmp_path, monkeypatch, capsys, tree, command):
    """What a non-editable install without its data did: "content OK: 0 items", exit 0."""
    folder = tmp_path / "content"
    if tree == "empty":
        folder.mkdir()
    monkeypatch.setattr("bot.cli.CONTENT_DIR", folder)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "db.sqlite3"))
    assert main(command) == 1
    out, err = capsys.readouterr()
    assert "content OK" not in out and "content loaded" not in out
    assert err.strip().splitlines() == [
        f"content folder {folder} does not exist: nothing to load"
        if tree == "missing"
        else f"content folder {folder} holds no content items (*.yaml): nothing to load"
    ]


def test_run_refuses_a_truncated_token_without_showing_it(tmp_path):
    result = run_cli("run", cwd=tmp_path, env={"BOT_TOKEN": TOKEN[:20]})
    assert result.returncode == 2
    assert result.stderr.strip().startswith("Configuration error in BOT_TOKEN")
    assert TOKEN[7:20] not in result.stderr + result.stdout
