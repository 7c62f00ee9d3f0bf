"""A non-editable install works: the wheel carries content/ and locales/, and the bot runs from
a read-only site-packages, outside the checkout, offline.

The wheel is built with this environment's setuptools (no build isolation, no index) from a
copy of the checkout, so no build/ folder lands in the working tree; the fresh venv borrows
this one's dependencies through a .pth file instead of downloading them.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from bot import CONTENT_DIR, ROOT
from bot.services import content
from tests.test_startup import SETTINGS, as_service_user

SOURCES = ("pyproject.toml", "README.md", "bot", "dialogs", "content", "locales")


def test_every_package_is_listed_for_the_wheel():
    """pyproject.toml lists packages (content/ and locales/ are mapped into bot/): a new one
    left out would import in a checkout and be missing from every install."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "dialogs")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=skip)
        else:
            shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", wheels, source],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("certready-*.whl")
    return wheel


def install(wheel: Path, venv: Path) -> Path:
    """A fresh venv holding only the wheel; dependencies come from this environment."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", python]
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--no-compile", wheel],
        check=True,
        capture_output=True,
        timeout=300,
    )
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Lines of a .pth join sys.path, but .pth files in that folder are not run: this
    # environment's editable finder (the checkout's bot/) stays out.
    (Path(purelib) / "certready-test-deps.pth").write_text(sysconfig.get_paths()["purelib"])
    return python


@pytest.mark.slow
def test_a_wheel_installed_read_only_runs_outside_the_checkout(tmp_path):
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "bot/content/meta.yaml",
        "bot/content/reference/clause-titles.tsv",
        "bot/locales/zh/LC_MESSAGES/messages.po",
        "bot/locales/en/LC_MESSAGES/messages.po",
    } <= names
    assert not [name for name in names if name.endswith(".mo")]

    python = install(wheel, tmp_path / "venv")
    installed = next((tmp_path / "venv").rglob("site-packages/bot"))
    for path in [installed, *installed.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)  # site-packages as a system package leaves it
    as_user = as_service_user(tmp_path) or None  # None: not enforced here, still no .mo below

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {*SETTINGS, "PYTHONPATH"}}
    env["DATABASE_PATH"] = str(tmp_path / "data" / "bot.sqlite3")

    def bot(*args: str, stdin: str = ""):
        return subprocess.run(
            [python, "-m", "bot", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=elsewhere,
            input=stdin,
            preexec_fn=as_user,
        )

    items, _ = content.read(CONTENT_DIR)
    check = bot("content", "check")
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == f"content OK: {len(items)} items in {installed / 'content'}"

    migrate = bot("migrate")
    assert migrate.returncode == 0, migrate.stderr
    assert "catalogs OK: en, zh" in migrate.stdout
    assert f"question {sum(item.kind == 'question' for item in items)}," in migrate.stdout

    chat = bot("chat", "--db", str(tmp_path / "data" / "c.sqlite3"), stdin="2\n")
    assert chat.returncode == 0, chat.stderr
    assert "Traceback" not in chat.stderr + chat.stdout
    assert "Welcome to CertReady!" in chat.stdout and "[2] 简体中文" in chat.stdout
    assert "您打算怎样使用认证通？" in chat.stdout  # the Chinese catalog, compiled in memory
    assert list(installed.rglob("*.mo")) == []
