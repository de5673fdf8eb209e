"""``/spotkanie_odbyte SLUG`` (``/briefing``): a moderator marks a deliberative poll's briefing as held.

Round 2 of a deliberative poll (the same questions after the briefing) opens at the definition's ``briefing_at``
or when a moderator says the briefing was held, whichever comes first (:meth:`ProcessService.hold_briefing`).
Before that a round-2 answer is refused in every channel. Like every state-changing command, a command naming no
process asks to confirm the remembered one first.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.args import confirm_remembered, take_named_process
from bot.commands.base import Invocation
from bot.replies import Reply

__all__ = ["cmd_briefing"]


def cmd_briefing(inv: Invocation) -> Sequence[Reply]:
    """Open round 2 of a deliberative poll now: its briefing has been held."""
    slug, _, named = take_named_process(inv, more=False)
    assert slug is not None
    if not named:
        return [confirm_remembered(inv, slug, "")]
    info, already = inv.services.processes.hold_briefing(slug, actor_id=inv.caller.person_id)
    key = "briefing.already" if already else "briefing.held"
    return [Reply(inv.t(key, title=info.title(inv.t.language), slug=slug, when=info.definition.briefing_at))]
