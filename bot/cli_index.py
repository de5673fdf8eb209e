"""``glos index list|show|export|map``: the friendly-local-government index from the command line.

``list`` prints every public index with its years; ``show KEY [--year Y]`` the ranking of an edition as text (the
published summary's); ``export KEY --format csv|json [-o FILE]`` the open data (every year, municipality and
dimension; :mod:`bot.views.index_files`); ``map KEY [--year Y] -o FILE.png`` the map. Only public editions count
and a municipality below ``min_responses`` is "za mało odpowiedzi" here as everywhere. Wired by :func:`register`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli_app import running_app
from bot.cli_help import COMMANDS
from bot.i18n import translator
from bot.summaries.index_map import index_map
from bot.views.index import places_of, ranking_text
from bot.views.index_files import index_document

__all__ = ["register"]

_out = Console(highlight=False, soft_wrap=True, markup=False)


def register(app: typer.Typer) -> None:
    """Add the ``index`` command group to ``app``."""
    group = typer.Typer(help=COMMANDS["index"], no_args_is_help=True)

    @group.command("list")
    def list_(ctx: typer.Context) -> None:
        """List the public indexes and their years."""
        with running_app(ctx) as application:
            t = translator(application.settings.bot.language, application.settings.tz)
            keys = application.services.index.index_keys()
            if not keys:
                _out.print(t("index.none"))
            for key in keys:
                years = [str(edition.year) for edition in application.services.index.history(key).editions]
                _out.print(f"{key}: {', '.join(years)}")

    @group.command("show")
    def show(
        ctx: typer.Context,
        key: Annotated[str, typer.Argument(help="The index key, e.g. indeks-przyjaznego-samorzadu")],
        year: Annotated[int | None, typer.Option("--year", help="The edition (default: the newest)")] = None,
        lang: Annotated[str | None, typer.Option("--lang", help="pl, en or uk")] = None,
    ) -> None:
        """Print the ranking of one edition."""
        with running_app(ctx) as application:
            t = translator(lang or application.settings.bot.language, application.settings.tz)
            history = application.services.index.history(key)
            places = places_of(application.services)
            _out.print(ranking_text(history, history.edition(year), t, places))

    @group.command("export")
    def export(
        ctx: typer.Context,
        key: Annotated[str, typer.Argument(help="The index key")],
        fmt: Annotated[str, typer.Option("--format", "-f", help="csv or json")] = "csv",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")] = None,
    ) -> None:
        """Export the index per year, municipality and dimension (open data)."""
        with running_app(ctx) as application:
            history = application.services.index.history(key)
            document = index_document(history, fmt, places_of(application.services))
            if output is None:
                sys.stdout.buffer.write(document.content)
            else:
                output.write_bytes(document.content)
                _out.print(str(output))

    @group.command("map")
    def map_(
        ctx: typer.Context,
        key: Annotated[str, typer.Argument(help="The index key")],
        output: Annotated[Path, typer.Option("--output", "-o", help="PNG file to write")],
        year: Annotated[int | None, typer.Option("--year", help="The edition (default: the newest)")] = None,
        lang: Annotated[str | None, typer.Option("--lang", help="pl, en or uk")] = None,
    ) -> None:
        """Draw the map of one edition as PNG and print its caption."""
        with running_app(ctx) as application:
            t = translator(lang or application.settings.bot.language, application.settings.tz)
            history = application.services.index.history(key)
            drawn = index_map(history.edition(year), t, places_of(application.services))
            output.write_bytes(drawn.png)
            _out.print(drawn.caption)

    app.add_typer(group, name="index")
