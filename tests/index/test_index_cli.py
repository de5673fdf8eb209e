"""``glos index list|show|export|map`` on the store the services filled."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.services import Services
from tests.index.helpers import run_edition
from tests.index.test_index_service import Y2026, Y2027


def test_the_index_from_the_command_line(services: Services, database_url: str, tmp_path: Path) -> None:
    run_edition(services, 2026, Y2026)
    run_edition(services, 2027, Y2027)
    config = tmp_path / "glos.toml"
    config.write_text(f'[storage]\nurl = "{database_url}"\n', encoding="utf-8")
    runner = CliRunner()
    env = {"GLOS_BOT__SECRET_KEY": "cli-test-secret-0123456789abcdef"}

    def glos(*args: str, status: int = 0) -> str:
        result = runner.invoke(app, ["--config", str(config), *args], env=env)
        assert result.exit_code == status, result.output
        return result.output

    assert glos("index", "list").strip() == "test-index: 2026, 2027"
    assert glos("index", "show", "test-index").splitlines() == [
        "Indeks 2027 — ranking gmin (średnia ocen organizacji):",
        "1. Gmina Alfa — 4,50 (przedział 95%: 3,26–5,00; 3 odpowiedzi; +0,50 od 2026)",
        "2. Gmina Gamma — 4,00 (przedział 95%: 4,00–4,00; 3 odpowiedzi)",
        "Gmina Beta: za mało odpowiedzi",
        "Wyniki gminy pokazujemy dopiero od 3 odpowiedzi, aby nie ujawnić odpowiedzi żadnej organizacji.",
    ]
    english = glos("index", "show", "test-index", "--year", "2026", "--lang", "en")
    assert "Gamma: too few responses" in english and "1. Alfa — 4.00 (95% interval: 1.52–5.00; 3 answers)" in english
    rows = list(csv.DictReader(io.StringIO(glos("index", "export", "test-index")), delimiter=";"))
    assert {(row["year"], row["area"], row["dimension"]) for row in rows if row["published"] == "1"} >= {
        ("2027", "alfa", "overall"),
        ("2026", "beta", "dialog"),
    }
    target = tmp_path / "index.json"
    glos("index", "export", "test-index", "--format", "json", "-o", str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["index"] == "test-index"
    picture = tmp_path / "map.png"
    caption = glos("index", "map", "test-index", "-o", str(picture), "--year", "2026")
    assert picture.read_bytes().startswith(b"\x89PNG") and "Indeks 2026" in caption
    assert "Nie ma opublikowanego indeksu „nope”." in glos("index", "show", "nope", status=2)
    assert "nie ma edycji z roku 2031" in glos("index", "show", "test-index", "--year", "2031", status=2)
