"""One person across channels: linking an e-mail address to a Telegram account, and back.

Two ways to link, both proven by the person holding both ends:

* ``/email ADRES`` in Telegram sends a one-time code to the address (through the outbox, like any e-mail);
  ``/email KOD`` confirms it. A code is 6 digits, expires after :data:`CODE_TTL`, allows :data:`MAX_TRIES`
  wrong guesses, is stored only as an HMAC under the secret key and compared in constant time; the queued e-mail
  carries only a placeholder (``{{code:NONCE}}``) that the sender expands, so the outbox never holds it either.
* an e-mail invitation carries a "vote in Telegram" deep link, ``https://t.me/<bot>?start=link_<token>``; tapping
  it links that Telegram account to the invited member at once. The token is 128 random bits, single-use,
  stored as an HMAC, and the invitation again holds only a placeholder (``{{link:NONCE}}``).

When the two identities belonged to two people, they become one (:meth:`LinkingService.merge`): everything the
absorbed person had moves to the one who linked, and where both had voted in the same process, the most recent
ballot stays counted and the other is retired — through the voting service's own ``retire`` and ``hand_over``,
the mechanism erasure tombstones use too. The person is told, per process, which ballot counts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import UniqueConstraint, and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from bot.domain import Channel
from bot.errors import InputError, NotEligible
from bot.services.context import ServiceContext
from bot.services.outbox import Outbox
from bot.services.people import normalise_address
from storage.base import metadata
from storage.models import (
    Identity,
    LinkCode,
    LinkToken,
    OutboxMessage,
    Participation,
    Person,
    Process,
    VerifiedVoter,
)

__all__ = [
    "CODE_TTL",
    "LINK_PREFIX",
    "MAX_TRIES",
    "BallotChoice",
    "LinkResult",
    "LinkingService",
    "derive_code",
    "derive_link_token",
]

CODE_TTL = timedelta(minutes=15)
MAX_TRIES = 5  # wrong codes before the code is void: 5 guesses of 10^6
MAX_CODES_PER_DAY = 5  # codes a person may have sent in 24 hours (no mail bombing through the bot)
TOKEN_TTL = timedelta(days=120)  # an invitation's link lives about as long as a process
LINK_PREFIX = "link_"  # /start link_<token>: never a process slug (those are lower case, tokens are not)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_IDENTITY = Identity.__table__  # type: ignore[attr-defined]
_CODE = LinkCode.__table__  # type: ignore[attr-defined]
_TOKEN = LinkToken.__table__  # type: ignore[attr-defined]
_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_PARTICIPATION = Participation.__table__  # type: ignore[attr-defined]
_PERSON = Person.__table__  # type: ignore[attr-defined]
_PROCESS = Process.__table__  # type: ignore[attr-defined]
_VOTER = VerifiedVoter.__table__  # type: ignore[attr-defined]
# Person references a merge must not move: who took part (settled per process below) and whose ballot an erasure
# tombstone stands for (the predecessor stays who it was; tombstones' heirs do move).
_KEEP = {("participation", "person_id"), ("tombstone", "person_id"), ("audit_entry", "actor_person_id")}


def derive_code(secret: bytes, nonce: str) -> str:
    """The 6-digit code behind a queued message's ``{{code:NONCE}}`` (an HMAC under the secret key)."""
    digest = hmac.new(secret, f"link-code:{nonce}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def derive_link_token(secret: bytes, nonce: str) -> str:
    """The deep-link token behind ``{{link:NONCE}}``: ``link_`` and 26 base32 characters (128 bits)."""
    digest = hmac.new(secret, f"link-token:{nonce}".encode(), hashlib.sha256).digest()[:16]
    return LINK_PREFIX + base64.b32encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class BallotChoice:
    """Where both linked identities had voted: which ballot now counts (its channel) and which was retired."""

    slug: str
    counted: Channel
    retired: Channel


@dataclass(frozen=True)
class LinkResult:
    """What a link did: the identity now joined, whether two people became one, and the ballots settled."""

    channel: Channel
    address: str
    merged: bool
    choices: tuple[BallotChoice, ...] = ()


class BallotSettlement(Protocol):
    """What linking needs from the voting service: the one mechanism by which a ballot of one human replaces
    another (shared with erasure tombstones, :mod:`bot.services.tombstones`)."""

    def retire(self, connection: Connection, process_id: int, person_id: int, *, round_no: int = 1) -> bool:
        """Retire the person's counted ballot in one round now, in the caller's transaction."""
        ...

    def hand_over(self, connection: Connection, process_id: int, predecessor_id: int, heir_id: int) -> None:
        """The heir's next ballot in the process replaces the predecessor's counted ballot."""
        ...


class LinkingService:
    """Links identities into one person (see the module docstring)."""

    def __init__(self, context: ServiceContext, voting: BallotSettlement) -> None:
        self.ctx = context
        self.voting = voting

    def _mac(self, text: str) -> str:
        return hmac.new(self.ctx.secret, text.encode(), hashlib.sha256).hexdigest()

    # -- /email ADRES and /email KOD --------------------------------------------------------------------

    def request_code(
        self, person_id: int, address: str, compose: Callable[[str, datetime], dict[str, Any]]
    ) -> datetime:
        """Queue a one-time code to ``address`` for ``person_id``; returns when it expires.

        ``compose(code_placeholder, expires_at)`` builds the e-mail's outbox payload (the caller words it); the
        code itself is derived at send time. A new request replaces the pending code.
        """
        address = normalise_address(Channel.EMAIL, address)
        if not _EMAIL.match(address) or len(address) > 254:
            raise InputError("link.bad_address", address=address[:80])
        now = self.ctx.clock.now()
        expires = now + CODE_TTL
        with self.ctx.connection() as connection:
            taken = connection.execute(
                select(_IDENTITY.c.person_id).where(
                    _IDENTITY.c.channel == Channel.EMAIL.value, _IDENTITY.c.address == address
                )
            ).scalar()
            if taken == person_id:
                raise InputError("link.already", address=address)
            sent_today = connection.execute(
                select(func.count()).where(
                    _OUTBOX.c.person_id == person_id,
                    _OUTBOX.c.purpose == "link.code",
                    _OUTBOX.c.created_at > now - timedelta(days=1),
                )
            ).scalar_one()
            if sent_today >= MAX_CODES_PER_DAY:
                raise InputError("link.too_many_codes", count=MAX_CODES_PER_DAY)
            nonce = secrets.token_hex(16)
            code_hash = self._mac(f"link-check:{person_id}:{derive_code(self.ctx.secret, nonce)}")
            connection.execute(delete(_CODE).where(_CODE.c.person_id == person_id))
            connection.execute(
                insert(_CODE).values(
                    person_id=person_id, address=address, code_hash=code_hash, expires_at=expires, attempts=0
                )
            )
            # the placeholder, not the code: a copy of the outbox cannot confirm someone else's address
            payload = compose(f"{{{{code:{nonce}}}}}", expires)
            Outbox(self.ctx).enqueue(
                key=f"link.code:{person_id}:{nonce}",
                channel=Channel.EMAIL,
                address=address,
                purpose="link.code",
                payload=payload,
                person_id=person_id,
                connection=connection,
            )
        return expires

    def confirm_code(self, person_id: int, code: str) -> LinkResult:
        """Link the address the pending code was sent to, if ``code`` is right; see the module docstring."""
        code = "".join(code.split())
        now = self.ctx.clock.now()
        with self.ctx.connection() as connection:
            row = connection.execute(
                select(_CODE.c.address, _CODE.c.code_hash, _CODE.c.expires_at, _CODE.c.attempts).where(
                    _CODE.c.person_id == person_id
                )
            ).first()
            if row is None:
                raise InputError("link.no_code")
            address, stored, expires, attempts = row
            if expires <= now or attempts >= MAX_TRIES:
                connection.execute(delete(_CODE).where(_CODE.c.person_id == person_id))
                key = "link.code_expired" if expires <= now else "link.code_used_up"
                failed: InputError | None = InputError(key)
            elif not hmac.compare_digest(stored, self._mac(f"link-check:{person_id}:{code}")):
                connection.execute(update(_CODE).where(_CODE.c.person_id == person_id).values(attempts=attempts + 1))
                failed = InputError("link.wrong_code", count=MAX_TRIES - attempts - 1)
            else:
                failed = None
                connection.execute(delete(_CODE).where(_CODE.c.person_id == person_id))
                result = self._attach(connection, person_id, Channel.EMAIL, address, now)
        if failed is not None:
            raise failed
        return result

    # -- the invitation's deep link ------------------------------------------------------------------------

    def issue_token(self, person_id: int) -> str:
        """A deep-link token for ``person_id`` (stored as an HMAC, in the unit of work open now, with the
        invitation it goes in); returns its placeholder ``{{link:NONCE}}``, expanded when the e-mail is sent."""
        nonce = secrets.token_hex(16)
        token = derive_link_token(self.ctx.secret, nonce)
        with self.ctx.connection() as connection:
            connection.execute(
                insert(_TOKEN).values(
                    token_hash=self._mac(f"link-token-check:{token}"),
                    person_id=person_id,
                    expires_at=self.ctx.clock.now() + TOKEN_TTL,
                )
            )
        return f"{{{{link:{nonce}}}}}"

    def redeem_token(self, person_id: int, channel: Channel, address: str, token: str) -> LinkResult:
        """Link the invited member behind ``token`` to the account (``channel``, ``address``) that opened it.

        The account's person absorbs the member's person. :class:`NotEligible` (``link.bad_token``) for an
        unknown, used or expired token — the same answer for each, so tokens cannot be probed.
        """
        now = self.ctx.clock.now()
        wanted = self._mac(f"link-token-check:{token.strip()}")
        with self.ctx.connection() as connection:
            row = connection.execute(
                select(_TOKEN.c.token_hash, _TOKEN.c.person_id, _TOKEN.c.expires_at).where(
                    _TOKEN.c.token_hash == wanted
                )
            ).first()
            if row is None or not hmac.compare_digest(row[0], wanted) or row[2] <= now:
                raise NotEligible("link.bad_token")
            member = int(row[1])
            # single use: every token of this member goes, the used one included
            connection.execute(delete(_TOKEN).where(_TOKEN.c.person_id == member))
            if member == person_id:
                return LinkResult(channel, address, merged=False)
            emails = connection.execute(
                select(_IDENTITY.c.address).where(
                    _IDENTITY.c.person_id == member, _IDENTITY.c.channel == Channel.EMAIL.value
                )
            ).scalars()
            shown = next(iter(emails), "")
            choices = self.merge(connection, person_id, member)
        return LinkResult(Channel.EMAIL, shown, merged=True, choices=tuple(choices))

    # -- rosters that name a member by e-mail and by Telegram -----------------------------------------------

    def pair_roster(self, pairs: Iterable[tuple[str, str]], *, language: str = "pl") -> int:
        """Make each (e-mail, Telegram id) a roster names together one person; returns how many pairs were joined.

        A roster is the organisation's word that both belong to one member, so they hold one ballot from the
        start — unless they are verified as two different residents (:meth:`two_residents`): skipped. A pair
        named by ``@username`` waits: the account's numeric id is known only once it writes, and the
        invitation's deep link (or ``/email``) joins it then.
        """
        joined = 0
        now = self.ctx.clock.now()
        for email, telegram in pairs:
            if not telegram.isdigit():
                continue
            with self.ctx.connection() as connection:
                owners = {
                    Channel(channel): person
                    for channel, person in connection.execute(
                        select(_IDENTITY.c.channel, _IDENTITY.c.person_id).where(
                            ((_IDENTITY.c.channel == Channel.EMAIL.value) & (_IDENTITY.c.address == email.lower()))
                            | ((_IDENTITY.c.channel == Channel.TELEGRAM.value) & (_IDENTITY.c.address == telegram))
                        )
                    )
                }
                if owners.get(Channel.EMAIL) is not None and owners.get(Channel.EMAIL) == owners.get(Channel.TELEGRAM):
                    continue
                email_owner, telegram_owner = owners.get(Channel.EMAIL), owners.get(Channel.TELEGRAM)
                if email_owner and telegram_owner and self.two_residents(connection, telegram_owner, email_owner):
                    continue  # two verified residents are not one member, whatever the roster says
                person = telegram_owner or email_owner
                if person is None:
                    person = connection.execute(
                        insert(_PERSON)
                        .values(language=language, reminders_opt_out=False, created_at=now)
                        .returning(_PERSON.c.id)
                    ).scalar_one()
                for channel, address in ((Channel.TELEGRAM, telegram), (Channel.EMAIL, email.lower())):
                    self._attach(connection, int(person), channel, address, now, verified=False)
                joined += 1
        return joined

    # -- joining two people ----------------------------------------------------------------------------

    def _attach(
        self,
        connection: Connection,
        person_id: int,
        channel: Channel,
        address: str,
        now: datetime,
        *,
        verified: bool = True,
    ) -> LinkResult:
        owner = connection.execute(
            select(_IDENTITY.c.person_id).where(_IDENTITY.c.channel == channel.value, _IDENTITY.c.address == address)
        ).scalar()
        if owner is None:
            connection.execute(
                insert(_IDENTITY).values(
                    person_id=person_id,
                    channel=channel.value,
                    address=address,
                    created_at=now,
                    verified_at=now if verified else None,
                )
            )
            self._audit(connection, "identity.link", person_id, channel=channel.value)
            return LinkResult(channel, address, merged=False)
        if owner == person_id:
            return LinkResult(channel, address, merged=False)
        choices = self.merge(connection, person_id, int(owner))
        if verified:
            connection.execute(
                update(_IDENTITY)
                .where(_IDENTITY.c.channel == channel.value, _IDENTITY.c.address == address)
                .values(verified_at=now)
            )
        return LinkResult(channel, address, merged=True, choices=tuple(choices))

    @staticmethod
    def two_residents(connection: Connection, survivor: int, absorbed: int) -> str | None:
        """The slug of a process where the two people are verified as *different* residents, or None.

        Such a link is refused (``link.two_residents``): one human is one resident of a municipality, so two
        register lines (or PESELs) behind one person means the link is wrong — or someone is trying to fold two
        residents' votes into one account. Merging would keep either two counted ballots for one person (the
        residents' keys differ) or silently drop a real resident's vote. See docs/SECURITY.md.
        """
        mine, theirs = _VOTER.alias("mine"), _VOTER.alias("theirs")
        return connection.execute(
            select(_PROCESS.c.slug)
            .select_from(mine)
            .join(theirs, (theirs.c.process_id == mine.c.process_id) & (theirs.c.person_id == absorbed))
            .join(_PROCESS, _PROCESS.c.id == mine.c.process_id)
            .where(mine.c.person_id == survivor, mine.c.voter_hash != theirs.c.voter_hash)
            .order_by(_PROCESS.c.slug)
            .limit(1)
        ).scalar()

    def merge(self, connection: Connection, survivor: int, absorbed: int) -> list[BallotChoice]:
        """``absorbed`` becomes part of ``survivor``, in the caller's transaction; returns the ballots settled.

        Identities, eligibility, tokens, opinions, roles, queued messages and every other row that names the
        absorbed person move to the survivor (where the survivor already has the same kind of row, theirs is
        kept). Per process and round where both took part, the participation whose ballot is more recent wins:
        the other ballot is retired now; where the absorbed person's ballot is the one that counts, it stays
        counted until the survivor's next ballot replaces it (``VotingService.hand_over``). The absorbed person
        row remains as an empty stub (ballot keys and erasure tombstones may still name it).

        Refused with :class:`InputError` ``link.two_residents`` (nothing changed) when the two are verified as
        different residents of one process (:meth:`two_residents`).
        """
        if (slug := self.two_residents(connection, survivor, absorbed)) is not None:
            raise InputError("link.two_residents", slug=slug)
        choices = self._settle_ballots(connection, survivor, absorbed)
        for table in metadata.sorted_tables:
            for column in table.columns:
                if (table.name, column.name) in _KEEP or table.name == "person":
                    continue
                if not any(fk.column.table.name == "person" for fk in column.foreign_keys):
                    continue
                self._move(connection, table, column, survivor, absorbed)
        connection.execute(update(_PERSON).where(_PERSON.c.id == absorbed).values(display_name=None))
        self._audit(connection, "identity.merge", survivor, absorbed=absorbed, ballots=len(choices))
        return choices

    @staticmethod
    def _move(connection: Connection, table: Any, column: Any, survivor: int, absorbed: int) -> None:
        """Point ``table.column`` from ``absorbed`` to ``survivor``, dropping the absorbed rows that would
        collide with the survivor's under a unique constraint that includes the column."""
        uniques = [
            [other for other in constraint.columns if other.name != column.name]
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint) and column.name in constraint.columns
        ]
        uniques += [
            [other for other in index.columns if other.name != column.name]
            for index in table.indexes
            if index.unique and column.name in index.columns
        ]
        for others in uniques:
            mine = table.alias("mine")
            clash = select(mine.c.id).where(
                mine.c[column.name] == survivor, *[mine.c[col.name] == table.c[col.name] for col in others]
            )
            connection.execute(delete(table).where(column == absorbed, clash.exists()))
        connection.execute(update(table).where(column == absorbed).values({column.name: survivor}))

    def _settle_ballots(self, connection: Connection, survivor: int, absorbed: int) -> list[BallotChoice]:
        """Per (process, round) both took part in: keep the most recent ballot counted, retire the other."""
        rows = connection.execute(
            select(
                _PARTICIPATION.c.person_id,
                _PARTICIPATION.c.process_id,
                _PARTICIPATION.c.round,
                _PARTICIPATION.c.channel,
                _PARTICIPATION.c.last_at,
                _PARTICIPATION.c.withdrawn,
                _PROCESS.c.slug,
            )
            .join(_PROCESS, _PROCESS.c.id == _PARTICIPATION.c.process_id)
            .where(_PARTICIPATION.c.person_id.in_((survivor, absorbed)))
        ).all()
        theirs = {(row.process_id, row.round): row for row in rows if row.person_id == absorbed}
        mine = {(row.process_id, row.round): row for row in rows if row.person_id == survivor}
        choices: list[BallotChoice] = []
        for (process_id, round_no), other in sorted(theirs.items()):
            own = mine.get((process_id, round_no))
            if own is None or own.withdrawn or other.withdrawn:
                if not other.withdrawn:
                    self.voting.hand_over(connection, process_id, absorbed, survivor)
                if own is None:
                    connection.execute(
                        update(_PARTICIPATION)
                        .where(
                            _PARTICIPATION.c.person_id == absorbed,
                            _PARTICIPATION.c.process_id == process_id,
                            _PARTICIPATION.c.round == round_no,
                        )
                        .values(person_id=survivor)
                    )
                continue
            if own.last_at >= other.last_at:
                self.voting.retire(connection, process_id, absorbed, round_no=round_no)
                choices.append(BallotChoice(other.slug, Channel(own.channel), Channel(other.channel)))
            else:
                self.voting.retire(connection, process_id, survivor, round_no=round_no)
                self.voting.hand_over(connection, process_id, absorbed, survivor)
                connection.execute(
                    update(_PARTICIPATION)
                    .where(
                        _PARTICIPATION.c.person_id == survivor,
                        _PARTICIPATION.c.process_id == process_id,
                        _PARTICIPATION.c.round == round_no,
                    )
                    .values(channel=other.channel, last_at=other.last_at)
                )
                choices.append(BallotChoice(other.slug, Channel(other.channel), Channel(own.channel)))
            # the human took part once: the absorbed participation goes
            connection.execute(
                delete(_PARTICIPATION).where(
                    and_(
                        _PARTICIPATION.c.person_id == absorbed,
                        _PARTICIPATION.c.process_id == process_id,
                        _PARTICIPATION.c.round == round_no,
                    )
                )
            )
        return choices

    def _audit(self, connection: Connection, action: str, person_id: int, **details: object) -> None:
        from storage.models import AuditEntry

        connection.execute(
            insert(AuditEntry.__table__).values(  # type: ignore[attr-defined]
                at=self.ctx.clock.now(),
                actor_person_id=person_id,
                actor=f"person:{person_id}",
                action=action,
                process_id=None,
                details=details,
            )
        )
