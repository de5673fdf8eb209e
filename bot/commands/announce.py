"""``/ogloszenie SLUG text`` (``/announce``): a moderator's announcement to everybody concerned by a process.

An announcement to the wrong people cannot be taken back, so the remembered process is never used silently: without
a process name (the first word is none, nor close to one) the moderator is asked to confirm the remembered process
with a button that sends the announcement with its name written out. The text is at most
:data:`~bot.scheduling.announcements.MAX_TEXT` characters; a longer one is refused with its length and nothing is
queued. The messages go through the outbox (:func:`bot.scheduling.announcements.announce`): the same announcement
sent twice is queued once.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.args import closest_processes, confirm_remembered, ensure_moderates, unknown_process
from bot.commands.base import Invocation
from bot.errors import InputError
from bot.replies import Reply
from bot.scheduling.announcements import MAX_TEXT, announce

__all__ = ["cmd_announce"]


def cmd_announce(inv: Invocation) -> Sequence[Reply]:
    """Queue the announcement and say how many messages went to the outbox, by channel."""
    parts = inv.args.split(maxsplit=1)  # the text may span lines
    if parts and inv.services.processes.find(parts[0].lower()) is not None:
        ensure_moderates(inv, parts[0].lower())  # another organisation's process: refused before anything else
    if len(parts) < 2 or not parts[1].strip():
        raise InputError("flows.announce.usage")
    slug, text = parts[0], parts[1].strip()
    if inv.services.processes.find(slug.lower()) is None:
        close = closest_processes(inv, slug)
        remembered = inv.services.dialogue.get(inv.caller.person_id, inv.caller.channel).get("process")
        if close or not isinstance(remembered, str) or inv.services.processes.find(remembered) is None:
            raise unknown_process(slug, close)
        ensure_moderates(inv, remembered)  # before the confirmation would name it
        text = inv.args.strip()  # the first word was the announcement's own
        if len(text) > MAX_TEXT:
            raise InputError("flows.announce.too_long", max=MAX_TEXT, length=len(text))
        return [confirm_remembered(inv, remembered, text)]
    if len(text) > MAX_TEXT:
        raise InputError("flows.announce.too_long", max=MAX_TEXT, length=len(text))
    report = announce(
        inv.services, slug, text, actor_id=inv.caller.person_id, language=inv.services.people.default_language
    )
    title = inv.services.processes.get(slug.lower()).title(inv.t.language)
    lines = [inv.t("flows.announce.queued", count=report.queued, slug=slug.lower(), title=title)]
    lines.append(inv.t("flows.announce.by_channel", telegram=report.telegram, email=report.email, chats=report.chats))
    if report.already:
        lines.append(inv.t("flows.announce.already", count=report.already))
    return [Reply("\n".join(lines))]
