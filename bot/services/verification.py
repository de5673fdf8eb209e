"""Verified residents: the city's register, PESEL where a city still demands it, and one voter per resident.

A process chooses ``[eligibility] verify``:

* ``declared`` — nothing to check here; a person's ballot key is the HMAC of (process, person) as always;
* ``register`` — the city imports its list of residents (:meth:`VerificationService.import_register`); every
  line is stored only as ``HMAC(secret, "register:" + normalised line)``. A voter gives their name and address
  (or the city's own number) once, on any channel; it is normalised the same way (:mod:`bot.addresses`) and
  looked up by its HMAC — one indexed read;
* ``pesel`` — the number's checksum and date of birth are checked, ``min_age`` from the birth date, and only
  ``HMAC(secret, "pesel:" + number)`` enters the store. A plain hash would not do: there are only about 10^10
  well-formed PESEL numbers (fewer with valid dates), and hashing all of them takes minutes on a laptop.

Either way the voter is recorded as ``voter_hash``, a keyed hash of the resident, and **the ballot key of a
verified voter is derived from the resident, not from the person** (:meth:`VerificationService.ballot_key`): the
same resident verified from Telegram, by e-mail and on a paper ballot is one voter whose latest ballot replaces
the earlier one. That costs casting one indexed read (the person's ``verified_voter`` row).

What the committee checks (:meth:`VerificationService.report`): failed attempts by channel and reason (what was
typed is never stored), residents verified from more than one account, and ballots replaced by a ballot from
another channel — never ballot content. Everything here is erased ``retention_days`` after the results are
published (:meth:`VerificationService.erase`, run by the scheduler).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, insert, select
from sqlalchemy.engine import Connection

from bot.addresses import resident_key, split_resident
from bot.definition import ProcessDefinition
from bot.domain import Channel, Phase, VerifyMode
from bot.errors import GlosError, InputError, NotEligible, WrongPhase
from bot.pesel import PeselError, age_on, parse_pesel
from bot.register_hashing import hashed_entries
from bot.registers import RegisterReader, number_key
from bot.services.context import ServiceContext
from bot.services.sql import ignore_statement, insert_for
from storage.models import (
    AuditEntry,
    Participation,
    RegisterEntry,
    ReplacedBallots,
    VerificationAttempt,
    VerifiedVoter,
)

__all__ = [
    "MAX_FAILED_PER_DAY",
    "BallotOwner",
    "RegisterImport",
    "VerificationReport",
    "VerificationService",
]

MAX_FAILED_PER_DAY = 5  # failed attempts per person, process and day: guessing who is on the list is slow
IMPORT_CHUNK = 5_000  # register keys per executemany on SQLite: amortises the calls, small in memory

_REGISTER = RegisterEntry.__table__  # type: ignore[attr-defined]
_VOTER = VerifiedVoter.__table__  # type: ignore[attr-defined]
_ATTEMPT = VerificationAttempt.__table__  # type: ignore[attr-defined]
_REPLACED = ReplacedBallots.__table__  # type: ignore[attr-defined]
_AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]
_PARTICIPATION = Participation.__table__  # type: ignore[attr-defined]
_VOTER_QUERY = select(_VOTER.c.voter_hash).where(
    _VOTER.c.process_id == bindparam("process"), _VOTER.c.person_id == bindparam("person")
)
_OTHER = _VOTER.alias("other_account")
_ACCOUNT = _VOTER.alias("account")


def _last_channel(process: Any, resident: Any) -> Any:
    """The channel of the resident's participation in the round (the account that voted last): after
    :meth:`VerificationService.one_participation` the one left, so the channel of the online ballot that counts."""
    return (
        select(_PARTICIPATION.c.channel)
        .join(
            _ACCOUNT,
            (_ACCOUNT.c.process_id == _PARTICIPATION.c.process_id)
            & (_ACCOUNT.c.person_id == _PARTICIPATION.c.person_id),
        )
        .where(
            _ACCOUNT.c.process_id == process,
            _ACCOUNT.c.voter_hash == resident,
            _PARTICIPATION.c.round == bindparam("round_no"),
        )
        .order_by(_PARTICIPATION.c.last_at.desc())
        .limit(1)
        .scalar_subquery()
    )


# The voter's resident, whether another account is verified as the same resident, and the channel of the
# resident's last ballot — in one indexed read.
_RESIDENT_QUERY = select(
    _VOTER.c.voter_hash,
    exists()
    .where(
        _OTHER.c.process_id == _VOTER.c.process_id,
        _OTHER.c.voter_hash == _VOTER.c.voter_hash,
        _OTHER.c.person_id != _VOTER.c.person_id,
    )
    .label("shared"),
    _last_channel(_VOTER.c.process_id, _VOTER.c.voter_hash).label("last_channel"),
).where(_VOTER.c.process_id == bindparam("process"), _VOTER.c.person_id == bindparam("person"))
_LAST_CHANNEL = select(_last_channel(bindparam("process"), bindparam("resident")))


@dataclass(frozen=True)
class RegisterImport:
    """What an import did: lines read, keys added (new), lines skipped (neither name and address nor number)."""

    read: int
    added: int
    skipped: int


@dataclass(frozen=True)
class VerificationReport:
    """What the city's committee must check in one process — counts only, never who, never ballot content.

    ``failed`` maps (channel, reason) to failed attempts; ``replaced`` maps (channel of the replaced ballot,
    channel of the ballot that replaced it) to how many ballots a later ballot of the same voter from another
    channel replaced; ``shared`` is how many residents were verified from more than one account.
    """

    slug: str
    mode: VerifyMode
    register_size: int
    verified: int
    shared: int
    failed: dict[tuple[str, str], int] = field(default_factory=dict)
    replaced: dict[tuple[str, str], int] = field(default_factory=dict)
    retention_days: int = 0


@dataclass(frozen=True)
class BallotOwner:
    """Whose ballot a person casts: the ballot ``key``; where residents are verified, the ``resident``
    (``voter_hash``) and whether another account is verified as the same resident (``shared``)."""

    key: str
    resident: str | None = None
    shared: bool = False
    last_channel: str | None = None  # the channel of the resident's last participation in the round


def _day(moment: datetime) -> datetime:
    """The day only: a verification's time must not be lined up with a ballot's."""
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


class VerificationService:
    """Imports registers, verifies voters, derives verified voters' ballot keys, reports and erases."""

    def __init__(self, context: ServiceContext, *, import_workers: int | None = None) -> None:
        self.ctx = context
        self.import_workers = import_workers  # processes hashing a register (None: one per core)

    # -- keys --------------------------------------------------------------------------------------------

    def _mac(self, text: str) -> str:
        return hmac.new(self.ctx.secret, text.encode(), hashlib.sha256).hexdigest()

    def entry_hash(self, key: str) -> str:
        """The stored form of a register key (``resident:jan kowalski|dluga 12/5`` or ``number:…``)."""
        return self._mac("register:" + key)[:32]

    def _voter_hash(self, process_id: int, resident: str) -> str:
        return self._mac(f"voter:{process_id}:{resident}")

    def resident_ballot_key(self, process_id: int, voter_hash: str) -> str:
        """The ballot key of a verified resident: the same on every channel, paper included."""
        return self._mac(f"{process_id}:resident:{voter_hash}")

    def ballot_key(self, connection: Connection, process_id: int, definition: ProcessDefinition, person_id: int) -> str:
        """The key under which ``person_id``'s ballot in this process is stored.

        ``declared``: the person's own key (:meth:`ServiceContext.ballot_key`), no read. ``register``/``pesel``:
        the resident's key, after one indexed read; :class:`NotEligible` when the person is not verified yet.
        """
        return self.owner(connection, process_id, definition, person_id).key

    def owner(
        self, connection: Connection, process_id: int, definition: ProcessDefinition, person_id: int, round_no: int = 1
    ) -> BallotOwner:
        """:meth:`ballot_key` with the resident behind it, whether the resident has other accounts and the
        channel they last voted on (the same one indexed read)."""
        mode = definition.eligibility.verify
        if mode is VerifyMode.DECLARED:
            return BallotOwner(self.ctx.ballot_key(process_id, person_id))
        row = connection.execute(
            _RESIDENT_QUERY, {"process": process_id, "person": person_id, "round_no": round_no}
        ).first()
        if row is None:
            raise NotEligible(f"verify.needed.{mode.value}", slug=definition.slug)
        last = None if row[2] is None else str(row[2])
        return BallotOwner(self.resident_ballot_key(process_id, row[0]), row[0], bool(row[1]), last)

    def key_of(self, connection: Connection, process_id: int, person_id: int) -> str:
        """The key of the ballot that counts for ``person_id``, whatever the process verifies: the resident's when
        the person is verified there, else their own (for readers — "your projects", ``/moje_dane`` — that do not
        hold the definition)."""
        voter = connection.execute(_VOTER_QUERY, {"process": process_id, "person": person_id}).scalar()
        return (
            self.ctx.ballot_key(process_id, person_id) if voter is None else self.resident_ballot_key(process_id, voter)
        )

    @staticmethod
    def last_channel(connection: Connection, process_id: int, resident: str, round_no: int = 1) -> str | None:
        """The channel the resident last voted on online in the round (None: no participation)."""
        found = connection.execute(
            _LAST_CHANNEL, {"process": process_id, "resident": resident, "round_no": round_no}
        ).scalar()
        return None if found is None else str(found)

    @staticmethod
    def count_replacement(connection: Connection, process_id: int, replaced: str, replacing: Channel) -> None:
        """One more ballot of the process replaced by the same resident's ballot from another channel (the
        committee's count, kept as a count so that no replaced ballot needs to be kept)."""
        if replaced == replacing.value:
            return
        statement = insert_for(connection.dialect.name, _REPLACED)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["process_id", "replaced", "replacing"],
                set_={"count": _REPLACED.c["count"] + 1},
            ),
            {"process_id": process_id, "replaced": replaced, "replacing": replacing.value, "count": 1},
        )

    @staticmethod
    def one_participation(
        connection: Connection, process_id: int, resident: str, round_no: int, *, keep: int | None
    ) -> None:
        """The resident took part once: drop the participation (in ``round_no``) of every account verified as
        ``resident`` except ``keep`` (the account that just voted; None for a paper ballot, which is counted
        from the ballot itself). Turnout then counts the resident once, on the channel of the ballot that counts.
        """
        accounts = select(_VOTER.c.person_id).where(_VOTER.c.process_id == process_id, _VOTER.c.voter_hash == resident)
        if keep is not None:
            accounts = accounts.where(_VOTER.c.person_id != keep)
        connection.execute(
            delete(_PARTICIPATION).where(
                _PARTICIPATION.c.process_id == process_id,
                _PARTICIPATION.c.round == round_no,
                _PARTICIPATION.c.person_id.in_(accounts),
            )
        )

    # -- the register -------------------------------------------------------------------------------------

    def import_register(
        self, slug: str, lines: Iterable[str], *, actor_id: int | None = None, replace: bool = False
    ) -> RegisterImport:
        """Add the residents of a register CSV (read as a stream of lines) to process ``slug``.

        Only HMACs are stored; a line already there is ignored. ``replace`` empties the register first (a new
        list from the city). One transaction, all or nothing; the file is never held in memory: the lines are
        hashed on every core in chunks (:mod:`bot.register_hashing`), SQLite gets chunks of :data:`IMPORT_CHUNK`,
        PostgreSQL one streamed ``COPY`` (see ``bench/register.py``).
        """
        with self.ctx.connection() as connection:
            state = self.ctx.state(connection, slug)
            definition = self.ctx.definition_of(connection, state)
            if definition.eligibility.verify is not VerifyMode.REGISTER:
                raise InputError("register.not_register", slug=state.slug)
            if replace:
                connection.execute(delete(_REGISTER).where(_REGISTER.c.process_id == state.id))
            # normalising and keying the lines is the import's CPU work: on every core (bot/register_hashing.py)
            counts, entries = hashed_entries(RegisterReader(lines), self.ctx.secret, workers=self.import_workers)
            if connection.dialect.name == "postgresql":
                added = self._copy_postgresql(connection, state.id, entries)
            else:
                added = self._insert_sqlite(connection, state.id, entries)
            self._audit(connection, "register.import", actor_id, state.id, added=added)
        return RegisterImport(counts.read, added, counts.skipped)

    @staticmethod
    def _insert_sqlite(connection: Connection, process_id: int, hashes: Iterator[tuple[str, str | None]]) -> int:
        """Chunks into a temporary table through the driver's executemany, then one ``INSERT OR IGNORE … SELECT``
        in key order: the register's B-tree is filled left to right instead of at a million random places."""
        connection.exec_driver_sql("CREATE TEMPORARY TABLE register_import (entry_hash TEXT, resident TEXT)")
        try:
            while chunk := list(islice(hashes, IMPORT_CHUNK)):
                connection.exec_driver_sql("INSERT INTO register_import VALUES (?, ?)", chunk)
            result = connection.exec_driver_sql(
                "INSERT OR IGNORE INTO register_entry (process_id, entry_hash, resident) "
                "SELECT ?, entry_hash, resident FROM register_import ORDER BY entry_hash",
                (process_id,),
            )
            return max(result.rowcount, 0)
        finally:
            connection.exec_driver_sql("DROP TABLE register_import")

    @staticmethod
    def _copy_postgresql(connection: Connection, process_id: int, hashes: Iterator[tuple[str, str | None]]) -> int:
        """``COPY`` every hash into a temporary table (streamed), then one ``INSERT … ON CONFLICT DO NOTHING``."""
        raw: Any = connection.connection.dbapi_connection
        with raw.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE register_import (entry_hash varchar(32), resident varchar(32)) ON COMMIT DROP"
            )
            with cursor.copy("COPY register_import (entry_hash, resident) FROM STDIN") as copy:
                for row in hashes:
                    copy.write_row(row)
            cursor.execute(
                "INSERT INTO register_entry (process_id, entry_hash, resident) SELECT %s, entry_hash, resident "
                "FROM register_import ORDER BY entry_hash ON CONFLICT DO NOTHING",
                (process_id,),
            )
            return int(cursor.rowcount)

    # -- verifying a voter ---------------------------------------------------------------------------------

    def resolve(
        self, connection: Connection, process_id: int, definition: ProcessDefinition, text: str, today: datetime
    ) -> str:
        """The ``voter_hash`` of the resident ``text`` names (name and address, a number, or a PESEL).

        :class:`InputError`/:class:`NotEligible` with a ``verify.*`` key when it names nobody on the register
        or is not a valid PESEL of someone old enough. The answer never says who is on the register.
        """
        mode = definition.eligibility.verify
        text = " ".join(text.split())[:300]
        if mode is VerifyMode.PESEL:
            try:
                pesel = parse_pesel(text)
            except PeselError as error:
                raise InputError(f"verify.pesel_{error.reason}") from None
            local_today = today.astimezone(self.ctx.zone).date()
            if pesel.born > local_today:
                raise InputError("verify.pesel_date")
            minimum = definition.eligibility.min_age or 0
            if age_on(pesel.born, local_today) < minimum:
                raise NotEligible("verify.too_young", count=minimum)
            return self._voter_hash(process_id, "pesel:" + self._mac("pesel:" + pesel.number))
        candidates = []
        name, address = split_resident(text)
        if resident := resident_key(name, address):
            candidates.append("resident:" + resident)
        if len(text.split()) == 1 and (number := number_key(text)):
            candidates.append("number:" + number)
        if not candidates:
            raise InputError("verify.register_format")
        hashes = [self.entry_hash(candidate) for candidate in candidates]
        found = connection.execute(
            # the line's resident: by name and address or by number, one resident (see RegisterEntry.resident)
            select(func.coalesce(_REGISTER.c.resident, _REGISTER.c.entry_hash)).where(
                _REGISTER.c.process_id == process_id, _REGISTER.c.entry_hash.in_(hashes)
            )
        ).first()
        if found is None:
            raise NotEligible("verify.no_match")
        return self._voter_hash(process_id, found[0])

    def verify(self, slug: str, person_id: int, channel: Channel, text: str) -> VerifyMode:
        """Verify ``person_id`` as the resident ``text`` names, in process ``slug``; returns the mode.

        Once verified, a person stays that resident in this process (naming another one is refused: one person
        could otherwise hold two residents' ballots). A failed attempt is recorded (channel, reason, day) and
        counts towards :data:`MAX_FAILED_PER_DAY`.
        """
        now = self.ctx.clock.now()
        failure: GlosError | None = None
        with self.ctx.connection() as connection:
            state = self.ctx.state(connection, slug)
            definition = self.ctx.definition_of(connection, state)
            mode = definition.eligibility.verify
            if mode is VerifyMode.DECLARED:
                raise InputError("verify.not_needed", slug=state.slug)
            if state.phase in (Phase.CLOSED, Phase.PUBLISHED):
                raise WrongPhase("vote.closed", slug=state.slug)
            failed_today = connection.execute(
                select(func.count()).where(
                    _ATTEMPT.c.process_id == state.id, _ATTEMPT.c.person_id == person_id, _ATTEMPT.c.day == _day(now)
                )
            ).scalar_one()
            if failed_today >= MAX_FAILED_PER_DAY:
                raise NotEligible("verify.too_many", count=MAX_FAILED_PER_DAY)
            try:
                voter = self.resolve(connection, state.id, definition, text, now)
            except GlosError as error:
                failure = error
            else:
                known = connection.execute(_VOTER_QUERY, {"process": state.id, "person": person_id}).scalar()
                if known is not None and known != voter:
                    raise InputError("verify.other_resident", slug=state.slug)
                if known is None:
                    connection.execute(
                        ignore_statement(connection.dialect.name, _VOTER, ("process_id", "person_id")),
                        {
                            "process_id": state.id,
                            "person_id": person_id,
                            "voter_hash": voter,
                            "channel": channel.value,
                            "verified_on": _day(now),
                        },
                    )
                return mode
        assert failure is not None
        self.record_failure(state.id, person_id, channel, failure.key)
        raise failure

    def record_failure(self, process_id: int, person_id: int | None, channel: Channel, key: str) -> None:
        """Count a failed attempt (in a transaction of its own: the refusal itself rolls back)."""
        with self.ctx.connection() as connection:
            connection.execute(
                insert(_ATTEMPT).values(
                    process_id=process_id,
                    person_id=person_id,
                    channel=channel.value,
                    reason=key.removeprefix("verify.")[:32],
                    day=_day(self.ctx.clock.now()),
                )
            )

    def is_verified(self, slug: str, person_id: int) -> bool:
        """Whether the person is verified in ``slug`` (always True where nothing is verified)."""
        with self.ctx.reading() as connection:
            state = self.ctx.state(connection, slug)
            if self.ctx.definition_of(connection, state).eligibility.verify is VerifyMode.DECLARED:
                return True
            return connection.execute(_VOTER_QUERY, {"process": state.id, "person": person_id}).first() is not None

    def _audit(
        self, connection: Connection, action: str, actor_id: int | None, process_id: int, **details: object
    ) -> None:
        """One audit entry in the caller's transaction (as :meth:`ServiceContext.audit`, for a Core connection)."""
        connection.execute(
            insert(_AUDIT).values(
                at=self.ctx.clock.now(),
                actor_person_id=actor_id,
                actor=f"person:{actor_id}" if actor_id is not None else "system",
                action=action,
                process_id=process_id,
                details=details,
            )
        )

    # -- the committee's report and erasure -------------------------------------------------------------

    def report(self, slug: str) -> VerificationReport:
        """The counts a committee checks (see :class:`VerificationReport`); reads no ballot content."""
        with self.ctx.reading() as connection:
            state = self.ctx.state(connection, slug)
            definition = self.ctx.definition_of(connection, state)
            register = connection.execute(
                select(func.count()).select_from(_REGISTER).where(_REGISTER.c.process_id == state.id)
            ).scalar_one()
            verified = connection.execute(
                select(func.count()).select_from(_VOTER).where(_VOTER.c.process_id == state.id)
            ).scalar_one()
            claims = (
                select(_VOTER.c.voter_hash)
                .where(_VOTER.c.process_id == state.id)
                .group_by(_VOTER.c.voter_hash)
                .having(func.count() > 1)
                .subquery()
            )
            shared = connection.execute(select(func.count()).select_from(claims)).scalar_one()
            failed = {
                (str(channel), str(reason)): int(count)
                for channel, reason, count in connection.execute(
                    select(_ATTEMPT.c.channel, _ATTEMPT.c.reason, func.count())
                    .where(_ATTEMPT.c.process_id == state.id)
                    .group_by(_ATTEMPT.c.channel, _ATTEMPT.c.reason)
                )
            }
            replaced = {
                (str(old), str(new)): int(count)
                for old, new, count in connection.execute(
                    select(_REPLACED.c.replaced, _REPLACED.c.replacing, _REPLACED.c["count"]).where(
                        _REPLACED.c.process_id == state.id
                    )
                )
            }
        return VerificationReport(
            state.slug,
            definition.eligibility.verify,
            int(register),
            int(verified),
            int(shared),
            failed,
            replaced,
            definition.eligibility.retention_days,
        )

    def erase(self, slug: str, *, actor_id: int | None = None) -> int:
        """Erase the register, the verified voters and the failed attempts of ``slug``; returns rows erased."""
        with self.ctx.connection() as connection:
            state = self.ctx.state(connection, slug)
            erased = 0
            for table in (_REGISTER, _VOTER, _ATTEMPT, _REPLACED):
                erased += connection.execute(delete(table).where(table.c.process_id == state.id)).rowcount or 0
            self._audit(connection, "verification.erase", actor_id, state.id, rows=erased)
        return erased
