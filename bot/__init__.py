"""CertReady (认证通): a bilingual Telegram assistant for ISO 9001 certification."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def _shipped(name: str) -> Path:
    """Where a data folder is: inside the package when installed from a wheel, else the checkout's.

    The repository keeps ``content/`` and ``locales/`` at its top, next to ``bot/``; the wheel
    carries them as ``bot/content`` and ``bot/locales`` (see pyproject.toml), because
    site-packages has no place for top-level data. The package copy wins: a checkout has none,
    and an installed bot must not pick up some other project's ``site-packages/content``.
    """
    installed = PACKAGE / name
    return installed if installed.is_dir() else ROOT / name


CONTENT_DIR = _shipped("content")
LOCALES_DIR = _shipped("locales")
