"""``glos verification import|report|erase`` as a city official runs them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app

ROOT = Path(__file__).resolve().parents[2]
VERIFIED = ROOT / "examples" / "verified"


def test_the_city_imports_its_register_and_reads_the_report(tmp_path: Path, database_url: str) -> None:
    config = tmp_path / "glos.toml"
    config.write_text(
        f'[bot]\nadmins = ["console:moderator"]\nexamples_dir = "{tmp_path}"\n[storage]\nurl = "{database_url}"\n',
        encoding="utf-8",
    )
    env = {"GLOS_BOT__SECRET_KEY": "cli-test-secret-0123456789abcdef"}
    runner = CliRunner()

    def glos(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, ["--config", str(config), *args], env=env)
        assert result.exit_code == code, result.output
        return result.output

    glos("db", "upgrade")
    glos("org", "import", str(VERIFIED.parent / "organisations" / "malopolska-i-miasta.toml"))
    glos("process", "import", str(VERIFIED / "bo-lublin-2027-rejestr.toml"))
    register = tmp_path / "rejestr.csv"
    register.write_text(
        "imię;nazwisko;adres\nJan;Kowalski;ul. Długa 12 m. 5\n;;\nAnna;Nowak;\nEwa;Zając;os. Kolorowe 3\n",
        encoding="utf-8",
    )
    assert glos("verification", "import", "bo-lublin-2027", str(register)) == (
        "Wczytano rejestr bo-lublin-2027: 2 osoby (zapisane są tylko skróty HMAC, nigdy imiona ani adresy).\n"
        "Nowe wpisy: 2 (mieszkaniec podany imieniem, nazwiskiem i adresem oraz numerem ma dwa wpisy).\n"
        "Pominięto 1 wiersz bez imienia, nazwiska i adresu ani numeru.\n"
    )
    assert glos("verification", "report", "bo-lublin-2027") == (
        "Weryfikacja mieszkańców w bo-lublin-2027 (rejestr gminy) — do sprawdzenia przez komisję:\n"
        "Rejestr: 2 wpisy.\n"
        "Zweryfikowane konta: 0.\n"
        "Mieszkańcy potwierdzeni z więcej niż jednego konta: 0 (liczy się jeden, ostatni głos każdego).\n"
        "Nieudanych prób weryfikacji nie było.\n"
        "Żaden głos nie został zastąpiony głosem z innego kanału.\n"
        "Dane weryfikacji zostaną usunięte 30 dni po opublikowaniu wyników. Raport nie pokazuje treści żadnego "
        "głosu.\n"
    )
    assert glos("verification", "erase", "bo-lublin-2027") == "bo-lublin-2027: 2\n"
    # a process that does not verify against a register refuses a register, in words
    glos("process", "import", str(VERIFIED / "bo-pesel-2027.toml"))
    refused = glos("verification", "import", "bo-pesel-2027", str(register), code=2)
    assert " ".join(refused.split()) == (
        "bo-pesel-2027 nie weryfikuje mieszkańców według rejestru (w definicji, w sekcji eligibility, brak "
        'verify = "register").'
    )
