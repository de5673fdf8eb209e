"""Who may take part: anyone, a roster, invite-code holders, or residents who declare a district.

The decision is taken here once for every channel. An :class:`storage.models.Eligibility` row records that a
person is eligible (and their district); it is created on first participation in open processes, when a
roster address matches one of the person's identities, when an invite code is redeemed, or when a district is
declared. A declared district can be changed only until the person has voted.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.definition import ProcessDefinition
from bot.domain import Channel, EligibilityMode, Phase
from bot.errors import InputError, NotEligible, WrongPhase
from bot.services.context import ServiceContext
from bot.services.people import normalise_address
from storage.models import Eligibility, Identity, InviteCode, Participation, Process, RosterEntry

__all__ = ["CODE_ALPHABET", "EligibilityService", "RosterRow", "hash_code"]

# Crockford-like alphabet without look-alikes (0/O, 1/I/L): codes are read off paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 31**10 ≈ 8·10^14 codes: unguessable by trying


def hash_code(code: str) -> str:
    """The stored form of an invite code (only the hash is kept)."""
    normalised = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


@dataclass(frozen=True)
class RosterRow:
    """One roster line: an address on a channel, with an optional name and organisation."""

    channel: Channel
    address: str
    name: str | None = None
    organisation: str | None = None


class EligibilityService:
    """Checks and grants eligibility."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def require(self, session: Session, process: Process, person_id: int) -> Eligibility:
        """The person's eligibility record, created where the mode allows; :class:`NotEligible` otherwise."""
        assert process.id is not None
        record = session.exec(
            select(Eligibility).where(Eligibility.process_id == process.id, Eligibility.person_id == person_id)
        ).first()
        if record is not None:
            return record
        definition = self.ctx.definition(process)
        mode = definition.eligibility.mode
        if mode is EligibilityMode.OPEN:
            return self._grant(session, process.id, person_id, None, mode)
        if mode is EligibilityMode.ROSTER and self._on_roster(session, process.id, person_id):
            return self._grant(session, process.id, person_id, None, mode)
        key = {
            EligibilityMode.ROSTER: "eligibility.not_on_roster",
            EligibilityMode.INVITE_CODE: "eligibility.need_code",
            EligibilityMode.DECLARED_DISTRICT: "eligibility.need_district",
        }[mode]
        raise NotEligible(key, slug=process.slug, districts=", ".join(definition.eligibility.districts))

    def check(self, slug: str, person_id: int) -> Eligibility:
        """Like :meth:`require`, in its own transaction."""
        with self.ctx.transaction() as session:
            return self.require(session, self.ctx.process(session, slug), person_id)

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
                    raise InputError("eligibility.district_locked", district=record.district or "")
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
                .where(InviteCode.process_id == process.id, InviteCode.code_hash == hash_code(code))
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
                session.add(InviteCode(process_id=process.id, code_hash=hash_code(code), batch=batch, created_at=now))
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
            for row in rows:
                address = normalise_address(row.channel, row.address)
                if not address or (row.channel, address) in known:
                    continue
                known.add((row.channel, address))
                session.add(
                    RosterEntry(
                        process_id=process.id,
                        channel=row.channel,
                        address=address,
                        name=row.name,
                        organisation=row.organisation,
                    )
                )
                added += 1
            self.ctx.audit(session, "roster.import", actor_person_id=actor_id, process_id=process.id, added=added)
        return added

    def _on_roster(self, session: Session, process_id: int, person_id: int) -> bool:
        identities = session.exec(select(Identity).where(Identity.person_id == person_id)).all()
        for identity in identities:
            match = session.exec(
                select(RosterEntry).where(
                    RosterEntry.process_id == process_id,
                    RosterEntry.channel == identity.channel,
                    RosterEntry.address == identity.address,
                )
            ).first()
            if match is not None:
                return True
        return False

    def _grant(
        self, session: Session, process_id: int, person_id: int, district: str | None, source: EligibilityMode
    ) -> Eligibility:
        record = Eligibility(
            process_id=process_id,
            person_id=person_id,
            district=district,
            source=source,
            granted_at=self.ctx.clock.now(),
        )
        session.add(record)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            # A concurrent request granted it first; theirs stands.
            found = session.exec(
                select(Eligibility).where(Eligibility.process_id == process_id, Eligibility.person_id == person_id)
            ).one()
            return found
        return record

    @staticmethod
    def _match_district(definition: ProcessDefinition, given: str) -> str:
        wanted = _fold(given)
        for key in definition.eligibility.districts:
            names = [key]
            if key in definition.eligibility.district_names:
                text = definition.eligibility.district_names[key]
                names += [text.pl, text.en or ""]
            if any(_fold(name) == wanted for name in names if name):
                return key
        raise InputError(
            "eligibility.unknown_district",
            district=given,
            districts=", ".join(definition.eligibility.districts),
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
