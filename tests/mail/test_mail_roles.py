"""E-mail has no command line: a roster member (an NGO member) writing moderator commands in a reply changes
nothing a moderator could, and a stranger's mail is refused without a word about any member."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.commands.registry import build_table
from bot.domain import Channel, Phase
from storage.models import AuditEntry, Role


def _audit_actions(mailroom: Any) -> list[str]:
    with mailroom.services.context.transaction() as session:
        return [entry.action for entry in session.exec(select(AuditEntry)).all()]


def test_moderator_commands_in_a_members_reply_are_never_run(mailroom: Any) -> None:
    lines = [f"/{name} walne-2027 1" for c in build_table() if c.role is not None for name in c.names]
    lines += ["/nadaj_role jan.kowalski@example.pl admin", "/odbierz_role jan.kowalski@example.pl admin"]
    before = _audit_actions(mailroom)
    outcome = mailroom.processor.process(mailroom.reply("\n".join(lines)))
    assert outcome.kind in {"accepted", "not_understood"} and outcome.folder == "processed"
    services = mailroom.services
    assert services.processes.get("walne-2027").phase is Phase.OPEN
    with services.context.transaction() as session:
        assert session.exec(select(Role)).all() == []
    new = _audit_actions(mailroom)[len(before) :]
    assert not [action for action in new if action.startswith(("process.", "role.", "command."))], new
    member = services.people.find(Channel.EMAIL, "jan.kowalski@example.pl")
    assert member is not None and not member.roles


def test_a_stranger_writing_commands_is_refused(mailroom: Any) -> None:
    # Even with a member's reply address (a forwarded invitation), the sender must be that member.
    stolen = mailroom.addressing.reply_to(mailroom.token("walne-2027", "jan.kowalski@example.pl"))
    body = "/zamknij walne-2027\n/nadaj_role obcy@example.com admin"
    raw = mailroom.reply(body, sender="obcy@example.com", to=stolen)
    outcome = mailroom.processor.process(raw)
    assert (outcome.kind, outcome.folder) == ("refused", "ignored")
    assert mailroom.services.processes.get("walne-2027").phase is Phase.OPEN
    assert mailroom.services.people.find(Channel.EMAIL, "obcy@example.com") is None
