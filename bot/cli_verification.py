"""``glos verification import|report|erase``: the city's register of residents and the committee's report.

``import SLUG FILE.csv`` streams the file line by line (a million residents in constant memory) and stores only
HMACs; ``report SLUG`` prints what ``/weryfikacja`` shows; ``erase SLUG`` erases the verification data now
(the scheduler does it by itself ``retention_days`` after the results are published). Wired by :func:`register`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli_app import running_app
from bot.cli_help import COMMANDS
from bot.i18n import translator
from bot.views.verification import verification_lines

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``verification`` command group to ``app``."""
    group = typer.Typer(help=COMMANDS["verification"], no_args_is_help=True)

    @group.command("import")
    def import_register(
        ctx: typer.Context,
        slug: str,
        file: Path,
        replace: Annotated[bool, typer.Option("--replace", help="Empty the register first (a new list).")] = False,
    ) -> None:
        """Import a register CSV (name and address, or number) for process SLUG; only HMACs are stored."""
        with running_app(ctx) as application, file.open(encoding="utf-8-sig", newline="") as lines:
            t = translator(application.settings.bot.language, application.settings.tz)
            result = application.services.verification.import_register(slug, lines, replace=replace)
            typer.echo(t("register.imported", count=result.read - result.skipped, slug=slug))
            typer.echo(t("register.new", count=result.added))
            if result.skipped:
                typer.echo(t("register.skipped", count=result.skipped))

    @group.command("report")
    def report(ctx: typer.Context, slug: str, lang: str = "pl") -> None:
        """What the committee checks: failed attempts, residents from several accounts, replacements."""
        with running_app(ctx) as application:
            lines = verification_lines(application.services.verification.report(slug), translator(lang))
            typer.echo("\n".join(lines))

    @group.command("erase")
    def erase(ctx: typer.Context, slug: str) -> None:
        """Erase the register, verified voters and failed attempts of SLUG now."""
        with running_app(ctx) as application:
            typer.echo(f"{slug}: {application.services.verification.erase(slug)}")

    app.add_typer(group, name="verification")
