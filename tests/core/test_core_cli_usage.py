"""The command line does what the README says: ``--config`` anywhere, numeric admin ids, every word of the help,
invite-code files that only their owner can read, and logs without secrets."""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from bot import logs
from bot.app import build_app
from bot.cli import app, config_first
from bot.config import load_settings
from bot.console import ConsoleChannel
from bot.domain import Channel, RoleName

ROOT = Path(__file__).resolve().parents[2]
ENV = {"GLOS_BOT__SECRET_KEY": "cli-usage-secret-0123456789abcdef"}


def _glos(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``glos ARGS`` as the console script runs it (``bot.cli:main``), in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        cwd=cwd,
        env={**os.environ, **ENV, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_config_is_accepted_before_or_after_the_subcommand(tmp_path: Path) -> None:
    config = tmp_path / "x.toml"
    config.write_text(
        f'[bot]\nload_examples = false\n[storage]\nurl = "sqlite:///{tmp_path / "x.db"}"\n', encoding="utf-8"
    )
    organisations = str(ROOT / "examples" / "organisations" / "malopolska-i-miasta.toml")
    assert _glos("org", "import", organisations, "--config", str(config), cwd=tmp_path).returncode == 0
    imported = _glos(
        "process", "import", str(ROOT / "examples" / "uchwala-tak-nie.toml"), "--config", str(config), cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stderr
    after = _glos("process", "list", "--config", str(config), cwd=tmp_path)
    before = _glos("--config", str(config), "process", "list", cwd=tmp_path)
    equals = _glos("process", "list", f"--config={config}", cwd=tmp_path)
    assert after.returncode == before.returncode == equals.returncode == 0, after.stderr
    assert after.stdout == before.stdout == equals.stdout
    assert "draft" in after.stdout
    assert not (tmp_path / "glos.db").exists()  # the default store was never touched


def test_config_first_moves_only_the_config_option() -> None:
    assert config_first(["process", "list", "--config", "x.toml"]) == ["--config", "x.toml", "process", "list"]
    assert config_first(["chat", "-c", "x.toml", "--as", "moderator"]) == ["-c", "x.toml", "chat", "--as", "moderator"]
    assert config_first(["tally", "--", "--config", "f.pb"]) == ["tally", "--", "--config", "f.pb"]


def test_admins_may_be_written_as_numbers(tmp_path: Path) -> None:
    config = tmp_path / "glos.toml"
    config.write_text(
        '[bot]\nadmins = [123456789, "console:moderator", "rada@gmina.example"]\nload_examples = false\n'
        f'[storage]\nurl = "sqlite:///{tmp_path / "glos.db"}"\n',
        encoding="utf-8",
    )
    settings = load_settings(config, ENV)
    assert settings.bot.admins == ["123456789", "console:moderator", "rada@gmina.example"]
    application = build_app(settings)
    try:
        admin = application.services.people.identify(Channel.TELEGRAM, "123456789")
        assert RoleName.ADMIN in admin.roles
    finally:
        application.close()


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every command of the tree under ``command`` (Typer's own click) with its path of names."""
    found = [(path, command)]
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            found.extend(_commands(sub, (*path, name)))
    return found


def test_every_help_text_is_rendered_whole() -> None:
    """Rich markup must not eat words like ``[web]`` (escaped as ``\\[web]`` in the help texts)."""
    runner = CliRunner()
    root = typer.main.get_command(app)
    checked = 0
    for path, command in _commands(root):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "250"}, terminal_width=250)
        assert result.exit_code == 0, (path, result.output)
        shown = " ".join(result.output.replace("│", " ").split())
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        for text in texts:
            for word in re.findall(r"\\?\[[a-z_]+\]", text):
                assert word.lstrip("\\") in shown, (path, word, shown)
                checked += 1
    assert checked >= 3  # glos serve (twice, and --workers) and glos web name [web]


def test_invite_codes_are_saved_privately_and_never_overwritten(
    console: Callable[..., ConsoleChannel], load_example: Callable[..., str], tmp_path: Path
) -> None:
    slug = load_example("uchwala-tak-nie")
    moderator = console("moderator")
    first = moderator.handle(f"/kody {slug} 3")
    second = moderator.handle(f"/kody {slug} 2")
    folder = tmp_path / "downloads"
    named = f"„Walne Zebranie Członków 2027 – głosowanie nad uchwałami” ({slug})"
    one, two = folder / f"{slug}-kody.txt", folder / f"{slug}-kody-2.txt"
    assert first == [
        f"Wygenerowano 3 kody — {named}. Zapisz je teraz — nie przechowujemy kodów, tylko ich skróty.\n  📎 {one}"
    ]
    assert second == [
        f"Wygenerowano 2 kody — {named}. Zapisz je teraz — nie przechowujemy kodów, tylko ich skróty.\n  📎 {two}"
    ]
    assert len(one.read_text().split()) == 3 and len(two.read_text().split()) == 2
    assert stat.S_IMODE(one.stat().st_mode) == stat.S_IMODE(two.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    ignored = subprocess.run(["git", "check-ignore", "-q", "exports/bo2027-kody.txt"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, "exports/ must be in .gitignore"


def test_logs_never_show_the_bot_token_or_a_database_password() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.Redact())
    logger = logging.getLogger("test.redact")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        token = f"{7234567890}:{'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1'}"  # built here: no token in the sources
        logger.info('HTTP Request: POST https://api.telegram.org/bot%s/getUpdates "HTTP/1.1 200 OK"', token)
        try:
            raise ConnectionError("postgresql+psycopg://glos:tajne-haslo@db.example:5432/glos refused")
        except ConnectionError:
            logger.exception("store unreachable")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert token not in written and "tajne-haslo" not in written
    assert "https://api.telegram.org/bot***/getUpdates" in written
    assert "postgresql+psycopg://glos:***@db.example:5432/glos refused" in written


def test_glos_web_on_a_taken_port_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "glos.toml"
        config.write_text(
            f'[bot]\nload_examples = false\n[storage]\nurl = "sqlite:///{tmp_path / "glos.db"}"\n'
            f"[web]\nport = {port}\n",
            encoding="utf-8",
        )
        result = _glos("web", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"Port {port} zajęty / port {port} is taken (127.0.0.1): [web] port"
    assert result.stdout == ""


def test_refusals_keep_their_bracketed_words(tmp_path: Path) -> None:
    config = tmp_path / "glos.toml"
    config.write_text(
        f'[bot]\nload_examples = false\n[storage]\nurl = "sqlite:///{tmp_path / "glos.db"}"\n', encoding="utf-8"
    )
    refused = _glos("serve", "--workers", "2", "--config", str(config), cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.strip() == "[web] workers > 1 needs PostgreSQL ([storage] url = postgresql://…)"
