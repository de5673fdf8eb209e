"""``glos person erase``: an operator erases a person on a written request; the person's ballot keeps counting
once, and when they come back their new ballot replaces it (issue #13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "zielony-budzet-wieliczka.toml"
SLUG = "zielony-budzet-wieliczka-2027"


@pytest.fixture
def glos(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    config = tmp_path / "glos.toml"
    config.write_text(f'[bot]\nadmins = ["console:moderator"]\n[storage]\nurl = "{database_url}"\n', encoding="utf-8")
    env = {"GLOS_BOT__SECRET_KEY": "cli-test-secret-0123456789abcdef"}
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None, status: int = 0) -> str:
        result = runner.invoke(app, ["--config", str(config), *args], env=env, input=stdin)
        assert result.exit_code == status, result.output
        return result.output

    return run


def test_an_operator_erases_a_voter_who_comes_back_and_still_counts_once(glos) -> None:  # type: ignore[no-untyped-def]
    glos("db", "upgrade")
    glos("org", "import", str(EXAMPLE.parent / "organisations" / "malopolska-i-miasta.toml"))
    glos("process", "import", str(EXAMPLE))
    glos("process", "open", SLUG)
    assert "Przyjęto Twój głos" in glos("chat", "--user", "ania", stdin=f"/glosuj {SLUG} 1, 2\n/koniec\n")
    assert glos("person", "erase", "console:ania").strip() == (
        "Usunięto dane osoby o adresie ania. Jej oddane głosy nadal się liczą, bez związku z nią; "
        "jeśli wróci z tego adresu, nowy głos zastąpi poprzedni."
    )
    assert "Nie znam tej osoby." in glos("person", "erase", "console:ania", status=2)
    assert "Zmieniono Twój głos" in glos("chat", "--user", "ania", stdin=f"/glosuj {SLUG} 3\n/koniec\n")
    glos("process", "close", SLUG)
    results = json.loads(glos("process", "results", SLUG, "--format", "json"))
    assert results["rounds"][0]["main"]["ballots"] == 1
    assert results["turnout"]["participants"] == 1
    audit = [json.loads(line) for line in glos("audit", "export", "--format", "json").splitlines()]
    assert [entry["actor"] for entry in audit if entry["action"] == "person.erase"] == ["cli"]
