"""The ``tally`` command through Typer's CliRunner on a synthetic file."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from bot.cli_tally import register

FILE = """META\r
key;value\r
description;Test\r
budget;100\r
vote_type;approval\r
rule;greedy\r
PROJECTS\r
project_id;cost;name;selected\r
x;70;Ławki;1\r
y;50;Drzewa;0\r
z;30;Kosze;1\r
VOTES\r
voter_id;vote\r
1;x,y\r
2;x,z\r
3;x,y,z\r
4;y\r
"""


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop")  # a second command keeps Typer from collapsing the app into a single command
    def noop() -> None:
        """Nothing."""

    return app


def _file(tmp_path: Path, text: str = FILE) -> Path:
    path = tmp_path / "tiny.pb"
    path.write_bytes(text.encode())
    return path


def test_json_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["tally", str(_file(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # votes: x 3, y 3, z 2 — x then y would need 120; y does not fit after x, z does.
    assert data["selected"] == ["x", "z"]
    assert data["rule"] == "greedy"
    assert data["spent"] == "100" and data["budget"] == "100"
    assert {p["project_id"]: p["support"] for p in data["projects"]} == {"x": "3", "y": "3", "z": "2"}
    assert {p["project_id"]: p.get("reason") for p in data["projects"]} == {"x": None, "y": "does_not_fit", "z": None}


def test_explicit_rule_and_text_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["tally", str(_file(tmp_path)), "--rule", "greedy-no-skip", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Ławki" in result.output and "selected" in result.output
    assert "spent 70" in result.output


def test_errors_are_one_sentence_and_exit_2(tmp_path: Path) -> None:
    broken = _file(tmp_path, FILE.replace("y;50;Drzewa;0", "y;fifty;Drzewa;0"))
    result = CliRunner().invoke(_app(), ["tally", str(broken), "--lang", "en"])
    assert result.exit_code == 2
    assert "Line 10: cost must be a non-negative number" in result.output
    assert "Traceback" not in result.output
    unsupported = _file(tmp_path, FILE.replace("rule;greedy", "rule;greedy-custom"))
    result = CliRunner().invoke(_app(), ["tally", str(unsupported), "--lang", "en"])
    assert result.exit_code == 2 and "'greedy-custom' is not supported" in result.output
    result = CliRunner().invoke(_app(), ["tally", str(tmp_path / "missing.pb"), "--lang", "en"])
    assert result.exit_code == 2 and "Cannot read" in result.output
    result = CliRunner().invoke(_app(), ["tally", str(_file(tmp_path)), "--rule", "nope"])
    assert result.exit_code == 2 and "Reguła liczenia „nope” nie jest obsługiwana." in result.output
    result = CliRunner().invoke(_app(), ["tally", str(_file(tmp_path)), "--lang", "pl"])
    assert result.exit_code == 0 and "wybrany" in result.output and "wydano 100, wybrano 2 projekty" in result.output
