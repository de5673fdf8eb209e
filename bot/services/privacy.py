"""A person's own data: export on request (``/moje_dane``) and erasure (``/usun_dane``).

Erasure forgets the person and keeps the counts: the person row stays as an anonymous stub (so participation
and turnout figures do not change and accepted ballots stay counted), while the name, every identity (Telegram
id, e-mail address …), roles, dialogue state, reply tokens, reminder preferences and unsent messages are
deleted, and their opinions are unlinked from them (the text stays in the consultation record). Ballots never
named the person in the first place. Both actions are audited.

Erasure never buys a second ballot: before the identities go, each one leaves a keyed tombstone per process the
person took part in (:mod:`bot.services.tombstones`), so the same account or address coming back as a new person
replaces the ballot it left instead of adding one.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, delete, select, update

from bot.errors import NotFound
from bot.services import tombstones
from bot.services.context import ServiceContext, strip_meta
from bot.services.sealing import open_ballot
from bot.services.verification import VerificationService
from storage.models import (
    Ballot,
    DialogueState,
    Eligibility,
    Identity,
    Item,
    MailToken,
    Opinion,
    OutboxMessage,
    Participation,
    Person,
    Process,
    ReminderOptOut,
    Role,
)

__all__ = ["PrivacyService"]


class PrivacyService:
    """Exports and erases one person's data."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def export(self, person_id: int) -> dict[str, Any]:
        """Everything the store holds about the person, as JSON-ready data (their own ballots included)."""
        with self.ctx.read_session() as session:
            person = session.get(Person, person_id)
            if person is None or person.erased_at is not None:
                raise NotFound("person.not_found")
            slugs = {process.id: process.slug for process in session.exec(select(Process)).all()}
            sections = {item.id: item.number or item.key for item in session.exec(select(Item)).all()}
            participations = session.exec(select(Participation).where(Participation.person_id == person_id)).all()
            ballots = []
            for record in participations:
                key = VerificationService(self.ctx).key_of(session.connection(), record.process_id, person_id)
                current = session.exec(
                    select(Ballot).where(
                        Ballot.process_id == record.process_id,
                        Ballot.ballot_key == key,
                        Ballot.round == record.round,
                        col(Ballot.is_current).is_(True),
                    )
                ).first()
                if current is not None and not current.withdrawn:
                    ballots.append(
                        {
                            "process": slugs.get(record.process_id),
                            "round": record.round,
                            "ballot": strip_meta(open_ballot(self.ctx.secret, current.content)),
                        }
                    )
            return {
                "person": {
                    "display_name": person.display_name,
                    "language": person.language,
                    "created_at": person.created_at.isoformat(),
                    "reminders_opt_out": person.reminders_opt_out,
                },
                "identities": [
                    {"channel": identity.channel.value, "address": identity.address}
                    for identity in session.exec(select(Identity).where(Identity.person_id == person_id)).all()
                ],
                "roles": [
                    {"role": role.role.value, "process": slugs.get(role.process_id) if role.process_id else None}
                    for role in session.exec(select(Role).where(Role.person_id == person_id)).all()
                ],
                "eligibility": [
                    {"process": slugs.get(row.process_id), "district": row.district, "source": row.source.value}
                    for row in session.exec(select(Eligibility).where(Eligibility.person_id == person_id)).all()
                ],
                "participation": [
                    {
                        "process": slugs.get(row.process_id),
                        "round": row.round,
                        "channel": row.channel.value,
                        "first_at": row.first_at.isoformat(),
                        "last_at": row.last_at.isoformat(),
                        "withdrawn": row.withdrawn,
                    }
                    for row in participations
                ],
                "ballots": ballots,
                "opinions": [
                    {
                        "process": slugs.get(row.process_id),
                        "section": sections.get(row.item_id),
                        "text": row.text,
                        "created_at": row.created_at.isoformat(),
                        "status": row.status.value,
                        "response": row.response_text,
                    }
                    for row in session.exec(select(Opinion).where(Opinion.person_id == person_id)).all()
                ],
            }

    def erase(self, person_id: int, *, actor: str = "privacy") -> None:
        """Forget the person (see the module docstring); accepted ballots and turnout stay as they were.

        ``actor`` names who asked in the audit log: ``privacy`` (the person themselves) or ``cli`` (an operator
        acting on a written request).
        """
        now = self.ctx.clock.now()
        with self.ctx.transaction() as session:
            person = session.get(Person, person_id)
            if person is None or person.erased_at is not None:
                raise NotFound("person.not_found")
            tombstones.bury(session.connection(), self.ctx.secret, person_id)
            for table in (Identity, Role, DialogueState, MailToken, ReminderOptOut):
                session.exec(delete(table).where(col(table.person_id) == person_id))
            session.exec(
                delete(OutboxMessage).where(
                    col(OutboxMessage.person_id) == person_id, col(OutboxMessage.sent_at).is_(None)
                )
            )
            # Sent messages stay as the record that they were sent (their keys stop repeats) but lose the address
            # and the content.
            session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.person_id) == person_id)
                .values(address="", payload={}, person_id=None)
            )
            for opinion in session.exec(select(Opinion).where(Opinion.person_id == person_id)).all():
                opinion.person_id = None
                session.add(opinion)
            person.display_name = None
            person.erased_at = now
            session.add(person)
            self.ctx.audit(session, "person.erase", actor_person_id=None, actor=actor, person_id=person_id)
