"""Every command × every role, through the real dispatcher: who may do what, refusals translated and audited.

The commands come from the table itself (``build_table()``), so a command added later is covered without
touching this file. Each one is run under every name (Polish and English aliases) with several argument lines —
none, a process slug, a slug and a number, and hostile junk (markup, SQL, a number too large for any column) —
by five callers: a stranger never seen before (a fresh Telegram id each time), a resident (Telegram, no role),
an NGO member (an e-mail identity on the roster of ``walne-2027``), a moderator and an admin. What happens must be
what ``docs/SECURITY.md`` says (rendered by :mod:`tools.security_matrix`), and the document must hold exactly the
current rendering.
"""

from __future__ import annotations

import importlib.util
import itertools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from sqlmodel import select

from bot.commands.base import Caller
from bot.commands.dispatch import dispatch
from bot.commands.registry import build_table
from bot.domain import Channel, RoleName
from bot.i18n import translator
from bot.services import Services
from bot.services.eligibility import RosterRow
from storage.models import AuditEntry

ROOT = Path(__file__).resolve().parents[2]
JUNK = "<b>x</b><script>alert(1)</script> ' OR 1=1; DROP TABLE person; -- 99999999999999999999999"
ARGUMENTS = ("", "bo2027", "bo2027 1", "walne-2027 uchwala1", JUNK)
NGO_MEMBER = "czlonkini@fundacja.org.pl"


def _matrix_tool() -> ModuleType:
    """``tools/security_matrix.py``, loaded from its path (``tools`` is not an installed package)."""
    path = ROOT / "tools" / "security_matrix.py"
    spec = importlib.util.spec_from_file_location("glos_tools_security_matrix", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


matrix = _matrix_tool()


@pytest.fixture
def callers(services: Services, load_example: Callable[..., str]) -> dict[str, Callable[[], Caller]]:
    """For each role column, a function giving the caller as the channel would build it now (roles and
    language read fresh from the store, as the Telegram adapter does for every update)."""
    load_example("uchwala-tak-nie")
    services.eligibility.import_roster("walne-2027", [RosterRow(Channel.EMAIL, NGO_MEMBER, name="Członkini")])
    load_example("bo-warszawa-2027")
    services.people.grant(None, Channel.TELEGRAM, "700002", RoleName.MODERATOR)
    services.people.ensure_admins(["700003"])
    strangers = itertools.count(800_000)

    def build(channel: Channel, address: str) -> Callable[[], Caller]:
        def caller() -> Caller:
            where = address() if callable(address) else address
            person = services.people.identify(channel, where)
            return Caller(person.person_id, channel, where, person.language, person.roles)

        return caller

    return {
        "stranger": build(Channel.TELEGRAM, lambda: str(next(strangers))),  # type: ignore[arg-type]
        "resident": build(Channel.TELEGRAM, "700001"),
        "ngo_member": build(Channel.EMAIL, NGO_MEMBER),
        "moderator": build(Channel.TELEGRAM, "700002"),
        "admin": build(Channel.TELEGRAM, "700003"),
    }


def _refusals(services: Services, person_id: int) -> int:
    with services.context.transaction() as session:
        rows = session.exec(
            select(AuditEntry).where(AuditEntry.action == "command.refused", AuditEntry.actor_person_id == person_id)
        ).all()
    return len(rows)


def test_every_command_for_every_role_does_what_the_matrix_says(
    services: Services, callers: dict[str, Callable[[], Caller]], caplog: pytest.LogCaptureFixture
) -> None:
    table = build_table()
    columns = {column.key: column for column in matrix.ROLES}
    assert set(columns) == set(callers)
    observed: dict[tuple[str, str], bool] = {}
    ran = 0
    caplog.set_level(logging.ERROR)
    for command in table:
        for key, make_caller in callers.items():
            results = set()
            for name, args in itertools.product(command.names, ARGUMENTS):
                caller = make_caller()
                t = translator(caller.language, services.context.zone)
                refused_before = _refusals(services, caller.person_id)
                line = f"/{name} {args}".strip()
                replies = dispatch(table, services, caller, line)
                ran += 1
                texts = [reply.text for reply in replies]
                where = f"{line!r} as {key}"
                assert texts, f"no answer to {where}"
                assert t("error.internal") not in texts, f"{where} failed inside: {caplog.text}"
                assert "Traceback" not in "\n".join(texts), where
                refused = texts == [t("error.not_allowed", command=command.name)]
                audited = _refusals(services, caller.person_id) - refused_before
                assert audited == (1 if refused else 0), f"{where}: refused={refused} but {audited} audit rows"
                results.add(not refused)
            assert len(results) == 1, f"/{command.name} as {key} was allowed for some names or arguments only"
            observed[(command.name, key)] = results.pop()
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    expected = {(c.name, key): matrix.may_run(c, column) for c in table for key, column in columns.items()}
    assert observed == expected
    # The moderator commands really are refused to everyone without the role; the admin ones to moderators too.
    for command in table:
        if command.role is RoleName.MODERATOR:
            assert [k for k in callers if observed[(command.name, k)]] == ["moderator", "admin"]
        if command.role is RoleName.ADMIN:
            assert [k for k in callers if observed[(command.name, k)]] == ["admin"]
    assert ran == sum(len(c.names) for c in table) * len(ARGUMENTS) * len(callers)


def test_the_security_document_shows_the_current_matrix() -> None:
    document = (ROOT / "docs" / "SECURITY.md").read_text(encoding="utf-8")
    rendered = matrix.update_document(document, matrix.render_matrix(build_table()))
    assert document == rendered, "docs/SECURITY.md is stale: run python -m tools.security_matrix"
    for command in build_table():
        assert f"`/{command.name}`" in document
