"""CertReady (认证通): a bilingual Telegram assistant for ISO 9001 certification."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"
LOCALES_DIR = ROOT / "locales"
