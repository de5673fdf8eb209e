"""The playground's sandbox: a store of its own, so that nothing done in the playground reaches the deployment.

Without a Telegram token ``glos run`` (and a one-worker ``glos serve``) starts the Bot API emulator and the
playground, where anyone who can open the page talks to the bot as a pretend resident or moderator. None of that
may touch the deployment's store: no person, ballot, role, roster entry or opinion made there. So the bot behind
the emulator runs on a separate :class:`~bot.app.App` built here:

* its store is a SQLite file of its own (:func:`sandbox_url`: ``<database>-playground.db`` beside a SQLite
  database, else ``glos-playground.db`` in the working folder), deleted and made anew at every start, so a role
  granted there lasts no longer than the run and never exists in the deployment's store;
* its secret key is random and held in memory only, so nothing issued there (reply tokens, receipts, invite
  codes) means anything to the deployment;
* it has no configured admins: each browser session's pretend moderator is made an admin there, and only there;
* it holds the example processes (``[bot] examples_dir``) and, read once at start, the definitions of the
  deployment's open processes, opened, so a visitor tries what the deployment offers; the deployment's store is
  only read, never written.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from bot.app import App, build_app, load_examples
from bot.clock import Clock
from bot.config import BotSettings, Settings, StorageSettings
from bot.domain import Phase
from bot.errors import GlosError

__all__ = ["SANDBOX_SUFFIX", "build_sandbox", "sandbox_maildir", "sandbox_url"]

log = logging.getLogger(__name__)

SANDBOX_SUFFIX = "-playground"


def sandbox_url(settings: Settings) -> str:
    """The sandbox's SQLite URL: beside the deployment's SQLite file, else in the working folder."""
    url = settings.storage.url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        database = Path(url.removeprefix("sqlite:///")).resolve()
        return f"sqlite:///{database.with_name(database.stem + SANDBOX_SUFFIX + '.db')}"
    return f"sqlite:///{Path.cwd() / ('glos' + SANDBOX_SUFFIX + '.db')}"


def sandbox_maildir(sandbox: Settings) -> Path:
    """The Maildir where the sandbox ``sandbox`` (its settings) captures e-mail: ``<its database>-mail`` beside
    it — never ``[mail] maildir``, which a real intake may read."""
    database = Path(sandbox.storage.url.removeprefix("sqlite:///"))
    return database.with_name(database.stem + "-mail")


def _fresh(url: str) -> None:
    """Delete the sandbox's file (and SQLite's -wal/-shm beside it) left by an earlier run."""
    path = Path(url.removeprefix("sqlite:///"))
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def build_sandbox(settings: Settings, deployment: App | None = None, *, clock: Clock | None = None) -> App:
    """A new sandbox for the deployment configured by ``settings`` (see the module docstring); ``deployment``'s
    open processes are copied in, read only. The caller closes it."""
    url = sandbox_url(settings)
    if url == settings.storage.url:  # cannot happen by construction; the promise is worth a check
        raise ValueError("the playground's store must not be the deployment's")
    _fresh(url)
    sandbox_settings = settings.model_copy(
        update={
            "storage": StorageSettings(url=url),
            "bot": BotSettings.model_validate({**settings.bot.model_dump(), "admins": [], "secret_key": None}),
        }
    )
    sandbox = build_app(sandbox_settings, clock=clock, secret=secrets.token_hex(32).encode())
    folder = Path(settings.bot.examples_dir) if settings.bot.examples_dir else None
    if folder is not None and folder.is_dir():
        load_examples(sandbox, folder, open_them=True)
    if deployment is not None:
        _copy_open_processes(deployment, sandbox)
    return sandbox


def _copy_open_processes(deployment: App, sandbox: App) -> None:
    """Import the definitions of the deployment's open processes that the sandbox lacks, and open them."""
    known = {info.slug for info in sandbox.services.processes.list()}
    for info in deployment.services.processes.list((Phase.OPEN,)):
        if info.slug in known:
            continue
        try:
            if info.organisation is not None and sandbox.services.organisations.find(info.organisation) is None:
                org = deployment.services.organisations.get(info.organisation)
                sandbox.services.organisations.put(
                    org.slug, org.name, org.kind, teryt=org.teryt, lat=org.lat, lon=org.lon
                )
            sandbox.services.processes.import_definition(info.definition)
            sandbox.services.processes.open(info.slug)
        except GlosError as error:  # a process the sandbox cannot take is left out, said once
            log.warning("the playground does not offer %s: %s", info.slug, error)
