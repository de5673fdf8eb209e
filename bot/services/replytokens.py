"""The store of e-mail reply tokens: the hash of each token we sent, whose it is, and the hash of the Message-ID
it went out with.

Deriving and recognising tokens is the e-mail channel's (:mod:`mail.tokens`: HMAC under the secret key, the
reply address, the subject tag); this service only keeps and finds the hashes, on the caller's unit of work —
so a token issued for an answer commits with the answer it is in, and a reply's lookups share the reply's
connection. Neither table column lets a copy of the store forge a reply (see :mod:`mail.tokens`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select

from bot.services.context import ServiceContext
from storage.models import MailToken

__all__ = ["ReplyTokens", "TokenOwner"]

_TABLE = MailToken.__table__  # type: ignore[attr-defined]
_BY_TOKEN = select(_TABLE.c.token_hash, _TABLE.c.process_id, _TABLE.c.person_id, _TABLE.c.address).where(
    _TABLE.c.token_hash == bindparam("hash")
)
_BY_REFERENCE = select(_TABLE.c.process_id, _TABLE.c.person_id, _TABLE.c.address).where(
    _TABLE.c.reference_hash == bindparam("hash")
)


@dataclass(frozen=True)
class TokenOwner:
    """Whom a token was issued to: the process, the person and the address the invitation went to."""

    process_id: int
    person_id: int
    address: str


class ReplyTokens:
    """Reply-token hashes, kept and found on the unit of work open now (see the module docstring)."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def store(self, token_hash: str, owner: TokenOwner, now: datetime, *, reference_hash: str | None = None) -> None:
        """Keep ``token_hash`` for ``owner`` (and the hash of the Message-ID it goes with), in the unit."""
        with self.ctx.connection() as connection:
            connection.execute(
                insert(_TABLE).values(
                    token_hash=token_hash,
                    process_id=owner.process_id,
                    person_id=owner.person_id,
                    address=owner.address.lower(),
                    created_at=now,
                    reference_hash=reference_hash,
                )
            )

    def owner(self, token_hash: str) -> TokenOwner | None:
        """Whose token has ``token_hash``, or None; the stored hash is compared in constant time."""
        with self.ctx.reading() as connection:
            row = connection.execute(_BY_TOKEN, {"hash": token_hash}).first()
        if row is None or not hmac.compare_digest(row[0], token_hash):
            return None
        return TokenOwner(row[1], row[2], row[3])

    def referenced(self, reference_hash: str) -> TokenOwner | None:
        """Whose message of ours had the Message-ID with ``reference_hash``, or None (a hint, never proof)."""
        with self.ctx.reading() as connection:
            row = connection.execute(_BY_REFERENCE, {"hash": reference_hash}).first()
        return TokenOwner(row[0], row[1], row[2]) if row is not None else None
