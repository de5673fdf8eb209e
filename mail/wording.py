"""The replies of a reply's commands worded for e-mail: one batched confirmation instead of chat messages.

A command answers as it answers in chat (:class:`~bot.replies.Reply`); a reply that states a decision carries
the message it was worded from (:class:`~bot.replies.Said`). E-mail words that message its own way when the
catalogues hold ``mail.<message id>`` — "vote: …" in a list of what was recorded, "add the line ‘district: NAME’"
where chat says ``/district SLUG NAME`` — and uses the chat text otherwise. Views a command adds (the process
described again after a district) are left out: the confirmation lists decisions, the invitation shows the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.i18n import Translator
from bot.replies import Reply
from bot.text import clean_text

__all__ = ["RECORDED", "Confirmation", "short"]

# the e-mail wordings of the decisions a reply's commands state (mail.sent recognises them quoted back)
RECORDED = (
    "mail.vote.accepted",
    "mail.vote.changed",
    "mail.opinion.accepted",
    "mail.opinion.accepted_section",
    "mail.opinion.accepted_unit",
    "mail.district.set",
    "mail.district.set_plain",
    "mail.code.accepted",
    "mail.verify.done.register",
    "mail.verify.done.pesel",
    "mail.scheduler.optout.process",
)
SHOWN = 300  # characters of a member's text quoted back in a confirmation


def short(text: str) -> str:
    """The member's text as quoted back in a confirmation: one line, no control characters, at most 300."""
    flat = " ".join(clean_text(text).split())
    return flat if len(flat) <= SHOWN else flat[: SHOWN - 1] + "…"


def _worded(t: Translator, reply: Reply, text: str) -> str:
    """``reply`` as e-mail says it: its message's e-mail wording when there is one, else its text."""
    if reply.said is not None:
        key = f"mail.{reply.said.key}"
        if t.knows(key):
            # an item of the confirmation's list is one line: a value written over several is joined with "; "
            params = {
                name: "; ".join(value.splitlines()) if isinstance(value, str) else value
                for name, value in reply.said.params.items()
            }
            return t(key, **{**params, "text": short(text)})
    return reply.text


@dataclass
class Confirmation:
    """What a reply's commands decided, gathered for the confirmation template: the lines ``recorded``, the
    ``problems`` (each quoting the member's line and saying why), and the vote's ``receipt``."""

    t: Translator
    recorded: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    receipt: str = ""

    def add(self, replies: Sequence[Reply], *, quoted: str, text: str = "") -> None:
        """The replies of one command run for the line ``quoted`` (``text``: the member's words it repeats)."""
        refused = [reply for reply in replies if reply.refused]
        if refused:
            for reply in refused:
                reason = _worded(self.t, reply, text)
                self.problems.append(self.t("mail.confirm.problem", fragment=short(quoted), reason=reason))
            return
        decisions = [reply for reply in replies if reply.said is not None] or list(replies[:1])
        for reply in decisions:
            self.recorded.append(_worded(self.t, reply, text))
            receipt = reply.said.params.get("receipt") if reply.said is not None else None
            if receipt:
                self.receipt = str(receipt)
