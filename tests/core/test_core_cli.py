"""The ``glos`` command line as a moderator uses it: database, processes, results, exports, chat, tally."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from storage.migrate import head

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "zielony-budzet-wieliczka.toml"


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> tuple[CliRunner, list[str], dict[str, str]]:
    config = tmp_path / "glos.toml"
    config.write_text(
        f'[bot]\nadmins = ["console:moderator"]\nexamples_dir = "{ROOT / "examples"}"\n'
        f'[storage]\nurl = "{database_url}"\n',
        encoding="utf-8",
    )
    env = {"GLOS_BOT__SECRET_KEY": "cli-test-secret-0123456789abcdef"}
    return CliRunner(), ["--config", str(config)], env


def test_a_moderator_runs_a_process_from_the_command_line(cli: tuple[CliRunner, list[str], dict[str, str]]) -> None:
    runner, config, env = cli

    def glos(*args: str, stdin: str | None = None) -> str:
        result = runner.invoke(app, [*config, *args], env=env, input=stdin)
        assert result.exit_code == 0, result.output
        return result.output

    assert head() in glos("db", "upgrade")
    assert glos("db", "current").strip() == head()
    refused = runner.invoke(app, [*config, "process", "import", str(EXAMPLE)], env=env)  # its gmina is unknown
    assert refused.exit_code == 2 and "klucz organisation: nie ma organizacji „wieliczka”" in refused.output
    organisations = ROOT / "examples" / "organisations" / "malopolska-i-miasta.toml"
    assert glos("org", "import", str(organisations)).strip() == f"Wczytano organizacje z {organisations}: 13."
    assert "zielony-budzet-wieliczka-2027: draft" in glos("process", "import", str(EXAMPLE))
    assert "draft" in glos("process", "list")
    assert "Zielony" in glos("process", "show", "zielony-budzet-wieliczka-2027")
    assert "open" in glos("process", "open", "zielony-budzet-wieliczka-2027")
    chat = glos("chat", "--user", "ania", stdin="/glosuj zielony-budzet-wieliczka-2027 1, 2\n/koniec\n")
    assert "Przyjęto Twój głos" in chat
    assert "closed" in glos("process", "close", "zielony-budzet-wieliczka-2027")
    results = json.loads(glos("process", "results", "zielony-budzet-wieliczka-2027", "--format", "json"))
    assert results["rounds"][0]["main"]["ballots"] == 1
    assert results["turnout"]["participants"] == 1
    text = glos("process", "results", "zielony-budzet-wieliczka-2027")
    assert "Wyniki" in text
    exported = glos("process", "export", "zielony-budzet-wieliczka-2027", "--format", "pb")
    assert exported.startswith("META")
    assert "published" in glos("process", "publish", "zielony-budzet-wieliczka-2027")
    audit = [json.loads(line) for line in glos("audit", "export", "--format", "json").splitlines()]
    actions = [entry["action"] for entry in audit]
    assert actions.index("process.import") < actions.index("process.open") < actions.index("process.publish")
    assert "process.close" in glos("audit", "export", "--process", "zielony-budzet-wieliczka-2027")


def test_refusals_are_one_clear_sentence_with_exit_status_2(
    cli: tuple[CliRunner, list[str], dict[str, str]], tmp_path: Path
) -> None:
    runner, config, env = cli
    missing = runner.invoke(app, [*config, "process", "open", "nie-ma-takiego"], env=env)
    assert missing.exit_code == 2
    assert "Nie ma procesu „nie-ma-takiego”" in missing.output
    assert "Traceback" not in missing.output
    broken = tmp_path / "broken.toml"
    broken.write_text('slug = "x1"\nkind = "budget"\ntitle = "X"\n[[pools]]\nkey = "a"\n', encoding="utf-8")
    refused = runner.invoke(app, [*config, "process", "import", str(broken)], env=env)
    assert refused.exit_code == 2
    assert "broken.toml" in refused.output and "Traceback" not in refused.output
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text('[storage]\nurl = "mysql://nope"\n', encoding="utf-8")
    result = runner.invoke(app, ["--config", str(bad_config), "process", "list"], env=env)
    assert result.exit_code == 2
    assert "storage.url" in result.output


def test_run_loads_the_examples_and_talks(cli: tuple[CliRunner, list[str], dict[str, str]]) -> None:
    runner, config, env = cli
    result = runner.invoke(app, [*config, "run", "--console"], env=env, input="/procesy\n")
    assert result.exit_code == 0, result.output
    assert "bo2027" in result.output and "Procesy:" in result.output
    again = runner.invoke(app, [*config, "run", "--console"], env=env, input="")
    assert "examples loaded" not in again.output  # imported once, not twice


def test_tally_counts_a_pabulib_file(tmp_path: Path) -> None:
    pb = tmp_path / "mini.pb"
    pb.write_text(
        "META\nkey;value\nbudget;100\nvote_type;approval\nrule;greedy\n"
        "PROJECTS\nproject_id;cost;votes\n1;60;2\n2;50;1\n3;40;1\n"
        "VOTES\nvoter_id;vote\n1;1,2\n2;1,3\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["tally", str(pb), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["selected"] == ["1", "3"]


def test_a_deliberative_polls_briefing_is_held_from_the_command_line(
    cli: tuple[CliRunner, list[str], dict[str, str]],
) -> None:
    runner, config, env = cli

    def glos(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, [*config, *args], env=env)
        return result.exit_code, result.output

    glos("db", "upgrade")
    glos("org", "import", str(ROOT / "examples" / "organisations" / "malopolska-i-miasta.toml"))  # its city
    assert glos("process", "import", str(ROOT / "examples" / "sondaz-deliberatywny-transport.toml"))[0] == 0
    status, output = glos("process", "briefing", "sondaz-transport-2027")
    assert status == 2 and "teraz nie trwa" in output  # a draft: round 2 opens only while the poll runs
    glos("process", "open", "sondaz-transport-2027")
    status, output = glos("process", "briefing", "sondaz-transport-2027")
    assert status == 0, output
    assert output.startswith("Spotkanie informacyjne się odbyło — runda 2 sondażu „Sondaż deliberatywny: transport")
    status, output = glos("process", "briefing", "sondaz-transport-2027")
    assert status == 0 and "jest już otwarta" in output
    status, output = glos("process", "briefing", "nie-ma-takiego")
    assert status == 2 and "Nie ma procesu „nie-ma-takiego”" in output
