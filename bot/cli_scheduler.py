"""``glos scheduler status`` (the planned jobs and the last outcomes) and ``glos scheduler tick`` (do what is due
now, once — e.g. from cron when the bot itself does not run the scheduler). Wired by :func:`register`."""

from __future__ import annotations

import typer

from bot.app import build_app
from bot.cli_app import settings_of
from bot.cli_help import COMMANDS
from bot.commands.base import Caller, Invocation
from bot.commands.scheduling import cmd_status
from bot.domain import Channel, RoleName
from bot.i18n import translator
from bot.scheduling.core import Scheduler
from bot.scheduling.policy import SchedulePolicy

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``scheduler`` command group to the CLI."""
    group = typer.Typer(help=COMMANDS["scheduler"], no_args_is_help=True)

    def build(ctx: typer.Context) -> tuple[Scheduler, SchedulePolicy]:
        settings = settings_of(ctx)
        application = build_app(settings)
        policy = SchedulePolicy.from_settings(settings)
        return Scheduler(application.services, policy), policy

    @group.command("status")
    def status(ctx: typer.Context) -> None:
        """Every planned job, its next run and the last run's outcome (as /status shows moderators)."""
        scheduler, policy = build(ctx)
        services = scheduler.services
        caller = Caller(0, Channel.CONSOLE, "cli", policy.language, frozenset({RoleName.ADMIN}))
        t = translator(policy.language, policy.zone)
        for reply in cmd_status(Invocation(services, caller, t, "status")):
            typer.echo(reply.text)

    @group.command("tick")
    def tick(ctx: typer.Context) -> None:
        """Run everything due now, once, and say what was done."""
        scheduler, _ = build(ctx)
        report = scheduler.tick()
        if not report.outcomes:
            typer.echo("nothing due")
        for job_id, (outcome, detail) in report.outcomes.items():
            typer.echo(f"{job_id}: {outcome} {detail}".rstrip())

    app.add_typer(group, name="scheduler")
