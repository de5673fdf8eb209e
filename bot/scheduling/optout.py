""" "Do not remind me": for one process, or for all (``Person.reminders_opt_out``). Audited; idempotent."""

from __future__ import annotations

from sqlalchemy import update

from bot.services import Services
from bot.services.sql import insert_ignore
from storage.models import Person, ReminderOptOut

__all__ = ["stop_reminders"]

_OPT_OUT = ReminderOptOut.__table__  # type: ignore[attr-defined]
_PERSON = Person.__table__  # type: ignore[attr-defined]


def stop_reminders(services: Services, person_id: int, slug: str | None = None) -> None:
    """No more reminders to ``person_id``: about the process ``slug``, or about any process when it is None.

    A reminder already queued for sending is not recalled; the next slots are not queued.
    """
    ctx = services.context
    process_id = services.processes.get(slug).id if slug is not None else None
    with ctx.connection() as connection:
        if process_id is None:
            connection.execute(update(_PERSON).where(_PERSON.c.id == person_id).values(reminders_opt_out=True))
        else:
            insert_ignore(
                connection,
                _OPT_OUT,
                {"person_id": person_id, "process_id": process_id, "created_at": ctx.clock.now()},
                ("person_id", "process_id"),
            )
    with ctx.transaction() as session:
        ctx.audit(session, "reminders.opt_out", actor_person_id=person_id, process_id=process_id)
