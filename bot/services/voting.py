"""Casting, changing and withdrawing ballots; paper ballots; receipts.

The last ballot counts and the history is kept: every change adds a revision and marks the earlier one as no
longer current. Ballot content is stored apart from who voted: a ``Ballot`` row carries only an opaque
``ballot_key`` (an HMAC keyed outside the store) and a hash of the receipt; ``Participation`` records that the
person took part, with no reference to the ballot. In a secret process the ballot's time is coarsened to the
day, so timestamps cannot join the two either.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from bot.ballot_rules import validate_ballot
from bot.domain import Ballot, Channel, Phase, VerifyMode
from bot.errors import GlosError, InputError, NotEligible, NotFound, WrongPhase
from bot.services.context import DISTRICT_KEY, ProcessState, ServiceContext, strip_meta
from bot.services.eligibility import CODE_ALPHABET, EligibilityService
from bot.services.sql import upsert
from bot.services.verification import VerificationService
from storage.models import Ballot as BallotRow
from storage.models import Participation, Process

__all__ = ["CastResult", "VotingService", "hash_receipt"]

_BALLOT = BallotRow.__table__  # type: ignore[attr-defined]
_PARTICIPATION = Participation.__table__  # type: ignore[attr-defined]
# Built once: constructing statements costs more than running them on SQLite (see bench/casting.py).
_RETIRE = (
    update(_BALLOT)
    .where(
        _BALLOT.c.process_id == bindparam("process"),
        _BALLOT.c.ballot_key == bindparam("key"),
        _BALLOT.c.round == bindparam("round_no"),
        _BALLOT.c.is_current.is_(True),
    )
    .values(is_current=False)
    .returning(_BALLOT.c.revision, _BALLOT.c.withdrawn)
)
_INSERT_BALLOT = insert(_BALLOT)
_CURRENT = select(_BALLOT.c.content, _BALLOT.c.withdrawn).where(
    _BALLOT.c.process_id == bindparam("process"),
    _BALLOT.c.ballot_key == bindparam("key"),
    _BALLOT.c.round == bindparam("round_no"),
    _BALLOT.c.is_current.is_(True),
)

RECEIPT_LENGTH = 12  # 31**12 ≈ 8·10^17


def hash_receipt(receipt: str) -> str:
    """The stored form of a receipt code."""
    normalised = receipt.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_receipt() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


class _Unverified(Exception):
    """A paper ballot whose voter could not be verified (carries the refusal out of the rolled-back unit)."""

    def __init__(self, process_id: int, error: GlosError) -> None:
        super().__init__(error.key)
        self.process_id = process_id
        self.error = error


@dataclass(frozen=True)
class CastResult:
    """What the voter is told: the receipt, whether an earlier ballot was replaced, the normalised ballot."""

    receipt: str
    revision: int
    replaced: bool
    ballot: Ballot


class VotingService:
    """The one place where ballots are accepted, whatever the channel."""

    def __init__(
        self, context: ServiceContext, eligibility: EligibilityService, verification: VerificationService | None = None
    ) -> None:
        self.ctx = context
        self.eligibility = eligibility
        # A verified resident's ballot key comes from the resident, not the person (bot/services/verification.py)
        self.keys = verification or VerificationService(context)

    def require_open(self, process: Process | ProcessState, now: datetime) -> None:
        """Refuse unless the process is open and inside its voting window."""
        if process.phase == Phase.DRAFT or (process.opens_at is not None and now < process.opens_at):
            raise WrongPhase("vote.not_open", slug=process.slug)
        if process.phase != Phase.OPEN or (process.closes_at is not None and now >= process.closes_at):
            raise WrongPhase("vote.closed", slug=process.slug)

    def cast(self, slug: str, person_id: int, ballot: Ballot, channel: Channel, *, round_no: int = 1) -> CastResult:
        """Validate and store ``ballot`` as the person's current ballot; returns a fresh receipt.

        The busiest path of the bot: five short Core statements in one transaction (process state, eligibility,
        retire the previous ballot, insert the new one, upsert participation).
        """
        now = self.ctx.clock.now()
        with self.ctx.connection() as connection:
            process, known = self.eligibility.state_and_record(connection, slug, person_id)
            self.require_open(process, now)
            definition = self.ctx.definition_of(connection, process)
            if not 1 <= round_no <= definition.rounds:
                raise InputError("vote.bad_round", rounds=definition.rounds)
            record = self.eligibility.require(connection, process, person_id, known=known)
            clean = validate_ballot(definition, ballot, district=record.district)
            key = self.keys.ballot_key(connection, process.id, definition, person_id)
            previous = connection.execute(_RETIRE, {"process": process.id, "key": key, "round_no": round_no}).first()
            receipt = _new_receipt()
            connection.execute(
                _INSERT_BALLOT,
                {
                    "process_id": process.id,
                    "ballot_key": key,
                    "round": round_no,
                    "revision": previous[0] + 1 if previous else 1,
                    "content": {**clean, DISTRICT_KEY: record.district} if record.district else clean,
                    "receipt_hash": hash_receipt(receipt),
                    "cast_at": self._stamp(process, now),
                    "channel": channel,
                    "is_current": True,
                    "withdrawn": False,
                },
            )
            self._participate(connection, process.id, person_id, round_no, channel, now, withdrawn=False)
            return CastResult(
                receipt, previous[0] + 1 if previous else 1, previous is not None and not previous[1], clean
            )

    def withdraw(self, slug: str, person_id: int, channel: Channel, *, round_no: int = 1) -> None:
        """Withdraw the person's ballot (kept in history, no longer counted)."""
        now = self.ctx.clock.now()
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug)
            assert process.id is not None
            self.require_open(process, now)
            key = self.keys.ballot_key(session.connection(), process.id, self.ctx.definition(process), person_id)
            previous = self._current(session, process.id, key, round_no)
            if previous is None or previous.withdrawn:
                raise NotFound("vote.nothing_to_withdraw", slug=process.slug)
            previous.is_current = False
            session.add(previous)
            session.add(
                BallotRow(
                    process_id=process.id,
                    ballot_key=key,
                    round=round_no,
                    revision=previous.revision + 1,
                    content={},
                    receipt_hash="",
                    cast_at=self._stamp(process, now),
                    channel=channel,
                    is_current=True,
                    withdrawn=True,
                )
            )
            self._participate(session.connection(), process.id, person_id, round_no, channel, now, withdrawn=True)

    def current_ballot(self, slug: str, person_id: int, *, round_no: int = 1) -> Ballot | None:
        """The person's counted ballot, or None."""
        with self.ctx.reading() as connection:
            process = self.ctx.state(connection, slug)
            definition = self.ctx.definition_of(connection, process)
            try:
                key = self.keys.ballot_key(connection, process.id, definition, person_id)
            except NotEligible:
                return None  # not verified: no ballot
            row = connection.execute(_CURRENT, {"process": process.id, "key": key, "round_no": round_no}).first()
        if row is None or row[1]:
            return None
        return strip_meta(row[0])

    def cast_paper(
        self, slug: str, ballot: Ballot, *, district: str | None, actor_id: int, resident: str | None = None
    ) -> str:
        """Enter a paper ballot (a moderator's command). Returns a receipt.

        Where residents are verified (``register``/``pesel``) the ballot names its voter (``resident``: name and
        address, or a PESEL), is keyed by that resident and replaces their earlier ballot from any channel;
        otherwise it has no voter, so a random key.
        """
        now = self.ctx.clock.now()
        try:
            return self._cast_paper(slug, ballot, district, actor_id, resident, now)
        except _Unverified as unverified:
            # the refusal rolled the ballot back; the failed attempt is counted for the committee
            self.keys.record_failure(unverified.process_id, None, Channel.PAPER, unverified.error.key)
            raise unverified.error from None

    def _cast_paper(
        self, slug: str, ballot: Ballot, district: str | None, actor_id: int, resident: str | None, now: datetime
    ) -> str:
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug)
            assert process.id is not None
            if process.phase not in (Phase.OPEN, Phase.CLOSED):
                raise WrongPhase("vote.paper_phase", slug=process.slug)
            definition = self.ctx.definition(process)
            clean = validate_ballot(definition, ballot, district=district)
            key, revision = secrets.token_hex(32), 1
            if definition.eligibility.verify is not VerifyMode.DECLARED:
                if not resident:
                    raise InputError(f"paper.needs_resident.{definition.eligibility.verify.value}", slug=process.slug)
                try:
                    voter = self.keys.resolve(session.connection(), process.id, definition, resident, now)
                except GlosError as error:
                    raise _Unverified(process.id, error) from None
                key = self.keys.resident_ballot_key(process.id, voter)
                earlier = (
                    session.connection().execute(_RETIRE, {"process": process.id, "key": key, "round_no": 1}).first()
                )
                revision = earlier[0] + 1 if earlier else 1
            receipt = _new_receipt()
            session.add(
                BallotRow(
                    process_id=process.id,
                    ballot_key=key,
                    round=1,
                    revision=revision,
                    content={**clean, DISTRICT_KEY: district} if district else clean,
                    receipt_hash=hash_receipt(receipt),
                    cast_at=self._stamp(process, now),
                    channel=Channel.PAPER,
                    is_current=True,
                    withdrawn=False,
                )
            )
            self.ctx.audit(session, "ballot.paper", actor_person_id=actor_id, process_id=process.id)
            return receipt

    def verify_receipt(self, slug: str, receipt: str) -> bool:
        """True when a counted (current, not withdrawn) ballot carries this receipt. Never reveals content."""
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug)
            found = session.exec(
                select(BallotRow.id).where(
                    BallotRow.process_id == process.id,
                    BallotRow.receipt_hash == hash_receipt(receipt),
                    col(BallotRow.is_current).is_(True),
                    col(BallotRow.withdrawn).is_(False),
                )
            ).first()
            return found is not None

    def published_receipts(self, slug: str) -> list[str]:
        """The hashes of all counted receipts, sorted (the list published after closing)."""
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug)
            if process.phase not in (Phase.CLOSED, Phase.PUBLISHED):
                raise WrongPhase("results.not_visible", slug=process.slug)
            hashes = session.exec(
                select(BallotRow.receipt_hash).where(
                    BallotRow.process_id == process.id,
                    col(BallotRow.is_current).is_(True),
                    col(BallotRow.withdrawn).is_(False),
                )
            ).all()
            return sorted(value for value in hashes if value)

    @staticmethod
    def _current(session: Session, process_id: int, key: str, round_no: int) -> BallotRow | None:
        return session.exec(
            select(BallotRow).where(
                BallotRow.process_id == process_id,
                BallotRow.ballot_key == key,
                BallotRow.round == round_no,
                col(BallotRow.is_current).is_(True),
            )
        ).first()

    @staticmethod
    def _stamp(process: Process | ProcessState, now: datetime) -> datetime:
        if process.secret:
            return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return now

    @staticmethod
    def _participate(
        connection: Connection,
        process_id: int,
        person_id: int,
        round_no: int,
        channel: Channel,
        now: datetime,
        *,
        withdrawn: bool,
    ) -> None:
        upsert(
            connection,
            _PARTICIPATION,
            {
                "process_id": process_id,
                "person_id": person_id,
                "round": round_no,
                "channel": channel,
                "first_at": now,
                "last_at": now,
                "withdrawn": withdrawn,
            },
            ("process_id", "person_id", "round"),
            ("channel", "last_at", "withdrawn"),
        )
