"""``glos org add|list``: the organisations that run processes (gmina, miasto, powiat, NGO, federation).

``add SLUG "Name" --kind KIND [--teryt CODE] [--lat … --lon …] [--parent SLUG]`` adds one (refusals are one
translated sentence and exit status 2, as everywhere in the CLI); ``list`` prints them as a table, local
governments first. Wired by :func:`register`.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.cli_app import running_app
from bot.cli_help import COMMANDS
from bot.i18n import translator
from bot.services.organisations import parse_kind

__all__ = ["register"]

_out = Console(highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``org`` command group to ``app``."""
    group = typer.Typer(help=COMMANDS["org"], no_args_is_help=True)

    @group.command("add")
    def add(
        ctx: typer.Context,
        slug: Annotated[str, typer.Argument(help="Short name used in definitions and URLs, e.g. krakow")],
        name: Annotated[str, typer.Argument(help='Full name, e.g. "Gmina Miejska Kraków"')],
        kind: Annotated[str, typer.Option("--kind", help="gmina, miasto, powiat, ngo or federation")],
        teryt: Annotated[
            str | None, typer.Option("--teryt", help="TERYT code: 7 digits (gmina, miasto) or 4 (powiat)")
        ] = None,
        lat: Annotated[float | None, typer.Option("--lat", help="Latitude (degrees, WGS 84)")] = None,
        lon: Annotated[float | None, typer.Option("--lon", help="Longitude (degrees, WGS 84)")] = None,
        parent: Annotated[
            str | None, typer.Option("--parent", help="The organisation it belongs to (a powiat, a federation)")
        ] = None,
    ) -> None:
        """Add an organisation that runs processes."""
        with running_app(ctx) as application:
            t = translator(application.settings.bot.language, application.settings.tz)
            info = application.services.organisations.add(
                slug, name, parse_kind(kind), teryt=teryt, lat=lat, lon=lon, parent=parent, actor="cli"
            )
            _out.print(t("organisation.added", slug=info.slug, name=info.name), markup=False)

    @group.command("list")
    def list_(ctx: typer.Context) -> None:
        """List the organisations, local governments first."""
        with running_app(ctx) as application:
            t = translator(application.settings.bot.language, application.settings.tz)
            organisations = application.services.organisations.list()
            if not organisations:
                _out.print(t("organisation.none"), markup=False)
                return
            table = Table(
                t("organisation.column.slug"),
                t("organisation.column.name"),
                t("organisation.column.kind"),
                "TERYT",
                t("organisation.column.place"),
                t("organisation.column.parent"),
                box=None,
                highlight=False,
            )
            for info in organisations:
                place = f"{info.lat:.4f}, {info.lon:.4f}" if info.lat is not None and info.lon is not None else ""
                kind = t(f"organisation.kind.{info.kind.value}")
                cells = (info.slug, info.name, kind, info.teryt or "", place, info.parent or "")
                table.add_row(*(Text(cell) for cell in cells))  # as written: "[Fundacja]" is not Rich markup
            _out.print(table)

    app.add_typer(group, name="org")
