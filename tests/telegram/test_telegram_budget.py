"""Budget ballots through Telegram, read as transcripts: Warsaw (district, up-to-five per pool) and Kraków
(ranking of exactly three), with a restart of the bot in the middle of a dialogue."""

from __future__ import annotations

from collections.abc import Callable

from bot.services import Services
from handlers.emulator.harness import Harness


async def test_warsaw_district_vote_refusal_receipt_and_change(
    telegram: Harness, load_example: Callable[..., str], services: Services
) -> None:
    load_example("bo-warszawa-2027")
    answers = await telegram.play(
        101,
        [
            ("/start bo2027", ["Witaj!", "Budżet obywatelski 2027", "wskaż swoją dzielnicę", "[Wesoła]"]),
            ("[Wesoła]", ["Zapisano dzielnicę: Wesoła"]),
            ("/glosuj city: 1, 2, 3, 4, 5, 6", ["5"]),
            ("/glosuj city: 1, 2; wesola: 10", ["Przyjęto Twój głos (Budżet obywatelski 2027)", "Pokwitowanie:"]),
            ("/moj_glos", ["Twój głos (Budżet obywatelski 2027)"]),
            ("/glosuj city: 1, 2, 3; wesola: 10, 11", ["Zmieniono Twój głos (Budżet obywatelski 2027)"]),
        ],
    )
    assert "Przyjęto" not in answers[2] and "Zmieniono" not in answers[2]
    receipt = answers[-1].split("Nowe pokwitowanie: ")[1].split(".")[0]
    assert services.voting.verify_receipt("bo2027", receipt)
    ballot = services.voting.current_ballot("bo2027", _person(services, 101))
    assert ballot and sorted(ballot) == ["city", "wesola"]


async def test_english_speaker_gets_english_from_telegrams_language(
    telegram: Harness, load_example: Callable[..., str]
) -> None:
    load_example("bo-warszawa-2027")
    await telegram.play(
        102,
        [
            ("/start bo2027", ["Welcome!", "declare your district"]),
            ("/district bo2027 wesola", ["District saved"]),
            ("/vote city: 2", ["Your vote is recorded (", "Receipt:"]),
            ("/nonsense", ["I don't know the command /nonsense"]),
            ("hello", ["Commands start with"]),
        ],
    )


async def test_krakow_ranking_of_exactly_three(
    telegram: Harness, load_example: Callable[..., str], services: Services
) -> None:
    slug = load_example("bo-krakow-2027")
    await telegram.play(
        101,
        [
            (f"/dzielnica {slug} stare-miasto", []),
            (f"/glosuj {slug} miasto: 1 > 2", ["3"]),
            (f"/glosuj {slug} miasto: 2 > 1 > 4", ["Przyjęto"]),
        ],
    )
    assert services.voting.current_ballot(slug, _person(services, 101))


async def test_a_restart_in_the_middle_of_a_dialogue_keeps_the_buttons(
    telegram: Harness, load_example: Callable[..., str], services: Services
) -> None:
    load_example("bo-warszawa-2027")
    await telegram.play(101, [("/start bo2027", ["[Wesoła]"])])
    await telegram.stop()  # the bot process ends; the buttons it sent stay in the chat
    await telegram.start()
    await telegram.play(
        101,
        [
            ("[Bemowo]", ["Zapisano dzielnicę: Bemowo"]),
            ("/glosuj bo2027 bemowo: 20", ["Przyjęto"]),
        ],
    )
    texts = [message.text for message in telegram.emulator.received(101)]
    assert sum("Witaj" in text for text in texts) == 1  # nothing handled twice across the restart
    assert sum("Zapisano dzielnicę" in text for text in texts) == 1


def _person(services: Services, user_id: int) -> int:
    from bot.domain import Channel

    person = services.people.find(Channel.TELEGRAM, str(user_id))
    assert person is not None
    return person.person_id
