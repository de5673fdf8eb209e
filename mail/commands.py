"""A reply's understood lines as commands of the one command table — the e-mail edge's whole translation.

:func:`mail_commands` turns a :class:`~mail.interpret.ReplyPlan` into the command lines chat would type after
the process's name (an e-mail reply is about the process its token belongs to; the processor hands it to each
command as already named, :attr:`bot.commands.base.Invocation.process`): a district or municipality line is
``/dzielnica SLUG NAME``, a code ``/kod SLUG CODE``, a resident line ``/mieszkaniec SLUG …``, the ballot
``/glosuj SLUG [runda N] BALLOT``, each ``§N:`` comment and the opinion ``/opinia SLUG …``, a withdrawal
``/wycofaj_uwage SLUG N``, STOP ``/nie_przypominaj SLUG``, and last an erasure line ``/usun_dane``
(``/usun_dane TAK`` when confirmed). The processor runs them in this order through
:func:`bot.commands.dispatch.invoke`, so parsing, eligibility, rounds and what a ballot is are decided where
chat decides them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.documents.citation import remark_on, shown_citation
from bot.i18n import Translator
from mail.interpret import ReplyPlan

__all__ = ["MailCommand", "mail_commands"]


@dataclass(frozen=True)
class MailCommand:
    """One command of a reply: ``name`` and ``args`` as typed in chat after the slash and the process's name;
    ``quoted``, the member's line as a refusal quotes it back (a fixed label for a code or a resident's data,
    which are never quoted); ``text``, the member's own words a confirmation repeats (an opinion's, a
    comment's)."""

    name: str
    args: str
    quoted: str
    text: str = ""


def mail_commands(plan: ReplyPlan, t: Translator) -> list[MailCommand]:
    """The commands ``plan`` asks for, in the order they must run: who may vote before the vote."""
    commands: list[MailCommand] = []
    if plan.resident:
        commands.append(MailCommand("mieszkaniec", plan.resident, t("mail.confirm.resident_line")))
    if plan.area:
        commands.append(MailCommand("dzielnica", plan.area, plan.area))
    if plan.code:
        commands.append(MailCommand("kod", plan.code, t("mail.confirm.code_line")))
    if plan.ballot:
        ballot = f"runda {plan.round} {plan.ballot}" if plan.round else plan.ballot
        commands.append(MailCommand("glosuj", ballot, plan.ballot))
    for section, text in plan.comments:
        quoted = f"{shown_citation(section)}: {text}"
        commands.append(MailCommand("opinia", remark_on(section, text), quoted, text))
    for number in plan.withdraw:  # the process named: a reply withdraws only its own process's remarks
        commands.append(MailCommand("wycofaj_uwage", str(number), t("mail.confirm.withdraw_line", id=number)))
    if plan.opinion:
        commands.append(MailCommand("opinia", plan.opinion, plan.opinion, plan.opinion))
    if plan.stop:
        commands.append(MailCommand("nie_przypominaj", "", "STOP"))
    if plan.erase:  # last: nothing of the reply is done for a person who is no longer there
        confirmed = plan.erase == "confirm"
        commands.append(MailCommand("usun_dane", "TAK" if confirmed else "", t("mail.confirm.erase_line")))
    return commands
