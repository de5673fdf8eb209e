"""``/udostepnij SLUG`` (``/share``): a card about a process for group chats, with a button to take part.

Typed by a moderator in a private conversation, the card is queued in the outbox for every configured group
chat (``[telegram] chats``); typed by a moderator in a group (the one command the Telegram adapter lets through
there, see :attr:`bot.commands.base.Command.in_groups`), the card is the answer, in that group. Nothing is cast in
a group: the card's button is a link (:attr:`bot.commands.base.Button.link`) to the private conversation,
started with ``/start SLUG`` — the deep link a resident's ``/start`` already understands.

A draft cannot be shared (residents could not open it). The outbox key names the process, the day and the card's
text (``share:<slug>:<date>:<digest>:chat:<id>``): a retried command posts the card once, while a changed card
(an extended deadline) or a new day may be posted again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from bot.commands.args import take_process
from bot.commands.base import Invocation
from bot.domain import Channel, Phase
from bot.errors import InputError
from bot.i18n import Translator, translator
from bot.replies import Button, Reply
from bot.services import ProcessInfo
from bot.services.outbox import reply_payload

__all__ = ["PURPOSE", "cmd_share", "share_card"]

PURPOSE = "share"


def share_card(info: ProcessInfo, t: Translator) -> Reply:
    """The card: title, kind and phase, dates, how to take part, and the link button."""
    lines = [t("flows.share.title", title=info.title(t.language))]
    lines.append(t("process.kind." + info.kind.value) + " · " + t("phase." + info.phase.value))
    if info.opens_at is not None and info.closes_at is not None:
        lines.append(t("process.window", opens=info.opens_at, closes=info.closes_at))
    elif info.closes_at is not None:
        lines.append(t("process.closes", when=info.closes_at))
    lines += ["", t("flows.share.how")]
    button = Button(t("flows.share.button"), f"/start {info.slug}", link=True)
    return Reply("\n".join(lines), ((button,),))


def cmd_share(inv: Invocation) -> Sequence[Reply]:
    """Post the card in this group, or queue it for the configured group chats."""
    # A named process must exist (a mistyped name must not share the remembered one); no name: the remembered one.
    slug = take_process(inv, more=False)[0]
    assert slug is not None
    info = inv.services.processes.get(slug)
    if info.phase is Phase.DRAFT:
        raise InputError("flows.share.draft", slug=info.slug)
    ctx = inv.services.context
    card = share_card(info, translator(inv.services.people.default_language, ctx.zone))
    if inv.group is not None:
        with ctx.transaction() as session:
            ctx.audit(
                session, "process.share", actor_person_id=inv.caller.person_id, process_id=info.id, chat=inv.group
            )
        return [card]
    if not ctx.group_chats:
        raise InputError("flows.share.no_chats")
    day = ctx.clock.now().astimezone(ctx.zone).date().isoformat()
    digest = hashlib.sha256(card.text.encode()).hexdigest()[:12]
    queued = 0
    with ctx.transaction() as session:
        connection = session.connection()
        for chat in ctx.group_chats:
            queued += inv.services.outbox.enqueue(
                key=f"{PURPOSE}:{info.slug}:{day}:{digest}:chat:{chat}",
                channel=Channel.TELEGRAM,
                address=str(chat),
                purpose=PURPOSE,
                payload=reply_payload(card),
                connection=connection,
            )
        ctx.audit(session, "process.share", actor_person_id=inv.caller.person_id, process_id=info.id, chats=queued)
    chats = len(ctx.group_chats)
    if queued == 0:
        return [Reply(inv.t("flows.share.already", count=chats, slug=info.slug))]
    return [Reply(inv.t("flows.share.queued", count=queued, slug=info.slug))]
