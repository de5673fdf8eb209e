"""Who may take part: anyone, a roster, invite-code holders, or residents who declare a district.

The decision is taken here once for every channel. An :class:`storage.models.Eligibility` row records that a
person is eligible (and their district); it is created on first participation in open processes, when a
roster address matches one of the person's identities, when an invite code is redeemed, or when a district is
declared. A declared district can be changed only until the person has voted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, literal
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from bot.definition import LocalizedText, ProcessDefinition
from bot.domain import Channel, EligibilityMode, Phase
from bot.errors import InputError, NotEligible, NotFound, WrongPhase
from bot.services.context import STATE_COLUMNS, ProcessState, ServiceContext
from bot.services.people import normalise_address
from bot.services.sql import insert_ignore
from storage.models import Eligibility, Identity, InviteCode, Participation, Process, RosterEntry

__all__ = ["CODE_ALPHABET", "EligibilityRecord", "EligibilityService", "RosterRow", "hash_code", "roster_match"]

_ELIGIBILITY = Eligibility.__table__  # type: ignore[attr-defined]
_RECORD_QUERY = select(_ELIGIBILITY.c.district, _ELIGIBILITY.c.source).where(
    _ELIGIBILITY.c.process_id == bindparam("process"), _ELIGIBILITY.c.person_id == bindparam("person")
)
_STATE_AND_RECORD_QUERY = (
    select(*STATE_COLUMNS, _ELIGIBILITY.c.district, _ELIGIBILITY.c.source)  # type: ignore[call-overload]
    .select_from(Process)
    .outerjoin(
        _ELIGIBILITY,
        (_ELIGIBILITY.c.process_id == Process.id) & (_ELIGIBILITY.c.person_id == bindparam("person")),
    )
    .where(Process.slug == bindparam("slug"))
)
_ROSTER = RosterEntry.__table__  # type: ignore[attr-defined]
_IDENTITY = Identity.__table__  # type: ignore[attr-defined]


def roster_match(roster: Any, identity: Any) -> ColumnElement[bool]:
    """The join of a roster entry and an identity: the same address on the same channel, or, for a roster that
    names a Telegram ``@username``, the account last seen with that username (``identity.username``)."""
    return (identity.c.channel == roster.c.channel) & (
        (identity.c.address == roster.c.address) | (roster.c.address == literal("@") + identity.c.username)
    )


_ROSTER_QUERY = (
    select(_ROSTER.c.id, _ROSTER.c.district)
    .join(_IDENTITY, roster_match(_ROSTER, _IDENTITY))
    .where(_ROSTER.c.process_id == bindparam("process"), _IDENTITY.c.person_id == bindparam("person"))
    .order_by(_ROSTER.c.district.is_(None), _ROSTER.c.id)  # a line naming the area first
    .limit(1)
)

# Crockford-like alphabet without look-alikes (0/O, 1/I/L): codes are read off paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 31**10 ≈ 8·10^14 codes: unguessable by trying


def hash_code(code: str, secret: bytes) -> str:
    """The stored form of an invite code: an HMAC under the secret key, which never enters the store.

    A code has about 50 bits; a plain hash of it could be reversed by trying every code against a copy of the
    database. Keyed, the copy alone is not enough.
    """
    normalised = code.replace("-", "").replace(" ", "").upper()
    return hmac.new(secret, b"invite-code:" + normalised.encode(), hashlib.sha256).hexdigest()


def area_names(definition: ProcessDefinition) -> tuple[LocalizedText, ...]:
    """The districts (or municipalities) to choose from, as names a message shows in its reader's language."""
    names = definition.eligibility.district_names
    return tuple(names.get(key) or LocalizedText(pl=key) for key in definition.eligibility.districts)


@dataclass(frozen=True)
class EligibilityRecord:
    """That a person may take part, why, and their declared district (if any)."""

    district: str | None
    source: EligibilityMode


@dataclass(frozen=True)
class RosterRow:
    """One roster line: an address on a channel, with an optional name, organisation and area (``district``: a
    key or a name of one of the process's areas — an NGO's municipality)."""

    channel: Channel
    address: str
    name: str | None = None
    organisation: str | None = None
    district: str | None = None


class EligibilityService:
    """Checks and grants eligibility."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def require(
        self,
        connection: Connection,
        process: ProcessState,
        person_id: int,
        *,
        known: EligibilityRecord | None = None,
    ) -> EligibilityRecord:
        """The person's eligibility, granted where the mode allows it; :class:`NotEligible` otherwise.

        ``known`` is the record when the caller has already read it (casting reads it with the process state).
        """
        found = known or self._record(connection, process.id, person_id)
        if found is not None:
            return found
        definition = self.ctx.definition_of(connection, process)
        mode = definition.eligibility.mode
        on_roster = None if mode is EligibilityMode.OPEN else self._roster_line(connection, process.id, person_id)
        # A roster line that names the area (an NGO's municipality) makes its member eligible there in a process of
        # declared districts too: the federation's roster says which municipality an NGO rates, nobody asks.
        from_roster = on_roster is not None and (
            mode is EligibilityMode.ROSTER or (mode is EligibilityMode.DECLARED_DISTRICT and on_roster[1] is not None)
        )
        if mode is EligibilityMode.OPEN or from_roster:
            district = on_roster[1] if on_roster is not None else None
            source = EligibilityMode.ROSTER if from_roster else mode
            insert_ignore(
                connection,
                _ELIGIBILITY,
                {
                    "process_id": process.id,
                    "person_id": person_id,
                    "district": district,
                    "source": source.value,
                    "granted_at": self.ctx.clock.now(),
                },
                ("process_id", "person_id"),
            )
            # A row a concurrent request wrote came from the same roster line (or carries no district): the same.
            return EligibilityRecord(district, source)
        key = {
            EligibilityMode.ROSTER: "eligibility.not_on_roster",
            EligibilityMode.INVITE_CODE: "eligibility.need_code",
            EligibilityMode.DECLARED_DISTRICT: "eligibility.need_" + definition.eligibility.area,
        }[mode]
        raise NotEligible(key, slug=process.slug, title=definition.title, districts=area_names(definition))

    @staticmethod
    def _record(connection: Connection, process_id: int, person_id: int) -> EligibilityRecord | None:
        row = connection.execute(_RECORD_QUERY, {"process": process_id, "person": person_id}).first()
        return None if row is None else EligibilityRecord(row[0], EligibilityMode(row[1]))

    def state_and_record(
        self, connection: Connection, slug: str, person_id: int
    ) -> tuple[ProcessState, EligibilityRecord | None]:
        """The process state and the person's eligibility record (if any) in one query — the voting hot path."""
        row = connection.execute(_STATE_AND_RECORD_QUERY, {"slug": slug.strip().lower(), "person": person_id}).first()
        if row is None:
            raise NotFound("process.not_found", slug=slug)
        state = ProcessState(row[0], row[1], Phase(row[2]), row[3], row[4], bool(row[5]), row[6])
        return state, None if row[8] is None else EligibilityRecord(row[7], EligibilityMode(row[8]))

    def roster_members(self, process_id: int, channel: Channel) -> list[tuple[str, str | None]]:
        """The roster of a process on ``channel``: (address, name) in the order they were added."""
        return [(address, name) for address, name, _ in self.roster_lines(process_id, channel)]

    def roster_lines(self, process_id: int, channel: Channel) -> list[tuple[str, str | None, str | None]]:
        """The roster of a process on ``channel``: (address, name, area) in the order they were added."""
        with self.ctx.reading() as connection:
            rows = connection.execute(
                select(_ROSTER.c.address, _ROSTER.c.name, _ROSTER.c.district)
                .where(_ROSTER.c.process_id == process_id, _ROSTER.c.channel == channel.value)
                .order_by(_ROSTER.c.id)
            ).all()
        return [(row[0], row[1], row[2]) for row in rows]

    def check(self, slug: str, person_id: int) -> EligibilityRecord:
        """Like :meth:`require`, in its own transaction.

        A person already recorded as eligible is answered from a read (no write lock on SQLite); only the first
        check of an open or roster process, which may record them, writes.
        """
        with self.ctx.reading() as connection:
            _, recorded = self.state_and_record(connection, slug, person_id)
        if recorded is not None:
            return recorded
        with self.ctx.connection() as connection:
            return self.require(connection, self.ctx.state(connection, slug), person_id)

    def declare_district(self, slug: str, person_id: int, district: str) -> str:
        """Record the person's district for a ``declared_district`` process; returns the district key."""
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug)
            definition = self.ctx.definition(process)
            assert process.id is not None
            self._require_not_finished(process)
            district = self._match_district(definition, district)
            if definition.eligibility.mode is not EligibilityMode.DECLARED_DISTRICT:
                raise InputError("eligibility.no_districts", slug=process.slug)
            record = session.exec(
                select(Eligibility).where(Eligibility.process_id == process.id, Eligibility.person_id == person_id)
            ).first()
            if record is None:
                self._grant(session, process.id, person_id, district, EligibilityMode.DECLARED_DISTRICT)
            elif record.district != district:
                voted = session.exec(
                    select(Participation).where(
                        Participation.process_id == process.id,
                        Participation.person_id == person_id,
                        col(Participation.withdrawn).is_(False),
                    )
                ).first()
                if voted is not None:
                    held = record.district or ""
                    name = definition.eligibility.district_names.get(held) or held  # the name, in the reader's words
                    raise InputError("eligibility.district_locked", district=name)
                record.district = district
                session.add(record)
            return district

    def redeem_code(self, slug: str, person_id: int, code: str) -> None:
        """Make the person eligible with an unused invite code of this process."""
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug)
            assert process.id is not None
            self._require_not_finished(process)
            existing = session.exec(
                select(Eligibility).where(Eligibility.process_id == process.id, Eligibility.person_id == person_id)
            ).first()
            if existing is not None:
                return
            invite = session.exec(
                select(InviteCode)
                .where(InviteCode.process_id == process.id, InviteCode.code_hash == hash_code(code, self.ctx.secret))
                .with_for_update()
            ).first()
            if invite is None or invite.used_by is not None:
                self.ctx.audit(session, "eligibility.bad_code", actor_person_id=person_id, process_id=process.id)
                raise NotEligible("eligibility.bad_code")
            invite.used_by = person_id
            invite.used_at = self.ctx.clock.now()
            session.add(invite)
            self._grant(session, process.id, person_id, None, EligibilityMode.INVITE_CODE)

    def issue_codes(self, slug: str, count: int, *, batch: str = "", actor_id: int | None = None) -> list[str]:
        """Create ``count`` fresh invite codes (``XXXXX-XXXXX``); only their hashes are stored."""
        if not 1 <= count <= 10_000:
            raise InputError("codes.bad_count", max=10_000)
        codes = []
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug)
            assert process.id is not None
            now = self.ctx.clock.now()
            for _ in range(count):
                raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                code = f"{raw[:5]}-{raw[5:]}"
                codes.append(code)
                stored = hash_code(code, self.ctx.secret)
                session.add(InviteCode(process_id=process.id, code_hash=stored, batch=batch, created_at=now))
            self.ctx.audit(session, "codes.issue", actor_person_id=actor_id, process_id=process.id, count=count)
        return codes

    def import_roster(self, slug: str, rows: Iterable[RosterRow], *, actor_id: int | None = None) -> int:
        """Add roster entries (duplicates ignored); returns how many were new."""
        added = 0
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug)
            assert process.id is not None
            known = {
                (entry.channel, entry.address)
                for entry in session.exec(select(RosterEntry).where(RosterEntry.process_id == process.id)).all()
            }
            definition = self.ctx.definition(process)
            for row in rows:
                address = normalise_address(row.channel, row.address)
                if not address or (row.channel, address) in known:
                    continue
                known.add((row.channel, address))
                # the area as the process's key (a name or any case is accepted); one it does not know is refused
                district = self._match_district(definition, row.district) if row.district else None
                session.add(
                    RosterEntry(
                        process_id=process.id,
                        channel=row.channel,
                        address=address,
                        name=row.name,
                        organisation=row.organisation,
                        district=district,
                    )
                )
                added += 1
            self.ctx.audit(session, "roster.import", actor_person_id=actor_id, process_id=process.id, added=added)
        return added

    @staticmethod
    def _roster_line(connection: Connection, process_id: int, person_id: int) -> tuple[int, str | None] | None:
        """The person's roster line in the process (one naming an area first): (id, area), or None."""
        row = connection.execute(_ROSTER_QUERY, {"process": process_id, "person": person_id}).first()
        return None if row is None else (int(row[0]), row[1])

    def _grant(
        self, session: Session, process_id: int, person_id: int, district: str | None, source: EligibilityMode
    ) -> None:
        # A concurrent request may have granted it a moment ago; theirs stands.
        insert_ignore(
            session.connection(),
            _ELIGIBILITY,
            {
                "process_id": process_id,
                "person_id": person_id,
                "district": district,
                "source": source.value,
                "granted_at": self.ctx.clock.now(),
            },
            ("process_id", "person_id"),
        )

    @staticmethod
    def _match_district(definition: ProcessDefinition, given: str) -> str:
        wanted = _fold(given)
        for key in definition.eligibility.districts:
            names = [key]
            if key in definition.eligibility.district_names:
                text = definition.eligibility.district_names[key]
                names += [text.pl, text.en or "", text.uk or ""]
            if any(_fold(name) == wanted for name in names if name):
                return key
        raise InputError(
            "eligibility.unknown_" + definition.eligibility.area,
            district=given,
            districts=area_names(definition),
        )

    @staticmethod
    def _require_not_finished(process: Process) -> None:
        if process.phase in (Phase.CLOSED, Phase.PUBLISHED):
            raise WrongPhase("vote.closed", slug=process.slug)


def _fold(text: str) -> str:
    """Compare names without case and Polish diacritics (Wesoła = wesola)."""
    import unicodedata

    text = text.strip().lower().replace("ł", "l")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
