"""The assembly of the core: the store, the services and the command table, built from the settings. Nothing
happens on import.

:func:`build_app` takes validated :class:`~bot.config.Settings` (and, for tests, a clock and a secret) and
returns an :class:`App` holding the engine, the services and the command table. It imports no channel: the
composition root (:mod:`bot.cli`, :mod:`bot.workers`) starts the channels with an :class:`App`.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.clock import Clock, SystemClock
from bot.commands.registry import COMMANDS
from bot.commands.table import CommandTable
from bot.config import Settings
from bot.definition import load_definition_file
from bot.definition.organisations import OrganisationSpec, load_organisations_file
from bot.domain import Phase
from bot.errors import GlosError
from bot.services import Services, build_services
from bot.services.abuse import AbuseThresholds
from bot.services.abuse import configure as configure_abuse
from storage.engine import make_engine, session_factory
from storage.migrate import upgrade_engine

__all__ = ["App", "build_app", "load_example_organisations", "load_examples", "load_organisations", "load_secret"]

log = logging.getLogger(__name__)


@dataclass
class App:
    """Everything a channel needs."""

    settings: Settings
    engine: Engine
    services: Services
    commands: CommandTable

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()


def load_secret(settings: Settings) -> bytes:
    """The secret key: from the configuration (environment), else from ``secret_key_file``, created once."""
    if settings.bot.secret_key is not None:
        return settings.bot.secret_key.get_secret_value().encode()
    path = Path(settings.bot.secret_key_file)
    if path.is_file():
        return path.read_bytes().strip()
    key = secrets.token_hex(32).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    log.warning("created a new secret key in %s; keep it with the database", path)
    return key


def build_app(
    settings: Settings, *, clock: Clock | None = None, secret: bytes | None = None, migrate: bool = True
) -> App:
    """Connect the store (migrated to the newest schema), the services and the command table."""
    engine = make_engine(settings.storage.url)
    if migrate:
        upgrade_engine(engine)
    services = build_services(
        session_factory(engine),
        clock or SystemClock(),
        secret if secret is not None else load_secret(settings),
        language=settings.bot.language,
        zone=settings.tz,
        bot_name=settings.bot.name,
        group_chats=tuple(settings.telegram.chats),
        telegram_username=settings.telegram.username,
    )
    services.people.ensure_admins(settings.bot.admins)
    configure_abuse(services.context, AbuseThresholds(**settings.abuse.model_dump()))
    return App(settings, engine, services, COMMANDS)


def load_organisations(services: Services, specs: list[OrganisationSpec]) -> list[str]:
    """Add the organisations of a file, or bring those already stored to its values (in the file's order, so a
    parent comes before its members); returns their slugs."""
    for spec in specs:
        services.organisations.put(
            spec.slug, spec.name, spec.kind, teryt=spec.teryt, lat=spec.lat, lon=spec.lon, parent=spec.parent
        )
    return [spec.slug for spec in specs]


def load_example_organisations(services: Services, folder: Path) -> list[str]:
    """Load every file of organisations in ``folder/organisations/`` (the organisations the examples name).

    A broken file is logged and skipped, as a broken example is; the examples naming its organisations are then
    refused by name (``definition.unknown_organisation``).
    """
    loaded: list[str] = []
    for path in sorted((folder / "organisations").glob("*.toml")):
        try:
            loaded += load_organisations(services, load_organisations_file(path))
        except GlosError as error:
            log.error("organisations %s not loaded: %s", path, error)
    return loaded


def load_examples(app: App, folder: Path, *, open_them: bool) -> list[str]:
    """Import every ``*.toml`` definition in ``folder`` that is not in the store yet; optionally open them. The
    organisations they name (``folder/organisations/``) are loaded first.

    Returns the slugs imported. A broken file is logged and skipped: it must not stop the bot from starting.
    """
    load_example_organisations(app.services, folder)
    imported = []
    known = {info.slug for info in app.services.processes.list()}
    for path in sorted(folder.glob("*.toml")):
        try:
            definition = load_definition_file(path)
            if definition.slug in known:
                continue
            app.services.processes.import_definition(definition)
            imported.append(definition.slug)
            if open_them:
                app.services.processes.open(definition.slug)
        except GlosError as error:
            log.error("example %s not loaded: %s", path, error)
    return imported


def open_drafts(app: App) -> None:
    """Open every draft (used by the demo run so that examples can be tried at once)."""
    for info in app.services.processes.list((Phase.DRAFT,)):
        try:
            app.services.processes.open(info.slug)
        except GlosError as error:
            log.error("could not open %s: %s", info.slug, error)
