"""One entry point for every channel: a line of text in, replies out.

:func:`dispatch` finds the command, checks the caller's role, runs the handler, and turns every refusal into
one translated sentence: typed core errors become their message, anything else is logged with its traceback
and answered with ``error.internal``. A user never sees a traceback.
"""

from __future__ import annotations

import logging

from bot.commands.base import Caller, Invocation
from bot.commands.pending import waiting_command
from bot.commands.ratelimit import RateLimiter
from bot.commands.table import CommandTable, allowed
from bot.errors import GlosError
from bot.i18n import translator
from bot.replies import Reply
from bot.services import Services
from bot.services.unit import Unit

__all__ = ["MAX_INPUT_CHARS", "dispatch"]

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
    if caller.channel not in command.channels:
        return [Reply(t("error.unknown_command", command=name[:40]))]
    if not allowed(command, caller):
        with services.context.transaction() as session:
            services.context.audit(session, "command.refused", actor_person_id=caller.person_id, command=command.name)
        return [Reply(t("error.not_allowed", command=command.name_in(t.language)))]
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
    )
    try:
        return list((handler or command.handler)(invocation))
    except GlosError as error:  # refused before writing: what the command did before (e.g. remember the
        return [Reply(t(error.key, **error.params))]  # process named) is kept, as a channel expects
    except Exception:
        unit.rollback()
        log.exception("command /%s failed for person %s", command.name, caller.person_id)
        return [Reply(t("error.internal"))]
