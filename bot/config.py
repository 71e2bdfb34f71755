"""Settings from the environment and `.env`; built once by the composition point, never at import."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Kyiv") from exc
        return value

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

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value.upper()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


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
