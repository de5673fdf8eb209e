"""The organisation dimension of the command × role matrix: a moderator of one organisation (A, Kraków) against
every moderator command aimed at another organisation's processes (B: Warszawa's budget and Wieliczka's
consultation), through the real dispatcher, on SQLite and PostgreSQL.

Every moderator command of the table must be classified in ``tools.security_matrix.ORGANISATION_SCOPE`` (a new
one fails here until it is), and each is run under every name with the process named, with arguments after it,
with the process only remembered (the confirmation a remembered process gets would show it), with an opinion of
B's, and for ``/importuj`` with B's definition and with a definition that claims B's slug for A. Each must answer
exactly the translated refusal, audit one ``command.refused``, and leave B's processes as they were. Moderators of
B, global moderators and admins still act on them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from bot.commands.base import Caller
from bot.commands.dispatch import dispatch
from bot.commands.registry import build_table
from bot.domain import Channel, Phase, RoleName
from bot.i18n import translator
from bot.services import Services
from storage.models import AuditEntry, InviteCode, Opinion, OutboxMessage, Role, RosterEntry
from tests.core.test_core_roles import matrix

ROOT = Path(__file__).resolve().parents[2]
WARSZAWA = (ROOT / "examples" / "bo-warszawa-2027.toml").read_bytes()
DRAFT = "Projekt uchwały\n\n§ 1. Przyjmuje się program.\n\n§ 2. Uchwała wchodzi w życie z dniem podjęcia.\n".encode()
A_NAME = "Gmina Miejska Kraków"
MODERATOR_OF_A = "700010"
MODERATOR_OF_B = "700011"
NAMED_ONLY = {"importuj", "projekt", "ogloszenie"}  # a file names its process (or comes with its slug); an
# announcement without a process named is asked for its text first


def _caller(services: Services, address: str) -> Caller:
    """The caller as the Telegram adapter builds it for every update (roles read fresh from the store)."""
    person = services.people.identify(Channel.TELEGRAM, address)
    return Caller(
        person.person_id, Channel.TELEGRAM, address, person.language, person.roles, moderates=person.moderates
    )


@pytest.fixture
def organisations(services: Services, load_example: Callable[..., str]) -> int:
    """B's open budget (Warszawa) and consultation (Wieliczka) with a resident's remark, A's budget (Kraków); the
    moderators of A and of Warszawa. Returns the remark's id."""
    load_example("bo-warszawa-2027")
    load_example("bo-krakow-2027")
    load_example("konsultacje-program-wspolpracy-2027")  # the last: the clock is inside its window
    resident = services.people.identify(Channel.TELEGRAM, "700001")
    remark = services.opinions.submit("program-wspolpracy-2027", resident.person_id, "Więcej lokali", Channel.TELEGRAM)
    services.people.grant(None, Channel.TELEGRAM, MODERATOR_OF_A, RoleName.MODERATOR, organisation="krakow")
    services.people.grant(None, Channel.TELEGRAM, MODERATOR_OF_B, RoleName.MODERATOR, organisation="warszawa")
    return remark


def _lines(command: str, scope: str, remark: int) -> list[tuple[str, bytes | None]]:
    """Argument lines (and an attached file) aiming ``command`` of ``scope`` at B."""
    if command == "odpowiedz":
        return [(f"{remark} uwzgledniono Dziękujemy", None), (f"#{remark} czesciowo W części", None)]
    if scope == "opinion":
        return [(str(remark), None), (f"#{remark}", None)]
    if scope == "deployment":
        return [("", None), ("6", None)]
    csv = b"email\nczlonek@example.org\n"
    return [
        ("bo2027", None),
        ("program-wspolpracy-2027", None),
        ("bo2027 5", None),
        ("bo2027 2027-07-07 23:59", None),
        ("program-wspolpracy-2027 Termin przedłużony", None),
        ("bo2027 city: 1", None),
        ("bo2027", csv),
    ]


def _state(services: Services) -> tuple[object, ...]:
    """What a moderator command could change in B's processes."""
    with services.context.transaction() as session:
        opinion = session.exec(select(Opinion)).one()
        counts = tuple(
            session.exec(select(func.count()).select_from(table)).one()
            for table in (OutboxMessage, InviteCode, RosterEntry)
        )
    phases = tuple(services.processes.get(slug).phase for slug in ("bo2027", "program-wspolpracy-2027"))
    closes = services.processes.get("bo2027").closes_at
    return (phases, closes, opinion.status, opinion.response_status, counts)


def _refusals(services: Services, person_id: int) -> int:
    with services.context.transaction() as session:
        query = select(func.count()).where(
            col(AuditEntry.action) == "command.refused", col(AuditEntry.actor_person_id) == person_id
        )
        return int(session.exec(query).one())


def test_a_moderator_of_one_organisation_is_refused_every_moderator_command_on_another_organisations_process(
    services: Services, organisations: int
) -> None:
    table = build_table()
    moderator_commands = [command for command in table if command.role is RoleName.MODERATOR]
    assert {command.name for command in moderator_commands} == set(matrix.ORGANISATION_SCOPE)
    caller = _caller(services, MODERATOR_OF_A)
    assert caller.moderates == {"krakow"} and not caller.is_moderator
    t = translator(caller.language, services.context.zone)
    before = _state(services)
    runs = 0
    for command in moderator_commands:
        scope = matrix.ORGANISATION_SCOPE[command.name]
        if scope == "own":
            continue
        if scope == "deployment":
            expected = [t("error.whole_deployment_only", command=command.name)]
        else:
            expected = [t("error.other_organisation", command=command.name, organisations=A_NAME)]
        cases = _lines(command.name, scope, organisations)
        if command.name == "importuj":  # B's own definition, and one claiming B's slug for A
            claimed = WARSZAWA.replace(b'organisation = "warszawa"', b'organisation = "krakow"')
            cases = [("", WARSZAWA), ("", claimed)]
        if command.name == "projekt":  # a draft document uploaded over B's processes
            cases = [("bo2027", DRAFT), ("program-wspolpracy-2027", DRAFT)]
        for name, (args, attachment) in itertools.product(command.names, cases):
            line = f"/{name} {args}".strip()
            refused = _refusals(services, caller.person_id)
            replies = dispatch(table, services, caller, line, attachment=attachment, attachment_name="plik.csv")
            assert [reply.text for reply in replies] == expected, f"{line!r} (file: {attachment is not None})"
            assert all(reply.refused for reply in replies), line
            assert _refusals(services, caller.person_id) == refused + 1, line
            runs += 1
        if scope == "process" and command.name not in NAMED_ONLY:  # B's process only remembered: refused before
            # the confirmation that would name it
            services.dialogue.remember(caller.person_id, Channel.TELEGRAM, process="bo2027")
            replies = dispatch(table, services, caller, f"/{command.name}")
            assert [reply.text for reply in replies] == expected, command.name
            runs += 1
    assert _state(services) == before
    assert runs > 150
    assert services.dialogue.get(caller.person_id, Channel.TELEGRAM).get("process") == "bo2027"  # set by the test


def test_moderators_act_on_their_own_organisations_processes_and_global_ones_on_every_process(
    services: Services, organisations: int
) -> None:
    table = build_table()
    of_a, of_b = _caller(services, MODERATOR_OF_A), _caller(services, MODERATOR_OF_B)
    t = translator("pl", services.context.zone)

    def texts(caller: Caller, line: str) -> list[str]:
        return [reply.text for reply in dispatch(table, services, caller, line)]

    assert "Zamknięto" in texts(of_a, "/zamknij bo-krakow-2027")[0]
    assert "Zamknięto" in texts(of_b, "/zamknij bo2027")[0]
    assert texts(of_b, "/zamknij program-wspolpracy-2027") == [
        t("error.other_organisation", command="zamknij", organisations="Miasto Stołeczne Warszawa")
    ]
    assert texts(of_b, f"/zatwierdz {organisations}") == [
        t("error.other_organisation", command="zatwierdz", organisations="Miasto Stołeczne Warszawa")
    ]
    # drafts: a moderator of A sees A's, never B's
    services.processes.import_definition(
        services.processes.get("bo2027").definition.model_copy(update={"slug": "bo2028"})
    )
    assert "bo2028" not in "\n".join(texts(of_a, "/procesy"))
    assert "bo2028" in "\n".join(texts(of_b, "/procesy"))
    assert texts(of_a, "/proces bo2028") == [t("process.not_found", slug="bo2028")]
    # a global moderator and an admin moderate every organisation's processes
    services.people.grant(None, Channel.TELEGRAM, "700012", RoleName.MODERATOR)
    services.people.ensure_admins(["700013"])
    assert "Zamknięto" in texts(_caller(services, "700012"), "/zamknij program-wspolpracy-2027")[0]
    assert "Opublikowano" in texts(_caller(services, "700013"), "/opublikuj program-wspolpracy-2027")[0]
    assert services.processes.get("program-wspolpracy-2027").phase is Phase.PUBLISHED


def test_a_poll_made_by_a_moderator_of_one_organisation_is_that_organisations(
    services: Services, organisations: int
) -> None:
    table = build_table()
    of_a = _caller(services, MODERATOR_OF_A)
    for line in ("/nowa_ankieta Ławki na Plantach", "Gdzie ławki?", "Przy Wawelu, Przy Barbakanie", "14", "1", "tak"):
        dispatch(table, services, of_a, line)
    assert services.processes.get("lawki-na-plantach").organisation == "krakow"
    services.people.grant(None, Channel.TELEGRAM, MODERATOR_OF_A, RoleName.MODERATOR, organisation="wieliczka")
    of_two = _caller(services, MODERATOR_OF_A)
    t = translator("pl", services.context.zone)
    assert [r.text for r in dispatch(table, services, of_two, "/nowa_ankieta")] == [
        t("organisation.several", organisations="krakow, wieliczka")
    ]


def test_grants_per_organisation_by_command_and_revocation(services: Services, organisations: int) -> None:
    table = build_table()
    services.people.ensure_admins(["700013"])
    admin = _caller(services, "700013")
    t = translator("pl", services.context.zone)

    def say(line: str) -> list[str]:
        return [reply.text for reply in dispatch(table, services, admin, line)]

    assert say("/nadaj_role 700020 moderator wieliczka") == [
        t("roles.granted_organisation", who="telegram:700020", role="moderator", organisation="Gmina Wieliczka")
    ]
    # their first message (a Telegram name with it) already carries the grant
    assert services.people.identify(Channel.TELEGRAM, "700020", display_name="Ala").moderates == {"wieliczka"}
    assert _caller(services, "700020").moderates == {"wieliczka"} and not _caller(services, "700020").roles
    assert say("/nadaj_role 700020 admin wieliczka") == [t("roles.admin_is_global")]
    assert say("/nadaj_role 700020 moderator nie-ma") == [t("organisation.not_found", slug="nie-ma")]
    assert say("/nadaj_role 700020 moderator") == [t("roles.granted", who="telegram:700020", role="moderator")]
    assert _caller(services, "700020").is_moderator
    assert say("/odbierz_role 700020 moderator krakow") == [
        t("roles.not_held_organisation", who="telegram:700020", role="moderator", organisation=A_NAME)
    ]
    assert say("/odbierz_role 700020 moderator wieliczka")[0].startswith("Odebrano rolę moderator w organizacji")
    assert _caller(services, "700020").moderates == frozenset() and _caller(services, "700020").is_moderator
    say("/nadaj_role 700020 moderator wieliczka")
    assert say("/odbierz_role 700020 moderator") == [t("roles.revoked", who="telegram:700020", role="moderator")]
    person = _caller(services, "700020")
    assert not person.may_moderate
    with services.context.transaction() as session:
        assert session.exec(select(Role).where(Role.person_id == person.person_id)).all() == []
        grants = session.exec(
            select(AuditEntry.details).where(col(AuditEntry.action) == "role.grant").order_by(col(AuditEntry.id))
        ).all()
    assert {"person_id": person.person_id, "role": "moderator", "organisation": "wieliczka"} in grants
    assert _refusals(services, admin.person_id) == 0
