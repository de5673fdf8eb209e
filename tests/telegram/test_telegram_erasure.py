"""Erasure never buys a second ballot (issue #13): the attack as a resident would try it, through Telegram."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from bot.domain import Channel
from bot.services import Services
from handlers.emulator.driver import Emulator
from handlers.emulator.harness import Harness

ATTACKER = 1001
ERASED = "Twoje dane zostały usunięte. Do widzenia!"


def _counted(services: Services, slug: str) -> int:
    with services.context.reading() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM ballot JOIN process ON process.id = ballot.process_id "
                    "WHERE process.slug = :slug AND ballot.is_current AND NOT ballot.withdrawn"
                ),
                {"slug": slug},
            ).scalar_one()
        )


async def test_vote_erase_vote_erase_vote_is_one_counted_ballot(
    telegram: Harness, emulator: Emulator, load_example: Callable[..., str], services: Services
) -> None:
    emulator.user(ATTACKER, "Mallory", "pl")
    slug = load_example("bo-warszawa-2027")
    first = await telegram.play(
        ATTACKER,
        [
            ("/dzielnica bo2027 wesola", ["Zapisano dzielnicę: Wesoła"]),
            ("/glosuj bo2027 city: 1, 2; wesola: 10", ["Przyjęto Twój głos (Budżet obywatelski 2027)"]),
            ("/usun_dane TAK", []),
        ],
    )
    assert first[-1] == ERASED
    assert _counted(services, slug) == 1
    second = await telegram.play(
        ATTACKER,
        [
            ("/dzielnica bo2027 wesola", ["Zapisano dzielnicę: Wesoła"]),
            # The returning account's ballot replaces the one it left: the voter is told so.
            ("/glosuj bo2027 city: 3; wesola: 11", ["Zmieniono Twój głos (Budżet obywatelski 2027)"]),
            ("/usun_dane TAK", []),
        ],
    )
    assert second[-1] == ERASED
    assert _counted(services, slug) == 1
    third = await telegram.play(
        ATTACKER,
        [
            ("/dzielnica bo2027 wesola", ["Zapisano dzielnicę: Wesoła"]),
            ("/glosuj bo2027 city: 4; wesola: 12", ["Zmieniono Twój głos (Budżet obywatelski 2027)"]),
        ],
    )
    assert "Przyjęto" not in third[-1]
    assert _counted(services, slug) == 1
    person = services.people.find(Channel.TELEGRAM, str(ATTACKER))
    assert person is not None
    assert services.voting.current_ballot(slug, person.person_id) == {"city": ["4"], "wesola": ["12"]}
    services.processes.close(slug)
    results = services.results.results(slug, moderator=True)
    assert results.turnout.participants == 1
    assert results.rounds[0]["city"].row("4").votes == 1
    assert all(results.rounds[0]["city"].row(item).votes == 0 for item in ("1", "2", "3"))
    assert results.rounds[0]["wesola"].row("12").votes == 1
    assert all(results.rounds[0]["wesola"].row(item).votes == 0 for item in ("10", "11"))
