"""What every ``glos`` subcommand needs: the configuration named by ``--config`` and a running :class:`App`,
with refusals printed as one translated sentence and exit status 2 (shared by ``bot/cli.py``,
``bot/cli_scheduler.py`` and ``mail/cli.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from bot.app import App, build_app
from bot.config import ConfigError, Settings, load_settings
from bot.errors import GlosError
from bot.i18n import translator

__all__ = ["running_app", "settings_of"]

_err = Console(stderr=True, soft_wrap=True)


def settings_of(ctx: typer.Context) -> Settings:
    """The validated configuration of the file the root command was given (exit 2 with the reason if bad)."""
    try:
        return load_settings(ctx.find_root().obj)
    except ConfigError as error:
        _err.print(f"[red]Błąd konfiguracji / configuration error:[/red] {escape(str(error))}")
        raise typer.Exit(2) from error


@contextmanager
def running_app(ctx: typer.Context) -> Iterator[App]:
    """The composed application; a core refusal inside the block is printed translated and exits with 2."""
    settings = settings_of(ctx)
    application = build_app(settings)
    try:
        yield application
    except GlosError as error:
        t = translator(settings.bot.language, settings.tz)
        _err.print(f"[red]{escape(t(error.key, **error.params))}[/red]")
        raise typer.Exit(2) from error
    finally:
        application.close()
