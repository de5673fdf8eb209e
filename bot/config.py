"""One typed configuration for the whole bot, loaded from TOML with environment overrides for secrets.

Loading is explicit (:func:`load_settings`); nothing is read at import time. Errors name the key path and the
reason (``storage.url: …``) and are raised as :class:`ConfigError`, which the CLI prints as one sentence.

Environment overrides: ``GLOS_<SECTION>__<KEY>`` (upper case, double underscore), e.g. ``GLOS_TELEGRAM__TOKEN``
or ``GLOS_MAIL__IMAP_PASSWORD``. They win over the file, which is how secrets reach the bot; the example file
never holds any.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

__all__ = [
    "AbuseSettings",
    "BotSettings",
    "ConfigError",
    "MailSettings",
    "SchedulerSettings",
    "Settings",
    "StorageSettings",
    "TelegramSettings",
    "WebSettings",
    "find_config_file",
    "load_settings",
]

ENV_PREFIX = "GLOS_"


class ConfigError(Exception):
    """The configuration is invalid; ``str()`` names the file, the key path and the reason."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BotSettings(_Section):
    """``[bot]``: identity and defaults."""

    name: str = Field(default="Głos", min_length=1)
    timezone: str = "Europe/Warsaw"
    language: Literal["pl", "en", "uk"] = "pl"
    admins: list[str] = Field(default_factory=list)
    secret_key: SecretStr | None = None
    secret_key_file: str = ".glos-secret"
    examples_dir: str | None = "examples"
    load_examples: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _numeric_ids(cls, value: Any) -> Any:
        # A Telegram id is naturally written as a number (admins = [123456789]); TOML gives an int then.
        if isinstance(value, list):
            return [str(entry) if isinstance(entry, int) and not isinstance(entry, bool) else entry for entry in value]
        return value

    @field_validator("admins")
    @classmethod
    def _admin_addresses(cls, value: list[str]) -> list[str]:
        for admin in value:
            if not (admin.lstrip("-").isdigit() or "@" in admin or admin.startswith("console:")):
                raise ValueError(f"{admin!r} is neither a Telegram user id, an e-mail address nor console:NAME")
        return value


class StorageSettings(_Section):
    """``[storage]``: the database."""

    url: str = "sqlite:///glos.db"

    @field_validator("url")
    @classmethod
    def _supported_url(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("must start with sqlite:, postgresql: or postgresql+psycopg:")
        return value


class TelegramSettings(_Section):
    """``[telegram]``: the Telegram channel. With no token the bot talks to the built-in emulator."""

    token: SecretStr | None = None
    api_url: str = "https://api.telegram.org"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_secret: SecretStr | None = None
    chats: list[int] = Field(default_factory=list)
    enabled: bool = True
    emulator_port: int = Field(default=8081, ge=1, le=65535)
    outbox_rate: float = Field(default=28.0, gt=0, le=1000)
    username: str = Field(default="", max_length=64, pattern=r"^@?[A-Za-z0-9_]*$")


class MailSettings(_Section):
    """``[mail]``: the e-mail channel, off until ``enabled``."""

    enabled: bool = False
    imap_host: str = "127.0.0.1"
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_tls: Literal["ssl", "starttls", "none"] = "ssl"
    imap_user: str = ""
    imap_password: SecretStr | None = None
    inbox_folder: str = "INBOX"
    processed_folder: str = "Processed"
    ignored_folder: str = "Ignored"
    maildir: str | None = None
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: Literal["ssl", "starttls", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    from_address: str = "glos@example.org"
    reply_domain: str = "example.org"
    max_message_bytes: int = Field(default=1_000_000, ge=1_000)
    idle_seconds: int = Field(default=1500, ge=10, le=1740)
    poll_seconds: int = Field(default=60, ge=1, le=3600)
    quarantine_folder: str = "Quarantine"
    token_in: Literal["address", "subject"] = "address"
    trusted_authserv_ids: list[str] = Field(default_factory=list)


class WebSettings(_Section):
    """``[web]``: the public page, JSON API and webhook endpoint."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    public_url: str = "http://127.0.0.1:8080"
    workers: int = Field(default=1, ge=1, le=64)
    max_active: int = Field(default=16, ge=1, le=40)
    max_queued: int = Field(default=512, ge=0, le=100_000)
    queue_timeout: float = Field(default=15.0, gt=0, le=300)
    retry_after: int = Field(default=5, ge=1, le=3600)


class SchedulerSettings(_Section):
    """``[scheduler]``: phases, reminders and digests."""

    enabled: bool = True
    quiet_hours_start: str = Field(default="21:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    quiet_hours_end: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    digest_at: str = Field(default="08:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    results_path: str = "/p/{slug}"
    report_path: str = "/p/{slug}/raport"
    leader_retry_seconds: float = Field(default=5.0, gt=0, le=10)


class AbuseSettings(_Section):
    """``[abuse]``: when a burst of new people or of first ballots is shown to moderators (``/sygnaly``, digest)."""

    window_minutes: int = Field(default=60, ge=1, le=24 * 60)
    baseline_days: int = Field(default=7, ge=0, le=90)
    baseline_factor: float = Field(default=3.0, ge=0)
    min_new_identities: int = Field(default=100, ge=1)
    min_batch_ballots: int = Field(default=30, ge=1)
    min_district_ballots: int = Field(default=200, ge=1)


class Settings(_Section):
    """The whole configuration. Every key is documented in ``config.example.toml``."""

    bot: BotSettings = Field(default_factory=BotSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    abuse: AbuseSettings = Field(default_factory=AbuseSettings)

    @property
    def tz(self) -> ZoneInfo:
        """The bot's time zone as a :class:`ZoneInfo`."""
        return ZoneInfo(self.bot.timezone)


def _merge_environment(data: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """Overlay ``GLOS_SECTION__KEY`` variables onto the file's tables (lists as comma-separated values)."""
    merged = {section: dict(values) if isinstance(values, dict) else values for section, values in data.items()}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        if section not in Settings.model_fields:
            continue
        table = merged.setdefault(section, {})
        if not isinstance(table, dict):
            continue
        field = Settings.model_fields[section].annotation
        fields = getattr(field, "model_fields", {})
        annotation = str(fields[key].annotation) if key in fields else ""
        table[key] = [part.strip() for part in value.split(",") if part.strip()] if "list" in annotation else value
    return merged


def _describe(error: Mapping[str, Any]) -> str:
    path = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    return f"{path}: {message}"


def find_config_file(explicit: str | Path | None, cwd: Path | None = None) -> Path | None:
    """The file to load: ``explicit`` if given, else ``./glos.toml``, else ``./config.example.toml``."""
    if explicit is not None:
        return Path(explicit)
    base = cwd or Path.cwd()
    for name in ("glos.toml", "config.example.toml"):
        if (base / name).is_file():
            return base / name
    return None


def load_settings(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the configuration.

    ``path`` None means defaults plus environment. ``environ`` defaults to :data:`os.environ` (tests pass a
    dict). Raises :class:`ConfigError` naming the file, the key path and the reason for the first problems.
    """
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    source = "<defaults>"
    if path is not None:
        source = str(path)
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError as exc:
            raise ConfigError(f"{source}: file not found") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return Settings.model_validate(_merge_environment(data, environ))
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors()[:5])
        raise ConfigError(f"{source}: {problems}") from exc
