"""``glos person erase ADDRESS``: erasure on a written request (GDPR art. 17), for the operator.

The same :meth:`bot.services.privacy.PrivacyService.erase` as ``/usun_dane``: the person is forgotten, their
counted ballots stay counted, and each identity leaves a keyed tombstone so that the same account or address
coming back replaces its ballot instead of adding one. Wired by :func:`register`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli_app import running_app, settings_of
from bot.cli_help import COMMANDS
from bot.errors import NotFound
from bot.i18n import translator
from bot.services.people import parse_admin

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``person`` command group to the CLI."""
    group = typer.Typer(help=COMMANDS["person"], no_args_is_help=True)

    @group.command("erase")
    def erase(
        ctx: typer.Context,
        address: Annotated[str, typer.Argument(help="A Telegram user id, an e-mail address or console:NAME")],
    ) -> None:
        """Forget the person behind ADDRESS; their counted ballots stay counted, never twice."""
        settings = settings_of(ctx)
        t = translator(settings.bot.language, settings.tz)
        channel, normalised = parse_admin(address.strip())
        with running_app(ctx) as application:
            services = application.services
            person = services.people.find(channel, normalised)
            if person is None:
                raise NotFound("person.not_found")
            services.privacy.erase(person.person_id, actor="cli")
        typer.echo(t("privacy.erased_by_operator", address=normalised))

    app.add_typer(group, name="person")
