"""Casting, changing and withdrawing ballots; paper ballots; receipts.

The last ballot counts. Ballot content is stored apart from who voted: a ``Ballot`` row carries only an opaque
``ballot_key`` (an HMAC keyed outside the store) and a hash of the receipt; ``Participation`` records that the
person took part, with no reference to the ballot.

In a **secret** process nothing stored orders, times or pairs a ballot with its voter (the threat model is in
docs/SECURITY.md): ballot ids are random (row order is not casting order), ``cast_at`` and ``channel`` stay NULL,
a changed or withdrawn ballot is deleted rather than kept as a revision (a revision count or a withdrawal would
pair with the voter's participation), and participation times are cut to the hour. Other processes keep their
history: every change adds a revision and marks the earlier one as no longer current.

One human, one counted ballot: a cast first retires the ballots this person inherited (an erased account that
came back, two identities found to be one — :mod:`bot.services.tombstones`), then their own. Two casts of one
person at the same moment both succeed and one ballot counts: the insert ignores a conflict and the retire-then-
insert step is repeated, which on PostgreSQL (read committed) sees the other cast once it committed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.ballot_rules import validate_ballot
from bot.ballot_text import parse_ballot_text
from bot.definition import ProcessDefinition
from bot.domain import Ballot, Channel, EligibilityMode, Phase, VerifyMode
from bot.errors import GlosError, InputError, NotEligible, NotFound, WrongPhase
from bot.services import tombstones
from bot.services.context import DISTRICT_KEY, STATE_COLUMNS, ProcessState, ServiceContext, strip_meta
from bot.services.eligibility import CODE_ALPHABET, EligibilityRecord, EligibilityService
from bot.services.sealing import open_ballot, seal_ballot
from bot.services.sql import upsert
from bot.services.verification import VerificationService
from storage.models import Ballot as BallotRow
from storage.models import Eligibility, Participation, Process, Tombstone

__all__ = ["CastResult", "VotingService", "hash_receipt"]

_BALLOT = BallotRow.__table__  # type: ignore[attr-defined]
_PARTICIPATION = Participation.__table__  # type: ignore[attr-defined]
_ELIGIBILITY = Eligibility.__table__  # type: ignore[attr-defined]
_TOMBSTONE = Tombstone.__table__  # type: ignore[attr-defined]
_KEY_MATCH = (
    _BALLOT.c.process_id == bindparam("process"),
    _BALLOT.c.ballot_key == bindparam("key"),
    _BALLOT.c.round == bindparam("round_no"),
)
# Built once: constructing statements costs more than running them on SQLite (see bench/casting.py).
# The process state, the voter's eligibility and the ballots they inherited, in one query (one row per
# predecessor, usually exactly one row with a NULL predecessor).
_CAST_STATE = (
    select(*STATE_COLUMNS, _ELIGIBILITY.c.district, _ELIGIBILITY.c.source, _TOMBSTONE.c.person_id)  # type: ignore[call-overload]
    .select_from(Process)
    .outerjoin(
        _ELIGIBILITY,
        (_ELIGIBILITY.c.process_id == Process.id) & (_ELIGIBILITY.c.person_id == bindparam("person")),
    )
    .outerjoin(_TOMBSTONE, (_TOMBSTONE.c.process_id == Process.id) & (_TOMBSTONE.c.heir_id == bindparam("person")))
    .where(Process.slug == bindparam("slug"))
)
# Open processes: mark the current revision as history. Secret ones: delete every revision of the key.
_RETIRE = (
    update(_BALLOT)
    .where(*_KEY_MATCH, _BALLOT.c.is_current.is_(True))
    .values(is_current=False)
    .returning(_BALLOT.c.revision, _BALLOT.c.withdrawn, _BALLOT.c.is_current, _BALLOT.c.channel)
)
_DROP = (
    delete(_BALLOT)
    .where(*_KEY_MATCH)
    .returning(_BALLOT.c.revision, _BALLOT.c.withdrawn, _BALLOT.c.is_current, _BALLOT.c.channel)
)
# A conflict on any unique index (the key's current ballot or revision, a random id taken) inserts nothing.
_INSERT = {
    flag: builder(_BALLOT).on_conflict_do_nothing().returning(_BALLOT.c.id)
    for flag, builder in ((False, sqlite.insert), (True, postgresql.insert))
}
_CURRENT = select(_BALLOT.c.content, _BALLOT.c.withdrawn).where(*_KEY_MATCH, _BALLOT.c.is_current.is_(True))
_LAST_REVISION = select(func.max(_BALLOT.c.revision)).where(*_KEY_MATCH)
_ATTEMPTS = 8  # each lost race means another cast of the same person committed: a handful is plenty
_MAX_ID = 2**31 - 1  # ballot.id is a 32-bit INTEGER on PostgreSQL

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


@dataclass(frozen=True)
class _Retired:
    """What retiring a key found: its last revision number, whether that ballot was counted, and its channel
    where the row says it (outside secret processes, and paper ballots)."""

    revision: int
    counted: bool
    channel: str | None = None


def _hidden(process: ProcessState | Process, definition: ProcessDefinition) -> bool:
    """Whether the process keeps no ballot history and no channel (see the module docstring): every secret
    process, verified residents included — their committee's count of ballots replaced from another channel is
    kept as a count when the replacement happens (:meth:`VerificationService.count_replacement`), not read
    from a history."""
    return process.secret


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

    def cast(
        self, slug: str, person_id: int, ballot: Ballot | str, channel: Channel, *, round_no: int = 1
    ) -> CastResult:
        """Validate and store ``ballot`` as the person's one counted ballot; returns a fresh receipt.

        ``ballot`` may be the text a person wrote (``city: 1, 2; wesola: 12``, ``TAK``, ``3 > 1 > 2``): it is read
        here, once the voter's district is known (:func:`bot.ballot_text.parse_ballot_text`), so every channel
        reads ballots by one rule and no channel asks for the district first.

        The busiest path of the bot: four short Core statements on the unit's writing transaction (process state
        with eligibility and inherited ballots, retire the previous ballot, insert the new one, upsert
        participation).
        """
        now = self.ctx.clock.now()
        with self.ctx.connection() as connection:
            process, known, predecessors = self._state(connection, slug, person_id)
            self.require_open(process, now)
            definition = self.ctx.definition_of(connection, process)
            if not 1 <= round_no <= definition.rounds:
                raise InputError("vote.bad_round", rounds=definition.rounds)
            if not definition.round_open(round_no, now):  # round 2 of a deliberative poll waits for its briefing
                key = "vote.round_after_briefing" if definition.briefing_at is None else "vote.round_opens_at"
                raise WrongPhase(key, title=definition.title, round=round_no, when=definition.briefing_at)
            record = self.eligibility.require(connection, process, person_id, known=known)
            if isinstance(ballot, str):
                ballot = parse_ballot_text(definition, ballot, district=record.district)
            clean = validate_ballot(definition, ballot, district=record.district)
            receipt = _new_receipt()
            content = {**clean, DISTRICT_KEY: record.district} if record.district else clean
            owner = self.keys.owner(connection, process.id, definition, person_id, round_no)
            hidden = _hidden(process, definition)
            inherited = self._settle(connection, process, hidden, predecessors, round_no)
            receipt_hash = hash_receipt(receipt)
            previous = self._store(
                connection, process, hidden, owner.key, round_no, content, receipt_hash, channel, now
            )
            if owner.resident is not None and previous is not None and previous.counted:
                before = previous.channel or owner.last_channel
                if before is not None:
                    self.keys.count_replacement(connection, process.id, before, channel)
            self._participate(connection, process, person_id, round_no, channel, now, withdrawn=False)
            if owner.shared and owner.resident is not None:
                self.keys.one_participation(connection, process.id, owner.resident, round_no, keep=person_id)
            replaced = inherited or (previous is not None and previous.counted)
            revision = previous.revision + 1 if previous is not None and not hidden else 1
            return CastResult(receipt, revision, replaced, clean)

    def withdraw(self, slug: str, person_id: int, channel: Channel, *, round_no: int = 1) -> None:
        """Withdraw the person's counted ballot (no longer counted; kept as history outside secret processes)."""
        now = self.ctx.clock.now()
        with self.ctx.connection() as connection:
            process, _, predecessors = self._state(connection, slug, person_id)
            self.require_open(process, now)
            definition = self.ctx.definition_of(connection, process)
            owner = self.keys.owner(connection, process.id, definition, person_id, round_no)
            hidden = _hidden(process, definition)
            inherited = self._settle(connection, process, hidden, predecessors, round_no)
            previous = self._store(connection, process, hidden, owner.key, round_no, None, "", channel, now)
            if not inherited and (previous is None or not previous.counted):
                raise NotFound("vote.nothing_to_withdraw", slug=process.slug)
            self._participate(connection, process, person_id, round_no, channel, now, withdrawn=True)
            if owner.shared and owner.resident is not None:
                self.keys.one_participation(connection, process.id, owner.resident, round_no, keep=person_id)

    def retire(self, connection: Connection, process_id: int, person_id: int, *, round_no: int = 1) -> bool:
        """Retire the person's counted ballot in one round now, in the caller's transaction; True if one counted.

        For callers that decided two ballots belong to one human and this one must stop counting (identity
        linking: the older of the two). The ballot is kept as history outside secret processes and deleted in
        secret ones, as when a vote is changed. Participation is left to the caller.
        """
        process = self._state_by_id(connection, process_id)
        hidden = _hidden(process, self.ctx.definition_of(connection, process))
        retired = self._retire(connection, hidden, process_id, self.ctx.ballot_key(process_id, person_id), round_no)
        return retired is not None and retired.counted

    def hand_over(self, connection: Connection, process_id: int, predecessor_id: int, heir_id: int) -> None:
        """The heir's next ballot (or withdrawal) in the process replaces the predecessor's counted ballot.

        In the caller's transaction; see :func:`bot.services.tombstones.hand_over`.
        """
        tombstones.hand_over(connection, self.ctx.secret, process_id, predecessor_id, heir_id)

    def current_ballot(self, slug: str, person_id: int, *, round_no: int = 1) -> Ballot | None:
        """The person's counted ballot, or None: their own, or one handed over to them by a link (an identity
        they linked whose ballot is the one that counts, see :func:`bot.services.tombstones.handed_over`)."""
        with self.ctx.reading() as connection:
            process = self.ctx.state(connection, slug)
            definition = self.ctx.definition_of(connection, process)
            try:
                key = self.keys.ballot_key(connection, process.id, definition, person_id)
            except NotEligible:
                return None  # not verified: no ballot
            row = connection.execute(_CURRENT, {"process": process.id, "key": key, "round_no": round_no}).first()
            if row is None:
                # linked identities: the absorbed person's ballot counts for this person until they vote again
                for predecessor in tombstones.handed_over(connection, self.ctx.secret, process.id, person_id):
                    inherited = {"process": process.id, "key": self.ctx.ballot_key(process.id, predecessor)}
                    row = connection.execute(_CURRENT, {**inherited, "round_no": round_no}).first()
                    if row is not None:
                        break
        if row is None or row[1]:
            return None
        return strip_meta(open_ballot(self.ctx.secret, row[0]))

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
            content = {**clean, DISTRICT_KEY: district} if district else clean
            receipt = _new_receipt()
            connection = session.connection()
            if definition.eligibility.verify is not VerifyMode.DECLARED:
                if not resident:
                    raise InputError(f"paper.needs_resident.{definition.eligibility.verify.value}", slug=process.slug)
                try:
                    voter = self.keys.resolve(connection, process.id, definition, resident, now)
                except GlosError as error:
                    raise _Unverified(process.id, error) from None
                key = self.keys.resident_ballot_key(process.id, voter)
                # the resident's earlier ballot from any channel is replaced, as a cast replaces it
                hidden = _hidden(process, definition)
                receipt_hash = hash_receipt(receipt)
                previous = self._store(connection, process, hidden, key, 1, content, receipt_hash, Channel.PAPER, now)
                if previous is not None and previous.counted:
                    before = previous.channel or self.keys.last_channel(connection, process.id, voter)
                    if before is not None:
                        self.keys.count_replacement(connection, process.id, before, Channel.PAPER)
                # counted as a paper ballot now: the resident's online participations no longer count
                self.keys.one_participation(connection, process.id, voter, 1, keep=None)
            else:
                for _attempt in range(_ATTEMPTS):
                    values = self._row(process, secrets.token_hex(32), 1, 1, content, hash_receipt(receipt), now)
                    values["content"] = self._sealed(process, content)
                    values["channel"] = Channel.PAPER  # paper ballots have no voter to pair with: say what they are
                    if self._insert(connection, values):
                        break
                else:  # pragma: no cover - 256-bit keys and 31-bit ids do not collide eight times
                    raise RuntimeError("could not store a paper ballot")
            self.ctx.audit(session, "ballot.paper", actor_person_id=actor_id, process_id=process.id)
            return receipt

    def verify_receipt(self, slug: str, receipt: str) -> bool:
        """True when a counted (current, not withdrawn) ballot carries this receipt. Never reveals content."""
        with self.ctx.reading() as connection:
            process = self.ctx.state(connection, slug)
            found = connection.execute(
                select(_BALLOT.c.id).where(
                    _BALLOT.c.process_id == process.id,
                    _BALLOT.c.receipt_hash == hash_receipt(receipt),
                    _BALLOT.c.is_current.is_(True),
                    _BALLOT.c.withdrawn.is_(False),
                )
            ).first()
            return found is not None

    def published_receipts(self, slug: str) -> list[str]:
        """The hashes of all counted receipts, sorted (the list published after closing)."""
        with self.ctx.reading() as connection:
            process = self.ctx.state(connection, slug)
            if process.phase not in (Phase.CLOSED, Phase.PUBLISHED):
                raise WrongPhase("results.not_visible", slug=process.slug)
            hashes = connection.execute(
                select(_BALLOT.c.receipt_hash).where(
                    _BALLOT.c.process_id == process.id,
                    _BALLOT.c.is_current.is_(True),
                    _BALLOT.c.withdrawn.is_(False),
                )
            ).scalars()
            return sorted(value for value in hashes if value)

    # -- storing -------------------------------------------------------------------------------------------

    def _state(
        self, connection: Connection, slug: str, person_id: int
    ) -> tuple[ProcessState, EligibilityRecord | None, list[int]]:
        """The process, the person's eligibility record and the people whose ballots they inherited."""
        rows = connection.execute(_CAST_STATE, {"slug": slug.strip().lower(), "person": person_id}).all()
        if not rows:
            raise NotFound("process.not_found", slug=slug)
        row = rows[0]
        state = ProcessState(row[0], row[1], Phase(row[2]), row[3], row[4], bool(row[5]), row[6])
        record = None if row[8] is None else EligibilityRecord(row[7], EligibilityMode(row[8]))
        return state, record, sorted({r[9] for r in rows if r[9] is not None})

    def _state_by_id(self, connection: Connection, process_id: int) -> ProcessState:
        row = connection.execute(select(*STATE_COLUMNS).where(Process.id == process_id)).first()  # type: ignore[call-overload]
        if row is None:
            raise NotFound("process.not_found", slug=str(process_id))
        return ProcessState(row[0], row[1], Phase(row[2]), row[3], row[4], bool(row[5]), row[6])

    def _settle(
        self, connection: Connection, process: ProcessState, hidden: bool, predecessors: Iterable[int], round_no: int
    ) -> bool:
        """Retire the inherited ballots of ``round_no``; True when one of them was counted.

        An inherited ballot is under its person's own key. (Where residents are verified, the resident's key is
        the same for the heir, so their own retire replaces it.)
        """
        counted = False
        for predecessor in predecessors:
            key = self.ctx.ballot_key(process.id, predecessor)
            retired = self._retire(connection, hidden, process.id, key, round_no)
            counted = counted or (retired is not None and retired.counted)
            tombstones.settle(connection, process.id, predecessor, round_no)
        return counted

    def _store(
        self,
        connection: Connection,
        process: ProcessState | Process,
        hidden: bool,
        key: str,
        round_no: int,
        content: dict[str, Any] | None,
        receipt_hash: str,
        channel: Channel,
        now: datetime,
    ) -> _Retired | None:
        """Retire the person's current ballot and store ``content`` (None: a withdrawal) as the new one.

        Returns what was retired. A conflicting insert means another cast of this person committed meanwhile:
        retire again (this statement now sees it) and insert again.
        """
        first: _Retired | None = None
        for attempt in range(_ATTEMPTS):
            retired = self._retire(connection, hidden, process.id, key, round_no)
            if retired is not None and (first is None or not first.counted):
                first = retired
            if hidden and content is None:
                return first  # a secret withdrawal keeps nothing
            revision = 1
            if not hidden and retired is not None:
                revision = retired.revision + 1
            elif not hidden and attempt > 0:  # history without a current row: continue its numbering
                last = connection.execute(_LAST_REVISION, {"process": process.id, "key": key, "round_no": round_no})
                revision = (last.scalar() or 0) + 1
            values = self._row(process, key, round_no, revision, content or {}, receipt_hash, now)
            values["content"] = self._sealed(process, content or {})
            # A paper ballot says it is one (it has no participation to pair with); a secret remote one says nothing.
            values["channel"] = channel if channel is Channel.PAPER or not hidden else None
            values["withdrawn"] = content is None
            if self._insert(connection, values):
                return first
        raise RuntimeError("a ballot kept conflicting with concurrent casts")  # pragma: no cover

    @staticmethod
    def _retire(
        connection: Connection, hidden: bool, process_id: int | None, key: str, round_no: int
    ) -> _Retired | None:
        """Stop the key's current ballot counting: history outside secret processes, deleted in secret ones."""
        rows = connection.execute(
            _DROP if hidden else _RETIRE, {"process": process_id, "key": key, "round_no": round_no}
        ).all()
        current = [row for row in rows if row[2] or not hidden]
        if not current:
            return None
        channel = current[0][3]
        return _Retired(max(row[0] for row in rows), not current[0][1], None if channel is None else str(channel))

    @staticmethod
    def _row(
        process: ProcessState | Process,
        key: str,
        round_no: int,
        revision: int,
        content: dict[str, Any],
        receipt_hash: str,
        now: datetime,
    ) -> dict[str, Any]:
        values = {
            "process_id": process.id,
            "ballot_key": key,
            "round": round_no,
            "revision": revision,
            "content": content,
            "receipt_hash": receipt_hash,
            "cast_at": None if process.secret else now,
            "channel": None,
            "is_current": True,
            "withdrawn": False,
        }
        if process.secret:
            # Random, not sequential: in a secret process row order must not be casting order. (Elsewhere the
            # store numbers rows: inserting at random places costs SQLite about a sixth of its casting rate.)
            values["id"] = secrets.randbelow(_MAX_ID) + 1
        return values

    def _sealed(self, process: ProcessState | Process, content: dict[str, Any]) -> dict[str, Any]:
        """A secret process's ballot is sealed until the process closes (bot/services/sealing.py): the heap's
        physical order is casting order then. The shuffle at closing opens it."""
        if process.secret and content:
            return seal_ballot(self.ctx.secret, content)
        return content

    @staticmethod
    def _insert(connection: Connection, values: dict[str, Any]) -> bool:
        return connection.execute(_INSERT[connection.dialect.name == "postgresql"], values).first() is not None

    @staticmethod
    def _participate(
        connection: Connection,
        process: ProcessState,
        person_id: int,
        round_no: int,
        channel: Channel,
        now: datetime,
        *,
        withdrawn: bool,
    ) -> None:
        if process.secret:  # to the hour: enough for turnout and the abuse signals' windows, and no finer
            now = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        upsert(
            connection,
            _PARTICIPATION,
            {
                "process_id": process.id,
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
