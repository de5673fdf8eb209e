"""Who a message goes to and on which channel: a person's preferred channel, the moderators.

A person may have several identities; the scheduler writes on Telegram when they have a Telegram identity,
else by e-mail (channels the bot cannot write to on its own — the console, the web — are never chosen).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import CompoundSelect

from bot.domain import Channel, RoleName
from bot.services.eligibility import roster_match
from storage.models import (
    Eligibility,
    Identity,
    Organisation,
    Person,
    ProcessOrganisation,
    ReminderOptOut,
    Role,
    RosterEntry,
)

__all__ = [
    "DELIVERABLE",
    "Recipient",
    "eligible_people",
    "moderators",
    "organisation_moderators",
    "preferred",
    "reachable",
    "recipients_of",
]

DELIVERABLE = (Channel.TELEGRAM, Channel.EMAIL)
"""The channels with a sender, in order of preference."""

_RANK = {channel.value: index for index, channel in enumerate(DELIVERABLE)}
_ELIGIBILITY = Eligibility.__table__  # type: ignore[attr-defined]
_IDENTITY = Identity.__table__  # type: ignore[attr-defined]
_OPT_OUT = ReminderOptOut.__table__  # type: ignore[attr-defined]
_PERSON = Person.__table__  # type: ignore[attr-defined]
_ROLE = Role.__table__  # type: ignore[attr-defined]
_ORGANISATION = Organisation.__table__  # type: ignore[attr-defined]
_RUNS = ProcessOrganisation.__table__  # type: ignore[attr-defined]
_ROSTER = RosterEntry.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Recipient:
    """One person reachable on ``channel`` at ``address``, who reads ``language``."""

    person_id: int
    language: str
    channel: Channel
    address: str


def preferred(rows: Iterable[tuple[int, str, str, str]]) -> Iterator[Recipient]:
    """From (person id, language, channel, address) rows sorted by person id, each person's best identity."""
    best: tuple[int, str, str, str] | None = None
    for row in rows:
        if row[2] not in _RANK:
            continue
        if best is not None and best[0] != row[0]:
            yield Recipient(best[0], best[1], Channel(best[2]), best[3])
            best = None
        if best is None or _RANK[row[2]] < _RANK[best[2]]:
            best = row
    if best is not None:
        yield Recipient(best[0], best[1], Channel(best[2]), best[3])


def recipients_of(connection: Connection, person_ids: Iterable[int]) -> list[Recipient]:
    """The preferred identities of ``person_ids`` (people with none the bot can write to are left out)."""
    wanted = sorted(set(person_ids))
    found: list[Recipient] = []
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        rows = connection.execute(
            select(_IDENTITY.c.person_id, _PERSON.c.language, _IDENTITY.c.channel, _IDENTITY.c.address)
            .join(_PERSON, _PERSON.c.id == _IDENTITY.c.person_id)
            .where(
                _IDENTITY.c.person_id.in_(chunk),
                _IDENTITY.c.channel.in_([channel.value for channel in DELIVERABLE]),
                _PERSON.c.erased_at.is_(None),
            )
            .order_by(_IDENTITY.c.person_id)
        ).all()
        found.extend(preferred((row[0], row[1], row[2], row[3]) for row in rows))
    return found


def eligible_people(process_id: int) -> tuple[Select[tuple[int]], Select[tuple[int]]]:
    """The person ids eligible for the process, as two selects to ``union``: an eligibility grant, or a roster
    entry matching one of their identities."""
    return (
        select(_ELIGIBILITY.c.person_id).where(_ELIGIBILITY.c.process_id == process_id),
        select(_IDENTITY.c.person_id)
        .join(_ROSTER, roster_match(_ROSTER, _IDENTITY))
        .where(_ROSTER.c.process_id == process_id),
    )


def reachable(
    connection: Connection,
    process_id: int,
    people: CompoundSelect[tuple[int]],
    *excluded: ColumnElement[bool],
) -> list[Recipient]:
    """Of the person ids ``people`` selects, those the bot may write to about the process, on their preferred
    channel: not erased, not opted out (at all or of this process), and not matching any of ``excluded`` (an
    ``exists()`` correlated on the person, e.g. "took part")."""
    concerned = people.subquery()
    opted_out = exists().where(_OPT_OUT.c.process_id == process_id, _OPT_OUT.c.person_id == _PERSON.c.id)
    rows = connection.execute(
        select(_PERSON.c.id, _PERSON.c.language, _IDENTITY.c.channel, _IDENTITY.c.address)
        .join(concerned, concerned.c.person_id == _PERSON.c.id)
        .join(_IDENTITY, _IDENTITY.c.person_id == _PERSON.c.id)
        .where(
            _PERSON.c.reminders_opt_out == false(),
            _PERSON.c.erased_at.is_(None),
            _IDENTITY.c.channel.in_([channel.value for channel in DELIVERABLE]),
            ~opted_out,
            *(~condition for condition in excluded),
        )
        .order_by(_PERSON.c.id)
    )
    return list(preferred((row[0], row[1], row[2], row[3]) for row in rows))


def moderators(connection: Connection, process_id: int | None = None) -> list[Recipient]:
    """Global moderators and admins, and with ``process_id`` also the moderators of that process and of the
    organisation that runs it, on their preferred channels. A moderator of some organisations only is never told
    about the whole deployment (the digest gives them their organisations' part: :func:`organisation_moderators`).
    """
    scope = and_(_ROLE.c.process_id.is_(None), _ROLE.c.organisation_id.is_(None))
    if process_id is not None:
        runs = select(_RUNS.c.organisation_id).where(_RUNS.c.process_id == process_id).scalar_subquery()
        scope = or_(scope, _ROLE.c.process_id == process_id, _ROLE.c.organisation_id == runs)
    people = connection.execute(
        select(_ROLE.c.person_id).where(_ROLE.c.role.in_([RoleName.MODERATOR.value, RoleName.ADMIN.value]), scope)
    ).scalars()
    return recipients_of(connection, people)


def organisation_moderators(connection: Connection) -> dict[int, frozenset[str]]:
    """The moderators of some organisations only (not global ones, nor admins): person id → the slugs of the
    organisations they moderate."""
    global_ = select(_ROLE.c.person_id).where(_ROLE.c.process_id.is_(None), _ROLE.c.organisation_id.is_(None))
    rows = connection.execute(
        select(_ROLE.c.person_id, _ORGANISATION.c.slug)
        .join(_ORGANISATION, _ORGANISATION.c.id == _ROLE.c.organisation_id)
        .where(_ROLE.c.role == RoleName.MODERATOR.value, _ROLE.c.person_id.not_in(global_))
    ).all()
    found: dict[int, set[str]] = {}
    for person_id, slug in rows:
        found.setdefault(person_id, set()).add(slug)
    return {person_id: frozenset(slugs) for person_id, slugs in found.items()}
