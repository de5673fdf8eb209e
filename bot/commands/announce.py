"""``/ogloszenie SLUG text`` (``/announce``): a moderator's announcement to everybody concerned by a process.

The process must be named (an announcement to the wrong people cannot be taken back, so the remembered process
is not used). The text is at most :data:`~bot.scheduling.announcements.MAX_TEXT` characters; a longer one is
refused with its length and nothing is queued. The messages go through the outbox
(:func:`bot.scheduling.announcements.announce`): the same announcement sent twice is queued once.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.args import closest_processes, unknown_process
from bot.commands.base import Invocation
from bot.errors import InputError
from bot.replies import Reply
from bot.scheduling.announcements import MAX_TEXT, announce

__all__ = ["cmd_announce"]


def cmd_announce(inv: Invocation) -> Sequence[Reply]:
    """Queue the announcement and say how many messages went to the outbox, by channel."""
    parts = inv.args.split(maxsplit=1)  # the text may span lines
    if len(parts) < 2 or not parts[1].strip():
        raise InputError("flows.announce.usage")
    slug, text = parts[0], parts[1].strip()
    if len(text) > MAX_TEXT:
        raise InputError("flows.announce.too_long", max=MAX_TEXT, length=len(text))
    if inv.services.processes.find(slug.lower()) is None:
        raise unknown_process(slug, closest_processes(inv, slug))
    report = announce(
        inv.services, slug, text, actor_id=inv.caller.person_id, language=inv.services.people.default_language
    )
    lines = [inv.t("flows.announce.queued", count=report.queued, slug=slug.lower())]
    lines.append(inv.t("flows.announce.by_channel", telegram=report.telegram, email=report.email, chats=report.chats))
    if report.already:
        lines.append(inv.t("flows.announce.already", count=report.already))
    return [Reply("\n".join(lines))]
