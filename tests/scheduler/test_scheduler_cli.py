"""``glos scheduler tick`` does what is due once; ``glos scheduler status`` shows the plan and the last outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.testing import CliRunner

from bot.app import build_app
from bot.cli_scheduler import register
from bot.config import load_settings
from bot.definition import load_definition

DEFINITION = """
slug = "dlugi"
kind = "vote"
title = "Długie głosowanie"
opens_at = 2020-01-06T08:00:00+01:00
closes_at = 2099-01-05T20:00:00+01:00
[[pools]]
ballot = { rule = "one_of" }
counting = { rule = "plurality" }
[[items]]
key = "a"
title = "A"
[[items]]
key = "b"
title = "B"
"""


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context, config: Annotated[Path, typer.Option("--config")]) -> None:
        ctx.obj = config

    register(app)
    return app


def test_tick_opens_a_due_process_once_and_status_shows_the_plan(tmp_path: Path, database_url: str) -> None:
    config = tmp_path / "glos.toml"
    config.write_text(f'[storage]\nurl = "{database_url}"\n[bot]\nload_examples = false\n', encoding="utf-8")
    env = {"GLOS_BOT__SECRET_KEY": "cli-test-secret-0123456789abcdef"}
    application = build_app(load_settings(config, env), secret=env["GLOS_BOT__SECRET_KEY"].encode())
    application.services.processes.import_definition(load_definition(DEFINITION))
    application.close()

    runner, cli = CliRunner(), _cli()
    first = runner.invoke(cli, ["--config", str(config), "scheduler", "tick"], env=env)
    assert first.exit_code == 0, first.output
    assert "open:dlugi:20200106T0700Z: ok opened" in first.output
    second = runner.invoke(cli, ["--config", str(config), "scheduler", "tick"], env=env)
    assert "open:dlugi" not in second.output
    status = runner.invoke(cli, ["--config", str(config), "scheduler", "status"], env=env)
    assert status.exit_code == 0, status.output
    assert "Harmonogram działał ostatnio" in status.output
    assert "05.01.2099, 20:00 — zamknięcie dlugi" in status.output
    broken = runner.invoke(cli, ["--config", str(tmp_path / "nie-ma.toml"), "scheduler", "tick"], env=env)
    assert broken.exit_code == 2 and "file not found" in broken.output
