"""``glos`` starts only what a subcommand uses: ``glos --help`` and ``glos tally`` never load the application.

Each case runs the real entry point (``bot.cli_entry:main``, the ``glos`` script) in a fresh interpreter and
reports the modules it imported. The output must equal what the whole application (``bot.cli``) prints for the
same arguments: the top-level help (``COMMANDS``, whose text ``bot.cli`` uses, must list its subcommands in its
order) and ``glos tally`` in text and JSON on real pabulib files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.counting.conftest import pabulib_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, sys
from {module} import main
code = 0
try:
    main(sys.argv[1:]) if "{module}" == "bot.cli_entry" else main()
except SystemExit as exit:
    code = exit.code or 0
sys.stderr.write("\\n@@" + json.dumps([code, sorted(sys.modules)]))
"""
# What the application wires: none of it may load for help or a count of a file.
HEAVY = ("bot.app", "bot.services", "bot.web", "bot.commands", "bot.scheduling", "mail", "sqlalchemy", "fastapi")


def _glos(module: str, *args: str) -> tuple[str, int, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120", "TERM": "dumb"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(module=module), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    code, modules = json.loads(done.stderr.rsplit("\n@@", 1)[1])
    return done.stdout, code, modules


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_help_is_the_whole_applications_without_loading_it() -> None:
    fast, code, modules = _glos("bot.cli_entry", "--help")
    whole, whole_code, whole_modules = _glos("bot.cli", "--help")
    assert (code, whole_code) == (0, 0)
    assert fast == whole, "bot/cli_help.py COMMANDS lacks a subcommand of bot/cli.py or lists them in another order"
    assert _heavy(modules) == [] and "bot.services" in whole_modules


def _pb(name: str) -> Path:
    folder = pabulib_dir()
    if folder is None or not (folder / name).is_file():
        pytest.skip("pabulib data not found: set GLOS_PABULIB_DIR or add ../shared/data/pabulib")
    return folder / name


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("Poland_Wieliczka_2023_Green_Budget.pb", ()),
        ("Poland_Wieliczka_2023_Green_Budget.pb", ("--format", "json")),
        ("Poland_Warszawa_2026_Wesola.pb", ("--rule", "mes", "--format", "json", "--lang", "en")),
        ("Poland_Czestochowa_2024_Mirow.pb", ("--lang", "en")),
        ("Poland_Wieliczka_2023_Green_Budget.pb", ("--rule=mes-add1", "--format=json")),
        ("Poland_Wieliczka_2023_Green_Budget.pb", ("--lang", "en", "--rule", "greedy")),
    ],
)
def test_tally_prints_what_the_whole_application_prints(name: str, args: tuple[str, ...]) -> None:
    path = str(_pb(name))
    fast, code, modules = _glos("bot.cli_entry", "tally", path, *args)
    whole, whole_code, _ = _glos("bot.cli", "tally", path, *args)
    assert (code, whole_code) == (0, 0)
    assert fast == whole
    assert _heavy(modules) == []
    assert "typer" not in modules and "pydantic" not in modules  # a plain command line is counted without them
    if "json" in args:
        assert json.loads(fast)["selected"]


def test_tally_refuses_a_missing_file_in_one_sentence(tmp_path: Path) -> None:
    fast, code, modules = _glos("bot.cli_entry", "tally", str(tmp_path / "brak.pb"), "--lang", "en")
    assert code == 2 and fast == "" and _heavy(modules) == []


@pytest.mark.parametrize(
    "args",
    [
        ("tally", "--help"),
        ("tally",),
        ("tally", "a.pb", "b.pb"),
        ("tally", "a.pb", "--rule"),
        ("tally", "a.pb", "--rule", "--format"),
        ("tally", "a.pb", "--ruel", "mes"),
        ("--verbose", "tally", "a.pb"),
    ],
)
def test_an_unusual_tally_command_line_is_left_to_typer(args: tuple[str, ...]) -> None:
    """Help, a missing or doubled file, an option without its value or misspelt, a root option: Typer parses and
    explains these, as the whole application does."""
    from bot.cli_tally import plain_arguments

    assert plain_arguments(list(args)) is None


def test_a_tally_usage_error_reads_as_the_whole_applications() -> None:
    path = str(_pb("Poland_Wieliczka_2023_Green_Budget.pb"))
    fast, code, _ = _glos("bot.cli_entry", "tally", path, "--rule")
    whole, whole_code, _ = _glos("bot.cli", "tally", path, "--rule")
    assert (code, fast) == (whole_code, whole) and code == 2


def test_other_subcommands_still_reach_the_application() -> None:
    out, code, modules = _glos("bot.cli_entry", "db", "--help")
    assert code == 0 and "upgrade" in out and "bot.app" in modules
