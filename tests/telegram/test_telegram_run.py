"""``glos run`` with no token: the emulator starts, the bot connects to it, and a person can talk to it."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from bot.app import build_app, load_examples
from bot.cli import app as cli
from bot.config import load_settings
from handlers.launch import start

ROOT = Path(__file__).resolve().parents[2]


def test_the_bot_runs_on_the_emulator_and_answers_through_the_playground(tmp_path: Path, database_url: str) -> None:
    settings = load_settings(
        None,
        {
            "GLOS_STORAGE__URL": database_url,
            "GLOS_BOT__SECRET_KEY": "run-test-secret-0123456789abcdef",
            "GLOS_TELEGRAM__EMULATOR_PORT": "18081",
        },
    )
    application = build_app(settings)
    load_examples(application, ROOT / "examples", open_them=True)
    said: list[str] = []
    runtime = start(application, said.append)
    try:
        assert runtime.server is not None
        url = runtime.server.url
        assert any("curl" in line and "/_emulator/users/1001/send" in line for line in said)
        sent = httpx.post(f"{url}/_emulator/users/1001/send", json={"text": "/start bo2027"})
        assert sent.json()["ok"]
        deadline = time.monotonic() + 10
        texts: list[str] = []
        while time.monotonic() < deadline and not any("Witaj" in t for t in texts):
            texts = [m["text"] for m in httpx.get(f"{url}/_emulator/chats/1001").json()]
            time.sleep(0.05)
        assert any("Witaj" in text for text in texts), texts
    finally:
        runtime.stop()
        application.close()


def test_glos_run_prints_how_to_talk_to_the_bot(tmp_path: Path, database_url: str) -> None:
    config = tmp_path / "glos.toml"
    config.write_text(
        f'[bot]\nexamples_dir = "{ROOT / "examples"}"\n[storage]\nurl = "{database_url}"\n'
        "[telegram]\nemulator_port = 18082\n",
        encoding="utf-8",
    )
    env = {"GLOS_BOT__SECRET_KEY": "cli-test-secret-0123456789abcdef"}
    result = CliRunner().invoke(cli, ["--config", str(config), "run", "--console"], env=env, input="/procesy\n")
    assert result.exit_code == 0, result.output
    assert "emulator" in result.output and "/_emulator/chats/1001" in result.output
    assert "bo2027" in result.output
