"""``/email``: link an e-mail address to the Telegram account (one person, one vote across channels), and the
deep link of an e-mail invitation (``/start link_…``) that links a Telegram account in one tap.

``/email ADRES`` sends a one-time code to the address; ``/email KOD`` confirms it. Where both identities had
voted, the reply says per process which ballot counts now (the most recent) and which was retired.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.commands.base import Invocation
from bot.domain import Channel
from bot.errors import InputError
from bot.i18n import Translator
from bot.replies import Reply
from bot.scheduling.messages import payload_for
from bot.services.linking import LINK_PREFIX, LinkResult

__all__ = ["cmd_email", "is_link_token", "link_from_start"]


def cmd_email(inv: Invocation) -> Sequence[Reply]:
    """``/email ADRES`` (a code is sent there) or ``/email KOD`` (the code confirms the address)."""
    argument = inv.args.strip()
    if not argument:
        raise InputError("link.usage")
    if "@" in argument:
        t = inv.t
        bot = inv.services.context.bot_name

        def compose(code: str, expires: datetime) -> dict[str, Any]:
            text = t("link.mail.body", bot=bot, code=code, expires=t.datetime(expires))
            return payload_for(Channel.EMAIL, subject=t("link.mail.subject", bot=bot), text=text, language=t.language)

        expires = inv.services.linking.request_code(inv.caller.person_id, argument, compose)
        address = argument.lower()
        return [Reply(t("link.code_sent", address=address, expires=t.datetime(expires)))]
    if not "".join(argument.split()).isdigit():
        raise InputError("link.usage")
    result = inv.services.linking.confirm_code(inv.caller.person_id, argument)
    return [Reply(_linked(inv.t, result, "link.email_linked"))]


def is_link_token(argument: str) -> bool:
    """Whether a ``/start`` argument is an invitation's link token rather than a process."""
    return argument.startswith(LINK_PREFIX) and 20 < len(argument) <= 64


def link_from_start(inv: Invocation, token: str) -> list[Reply]:
    """``/start link_…``: link this account to the invited member; the answer says which ballots count."""
    caller = inv.caller
    result = inv.services.linking.redeem_token(caller.person_id, caller.channel, caller.address, token)
    return [Reply(_linked(inv.t, result, "link.telegram_linked"))]


def _linked(t: Translator, result: LinkResult, key: str) -> str:
    lines = [t(key, address=result.address)]
    for choice in result.choices:
        lines.append(
            t(
                "link.ballot_counts",
                slug=choice.slug,
                counted=t(f"link.via.{choice.counted.value}"),
                retired=t(f"link.via.{choice.retired.value}"),
            )
        )
    return "\n".join(lines)
