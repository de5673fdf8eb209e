"""The poll wizard on Telegram: free text answers the pending step, buttons choose the visibility and confirm, a
restart in the middle continues where it was, stale buttons and residents are refused, and the created poll is
opened, shared and voted in."""

from __future__ import annotations

from sqlmodel import col, select

from bot.domain import Phase
from bot.services import Services
from handlers.emulator import Emulator
from handlers.emulator.harness import Harness
from storage.models import AuditEntry

MODERATOR = 900


async def test_a_poll_made_step_by_step_survives_a_restart_and_residents_vote_in_it(
    telegram: Harness, emulator: Emulator, services: Services
) -> None:
    await telegram.play(
        MODERATOR,
        [
            ("/nowa_ankieta", ["Tworzymy prostą ankietę", "Krok 1/5"]),
            ("Nazwa skweru przy Rynku", ["Krok 2/5"]),
            ("Jak nazwać nowy skwer?", ["Krok 3/5"]),
            ("Skwer Sąsiadów", ["masz 1 opcję"]),
        ],
    )
    await telegram.stop()  # the bot restarts in the middle of the wizard: its memory is gone, the store is not
    await telegram.start()
    await telegram.play(
        MODERATOR,
        [
            ("Skwer Pszczelarzy", ["masz 2 opcje", "[Gotowe]"]),
            ("[Gotowe]", ["Krok 4/5"]),
            ("14", ["Krok 5/5", "[Na bieżąco]", "[Po zamknięciu]", "[Po publikacji]"]),
            (
                "[Po zamknięciu]",
                ["Sprawdź ankietę", "1. Skwer Sąsiadów", "2. Skwer Pszczelarzy", "[Zapisz]", "[Anuluj]"],
            ),
        ],
    )
    summary = telegram.last(MODERATOR)
    [[(_, save), _]] = summary.buttons
    await telegram.play(MODERATOR, [("[Zapisz]", ["nazwa-skweru-przy-rynku", "/otworz nazwa-skweru-przy-rynku"])])
    # The summary's button tapped again (a double tap, an old message): the wizard is over, nothing is created twice.
    stale = await telegram.answer(MODERATOR, emulator.tap_data(MODERATOR, summary.message_id, save))
    assert "wcześniejszego kroku" in stale, stale
    assert [info.slug for info in services.processes.list()] == ["nazwa-skweru-przy-rynku"]
    slug = "nazwa-skweru-przy-rynku"
    await telegram.play(MODERATOR, [("[Otwórz]", ["Otwarto"])])
    assert services.processes.get(slug).phase is Phase.OPEN
    await telegram.play(
        101,
        [
            (f"/start {slug}", ["Jak nazwać nowy skwer?", "1. Skwer Sąsiadów"]),
            (f"/glosuj {slug} 2", ["Przyjęto"]),
        ],
    )
    await telegram.play(MODERATOR, [(f"/frekwencja {slug}", [": 1"])])
    with services.context.transaction() as session:
        imports = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "process.import")).all()
    assert len(imports) == 1


async def test_bad_answers_are_asked_again_cancel_forgets_and_a_resident_is_refused(
    telegram: Harness, services: Services
) -> None:
    await telegram.play(
        101,
        [
            ("/nowa_ankieta", ["tylko dla moderatorów"]),
            ("Moja ankieta", ["Polecenia zaczynają się od"]),  # no step is pending for a resident
            ("/new_poll Moja ankieta", ["tylko dla moderatorów"]),
        ],
    )
    await telegram.play(
        MODERATOR,
        [
            ("/nowa_ankieta Przebudowa ulicy Długiej", ["Krok 2/5"]),
            ("x" * 1001, ["za długie", "Krok 2/5"]),
            ("Który wariant przebudowy wybierasz?", ["Krok 3/5"]),
            ("Wariant A", []),
            ("o" * 101, ["za długa", "najwyżej 100 znaków"]),
            (", ".join(f"W{n}" for n in range(10)), ["Za dużo opcji", "1. Wariant A"]),
            ("Wariant B", ["masz 2 opcje"]),
            ("gotowe", ["Krok 4/5"]),
            ("2020-01-01 12:00", ["już minął", "Krok 4/5"]),
            ("31.02.2028 12:00", ["Nie rozumiem terminu"]),
            ("/procesy", []),  # another command meanwhile: the step stays pending
            ("3", ["Krok 5/5"]),
            ("/anuluj", ["nic nie zostało zapisane"]),
            ("gotowe", ["Polecenia zaczynają się od"]),
        ],
    )
    assert services.processes.list() == []
