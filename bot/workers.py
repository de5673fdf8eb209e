"""``glos serve``: the bot as a service — no console, ``[web] workers`` processes behind one port.

Contract:

* The supervisor (the process ``glos serve`` starts) migrates the store, makes sure the secret key exists, loads
  the examples if configured, then starts ``workers`` worker processes and restarts any that dies (a second
  later, or five when it died young, so a broken configuration does not spin). SIGTERM or SIGINT stops the
  workers (SIGTERM, then SIGKILL after 30 s) and returns.
* Every worker builds its own :class:`~bot.app.App` and Telegram application, listens on ``[web] host:port``
  with ``SO_REUSEPORT`` (the kernel spreads connections across the workers) and serves the web pages and the
  Telegram webhook there. The work done once per deployment — the scheduler, the e-mail channel, the Telegram
  outbox — runs on the leader only (:class:`LeaderDuties`, elected by :mod:`bot.scheduling.leader`).
* More than one worker needs PostgreSQL (SQLite has one writer) and, with Telegram on, webhook mode with a token
  (two processes cannot long-poll one bot, and each would start its own emulator): otherwise
  :func:`check_workers` names the problem and the CLI exits with status 2.
* Without a token the bot runs only in the playground (:func:`start_playground`): the emulator and the bot on a
  sandbox store of their own (:mod:`bot.sandbox`), never on the deployment's.

This module and :mod:`bot.cli` are the composition root: the one place that imports the adapters
(:mod:`handlers`, :mod:`mail`), statically. Each adapter is imported inside the function that starts it, so
``glos --help`` or ``glos tally`` never load python-telegram-bot or the mail stack.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from bot import logs
from bot.app import App, build_app, load_examples
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.sandbox import build_sandbox, sandbox_maildir
from bot.scheduling.leader import leadership
from bot.scheduling.runner import SchedulerRunner, start_scheduler
from bot.web.serve import PortTaken, ThreadedServer
from storage.engine import normalize_url, redacted_url

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from handlers.launch import TelegramRuntime
    from mail.channel import MailRunner
    from mail.playground import PlaygroundMail

__all__ = [
    "LeaderDuties",
    "Playground",
    "check_workers",
    "run_worker",
    "serve",
    "start_playground",
    "start_telegram",
    "start_web",
    "web_app",
]

log = logging.getLogger(__name__)
Say = Callable[[str], None]


class LeaderDuties:
    """What the leader runs and a follower does not: the scheduler, the e-mail channel (intake and sending) and
    the Telegram outbox sender of ``telegram`` (None when Telegram is off)."""

    def __init__(self, app: App, telegram: TelegramRuntime | None = None, say: Say = log.info) -> None:
        self.app = app
        self.telegram = telegram
        self.say = say
        self.scheduler: SchedulerRunner | None = None
        self.mail: MailRunner | None = None

    def lead(self) -> None:
        """Start the duties (``on_lead``)."""
        settings = self.app.settings
        self.scheduler = start_scheduler(self.app.settings, self.app.services)
        if settings.mail.enabled:
            from mail.channel import MailRunner, mail_channel

            self.mail = MailRunner(mail_channel(self.app.services, settings.mail), settings.mail.poll_seconds).start()
            self.say(f"E-mail: {settings.mail.from_address}")
        if self.telegram is not None:
            self.telegram.lead(True)
        self._gauge(1)

    def follow(self) -> None:
        """Stop the duties (``on_follow``); each finishes what it is doing first."""
        self._gauge(0)
        if self.telegram is not None:
            self.telegram.lead(False)
        if self.mail is not None:
            self.mail.stop()
            self.mail = None
        if self.scheduler is not None:
            self.scheduler.shutdown()
            self.scheduler = None

    def _gauge(self, value: int) -> None:
        self.app.services.context.metrics.set(
            "glos_leader", value, doc="1 while this bot process leads (scheduler, e-mail, outbox), else 0."
        )


def check_workers(settings: Settings, workers: int) -> str | None:
    """Why ``workers`` processes cannot run with ``settings`` (one sentence), or None when they can."""
    if workers <= 1:
        return None
    if normalize_url(settings.storage.url).get_backend_name() != "postgresql":
        return "[web] workers > 1 needs PostgreSQL ([storage] url = postgresql://…)"
    telegram = settings.telegram
    if telegram.enabled and (telegram.mode != "webhook" or telegram.token is None):
        return '[web] workers > 1 needs [telegram] mode = "webhook" and a token (GLOS_TELEGRAM__TOKEN)'
    if not settings.web.enabled:
        return "[web] workers > 1 needs the web page ([web] enabled = true): it serves the webhook"
    return None


def start_telegram(app: App, say: Say, *, keep_webhook: bool = False) -> TelegramRuntime:
    """The Telegram channel of ``app`` (configured with a token: without one the bot runs only in the sandbox of
    :func:`start_playground`), its outbox sender off: the leader turns it on (:class:`LeaderDuties`).
    ``keep_webhook``: leave the webhook registered when this process stops."""
    from handlers.launch import start

    return start(app, say, send_outbox=False, keep_webhook=keep_webhook)


@dataclass
class Playground:
    """The playground of a deployment without a Telegram token (:mod:`bot.sandbox`): the sandbox's own
    :class:`~bot.app.App`, the bot on the emulator over it (sending its own outbox) and its captured e-mail."""

    app: App
    telegram: TelegramRuntime
    mail: PlaygroundMail

    def stop(self) -> None:
        """Stop the e-mail, the bot and the emulator, and close the sandbox's store."""
        self.mail.stop()
        self.telegram.stop()
        self.app.close()


def start_playground(deployment: App, say: Say, *, clock: Clock | None = None) -> Playground:
    """The playground for ``deployment`` (whose configuration has no Telegram token): a fresh sandbox with the
    examples and copies of the deployment's open processes, the emulator and the bot on it, and e-mail captured
    in the sandbox's own Maildir (never ``[mail] maildir``, which a real intake may read)."""
    from handlers.launch import start
    from mail.playground import start as start_mail

    sandbox = build_sandbox(deployment.settings, deployment, clock=clock)
    telegram = None
    try:
        telegram = start(sandbox, say, send_outbox=True)
        maildir = sandbox_maildir(sandbox.settings)
        shutil.rmtree(maildir, ignore_errors=True)  # the sandbox's own folder: last run's mail means nothing now
        settings = sandbox.settings.model_copy(
            update={"mail": sandbox.settings.mail.model_copy(update={"enabled": False, "maildir": str(maildir)})}
        )
        mail = start_mail(sandbox.services, settings)
    except BaseException:
        if telegram is not None:
            telegram.stop()
        sandbox.close()
        raise
    say(f"Plac zabaw / playground: osobna baza / its own store {redacted_url(sandbox.settings.storage.url)}")
    return Playground(sandbox, telegram, mail)


def web_app(app: App, telegram: TelegramRuntime | None = None, playground: Playground | None = None) -> Starlette:
    """The one web app of ``glos run`` and ``glos serve``: the public pages of ``app``, and with Telegram running
    the webhook endpoint (in webhook mode); with a ``playground`` (no token), the playground at ``/playground``
    on the sandbox — its bot's webhook too — where each browser session's pretend moderator is made an admin of
    the sandbox only."""
    from bot.web.app import create_web_app

    asgi = create_web_app(app.services, app.settings)
    bot = playground.telegram if playground is not None else telegram
    endpoint = bot.webhook_endpoint() if bot is not None else None
    if endpoint is not None:
        from handlers.webhook import WEBHOOK_PATH

        asgi.add_route(WEBHOOK_PATH, endpoint, methods=["POST"])
    if playground is not None and playground.telegram.server is not None:
        from bot.web.playground_mail import MailPaneWeb
        from bot.web.playground_visitors import Visitor, Visitors
        from handlers.playground import playground_app

        sandbox = playground.app

        def grant(visitor: Visitor) -> None:
            sandbox.services.people.ensure_admins([str(visitor.moderator)])

        pane = MailPaneWeb(playground.mail, sandbox.services)
        emulator = playground.telegram.server.emulator
        asgi.mount("/playground", playground_app(emulator, Visitors(grant), pane, bot_name=app.settings.bot.name))
    return asgi


def start_web(
    app: App, telegram: TelegramRuntime | None = None, playground: Playground | None = None, *, reuse_port: bool
) -> ThreadedServer:
    """:func:`web_app` served on ``[web] host:port``. Several workers share the port (``reuse_port``); a single
    process whose port is taken serves on a free one instead (the caller says which, from the server's url)."""
    asgi = web_app(app, telegram, playground)
    web = app.settings.web
    if reuse_port:
        return ThreadedServer(asgi, web.host, web.port, reuse_port=True).start()
    try:
        return ThreadedServer(asgi, web.host, web.port).start()
    except PortTaken:
        return ThreadedServer(asgi, web.host).start()


def run_worker(config: Path | None, stop: threading.Event, *, index: int = 0, say: Say = log.info) -> None:
    """One worker: serve until ``stop`` is set (see the module docstring). The store must be migrated."""
    settings = load_settings(config)
    app = build_app(settings, migrate=False)
    telegram = None
    playground = None
    web = None
    leader = None
    try:
        if settings.telegram.enabled and settings.telegram.token is None:
            playground = start_playground(app, say)  # one worker only (check_workers): the emulator is in-process
        elif settings.telegram.enabled:
            # The webhook stays registered when a worker stops: the others (or the restarted one) still serve it,
            # and Telegram keeps what it could not deliver meanwhile.
            telegram = start_telegram(app, say, keep_webhook=True)
        if settings.web.enabled:
            web = start_web(app, telegram, playground, reuse_port=True)
            say(f"worker {index} (pid {os.getpid()}): {web.url}/")
        duties = LeaderDuties(app, telegram, say)
        leader = leadership(
            settings.storage.url, duties.lead, duties.follow, retry=settings.scheduler.leader_retry_seconds
        ).start()
        stop.wait()
    finally:
        if leader is not None:
            leader.stop()
        if web is not None:
            web.stop()
        if telegram is not None:
            telegram.stop()
        if playground is not None:
            playground.stop()
        app.close()


def _worker_main(config: Path | None, index: int, verbose: bool) -> None:
    """Entry point of a worker process (spawned: a fresh interpreter)."""
    logs.configure(verbose, f"%(levelname)s [worker {index} pid %(process)d] %(name)s: %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run_worker(config, stop, index=index, say=print)


def prepare(settings: Settings, say: Say) -> None:
    """What must happen once before the workers start: migrate, create the secret key, load examples."""
    app = build_app(settings)
    try:
        if settings.bot.load_examples and settings.bot.examples_dir:
            folder = Path(settings.bot.examples_dir)
            if folder.is_dir():
                loaded = load_examples(app, folder, open_them=True)
                if loaded:
                    say(f"Załadowano przykłady / examples loaded: {', '.join(loaded)}")
    finally:
        app.close()


def serve(config: Path | None, settings: Settings, say: Say, *, workers: int | None = None) -> None:
    """Run ``workers`` (default ``[web] workers``) worker processes until SIGTERM/SIGINT (see the module
    docstring). Raises ValueError with :func:`check_workers`'s reason."""
    count = workers or settings.web.workers
    problem = check_workers(settings, count)
    if problem is not None:
        raise ValueError(problem)
    prepare(settings, say)
    where = f"{settings.web.host}:{settings.web.port}"
    say(f"Baza / store: {redacted_url(settings.storage.url)}; {count} worker(s) on {where}")
    stopping = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stopping.set()) for signum in (signal.SIGTERM, signal.SIGINT)}
    verbose = logging.getLogger().isEnabledFor(logging.INFO)
    context = multiprocessing.get_context("spawn")
    processes: list[BaseProcess | None] = [None] * count
    started = [0.0] * count
    not_before = [0.0] * count
    try:
        while not stopping.is_set():
            for index in range(count):
                process = processes[index]
                if process is not None and process.is_alive():
                    continue
                if process is not None:  # it died: restart, later if it died young
                    say(f"worker {index} (pid {process.pid}) ended with {process.exitcode}; restarting")
                    young = time.monotonic() - started[index] < 5
                    not_before[index] = time.monotonic() + (5.0 if young else 1.0)
                    processes[index] = None
                if time.monotonic() >= not_before[index]:
                    fresh = context.Process(target=_worker_main, args=(config, index, verbose), name=f"glos-{index}")
                    fresh.start()
                    processes[index], started[index] = fresh, time.monotonic()
            stopping.wait(0.5)
    finally:
        _stop_all([p for p in processes if p is not None])
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop_all(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + 30
    for process in processes:
        process.join(timeout=max(0.1, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(timeout=5)
