"""One entry point for every channel: a line of text in, replies out.

:func:`dispatch` finds the command, checks the caller's role, runs the handler, and turns every refusal into
one translated sentence: typed core errors become their message, anything else is logged with its traceback
and answered with ``error.internal``. A user never sees a traceback.

:func:`invoke` runs one named command inside a unit of work the edge already holds — an e-mail reply is a
batch of commands in the reply's unit — with the same checks and the same refusals; an unexpected error
propagates to the edge that owns the unit.
"""

from __future__ import annotations

import logging

from bot.commands.base import Caller, Command, Handler, Invocation
from bot.commands.pending import waiting_command
from bot.commands.ratelimit import RateLimiter
from bot.commands.table import CommandTable, allowed
from bot.errors import GlosError
from bot.i18n import Translator, translator
from bot.replies import Reply, Said
from bot.services import Services
from bot.services.unit import Unit

__all__ = ["MAX_INPUT_CHARS", "dispatch", "invoke", "refusal"]

MAX_INPUT_CHARS = 8000
log = logging.getLogger(__name__)


def dispatch(
    table: CommandTable,
    services: Services,
    caller: Caller,
    text: str,
    *,
    attachment: bytes | None = None,
    attachment_name: str | None = None,
    limiter: RateLimiter | None = None,
    group: str | None = None,
) -> list[Reply]:
    """Run the command written in ``text`` for ``caller`` and return the replies to send.

    With a ``limiter``, a sender over their rate gets one "slow down" answer and then nothing until their
    bucket refills; the command is not run. Plain text (not a command) answers the step a command waits on
    (:mod:`bot.commands.pending`), if any. ``group`` is the group chat the text was typed in: only
    ``in_groups`` commands run there.

    The dispatch is the command's unit of work (:mod:`bot.services.unit`): the services it calls share one
    connection and at most two transactions, and what the command wrote commits together — or, when it fails
    with an unexpected error, not at all.
    """
    with services.context.unit() as unit:
        return _dispatch(
            unit,
            table,
            services,
            caller,
            text,
            attachment=attachment,
            attachment_name=attachment_name,
            limiter=limiter,
            group=group,
        )


def _dispatch(
    unit: Unit,
    table: CommandTable,
    services: Services,
    caller: Caller,
    text: str,
    *,
    attachment: bytes | None,
    attachment_name: str | None,
    limiter: RateLimiter | None,
    group: str | None,
) -> list[Reply]:
    t = translator(caller.language, services.context.zone)
    if limiter is not None:
        verdict = limiter.check(caller.channel.value, caller.address)
        if not verdict.allowed:
            return [Reply(t("error.slow_down"))] if verdict.warn else []
    text = text.strip()
    if len(text) > MAX_INPUT_CHARS:
        return [Reply(t("error.too_long", max=MAX_INPUT_CHARS))]
    handler = None
    if text.startswith("/"):
        head, _, args = text[1:].partition(" ")
        name = head.split("@", 1)[0]  # Telegram groups send /command@botname
        command = table.find(name)
        if command is None:
            return [Reply(t("error.unknown_command", command=name[:40]))]
    else:
        command = None if group is not None else waiting_command(table, services, caller)
        if command is None:
            return [Reply(t("error.not_a_command"))]
        handler, args, name = command.on_text, text, command.name
    try:
        return _run(services, caller, t, command, name, args, handler, attachment, attachment_name, group, None)
    except Exception:
        unit.rollback()
        log.exception("command /%s failed for person %s", command.name, caller.person_id)
        return [Reply(t("error.internal"))]


def invoke(
    table: CommandTable,
    services: Services,
    caller: Caller,
    name: str,
    args: str = "",
    *,
    process: str | None = None,
) -> list[Reply]:
    """Run the command ``name`` with ``args`` for ``caller`` in the unit of work open now, as :func:`dispatch`
    would run ``/name PROCESS args``: the same lookup, channel and role checks, handler and refusals (replies
    marked ``refused``). ``process`` is the process the channel knows the command is about (see
    :attr:`~bot.commands.base.Invocation.process`). An unexpected error propagates: the edge that owns the unit
    decides what it undoes."""
    t = translator(caller.language, services.context.zone)
    command = table.find(name)
    if command is None:
        return [refusal(t, GlosError("error.unknown_command", command=name[:40]))]
    return _run(services, caller, t, command, name, args, None, None, None, None, process)


def refusal(t: Translator, error: GlosError) -> Reply:
    """The answer to a refused command: the error's message, marked refused (see :class:`~bot.replies.Said`)."""
    return Reply(t(error.key, **error.params), said=Said(error.key, dict(error.params)), refused=True)


def _run(
    services: Services,
    caller: Caller,
    t: Translator,
    command: Command,
    name: str,
    args: str,
    handler: Handler | None,
    attachment: bytes | None,
    attachment_name: str | None,
    group: str | None,
    process: str | None,
) -> list[Reply]:
    if caller.channel not in command.channels:
        return [refusal(t, GlosError("error.unknown_command", command=name[:40]))]
    if not allowed(command, caller):
        with services.context.transaction() as session:
            services.context.audit(session, "command.refused", actor_person_id=caller.person_id, command=command.name)
        return [refusal(t, GlosError("error.not_allowed", command=command.name_in(t.language)))]
    if group is not None and not command.in_groups:
        return [Reply(t("flows.group.private_only"))]
    invocation = Invocation(
        services,
        caller,
        t,
        command.name,
        args.strip(),
        attachment=attachment,
        attachment_name=attachment_name,
        group=group,
        process=process,
        role=command.role,
    )
    try:
        return list((handler or command.handler)(invocation))
    except GlosError as error:  # refused before writing: what the command did before (e.g. remember the
        return [refusal(t, error)]  # process named) is kept, as a channel expects
