"""``glos mail …``: invitations, one intake round, sending, and the long-running loop.

:func:`register` adds the ``mail`` group to the main Typer app (the composition root calls it). Each command
loads the configuration the root callback found (``ctx.obj``), builds the app, and prints one line of result;
a refused action prints one translated sentence and exits with status 2.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli_app import running_app
from bot.cli_help import COMMANDS
from bot.rosters import read_roster
from mail.channel import mail_channel
from mail.intake import ImapIntake
from mail.invite import invite_roster

__all__ = ["register"]

err = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True, markup=False)


_app = running_app


def register(app: typer.Typer) -> None:
    """Add the ``mail`` command group to ``app``."""
    mail_app = typer.Typer(help=COMMANDS["mail"], no_args_is_help=True)
    app.add_typer(mail_app, name="mail")

    @mail_app.command("invite")
    def invite(
        ctx: typer.Context,
        slug: str,
        roster: Annotated[Path | None, typer.Option("--roster", help="Import this roster CSV first.")] = None,
        send: Annotated[bool, typer.Option("--send/--no-send", help="Send the invitations now.")] = False,
    ) -> None:
        """Queue an invitation for every e-mail address on the process's roster not invited yet."""
        with _app(ctx) as application:
            if roster is not None:
                read = read_roster(roster.read_text(encoding="utf-8-sig"))
                added = application.services.eligibility.import_roster(slug, read.rows, actor_id=None)
                application.services.linking.pair_roster(read.pairs)
                out.print(f"roster: {added} new")
            channel = mail_channel(application.services, application.settings.mail)
            web = application.settings.web
            page = f"{web.public_url.rstrip('/')}/p/{slug}/projekt" if web.enabled else ""
            queued = invite_roster(application.services, channel.addressing, slug, page_link=page)
            out.print(f"invitations queued: {queued}")
            if send:
                out.print(f"sent: {channel.send_all()}")

    @mail_app.command("poll")
    def poll(ctx: typer.Context) -> None:
        """One round: read new replies (IMAP or Maildir), then send queued mail."""
        with _app(ctx) as application:
            read, sent = mail_channel(application.services, application.settings.mail).poll()
            out.print(f"read: {read}, sent: {sent}")

    @mail_app.command("send")
    def send_command(ctx: typer.Context) -> None:
        """Send queued e-mail (invitations, confirmations, reminders)."""
        with _app(ctx) as application:
            out.print(f"sent: {mail_channel(application.services, application.settings.mail).send_all()}")

    @mail_app.command("run")
    def run(ctx: typer.Context) -> None:
        """Read replies as they arrive (IMAP IDLE, or polling) and send confirmations, until interrupted."""
        with _app(ctx) as application:
            channel = mail_channel(application.services, application.settings.mail)
            if isinstance(channel.intake, ImapIntake):
                channel.intake.run(on_round=channel.send_all)
            else:
                while True:
                    channel.poll()
                    time.sleep(application.settings.mail.poll_seconds)
