"""Who took part in a consultation: its authors, counted as people, by channel and by kind.

One rule for every place that shows a consultation's turnout (the summary, ``/wyniki``, the page, the report):

- a person counts once, however many remarks they sent, on the channel of their first remark, so that the
  channels add up to the total;
- every remark counts except a withdrawn one: a remark rejected in moderation or not yet reviewed still shows
  that its author took part, a withdrawn one was taken back by its author (as a withdrawn ballot is);
- the kind is ``"ngo"`` when the process's roster gives an organisation for one of the person's identities,
  otherwise ``"resident"``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.domain import ModerationStatus
from bot.services.eligibility import roster_match
from storage.models import Identity, Opinion, RosterEntry

__all__ = ["AUTHOR_KINDS", "AuthorTurnout", "author_organisations", "consultation_authors"]

AUTHOR_KINDS = ("ngo", "resident")


@dataclass(frozen=True)
class AuthorTurnout:
    """A consultation's authors: how many, by the channel of their first remark and by kind."""

    people: int
    by_channel: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)


def author_organisations(session: Session, process_id: int, people: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """Each person's roster rows on the process as ``(organisation, name)`` pairs (empty strings when absent).

    One query for all of them: a report may hold thousands of authors."""
    wanted = set(people)
    if not wanted:
        return {}
    roster, identity = RosterEntry.__table__, Identity.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        sa_select(identity.c.person_id, roster.c.organisation, roster.c.name)
        .join(identity, roster_match(roster, identity))
        .where(roster.c.process_id == process_id, identity.c.person_id.in_(wanted))
    ).all()
    found: dict[int, list[tuple[str, str]]] = {}
    for person_id, organisation, name in rows:
        found.setdefault(int(person_id), []).append((organisation or "", name or ""))
    return found


def consultation_authors(session: Session, process_id: int) -> AuthorTurnout:
    """The authors of the process's remarks (module docstring for what counts)."""
    first_channel: dict[int, str] = {}
    for person_id, channel in session.exec(
        select(Opinion.person_id, Opinion.channel)
        .where(
            Opinion.process_id == process_id,
            col(Opinion.person_id).is_not(None),
            Opinion.status != ModerationStatus.WITHDRAWN,
        )
        .order_by(col(Opinion.created_at), col(Opinion.id))
    ).all():
        if person_id is not None and person_id not in first_channel:
            first_channel[person_id] = str(channel)
    rosters = author_organisations(session, process_id, first_channel)
    kinds = Counter(
        "ngo" if any(organisation for organisation, _ in rosters.get(person, [])) else "resident"
        for person in first_channel
    )
    return AuthorTurnout(
        people=len(first_channel),
        by_channel=dict(sorted(Counter(first_channel.values()).items())),
        by_kind={kind: kinds[kind] for kind in AUTHOR_KINDS if kinds[kind]},
    )
