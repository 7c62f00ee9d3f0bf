"""Settings from the environment (and an optional .env). The only module that reads them."""

import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LANGUAGES = ("en", "zh")
TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
# Telegram's own tokens have 35 characters after the colon; fewer means a truncated paste.
TOKEN_SECRET_LENGTH = range(30, 61)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str | None = None
    database_path: Path = Path("data/certready.sqlite3")
    evidence_path: Path = Path("data/evidence")
    default_language: str = "en"
    default_timezone: str = "Asia/Shanghai"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: int = 8080
    log_level: str = "INFO"
    send_per_second: float = Field(default=25, gt=0, le=30)
    # The minute tick that owes tips and reminders; tests tick by hand instead.
    scheduler: bool = True

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.upper()

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        """An empty or mangled token is refused here, never shown: the message names the
        fault, not the value. (Its length is checked by ``run``, see ``token_problem``.)"""
        if value is None:
            return value
        token = value.get_secret_value()
        if not token.strip():
            raise ValueError("is empty: set it to the token @BotFather gave, or unset it")
        if token != token.strip():
            raise ValueError("has spaces or a line break around it")
        if not TOKEN_SHAPE.fullmatch(token):
            raise ValueError(
                "is not a bot token: expected <digits>:<letters, digits, _ and ->, "
                "as @BotFather gives it (without 'bot' in front or quotes around it)"
            )
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http:// or https:// address, e.g. http://127.0.0.1:8081")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https://[^/\s]+", value):
            raise ValueError("must be an https:// address: Telegram posts updates only over https")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"DEFAULT_TIMEZONE {value!r} is not an IANA time zone") from error
        return value


def token_problem(settings: Settings) -> str | None:
    """Why ``run`` cannot use BOT_TOKEN against Telegram, if it cannot (never quoting it).

    The length is Telegram's, so it is checked only against Telegram's own API: a
    self-hosted or test Bot API server (TELEGRAM_API_URL) may hand out shorter tokens.
    """
    if settings.bot_token is None:
        return (
            "BOT_TOKEN is not set: get a token from @BotFather and run "
            "`BOT_TOKEN=<token> python -m bot run`, or try the bot offline with "
            "`python -m bot chat`."
        )
    secret = settings.bot_token.get_secret_value().partition(":")[2]
    if settings.telegram_api_url is None and len(secret) not in TOKEN_SECRET_LENGTH:
        return (
            f"Configuration error in BOT_TOKEN: {len(secret)} characters after the colon, "
            "Telegram's tokens have 35: copy the whole token from @BotFather again"
        )
    return None
