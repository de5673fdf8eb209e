"""Moderators and residents on Telegram: consultation opinions, closing and publishing, refusals, uploads,
exports as documents, per-scope command menus, forged buttons and bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from bot.domain import Channel
from bot.services import Services
from handlers.emulator import Emulator
from handlers.emulator.harness import Harness
from storage.models import AuditEntry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MODERATOR = 900


async def test_an_opinion_on_section_3_is_moderated_and_answered(
    telegram: Harness, load_example: Callable[..., str], services: Services
) -> None:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    await telegram.play(
        101,
        [
            (f"/start {slug}", ["Konsultacje społeczne", "§3"]),
            ("/opinia §3 Proszę dopisać zasadę jawności w konkursach.", ["Opinia nr 1 do §3 (", "czeka na moderację"]),
            ("/opinia " + "x" * 4001, ["za długa"]),
        ],
    )
    await telegram.play(
        MODERATOR,
        [
            (f"/opinie {slug}", ["#1 [§3]", "zasadę jawności"]),
            ("/zatwierdz 1", ["Opinia nr 1: zatwierdzona"]),
            ("/odpowiedz 1 czesciowo Zasada wynika z ustawy; dopisano odesłanie.", ["uwzględniono częściowo"]),
        ],
    )
    [opinion] = services.opinions.list(slug)
    assert opinion.section == "s3" and "odesłanie" in (opinion.response_text or "")


async def test_a_resident_is_refused_moderator_commands_and_the_refusal_is_audited(
    telegram: Harness, load_example: Callable[..., str], services: Services
) -> None:
    load_example("bo-warszawa-2027")
    await telegram.play(101, [("/zamknij bo2027", ["tylko dla moderatorów"]), ("/help", ["/glosuj"])])
    assert services.processes.get("bo2027").phase.value == "open"
    with services.context.transaction() as session:
        actions = [entry.action for entry in session.exec(select(AuditEntry)).scalars()]  # type: ignore[call-overload]
    assert "command.refused" in actions


async def test_the_moderator_closes_publishes_and_residents_read_results(
    telegram: Harness, load_example: Callable[..., str]
) -> None:
    load_example("bo-warszawa-2027")
    await telegram.play(101, [("/dzielnica bo2027 wesola", []), ("/glosuj bo2027 wesola: 10, 12", ["Przyjęto"])])
    await telegram.play(
        MODERATOR,
        [
            ("/frekwencja bo2027", ["Wesoła: 1"]),
            ("/zamknij bo2027", ["Zamknięto"]),
            ("/opublikuj bo2027", ["Opublikowano"]),
        ],
    )
    await telegram.play(101, [("/glosuj bo2027 city: 1", ["zakończone"]), ("/wyniki bo2027", ["Wyniki"])])
    answer = await telegram.say(MODERATOR, "/eksport bo2027 csv")
    assert "📎" in answer, answer
    document = telegram.last(MODERATOR).document
    assert document is not None and len(document.content) > 0


async def test_menus_are_per_language_and_moderator_commands_only_for_moderators(
    telegram: Harness, emulator: Emulator
) -> None:
    await telegram.say(MODERATOR, "/pomoc")
    await telegram.say(101, "/pomoc")
    residents = [name for name, _ in emulator.commands()]
    assert "glosuj" in residents and "zamknij" not in residents
    english = dict(emulator.commands(language_code="en"))
    polish = dict(emulator.commands(language_code="pl"))
    ukrainian = dict(emulator.commands(language_code="uk"))
    # each menu names the commands in its reader's language (Ukrainian uses the English, Latin-letter names)
    assert polish["glosuj"] == "oddaj lub zmień głos (jak — w opisie procesu: /proces)"
    assert "glosuj" not in english and "glosuj" not in ukrainian
    assert english["vote"] == "cast or change your vote (how: in the description, /process)"
    assert ukrainian["vote"] == "віддати або змінити голос (як — в описі процесу: /process)"
    moderator = [name for name, _ in emulator.commands({"type": "chat", "chat_id": MODERATOR})]
    assert "zamknij" in moderator and "nadaj_role" in moderator
    assert emulator.commands({"type": "chat", "chat_id": 101}) == []


async def test_a_moderator_uploads_a_definition_and_a_resident_cannot(telegram: Harness, services: Services) -> None:
    toml = (EXAMPLES / "uchwala-tak-nie.toml").read_bytes()
    refused = await telegram.upload(101, "uchwala.toml", toml)
    assert "tylko dla moderatorów" in refused
    assert services.processes.list() == []
    imported = await telegram.upload(MODERATOR, "uchwala.toml", toml)
    assert "[Otwórz]" in imported, imported
    assert len(services.processes.list()) == 1
    broken = await telegram.upload(MODERATOR, "zla.toml", b'slug = "x"\ntitle = [\n')
    assert "zla.toml" in broken and "3" in broken and "title" in broken, broken  # names the line and the key
    unknown = await telegram.upload(MODERATOR, "zdjecie.gif", b"GIF89a")
    assert "zdjecie.gif" in unknown


async def test_forged_and_stale_buttons_get_a_clear_answer(
    telegram: Harness, emulator: Emulator, load_example: Callable[..., str], services: Services
) -> None:
    load_example("bo-warszawa-2027")
    await telegram.say(101, "/start bo2027")
    message = telegram.last(101)
    for data in ("g1:AAAAAAAAAAA", "/zamknij bo2027", "x" * 64):
        answer = await telegram.answer(101, emulator.tap_data(101, message.message_id, data))
        assert "nieaktualny" in answer, answer
    # Another person's button is not honoured either: Emma taps data that only Ania was given.
    emulator.user(103, "Ewa", "pl")
    await telegram.say(103, "/pomoc")
    [(_, wesola)] = [row[0] for row in message.buttons if row[0][0] == "Wesoła"]
    ewa_view = telegram.last(103)
    answer = await telegram.answer(103, emulator.tap_data(103, ewa_view.message_id, wesola))
    assert "nieaktualny" in answer
    alerts = [a for a in emulator.callback_answers() if a.get("show_alert")]
    assert len(alerts) == 4 and all(a["answered"] for a in emulator.callback_answers())
    assert services.processes.get("bo2027").phase.value == "open"


async def test_stickers_photos_edits_and_blocking_get_answers_and_the_bot_keeps_running(
    telegram: Harness, emulator: Emulator
) -> None:
    assert "naklejek" in (await telegram.answer(101, emulator.send_sticker(101))).lower()
    assert "zdjęć" in await telegram.answer(101, emulator.send_photo(101))
    first = emulator.send_text(101, "/pomoc")
    await telegram.answer(101, first)
    user_message_id = emulator.written_by(101)[-1]
    assert "Poprawionych" in await telegram.answer(101, emulator.edit_text(101, user_message_id, "/procesy"))
    emulator.block(101)
    await telegram.answer(101, emulator.send_text(101, "/pomoc"))  # the reply is refused with 403; no crash
    emulator.block(101, False)
    assert "/glosuj" in await telegram.say(101, "/pomoc")
    person = telegram.services.people.find(Channel.TELEGRAM, "101")
    assert person is not None


async def test_in_a_group_nothing_is_cast_and_the_bot_points_to_the_private_chat(
    telegram: Harness, emulator: Emulator, load_example: Callable[..., str], services: Services
) -> None:
    load_example("bo-warszawa-2027")
    group = emulator.group(-100500, "Sąsiedzi z Wesołej", [101, 102])
    await telegram.handled(emulator.send_text(101, "/glosuj bo2027 city: 1", chat_id=group))
    [answer] = emulator.received(group)
    assert "prywatnej rozmowie" in answer.text and "https://t.me/glos_emulator_bot" in answer.text
    assert emulator.received(101) == []
    person = services.people.find(Channel.TELEGRAM, "101")
    assert person is not None and services.voting.current_ballot("bo2027", person.person_id) is None


async def test_a_close_without_a_name_asks_with_a_button_in_english_and_the_tap_closes(
    telegram: Harness, emulator: Emulator, load_example: Callable[..., str], services: Services
) -> None:
    slug = load_example("uchwala-tak-nie")
    emulator.user(MODERATOR, "Moderator", "en")
    await telegram.say(MODERATOR, f"/process {slug}")  # remembered from now on
    asked = await telegram.say(MODERATOR, "/close")
    assert asked == (
        "The command names no process. Do you mean walne-2027 — “General Assembly 2027 – voting on resolutions”?"
        " Confirm with the button or write: /close walne-2027\n[Yes, walne-2027]"
    )
    assert services.processes.get(slug).phase.value == "open"
    closed = await telegram.tap(MODERATOR, "Yes, walne-2027")
    assert closed.startswith("Closed: walne-2027 — General Assembly 2027 – voting on resolutions")
    assert closed.endswith("[Publish results]")
    assert services.processes.get(slug).phase.value == "closed"
