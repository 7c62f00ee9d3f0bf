"""Business rules. Plain Python: no Telegram types here."""
