"""``glos mail invite / poll`` from the command line, with a Maildir intake and a real aiosmtpd."""

from __future__ import annotations

import email
import email.policy
import mailbox
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from bot.app import build_app, load_example_organisations
from bot.config import load_settings
from bot.definition import load_definition_file
from mail.cli import register

ROOT = Path(__file__).resolve().parents[2]


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context, config: Path = typer.Option(None, "--config")) -> None:  # noqa: B008
        ctx.obj = config

    register(app)
    return app


def test_invite_from_a_roster_then_poll_a_maildir(tmp_path: Path, smtp_sink: Any) -> None:
    maildir = tmp_path / "Maildir"
    config = tmp_path / "glos.toml"
    config.write_text(
        f"""
[bot]
secret_key = "cli-test-secret-key-0123456789"
[storage]
url = "sqlite:///{tmp_path}/glos.db"
[mail]
enabled = true
maildir = "{maildir}"
smtp_host = "127.0.0.1"
smtp_port = {smtp_sink.port}
smtp_tls = "none"
from_address = "glos@glos.example.org"
reply_domain = "glos.example.org"
""",
        encoding="utf-8",
    )
    application = build_app(load_settings(config))
    load_example_organisations(application.services, ROOT / "examples")
    definition = load_definition_file(ROOT / "examples" / "uchwala-tak-nie.toml").model_copy(
        update={"opens_at": datetime(2026, 1, 1, tzinfo=UTC), "closes_at": datetime(2030, 1, 1, tzinfo=UTC)}
    )
    application.services.processes.import_definition(definition)
    application.services.processes.open(definition.slug)
    application.close()
    roster = tmp_path / "czlonkowie.csv"
    roster.write_text(
        "Imię i nazwisko;Organizacja;E-mail\nJan Kowalski;Stowarzyszenie;jan@example.pl\n", encoding="utf-8"
    )
    runner = CliRunner()

    invited = runner.invoke(
        _cli(), ["--config", str(config), "mail", "invite", "walne-2027", "--roster", str(roster), "--send"]
    )
    assert invited.exit_code == 0, invited.output
    assert "invitations queued: 1" in invited.output and "sent: 1" in invited.output
    _, recipients, raw = smtp_sink.messages[0]
    assert recipients == ["jan@example.pl"]
    reply_to = next(line for line in raw.decode().splitlines() if line.startswith("Reply-To:")).split(": ", 1)[1]

    reply = EmailMessage()
    reply["From"] = "jan@example.pl"
    reply["To"] = reply_to
    reply["Subject"] = "Re: Zaproszenie"
    reply["Message-ID"] = "<cli1@example.pl>"
    reply.set_content("uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK")
    mailbox.Maildir(maildir, create=True).add(reply.as_bytes())

    polled = runner.invoke(_cli(), ["--config", str(config), "mail", "poll"])
    assert polled.exit_code == 0, polled.output
    assert "read: 1, sent: 1" in polled.output
    assert len(mailbox.Maildir(maildir).get_folder("Processed")) == 1
    assert len(mailbox.Maildir(maildir)) == 0
    confirmation = email.message_from_bytes(smtp_sink.messages[-1][2], policy=email.policy.default)
    assert confirmation["In-Reply-To"] == "<cli1@example.pl>"
    assert "za 2026 rok — TAK" in confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_an_unknown_process_is_one_clear_sentence(tmp_path: Path) -> None:
    config = tmp_path / "glos.toml"
    config.write_text(
        f'[bot]\nsecret_key = "cli-test-secret-key-0123456789"\n[storage]\nurl = "sqlite:///{tmp_path}/g.db"\n'
    )
    result = CliRunner().invoke(_cli(), ["--config", str(config), "mail", "invite", "nie-ma-takiego"])
    assert result.exit_code == 2
    assert "nie-ma-takiego" in result.output and "Traceback" not in result.output
