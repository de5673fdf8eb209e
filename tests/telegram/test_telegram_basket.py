"""The budget basket with buttons: projects added and removed, cost and money left, the per-pool limit refused
at once, a restart in the middle, confirm, receipt, and a change of vote starting from what was cast."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain import Channel
from bot.services import Services
from handlers.emulator.harness import Harness


async def test_a_warsaw_basket_built_with_buttons_survives_a_restart_and_is_cast(
    telegram: Harness, load_example: Callable[..., str], services: Services
) -> None:
    load_example("bo-warszawa-2027")
    await telegram.play(
        101,
        [
            ("/dzielnica bo2027 wesola", ["Wesoła"]),
            ("/koszyk bo2027", ["Twój koszyk, pula: Projekty ogólnomiejskie", "pusty", "[➕ 1. Zielone przystanki"]),
            ("[➕ 1.]", ["1. [1] Zielone przystanki", "Koszt: 3 200 000 zł · zostało: 5 800 000 zł z 9 000 000 zł"]),
            ("[➕ 2.]", ["Wybrane projekty: 2"]),
            ("[➕ 3.]", []),
            ("[➕ 4.]", []),
            ("[➕ 6.]", ["Wybrane projekty: 5"]),
            ("[➕ 7.]", ["najwyżej 5", "Koszyk się nie zmienił"]),
            ("[🗂 Wesoła]", ["pula: Wesoła", "[➕ 10."]),
            ("[➕ 10.]", ["1. [10]"]),
        ],
    )
    person = services.people.find(Channel.TELEGRAM, "101")
    assert person is not None and services.voting.current_ballot("bo2027", person.person_id) is None
    await telegram.stop()  # the bot restarts with a half-built basket
    await telegram.start()
    answers = await telegram.play(
        101,
        [
            ("[✅ Zatwierdź głos]", ["Przyjęto Twój głos (Budżet obywatelski 2027)", "Pokwitowanie:"]),
            ("/koszyk bo2027 wesola", ["1. [10]"]),
            ("[✅ 10.]", ["pusty"]),
            ("[➕ 12.]", ["1. [12]"]),
            ("[✅ Zatwierdź głos]", ["Zmieniono Twój głos (Budżet obywatelski 2027)"]),
        ],
    )
    ballot = services.voting.current_ballot("bo2027", person.person_id)
    assert ballot == {"city": ["1", "2", "3", "4", "6"], "wesola": ["12"]}
    views = [m for m in telegram.emulator.received(101) if "Twój koszyk" in m.text]
    assert len(views) == 2 and views[0].edits == 7  # taps edit the basket in place instead of piling up
    receipt = answers[-1].split("Nowe pokwitowanie: ")[1].split(".")[0]
    assert services.voting.verify_receipt("bo2027", receipt)


async def test_an_empty_basket_and_a_foreign_pool_are_refused(
    telegram: Harness, load_example: Callable[..., str], services: Services
) -> None:
    load_example("bo-warszawa-2027")
    await telegram.play(
        102,
        [
            ("/basket bo2027", ["declare your district"]),
            ("/district bo2027 bemowo", ["District saved"]),
            ("/basket_confirm bo2027", ["empty"]),
            ("/basket_add bo2027 wesola 10", ["cannot vote in the pool Wesoła district"]),
            ("/basket_add bo2027 city 999", []),
        ],
    )
    person = services.people.find(Channel.TELEGRAM, "102")
    assert person is not None and services.voting.current_ballot("bo2027", person.person_id) is None
