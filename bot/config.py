"""Settings from the environment and `.env`; built once by the composition point, never at import."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The live sources the bot can fetch from (bot/sources/live.py), by the names SOURCES uses.
KNOWN_SOURCES = ("russianwarship", "petroivaniuk", "orc-losses")

#: What @BotFather's tokens look like: the bot's numeric id, a colon, the secret (letters, digits, _ and -).
TOKEN_SHAPE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{1,200}")
#: Telegram's rule for a webhook's secret_token: 1–256 of these characters.
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class SettingsError(Exception):
    """Invalid settings; the message names the variable and what is wrong."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default="sqlite:///lossbot.db", description="SQLAlchemy URL of the store")
    bot_token: SecretStr | None = Field(default=None, description="token from @BotFather")
    timezone: str = Field(default="Europe/Kyiv", description="IANA time zone of schedules and 'today'")
    telegram_api_base_url: str = Field(default="https://api.telegram.org/bot")
    moderator_ids: Annotated[frozenset[int], NoDecode] = Field(default=frozenset())
    log_level: str = Field(default="INFO")
    #: text: one line per event; json: one JSON object per line (level, logger, message …).
    log_format: Literal["text", "json"] = Field(default="text")
    #: `lossbot run --webhook`: the public HTTPS URL Telegram posts updates to (it ends in /webhook).
    webhook_url: str | None = Field(default=None)
    #: Telegram sends it in X-Telegram-Bot-Api-Secret-Token with every update; other requests are refused.
    webhook_secret: SecretStr | None = Field(default=None)
    #: Where the HTTP server (webhook, /healthz, /metrics) listens. It runs with --webhook, or when
    #: LISTEN_PORT is set (health and metrics beside long polling).
    listen_host: str = Field(default="127.0.0.1")
    listen_port: int | None = Field(default=None, ge=0, le=65535)  # 0: any free port
    #: How long a sender may hold a claimed outbox row before another instance may send it (after a crash).
    outbox_lease_seconds: float = Field(default=60.0, ge=1, le=3600)
    #: Live sources, asked in this order; none by default, so nothing reaches out unless configured
    #: (.env.example lists the public ones).
    sources: Annotated[tuple[str, ...], NoDecode] = Field(default=())
    russianwarship_url: str = Field(default="https://russianwarship.rip/api/v2")
    petroivaniuk_url: str = Field(
        default="https://raw.githubusercontent.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset/main/data"
    )
    orc_losses_url: str = Field(
        default="https://raw.githubusercontent.com/lod-db/orc-losses/main/russian-losses.json"
    )
    #: Seconds a source may take to answer one request.
    http_timeout: float = Field(default=20.0, gt=0, le=300)
    error_chat_id: int | None = Field(default=None, description="chat told about errors (optional)")
    #: auto: a fetched report that passes every check is published at once; review: moderators decide.
    fetch_mode: Literal["auto", "review"] = Field(default="auto")
    #: When the morning polls run, in TIMEZONE: "HH:MM-HH:MM".
    fetch_window: Annotated[tuple[time, time], NoDecode] = Field(default=(time(7, 0), time(14, 0)))
    fetch_interval_minutes: int = Field(default=3, ge=1, le=120)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Kyiv") from exc
        return value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        # Never quote the value: a message naming the variable is enough, and the value may be a secret.
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None  # `BOT_TOKEN=` as copied from .env.example: not set
            if not TOKEN_SHAPE.fullmatch(value):
                raise ValueError(
                    "does not look like a token from @BotFather (digits, a colon, then letters, digits, "
                    "_ or -, e.g. 123456789:AAH…); copy it again from @BotFather (/mybots → API Token)"
                )
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _secret_shape(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not WEBHOOK_SECRET_SHAPE.fullmatch(value):
                raise ValueError("must be 1–256 letters, digits, _ or - (Telegram's rule for secret_token)")
        return value

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if not value.startswith(("https://", "http://")):
                raise ValueError(f"{value!r} is not an http(s) URL; e.g. https://bot.example.org/webhook")
        return value

    @field_validator("listen_port", mode="before")
    @classmethod
    def _empty_port(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError(f"{value!r} is not a database URL; e.g. sqlite:///lossbot.db")
        return value

    @field_validator("moderator_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError("must be Telegram user IDs separated by commas, e.g. 12345,67890") from exc
        return value

    @field_validator("sources", mode="before")
    @classmethod
    def _source_names(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(p.strip().lower() for p in value.replace(";", ",").split(",") if p.strip())
        if isinstance(value, tuple | list):
            unknown = [name for name in value if name not in KNOWN_SOURCES]
            if unknown:
                raise ValueError(f"unknown source {unknown[0]!r}; known: {', '.join(KNOWN_SOURCES)}")
            return tuple(dict.fromkeys(value))
        return value

    @field_validator("russianwarship_url", "petroivaniuk_url", "orc_losses_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    def source_url(self, name: str) -> str:
        """The configured URL of the live source NAME."""
        return {
            "russianwarship": self.russianwarship_url,
            "petroivaniuk": self.petroivaniuk_url,
            "orc-losses": self.orc_losses_url,
        }[name]

    @field_validator("error_chat_id", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `ERROR_CHAT_ID=` as copied from .env.example means "not set", not an invalid number.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("fetch_window", mode="before")
    @classmethod
    def _window(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
            except ValueError:
                raise ValueError("must be two times, e.g. 07:00-14:00") from None
            if not start < end:
                raise ValueError("must start before it ends, e.g. 07:00-14:00")
            return (start, end)
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value.upper()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self) -> date:
        """Today's date in the configured zone (a report is dated by Kyiv's calendar, not UTC's)."""
        return datetime.now(self.zone).date()


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raise SettingsError naming each invalid variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic checks the overrides' types
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            problems.append(f"{name}: {error['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
