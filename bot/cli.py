"""The ``glos`` command line: database, processes, counting files, the console chat and the main job.

Every subcommand loads the configuration explicitly (``--config``, default ``./glos.toml`` then
``config.example.toml``); a bad file or a refused action prints one clear sentence and exits with status 2.
Moderator actions taken here are audited with the actor ``cli``.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from bot import cli_index, cli_organisations, cli_people, cli_tally, cli_verification, logs
from bot import cli_scheduler as scheduling_cli
from bot.app import load_examples
from bot.cli_app import running_app, settings_of
from bot.cli_args import config_first
from bot.cli_help import COMMANDS, HELP
from bot.commands.args import parse_local_datetime
from bot.config import find_config_file
from bot.console import ConsoleChannel
from bot.definition import load_definition_file
from bot.documents import draft_definition, read_document
from bot.domain import ProcessKind
from bot.exports import export_process
from bot.i18n import translator
from bot.scheduling.leader import leadership
from bot.views.results import results_text
from bot.web.serve import PortTaken, ThreadedServer
from bot.workers import LeaderDuties, start_playground, start_telegram, start_web
from mail import cli as mail_cli
from storage.engine import redacted_url
from storage.migrate import current, upgrade

__all__ = ["app", "config_first", "main"]

app = typer.Typer(help=HELP, no_args_is_help=True)
db_app = typer.Typer(help=COMMANDS["db"], no_args_is_help=True)
process_app = typer.Typer(help=COMMANDS["process"], no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(process_app, name="process")
cli_organisations.register(app)  # glos org add|list
cli_index.register(app)  # glos index list|show|export|map
cli_tally.register(app)
cli_verification.register(app)
scheduling_cli.register(app)
cli_people.register(app)  # glos person erase
mail_cli.register(app)  # the e-mail channel's commands (glos mail invite|poll|send|run)

err = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True, markup=False)  # titles, texts, paths: printed as written


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Configuration file (TOML).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    logs.configure(verbose)
    ctx.obj = find_config_file(config)


_settings = settings_of
_app = running_app


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database schema to the newest version."""
    settings = _settings(ctx)
    upgrade(settings.storage.url)
    out.print(f"{redacted_url(settings.storage.url)}: {current(settings.storage.url)}")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Print the schema version of the database."""
    settings = _settings(ctx)
    out.print(current(settings.storage.url) or "-")


@process_app.command("import")
def process_import(ctx: typer.Context, files: list[Path]) -> None:
    """Import process definitions (TOML) as drafts; a draft with the same slug is replaced."""
    with _app(ctx) as application:
        for path in files:
            definition = load_definition_file(path)
            info = application.services.processes.import_definition(definition)
            out.print(f"{info.slug}: {info.phase.value} (v{definition.slug and info.id})")


@process_app.command("import-document")
def process_import_document(
    ctx: typer.Context,
    path: Path,
    slug: Annotated[str, typer.Option("--slug", help="The consultation's slug (e.g. program-wspolpracy-2027).")],
    title: Annotated[str | None, typer.Option("--title", help="Its title (default: the document's).")] = None,
) -> None:
    """Split a draft (DOCX, ODT, Markdown, text) into its units and import it as a consultation draft.

    Each chapter, §/Art., ust., pkt and lit. becomes a section remarks can cite (``§ 3 ust. 2 pkt 1``); the
    draft has no dates yet: review it (glos process show), set the dates and open it.
    """
    with _app(ctx) as application:
        document = read_document(path)
        definition = draft_definition(document, slug, title=title)
        info = application.services.processes.import_definition(definition, actor_id=None)
        t = translator(application.settings.bot.language, application.settings.tz)
        out.print(t("document.imported", slug=info.slug, title=info.title(t.language), count=len(document.units)))
        for unit in document.units:
            out.print(f"{'  ' * unit.depth}{unit.citation}{'. ' + unit.title if unit.title else ''}")


@process_app.command("list")
def process_list(ctx: typer.Context) -> None:
    """List processes with their phase and dates."""
    with _app(ctx) as application:
        t = translator(application.settings.bot.language, application.settings.tz)
        for info in application.services.processes.list():
            closes = t.datetime(info.closes_at) if info.closes_at else "-"
            out.print(f"{info.slug:32} {info.kind.value:18} {info.phase.value:10} {closes}  {info.title('pl')}")


@process_app.command("show")
def process_show(ctx: typer.Context, slug: str, lang: str = "pl") -> None:
    """Show a process as residents see it."""
    from bot.views.process import process_text

    with _app(ctx) as application:
        info = application.services.processes.get(slug)
        out.print(process_text(info, translator(lang, application.settings.tz)))


def _phase_command(name: str, doc: str) -> None:
    def command(ctx: typer.Context, slug: str) -> None:
        with _app(ctx) as application:
            info = getattr(application.services.processes, name)(slug)
            out.print(f"{info.slug}: {info.phase.value}")

    command.__doc__ = doc
    process_app.command(name)(command)


_phase_command("open", "Open a draft process.")
_phase_command("close", "Close an open process now.")
_phase_command("publish", "Publish the results of a closed process.")


@process_app.command("extend")
def process_extend(ctx: typer.Context, slug: str, closes_at: str) -> None:
    """Move the closing time (local time, e.g. '2027-07-07 23:59'); a closed process opens again."""
    with _app(ctx) as application:
        when = parse_local_datetime(closes_at, application.settings.tz)
        info = application.services.processes.extend(slug, when)
        out.print(f"{info.slug}: {info.phase.value}, {info.closes_at}")


@process_app.command("briefing")
def process_briefing(ctx: typer.Context, slug: str) -> None:
    """A deliberative poll's briefing has been held: round 2 opens now (as /spotkanie_odbyte does)."""
    with _app(ctx) as application:
        t = translator(application.settings.bot.language, application.settings.tz)
        info, already = application.services.processes.hold_briefing(slug)
        key = "briefing.already" if already else "briefing.held"
        out.print(t(key, title=info.title(t.language), slug=info.slug, when=info.definition.briefing_at))


@process_app.command("results")
def process_results(
    ctx: typer.Context,
    slug: str,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    lang: str = "pl",
) -> None:
    """Print the counted results (as a moderator: available once the process is closed)."""
    with _app(ctx) as application:
        results = application.services.results.results(slug, moderator=True)
        if fmt == "json":
            sys.stdout.write(json.dumps(results.to_json(), ensure_ascii=False, indent=2) + "\n")
        else:
            info = application.services.processes.get(slug)
            tally = application.services.report.tally(slug) if info.kind is ProcessKind.CONSULTATION else None
            out.print(results_text(info, results, translator(lang, application.settings.tz), tally=tally))


@process_app.command("export")
def process_export(
    ctx: typer.Context,
    slug: str,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, json, pb, report-html, report-docx, report-odt, report-csv")
    ] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")] = None,
) -> None:
    """Export the results (csv, json), the ballots of one pool in pabulib format (pb), or a consultation's report
    (report-html, report-docx, report-odt, report-csv; csv, docx, odt and html mean the report for a consultation)."""
    with _app(ctx) as application:
        document = export_process(application.services, slug, fmt)
        if output is None:
            sys.stdout.buffer.write(document.content)
        else:
            output.write_bytes(document.content)
            out.print(f"{output}")


@app.command("chat", help=COMMANDS["chat"])
def chat(
    ctx: typer.Context,
    as_: Annotated[str, typer.Option("--as", help="resident or moderator")] = "resident",
    user: Annotated[str | None, typer.Option("--user", help="Your name in the console channel")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="pl, en or uk")] = None,
) -> None:
    """The console channel for one identity until end of input (help text: ``COMMANDS["chat"]``)."""
    if as_ not in ("resident", "moderator"):
        err.print("--as must be 'resident' or 'moderator'")
        raise typer.Exit(2)
    name = user or ("moderator" if as_ == "moderator" else "mieszkaniec")
    with _app(ctx) as application:
        ConsoleChannel(application.services, application.commands, name, language=lang).loop()


@app.command("run", help=COMMANDS["run"])
def run(
    ctx: typer.Context,
    user: Annotated[str, typer.Option("--user", help="Console identity")] = "moderator",
    telegram: Annotated[bool, typer.Option("--telegram/--no-telegram", help="Start the Telegram channel")] = True,
    console: Annotated[
        bool | None,
        typer.Option(
            "--console/--no-console",
            help="Talk to the bot in the terminal (default: only when standard input is a terminal); without it "
            "the bot runs as a service until SIGTERM or Ctrl-C.",
        ),
    ] = None,
) -> None:
    """The whole bot in one process, with or without the console (help text: ``COMMANDS["run"]``)."""
    if console is None:
        console = _interactive()
    with _app(ctx) as application:
        settings = application.settings
        if settings.bot.load_examples and settings.bot.examples_dir:
            folder = Path(settings.bot.examples_dir)
            if folder.is_dir():
                loaded = load_examples(application, folder, open_them=True)
                if loaded:
                    out.print(f"Załadowano przykłady / examples loaded: {', '.join(loaded)}")
            else:  # a relative [bot] examples_dir is read from the working directory: say so, not an empty page
                err.print(
                    f"Nie ma folderu przykładów / no examples folder: {folder.resolve()} ([bot] examples_dir)",
                    markup=False,
                )
        out.print(f"Baza / store: {redacted_url(settings.storage.url)}")
        with _stopping_on_signals(console) as stopping:
            runtime = None
            leader = None
            playground = None
            web = None
            try:
                if settings.telegram.enabled and telegram and settings.telegram.token is None:
                    # No token: the bot runs on the emulator for the playground, on a sandbox store of its own.
                    playground = start_playground(application, out.print)
                elif settings.telegram.enabled and telegram:
                    # The outbox is sent by the leader only (several bot processes may share a PostgreSQL store).
                    runtime = start_telegram(application, out.print)
                # The scheduler, the e-mail channel and the outbox run on the leader (always this process on SQLite).
                duties = LeaderDuties(application, runtime, out.print)
                leader = leadership(
                    settings.storage.url, duties.lead, duties.follow, retry=settings.scheduler.leader_retry_seconds
                ).start()
                if not leader.leading:
                    out.print("Inny proces prowadzi / another bot process leads (scheduler, e-mail, outbox)")
                if settings.web.enabled:
                    web = start_web(application, runtime, playground, reuse_port=False)
                    if web.port != settings.web.port:
                        out.print(
                            f"Port {settings.web.port} zajęty, strona działa na porcie {web.port} / "
                            f"port {settings.web.port} is taken, the web page uses port {web.port} instead"
                        )
                    out.print(f"Strona / web page: {web.url}/")
                    if playground is not None:
                        out.print(f"Plac zabaw / playground (Telegram in the browser): {web.url}/playground/")
                if console:
                    ConsoleChannel(application.services, application.commands, user).loop()
                else:
                    out.print("Bez konsoli / no console: działa do SIGTERM lub Ctrl-C / runs until SIGTERM or Ctrl-C")
                    stopping.wait()
                    out.print("Zatrzymywanie / stopping…")
            finally:
                if leader is not None:
                    leader.stop()  # first: the scheduler and the sender finish while the channels still run
                if runtime is not None:
                    runtime.stop()
                if web is not None:
                    web.stop()
                if playground is not None:
                    playground.stop()


def _interactive() -> bool:
    """Whether standard input is an open terminal (else ``glos run`` runs as a service)."""
    return sys.stdin is not None and not sys.stdin.closed and sys.stdin.isatty()


@contextmanager
def _stopping_on_signals(console: bool) -> Iterator[threading.Event]:
    """An event that SIGTERM and SIGINT set, the handlers restored afterwards. With the ``console`` the first
    signal also ends its prompt (KeyboardInterrupt, as Ctrl-C always did); without it nothing is interrupted
    mid-way. Off the main thread (signals cannot be caught there) only the caller sets the event."""
    stopping = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stopping
        return

    def stop(signum: int, frame: object) -> None:
        if console and not stopping.is_set():
            stopping.set()
            raise KeyboardInterrupt
        stopping.set()

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stopping
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


audit_app = typer.Typer(help=COMMANDS["audit"], no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("export")
def audit_export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or json")] = "csv",
    process: Annotated[str | None, typer.Option("--process", help="Only entries about this process")] = None,
) -> None:
    """Print the audit log (oldest first) as CSV or JSON lines."""
    import csv

    from bot.services.audit import AuditTrail

    with _app(ctx) as application:
        writer = csv.writer(sys.stdout, delimiter=";")
        if fmt == "csv":
            writer.writerow(["id", "at", "actor", "actor_person_id", "action", "process_id", "details"])
        for entry in AuditTrail(application.services.context).entries(process):
            row = {
                "id": entry.id,
                "at": entry.at.isoformat(),
                "actor": entry.actor,
                "actor_person_id": entry.actor_person_id,
                "action": entry.action,
                "process_id": entry.process_id,
                "details": entry.details,
            }
            if fmt == "json":
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                writer.writerow([*list(row.values())[:-1], json.dumps(entry.details, ensure_ascii=False)])


@app.command("serve", help=COMMANDS["serve"])
def serve(
    ctx: typer.Context,
    workers: Annotated[int | None, typer.Option("--workers", help=r"Processes (default \[web] workers)")] = None,
) -> None:
    """Several worker processes behind one port until a signal (help text: ``COMMANDS["serve"]``)."""
    from bot.workers import serve as serve_workers

    try:
        serve_workers(ctx.find_root().obj, _settings(ctx), out.print, workers=workers)
    except ValueError as error:
        err.print(f"[red]{escape(str(error))}[/red]")  # "[web] workers > 1 …" must keep its "[web]"
        raise typer.Exit(2) from error


@app.command("web", help=COMMANDS["web"])
def web(ctx: typer.Context) -> None:
    """The web pages alone, until Ctrl-C (help text: ``COMMANDS["web"]``)."""
    import uvicorn

    from bot.web.app import create_web_app

    with _app(ctx) as application:
        settings = application.settings.web
        if not _port_free(settings.host, settings.port):  # one clear line instead of uvicorn's "[Errno 98]"
            err.print(
                f"Port {settings.port} zajęty / port {settings.port} is taken ({settings.host}): [web] port",
                markup=False,
            )
            raise typer.Exit(2)
        out.print(f"http://{settings.host}:{settings.port}/")
        uvicorn.run(create_web_app(application.services, application.settings), host=settings.host, port=settings.port)


def _port_free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be listened on now."""
    try:
        ThreadedServer(None, host, port).probe()
    except PortTaken:
        return False
    return True


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point. ``--config PATH`` (``-c``) is accepted anywhere on the line, as the README
    says (``glos process list --config x.toml``): it is an option of the root command, so it is moved there."""
    app(args=config_first(sys.argv[1:] if argv is None else argv), prog_name="glos")
