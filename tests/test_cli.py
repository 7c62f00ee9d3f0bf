"""The command line: every command documented, clear failures, content tools for authors."""

import json
import os
import subprocess
import sys

import pytest

from bot import ROOT
from bot.__main__ import parser


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
    result = run_cli("run", cwd=tmp_path, env={"BOT_TOKEN": "1:x", "DEFAULT_TIMEZONE": "Mars/Base"})
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_webhook_needs_url_and_secret(tmp_path):
    result = run_cli("run", "--webhook", cwd=tmp_path, env={"BOT_TOKEN": "1:x"})
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
    assert "content loaded: " in result.stdout
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
