"""Shared fixtures for the whole suite: a database URL, a migrated engine, a session factory.

``database_url`` runs each test on a fresh SQLite file and, when ``GLOS_TEST_DATABASE_URL`` is set, again on
PostgreSQL (ids ``sqlite`` / ``postgresql``). Each PostgreSQL test gets its own schema, named
``glos_test_<pid>_<random>``, selected through ``search_path`` in the URL (``options=-csearch_path=…``), and
dropped afterwards; its connections carry the schema name as ``application_name`` so that teardown can end any
left open. Schemas left by a killed run of this machine (dead pid) are dropped at the first PostgreSQL test.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.clock import FakeClock
from bot.commands.registry import COMMANDS
from bot.console import ConsoleChannel
from bot.definition import load_definition_file
from bot.definition.organisations import load_organisations_file
from bot.services import Services, build_services
from bot.services.outbox import Outbox
from storage import engine as storage_engine
from storage.migrate import upgrade_engine
from storage.models import Organisation

POSTGRES_URL_ENV = "GLOS_TEST_DATABASE_URL"
_SCHEMA_PREFIX = "glos_test_"
_postgres_state: dict[str, str | None] = {}  # "error": why PostgreSQL is unusable, once per session


def _database_params() -> list[object]:
    params: list[object] = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get(POSTGRES_URL_ENV):
        params.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    return params


def _libpq_url(url: str) -> str:
    """A URL psycopg accepts (no ``+psycopg`` driver suffix)."""
    return storage_engine.normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_postgres(admin_url: str) -> None:
    """Skip (once decided, for every test) if the server is unreachable; drop schemas of dead runs."""
    if "error" not in _postgres_state:
        try:
            with psycopg.connect(admin_url, connect_timeout=3, autocommit=True) as connection:
                names = connection.execute(
                    "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (_SCHEMA_PREFIX + "%",)
                ).fetchall()
                for (name,) in names:
                    pid = name.removeprefix(_SCHEMA_PREFIX).split("_")[0]
                    if pid.isdigit() and not _pid_alive(int(pid)):
                        connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            _postgres_state["error"] = None
        except psycopg.Error as error:
            _postgres_state["error"] = f"{type(error).__name__}: {error}".strip()
    if _postgres_state["error"]:
        pytest.skip(f"{POSTGRES_URL_ENV} is set but PostgreSQL is unreachable ({_postgres_state['error']})")


@pytest.fixture(params=_database_params())
def database_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A URL of an empty database of its own for this test (SQLite file, or a PostgreSQL schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{os.fspath(tmp_path)}/glos.db"
        return
    base = os.environ[POSTGRES_URL_ENV]
    admin_url = _libpq_url(base)
    _check_postgres(admin_url)
    schema = f"{_SCHEMA_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    url = storage_engine.normalize_url(base).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            # A test that leaked a connection (idle in transaction) would block DROP SCHEMA until the timeout.
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s AND pid <> pg_backend_pid()",
                (schema,),
            )
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on ``database_url``, migrated to head with the real migrations."""
    built = storage_engine.make_engine(database_url)
    upgrade_engine(built)
    _seed_example_organisations(built)
    try:
        yield built
    finally:
        built.dispose()


def _seed_example_organisations(engine: Engine) -> None:
    """Every test store knows the organisations the examples name (``examples/organisations/``), as a store that
    ``glos run`` loaded the examples into does — written as plain rows, so no test's audit log starts with them."""
    with Session(engine) as session:
        ids: dict[str, int | None] = {}
        for path in sorted((EXAMPLES / "organisations").glob("*.toml")):
            for spec in load_organisations_file(path):
                row = Organisation(
                    slug=spec.slug,
                    name=spec.name,
                    kind=spec.kind,
                    teryt=spec.teryt,
                    lat=spec.lat,
                    lon=spec.lon,
                    parent_id=ids[spec.parent] if spec.parent else None,
                )
                session.add(row)
                session.flush()
                ids[spec.slug] = row.id
        session.commit()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the migrated ``engine`` (``expire_on_commit=False``), e.g. for ``storage.transaction``."""
    return storage_engine.session_factory(engine)


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def clock() -> FakeClock:
    """Mid-June 2027, inside the example processes' voting windows (folders may override it)."""
    return FakeClock(datetime(2027, 6, 20, 10, 0, tzinfo=UTC))


SECRET = b"test-secret-key-not-for-production"


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    """All services on the test store, with console:moderator as the first admin (folders may override it)."""
    built = build_services(session_factory, clock, SECRET)  # type: ignore[arg-type]
    built.people.ensure_admins(["console:moderator"])
    return built


@pytest.fixture
def console(services: Services, tmp_path: Path) -> Callable[..., ConsoleChannel]:
    """A console identity: ``console("ania")`` or ``console("moderator")``."""

    def make(user: str, language: str | None = None) -> ConsoleChannel:
        return ConsoleChannel(services, COMMANDS, user, downloads=tmp_path / "downloads", language=language)

    return make


@pytest.fixture
def load_example(services: Services, clock: FakeClock) -> Callable[..., str]:
    """Import an example by file stem and open it (the clock moved an hour past its opening); returns its slug.

    ``services`` is each folder's own fixture (which admins it has differs by channel).
    """

    def load(stem: str, *, open_it: bool = True) -> str:
        definition = load_definition_file(EXAMPLES / f"{stem}.toml")
        if definition.opens_at is not None:
            clock.set(definition.opens_at + timedelta(hours=1))
        services.processes.import_definition(definition)
        if open_it:
            services.processes.open(definition.slug)
        return definition.slug

    return load


# --- The "real parts" summary line -----------------------------------------------------------------------------
# How many tests ran on each real part (PostgreSQL, Dovecot, Chromium) and how many skipped, with the reasons:
# a green run that silently skipped every IMAP test must be visible. The line comes before pytest's closing line,
# which CI reads and which stays as it is.

REAL_PARTS = ("postgres", "dovecot", "chromium")
_PART_NAMES = {"postgres": "postgresql", "dovecot": "dovecot", "chromium": "chromium"}
_real_ran: dict[str, int] = dict.fromkeys(REAL_PARTS, 0)
_real_skipped: dict[str, dict[str, int]] = {part: {} for part in REAL_PARTS}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test using the session's Dovecot (the ``dovecot`` fixture) is a Dovecot test."""
    for item in items:
        if "dovecot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.dovecot)


def _parts_of(report: pytest.TestReport) -> list[str]:
    keywords = report.keywords
    return [part for part in REAL_PARTS if part in keywords]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    parts = _parts_of(report)
    if not parts:
        return
    if report.skipped:
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else "skipped"
        for part in parts:
            reasons = _real_skipped[part]
            reasons[reason.removeprefix("Skipped: ")] = reasons.get(reason.removeprefix("Skipped: "), 0) + 1
    elif report.when == "call":
        for part in parts:
            _real_ran[part] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not any(_real_ran.values()) and not any(_real_skipped.values()):
        return
    ran = ", ".join(f"{_PART_NAMES[part]} {_real_ran[part]}" for part in REAL_PARTS)
    skipped = sum(sum(reasons.values()) for reasons in _real_skipped.values())
    line = f"real parts: {ran} executed, {skipped} skipped"
    why = [f"{_PART_NAMES[part]}: {reason}" for part in REAL_PARTS for reason in sorted(_real_skipped[part])]
    if not os.environ.get(POSTGRES_URL_ENV):  # then no PostgreSQL variant was even collected
        why.insert(0, f"postgresql: {POSTGRES_URL_ENV} is not set (make test sets it up)")
    if why:
        line += f" ({'; '.join(why)})"
    terminalreporter.write_line(line)


# --- glos as a user starts it: an OS process of its own ---------------------------------------------------------


@dataclass
class GlosProcess:
    """A ``glos …`` OS process (``bot.cli:main``, as the console script runs it) with its output collected line by
    line from a reader thread."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, prefix: str, timeout: float = 90) -> str:
        """The first output line starting with ``prefix`` (fails with the output if the process ends first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((line for line in list(self.lines) if line.startswith(prefix)), None)
            if found is not None:
                return found
            if self.process.poll() is not None:
                time.sleep(0.2)  # the reader thread drains what is left
                break
            time.sleep(0.05)
        raise AssertionError(f"no line {prefix!r}; output:\n" + "\n".join(self.lines))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def glos_service() -> Iterator[Callable[..., GlosProcess]]:
    """Start ``glos ARGS`` (``cwd=``, extra ``env=``) with standard input at end-of-file, as ``</dev/null`` or a
    service manager gives it; whatever is still running at the end of the test is killed."""
    started: list[GlosProcess] = []

    def start(*args: str, cwd: Path, env: dict[str, str] | None = None) -> GlosProcess:
        process = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; main()", *args],
            cwd=cwd,
            env={**os.environ, "GLOS_BOT__SECRET_KEY": "service-test-secret-0123456789abcdef", **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        running = GlosProcess(process)
        threading.Thread(target=running.read, daemon=True).start()
        started.append(running)
        return running

    yield start
    for running in started:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(timeout=30)


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden``: rewrite the golden transcripts (tests/golden) instead of comparing them."""
    parser.addoption("--update-golden", action="store_true", default=False, help="rewrite tests/golden/*.txt")


# --- What people read: every text the suite renders passes tests/text_checks.py ---------------------------------
# Hooked where texts leave the system in tests: each message and edit the Telegram emulator receives (text, caption,
# every button and its callback_data, the answer to a tapped button), each message queued in the outbox (an
# e-mail's subject and text, a Telegram message's text and buttons), each console reply and each HTML page the
# web test client fetches. Problems are collected (the emulator's server thread must not raise) and fail the test
# at its end. A test that deliberately shows a person junk (fuzzing, limits, escaping) says so with
# @pytest.mark.texts_unchecked("why").


def _page_text(html: str) -> str:
    """The words of an HTML page as a person reads them (no scripts, styles, tags or entities)."""
    import html as html_module
    import re

    body = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return html_module.unescape(re.sub(r"(?s)<[^>]+>", "\n", body))


@pytest.fixture(autouse=True)
def texts_people_read(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every text rendered during the test is checked; the test fails at its end on any problem."""
    if request.node.get_closest_marker("texts_unchecked") is not None:
        yield []
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import text_checks

    from handlers.emulator.api import BotApi
    from handlers.emulator.state import TelegramState

    found: list[str] = []

    def check(where: str, text: object, *, telegram: bool = True) -> None:
        if isinstance(text, str) and text:
            problems = text_checks.problems(text, telegram=telegram, quotes=False)  # quoted: their own words
            found.extend(f"{where}: {problem} in:\n{text}" for problem in problems)

    def check_markup(where: str, markup: object) -> None:
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        for row in rows:
            for button in row:
                data = str(button.get("callback_data") or "")
                label = str(button.get("text", ""))
                found.extend(f"{where} button: {p} ({label!r})" for p in text_checks.check_button(label, data))

    bot_message, edit = TelegramState.bot_message, TelegramState.edit
    answer, enqueue, handle = BotApi._m_answercallbackquery, Outbox.enqueue, ConsoleChannel.handle

    def checked_bot_message(self, chat, body, markup, document=None):  # type: ignore[no-untyped-def]
        check("telegram message", body.get("text") or body.get("caption"))
        check_markup("telegram message", markup)
        return bot_message(self, chat, body, markup, document)

    def checked_edit(self, chat, message, changes, markup):  # type: ignore[no-untyped-def]
        check("telegram edit", changes.get("text") or changes.get("caption"))
        check_markup("telegram edit", markup)
        return edit(self, chat, message, changes, markup)

    def checked_answer(self, params, files):  # type: ignore[no-untyped-def]
        check("answer to a tap", params.get("text"))
        return answer(self, params, files)

    def checked_enqueue(self, **kwargs):  # type: ignore[no-untyped-def]
        payload = kwargs.get("payload") or {}
        check(f"outbox {kwargs.get('channel')} subject", payload.get("subject"), telegram=False)
        check(f"outbox {kwargs.get('channel')} text", payload.get("text"), telegram=False)  # the sender splits
        for row in payload.get("buttons", []):
            for button in row:
                check("outbox button", button.get("label"))
        return enqueue(self, **kwargs)

    def checked_handle(self, line):  # type: ignore[no-untyped-def]
        replies = handle(self, line)
        for reply in replies:
            check("console reply", reply)
        return replies

    monkeypatch.setattr(TelegramState, "bot_message", checked_bot_message)
    monkeypatch.setattr(TelegramState, "edit", checked_edit)
    monkeypatch.setattr(BotApi, "_m_answercallbackquery", checked_answer)
    monkeypatch.setattr(Outbox, "enqueue", checked_enqueue)
    monkeypatch.setattr(ConsoleChannel, "handle", checked_handle)
    try:
        from starlette.testclient import TestClient
    except ImportError:  # pragma: no cover - the web extra is always installed in tests
        TestClient = None
    if TestClient is not None:
        request_page = TestClient.request

        def checked_request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
            response = request_page(self, method, url, *args, **kwargs)
            if "text/html" in response.headers.get("content-type", ""):
                check(f"web page {url}", _page_text(response.text), telegram=False)
            return response

        monkeypatch.setattr(TestClient, "request", checked_request)
    yield found
    if found:
        pytest.fail("texts a person must never read:\n" + "\n\n".join(dict.fromkeys(found)), pytrace=False)
