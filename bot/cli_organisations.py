"""``glos org add|list|import|grant|revoke``: the organisations that run processes (gmina, miasto, powiat, NGO,
federation) and their moderators.

``add SLUG "Name" --kind KIND [--teryt CODE] [--lat … --lon …] [--parent SLUG]`` adds one (refusals are one
translated sentence and exit status 2, as everywhere in the CLI); ``list`` prints them as a table, local
governments first; ``import FILE`` loads a file of organisations (``examples/organisations/``); ``grant SLUG
ADDRESS`` makes someone a moderator of that organisation's processes only (``/nadaj_role ADDRESS moderator SLUG``)
and ``revoke SLUG ADDRESS`` takes it back. Wired by :func:`register`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.app import App, load_organisations
from bot.cli_app import running_app
from bot.cli_help import COMMANDS
from bot.definition.organisations import load_organisations_file
from bot.domain import Channel, RoleName
from bot.i18n import Translator, translator
from bot.services.organisations import parse_kind
from bot.services.people import parse_admin

__all__ = ["register"]

_out = Console(highlight=False, soft_wrap=True)


def _moderator_of(application: App, slug: str, address: str) -> tuple[Translator, Channel, str, str]:
    """What ``grant`` and ``revoke`` act on: the CLI's translator, the person's channel and normalised address, and
    the organisation's stored slug (an unknown one is ``organisation.not_found``, printed by ``running_app``)."""
    t = translator(application.settings.bot.language, application.settings.tz)
    channel, normalised = parse_admin(address.strip())
    return t, channel, normalised, application.services.organisations.get(slug).slug


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

    @group.command("import")
    def import_(ctx: typer.Context, file: Path) -> None:
        r"""Load a file of organisations (\[\[organisation]] tables); those already stored are brought to its values."""
        with running_app(ctx) as application:
            t = translator(application.settings.bot.language, application.settings.tz)
            specs = load_organisations_file(file)
            load_organisations(application.services, specs)
            _out.print(t("organisation.imported", source=str(file), count=len(specs)), markup=False)

    @group.command("grant")
    def grant(
        ctx: typer.Context,
        slug: Annotated[str, typer.Argument(help="The organisation")],
        address: Annotated[str, typer.Argument(help="A Telegram user id, an e-mail address or console:NAME")],
    ) -> None:
        """Make ADDRESS a moderator of the organisation's processes only (as /nadaj_role ADDRESS moderator SLUG)."""
        with running_app(ctx) as application:
            t, channel, normalised, org = _moderator_of(application, slug, address)
            application.services.people.grant(
                None, channel, normalised, RoleName.MODERATOR, organisation=org, actor="cli"
            )
            _out.print(t("organisation.moderator_granted", slug=org, who=f"{channel.value}:{normalised}"), markup=False)

    @group.command("revoke")
    def revoke(
        ctx: typer.Context,
        slug: Annotated[str, typer.Argument(help="The organisation")],
        address: Annotated[str, typer.Argument(help="A Telegram user id, an e-mail address or console:NAME")],
    ) -> None:
        """Take back the moderator role for the organisation (a global grant stays)."""
        with running_app(ctx) as application:
            t, channel, normalised, org = _moderator_of(application, slug, address)
            done = application.services.people.revoke(
                None, channel, normalised, RoleName.MODERATOR, organisation=org, actor="cli"
            )
            key = "organisation.moderator_revoked" if done else "organisation.moderator_not_held"
            _out.print(t(key, slug=org, who=f"{channel.value}:{normalised}"), markup=False)

    @group.command("assign")
    def assign(
        ctx: typer.Context,
        slug: Annotated[str, typer.Argument(help="The organisation")],
        process: Annotated[str, typer.Argument(help="The process it runs")],
    ) -> None:
        """Make the organisation the one that runs PROCESS, in any phase (e.g. imported before organisations)."""
        with running_app(ctx) as application:
            t = translator(application.settings.bot.language, application.settings.tz)
            info = application.services.processes.assign_organisation(process, slug, actor="cli")
            _out.print(t("organisation.assigned", slug=info.slug, organisation=info.organisation), markup=False)

    app.add_typer(group, name="org")
