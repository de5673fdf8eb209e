"""Reading the draft in Telegram unit by unit (previous / next buttons, the unit's text, a long text in parts
under 4,096 characters) and "Zgłoś uwagę do § N": the next message of that person is the remark on that unit.
Through python-telegram-bot and the emulator, buttons tapped by their labels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.clock import FakeClock
from bot.commands.reading import PAGE_CHARS
from bot.definition import load_definition_file
from bot.services import Services
from bot.summaries.split import split_text
from handlers.emulator.harness import Harness
from handlers.limits import MAX_TEXT
from tests.conftest import EXAMPLES

RESIDENT = 101


async def test_a_resident_reads_the_draft_unit_by_unit_and_remarks_on_the_unit_read(
    telegram: Harness, load_example: Callable[..., str], services: Services
) -> None:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    card = await telegram.say(RESIDENT, f"/start {slug}")
    assert "[Czytaj projekt]" in card, card
    first = await telegram.tap(RESIDENT, "Czytaj projekt")
    assert first.startswith(
        "Konsultacje projektu „Programu współpracy Gminy Wieliczka z organizacjami pozarządowymi na 2027 rok” — "
        "projekt dokumentu, część 1 z 8\n§1 — Postanowienia ogólne\n\nProgram określa cele, zasady, formy"
    ), first
    assert "[Następna ▶]" in first and "[Zgłoś uwagę do §1]" in first and "Poprzednia" not in first
    second = await telegram.tap(RESIDENT, "Następna ▶")
    assert "część 2 z 8\n§2 — Cel główny i cele szczegółowe\n\nCelem głównym jest" in second, second
    assert "[◀ Poprzednia]" in second and "[Następna ▶]" in second
    back = await telegram.tap(RESIDENT, "◀ Poprzednia")
    assert "część 1 z 8" in back
    await telegram.tap(RESIDENT, "Następna ▶")
    asked = await telegram.tap(RESIDENT, "Zgłoś uwagę do §2")
    assert asked == "Napisz w następnej wiadomości swoją uwagę do §2. Aby zrezygnować: /anuluj.", asked
    # the wait is in the store, not in the bot's memory: a restarted bot takes the next message as the remark
    await telegram.stop()
    await telegram.start()
    done = await telegram.say(RESIDENT, "Proszę dopisać cel: cyfryzacja organizacji.")
    assert done == (
        "Dziękujemy! Opinia nr 1 do §2 (Konsultacje projektu „Programu współpracy Gminy Wieliczka z organizacjami "
        "pozarządowymi na 2027 rok”) została przyjęta i czeka na moderację."
    )
    [opinion] = services.opinions.list(slug)
    assert (opinion.section, opinion.text) == ("s2", "Proszę dopisać cel: cyfryzacja organizacji.")
    # the next message is plain text again, not a second remark
    assert (
        await telegram.say(RESIDENT, "I jeszcze jedno.") == "Nie rozumiem. Polecenia zaczynają się od „/”, np. /pomoc."
    )
    assert len(services.opinions.list(slug)) == 1
    last = await telegram.say(RESIDENT, f"/czytaj {slug} 8")
    assert "[◀ Poprzednia]" in last and "Następna" not in last


async def test_a_long_unit_is_read_in_parts_each_under_the_limit(
    telegram: Harness, services: Services, clock: FakeClock
) -> None:
    definition = load_definition_file(EXAMPLES / "konsultacje-program-wspolpracy-2027.toml")
    slug = definition.slug
    clock.set(definition.opens_at + timedelta(hours=1))
    sentences = " ".join(f"Zdanie numer {n} programu o współpracy z organizacjami." for n in range(160))
    long_text = "\n\n".join([sentences[:4000], sentences[4000:]])  # about 8,900 characters in two paragraphs
    items = [
        item.model_copy(update={"text": item.text.model_copy(update={"pl": long_text})}) if item.key == "s3" else item
        for item in definition.items
    ]
    services.processes.import_definition(definition.model_copy(update={"items": items}))
    services.processes.open(slug)
    count = len(split_text(long_text, PAGE_CHARS))
    assert count >= 3  # a paragraph longer than a part is cut inside, at a line or a word
    answer = await telegram.say(RESIDENT, f"/czytaj {slug} 3")
    for part in range(1, count + 1):
        assert f"(fragment {part} z {count} tej części)" in answer, answer
        if part < count:
            answer = await telegram.tap(RESIDENT, "Następna ▶")
    assert all(len(message.text) <= MAX_TEXT for message in telegram.emulator.received(RESIDENT))
    assert "część 4 z 8\n§4 — Zakres przedmiotowy" in await telegram.tap(RESIDENT, "Następna ▶")
    assert f"fragment {count} z {count}" in await telegram.tap(RESIDENT, "◀ Poprzednia")
