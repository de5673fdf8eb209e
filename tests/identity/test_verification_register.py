"""Verified residents against the city's register, through the console channel: the whole text of each reply."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from bot.console import ConsoleChannel
from bot.services import Services

Say = Callable[[ConsoleChannel, str], str]


def test_register_import_stores_only_hmacs(
    console: Callable[..., ConsoleChannel],
    say: Say,
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
) -> None:
    verified_process("bo-lublin-2027-rejestr")
    moderator = console("moderator")
    assert say(moderator, f"/rejestr bo-lublin-2027 @{register_csv}") == (
        "Wczytano rejestr bo-lublin-2027: 3 osoby (zapisane są tylko skróty HMAC, nigdy imiona ani adresy).\n"
        "Nowe wpisy: 6 (mieszkaniec podany imieniem, nazwiskiem i adresem oraz numerem ma dwa wpisy)."
    )
    with services.context.engine.connect() as connection:
        stored = [row[0] for row in connection.execute(text("SELECT entry_hash FROM register_entry"))]
    assert len(stored) == 6 and all(len(value) == 32 for value in stored)
    dump = " ".join(stored).lower()
    for fragment in ("kowalski", "dluga", "długa", "lu-000001", "000001"):
        assert fragment not in dump
    # importing the same file again adds nothing
    assert (
        say(moderator, f"/rejestr bo-lublin-2027 @{register_csv}")
        == "Wczytano rejestr bo-lublin-2027: 3 osoby (zapisane są tylko skróty HMAC, nigdy imiona ani adresy).\n"
        "Nowe wpisy: 0 (mieszkaniec podany imieniem, nazwiskiem i adresem oraz numerem ma dwa wpisy)."
    )


def test_resident_verifies_with_polish_address_variants_and_votes(
    console: Callable[..., ConsoleChannel], say: Say, register_csv: Path, verified_process: Callable[[str], str]
) -> None:
    verified_process("bo-lublin-2027-rejestr")
    say(console("moderator"), f"/rejestr bo-lublin-2027 @{register_csv}")
    ania = console("ania")
    assert say(ania, "/glosuj bo-lublin-2027 city: 1") == (
        "Aby zagłosować w bo-lublin-2027, potwierdź raz, że mieszkasz w gminie: podaj imię, nazwisko i adres "
        "zamieszkania, np. /mieszkaniec bo-lublin-2027 Jan Kowalski, ul. Długa 12 m. 5"
    )
    assert say(ania, "/mieszkaniec bo-lublin-2027 Anna Nowak, Racławickie 3 m. 15") == (
        "Nie znaleźliśmy tych danych w rejestrze mieszkańców. Sprawdź pisownię imienia, nazwiska, ulicy i numeru "
        "domu i mieszkania. Jeśli mieszkasz w gminie, a to nie pomaga, zgłoś się do komisji."
    )
    assert say(ania, "/mieszkaniec bo-lublin-2027 NOWAK anna; Aleja Racławickie 3 / 14, 20-001 Lublin") == (
        "Dziękujemy, potwierdziliśmy, że mieszkasz w gminie. Możesz głosować w bo-lublin-2027 — z Telegrama, "
        "e-mailem albo na papierze, a liczy się zawsze Twój ostatni głos.\n"
        "  [Przejdź do głosowania → /proces bo-lublin-2027]"
    )
    assert say(ania, "/glosuj bo-lublin-2027 city: 1") == (
        "Przyjęto Twój głos (Budżet Obywatelski Lublina 2027):\n• 1. Zielone podwórka na Starym Mieście\n"
        "Pokwitowanie: RRRR-RRRR-RRRR — zachowaj je; po zamknięciu sprawdzisz, "
        "że głos policzono (/pokwitowanie bo-lublin-2027 RRRR-RRRR-RRRR). Głos możesz zmienić do końca głosowania."
    )
    # the same resident cannot be swapped for another one by the same account
    assert say(ania, "/mieszkaniec bo-lublin-2027 Jan Kowalski, ul. Długa 12 m. 5") == (
        "W bo-lublin-2027 to konto potwierdziło już innego mieszkańca. Jedno konto głosuje za jedną osobę."
    )


def test_guided_step_asks_and_keeps_nothing_typed(
    console: Callable[..., ConsoleChannel],
    say: Say,
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
) -> None:
    verified_process("bo-lublin-2027-rejestr")
    say(console("moderator"), f"/rejestr bo-lublin-2027 @{register_csv}")
    zofia = console("zofia")
    assert say(zofia, "/mieszkaniec bo-lublin-2027") == (
        "Napisz swoje imię, nazwisko i adres zamieszkania, np.: Jan Kowalski, ul. Długa 12 m. 5"
    )
    assert say(zofia, "Zofia Gęślą, os. Tysiąclecia 7") == (
        "Nie znaleźliśmy tych danych w rejestrze mieszkańców. Sprawdź pisownię imienia, nazwiska, ulicy i numeru "
        "domu i mieszkania. Jeśli mieszkasz w gminie, a to nie pomaga, zgłoś się do komisji.\n"
        "Spróbuj jeszcze raz albo napisz /anuluj."
    )
    assert say(zofia, "zazolc gesla os tysiaclecia 7 lok 2").startswith("Dziękujemy, potwierdziliśmy")
    with services.context.engine.connect() as connection:
        for table in ("dialogue_state", "verified_voter", "verification_attempt", "audit_entry"):
            dump = " ".join(str(row) for row in connection.execute(text(f"SELECT * FROM {table}"))).lower()
            assert "tysiaclecia" not in dump and "tysiąclecia" not in dump and "gesla" not in dump, table


def test_attempts_are_limited_per_day(
    console: Callable[..., ConsoleChannel], say: Say, register_csv: Path, verified_process: Callable[[str], str]
) -> None:
    verified_process("bo-lublin-2027-rejestr")
    say(console("moderator"), f"/rejestr bo-lublin-2027 @{register_csv}")
    guesser = console("guesser")
    for number in range(1, 6):
        assert say(guesser, f"/mieszkaniec bo-lublin-2027 Jan Kowalski, ul. Długa 12 m. {number + 10}").startswith(
            "Nie znaleźliśmy"
        )
    assert say(guesser, "/mieszkaniec bo-lublin-2027 Jan Kowalski, ul. Długa 12 m. 5") == (
        "Dziś było już 5 nieudanych prób. Spróbuj jutro albo zgłoś się do komisji."
    )


def test_same_resident_from_two_accounts_and_paper_is_one_voter(
    console: Callable[..., ConsoleChannel],
    say: Say,
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
    tmp_path: Path,
) -> None:
    slug = verified_process("bo-lublin-2027-rejestr")
    moderator = console("moderator")
    say(moderator, f"/rejestr bo-lublin-2027 @{register_csv}")
    first, second = console("jan-telefon"), console("jan-laptop")
    assert say(first, f"/mieszkaniec {slug} Jan Kowalski, ul. Długa 12 m. 5").startswith("Dziękujemy")
    assert say(first, f"/glosuj {slug} city: 1") == (
        "Przyjęto Twój głos (Budżet Obywatelski Lublina 2027):\n• 1. Zielone podwórka na Starym Mieście\n"
        "Pokwitowanie: RRRR-RRRR-RRRR — zachowaj je; po zamknięciu sprawdzisz, "
        "że głos policzono (/pokwitowanie bo-lublin-2027 RRRR-RRRR-RRRR). Głos możesz zmienić do końca głosowania."
    )
    assert say(second, f"/mieszkaniec {slug} Kowalski Jan, Długa 12/5").startswith("Dziękujemy")
    assert say(second, f"/glosuj {slug} city: 2") == (
        "Zmieniono Twój głos (Budżet Obywatelski Lublina 2027):\n• 2. Bezpieczne przejścia przy szkołach\n"
        "Nowe pokwitowanie: RRRR-RRRR-RRRR. Liczy się tylko ostatni głos."
    )
    assert say(moderator, f"/papierowy {slug} city: 3") == (
        "W bo-lublin-2027 każda karta papierowa wskazuje mieszkańca: /papierowy bo-lublin-2027 [Imię Nazwisko, "
        "adres] głos"
    )
    assert say(moderator, f"/papierowy {slug} [Jan Kowalski, Długa 12 m 5] city: 3") == (
        "Wprowadzono kartę papierową do bo-lublin-2027. Pokwitowanie: RRRR-RRRR-RRRR."
    )
    assert say(moderator, f"/papierowy {slug} [Jan Nowak, Długa 12 m 5] city: 3").startswith("Nie znaleźliśmy")
    services.processes.close(slug)
    city = services.results.results(slug, moderator=True).rounds[0]["city"]
    # only the latest ballot of the resident counts
    assert city.ballots == 1 and [(row.item, row.votes) for row in city.rows] == [("3", 1), ("1", 0), ("2", 0)]
    assert say(moderator, f"/weryfikacja {slug}") == "\n".join(
        [
            "Weryfikacja mieszkańców w bo-lublin-2027 (rejestr gminy) — do sprawdzenia przez komisję:",
            "Rejestr: 6 wpisów.",
            "Zweryfikowane konta: 2.",
            "Mieszkańcy potwierdzeni z więcej niż jednego konta: 1 (liczy się jeden, ostatni głos każdego).",
            "Nieudane próby weryfikacji:",
            "• karta papierowa, brak w rejestrze: 1 próba",
            "Głosy zastąpione późniejszym głosem tego samego mieszkańca z innego kanału:",
            "• konsola → karta papierowa: 1 głos",
            "Dane weryfikacji zostaną usunięte 30 dni po opublikowaniu wyników. Raport nie pokazuje treści "
            "żadnego głosu.",
        ]
    )
