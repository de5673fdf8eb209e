"""A register or PESEL check costs casting exactly one indexed read: the voter's ``verified_voter`` row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from bot.ballot_text import parse_ballot_text
from bot.console import ConsoleChannel
from bot.definition import load_definition
from bot.domain import Channel
from bot.services import Services

VERIFIED = Path(__file__).resolve().parents[2] / "examples" / "verified"


@contextmanager
def statements(services: Services) -> Iterator[list[str]]:
    """The SQL statements run on the store inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    engine = services.context.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _cast(services: Services, slug: str, person_id: int, choice: str) -> list[str]:
    definition = services.processes.get(slug).definition
    ballot = parse_ballot_text(definition, choice)
    with statements(services) as seen:
        services.voting.cast(slug, person_id, ballot, Channel.CONSOLE)
    return seen


def test_register_check_adds_one_indexed_read_to_casting(
    console: Callable[..., ConsoleChannel],
    say: Callable[[ConsoleChannel, str], str],
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
) -> None:
    verified = verified_process("bo-lublin-2027-rejestr")
    # the same process with nothing to verify, to compare with
    source = (VERIFIED / "bo-lublin-2027-rejestr.toml").read_text(encoding="utf-8")
    twin = source.replace('verify = "register"', 'verify = "declared"').replace('"bo-lublin-2027"', '"bo-twin-2027"')
    declared = services.processes.import_definition(load_definition(twin)).slug
    services.processes.open(declared)
    say(console("moderator"), f"/rejestr {verified} @{register_csv}")
    jan = console("jan")
    say(jan, f"/mieszkaniec {verified} Jan Kowalski, ul. Długa 12 m. 5")
    person = jan.caller().person_id
    # the first ballots warm the definition cache and record eligibility; the second ones are the steady state
    _cast(services, declared, person, "city: 1")
    _cast(services, verified, person, "city: 1")
    plain = _cast(services, declared, person, "city: 2")
    checked = _cast(services, verified, person, "city: 2")
    extra = [statement for statement in checked if "verified_voter" in statement]
    assert len(checked) == len(plain) + 1
    assert len(extra) == 1 and extra[0].startswith("SELECT verified_voter.voter_hash, EXISTS (SELECT")
    # the read is served by the unique index on (process_id, person_id)
    if services.context.engine.dialect.name == "sqlite":
        with services.context.engine.connect() as connection:
            plan = " ".join(
                str(row[-1])
                for row in connection.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT voter_hash FROM verified_voter "
                        "WHERE process_id = 1 AND person_id = 2"
                    )
                )
            )
        assert "USING INDEX" in plan and "(process_id=? AND person_id=?)" in plan
