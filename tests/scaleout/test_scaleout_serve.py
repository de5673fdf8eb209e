"""``glos serve`` refuses several workers where they cannot work, naming what is missing (no PostgreSQL needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.config import Settings, StorageSettings, TelegramSettings
from bot.workers import check_workers

PG = StorageSettings(url="postgresql+psycopg://glos@127.0.0.1/glos")
WEBHOOK = TelegramSettings(mode="webhook", token=SecretStr("1:x"), webhook_secret=SecretStr("s"))


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        (Settings(telegram=WEBHOOK), "needs PostgreSQL"),
        (Settings(storage=PG), 'mode = "webhook" and a token'),
        (Settings(storage=PG, telegram=TelegramSettings(mode="webhook")), 'mode = "webhook" and a token'),
    ],
    ids=["sqlite", "polling", "no-token"],
)
def test_several_workers_need_postgresql_and_a_webhook(settings: Settings, reason: str) -> None:
    problem = check_workers(settings, 3)
    assert problem is not None and reason in problem
    assert check_workers(settings, 1) is None  # one worker is the single-process bot


def test_several_workers_are_allowed_on_postgresql_with_a_webhook() -> None:
    assert check_workers(Settings(storage=PG, telegram=WEBHOOK), 3) is None


def test_the_cli_refuses_with_one_sentence_and_status_2(tmp_path: Path) -> None:
    config = tmp_path / "glos.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path}/glos.db"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "serve", "--workers", "3"])
    assert result.exit_code == 2
    assert "needs PostgreSQL" in result.output
