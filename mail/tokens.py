"""Reply tokens: unguessable, stored only as a hash, found and compared in constant time.

A token is 26 lower-case base32 characters (128 bits; lower case because some mail systems fold the local part
of an address), derived from a random nonce with an HMAC under the bot's secret key (:func:`derive_token`).
Queued messages carry only the placeholder ``{{token:NONCE}}``, which the sender expands just before sending
(:func:`expand_tokens`): neither the token table (hashes) nor the outbox (nonces) lets a copy of the database
forge a reply — that also takes the secret key, which never enters the store.

A token travels in the reply address ``<local>+TOKEN@<reply_domain>`` (Reply-To) and in our Message-IDs
``<glos.TOKEN.RANDOM@<reply_domain>>``, so a client that replies to From instead still quotes it in
``In-Reply-To`` / ``References``. Every answer we send carries a fresh token for the same member.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.engine import Connection

from storage.models import MailToken

__all__ = [
    "TokenOwner",
    "candidate_tokens",
    "derive_token",
    "expand_tokens",
    "find_token",
    "hash_token",
    "issue_token",
    "message_id_for",
    "reply_address",
    "store_token",
]

_TABLE = MailToken.__table__  # type: ignore[attr-defined]
_TOKEN = r"[a-z2-7]{26}"
_FIND = select(_TABLE.c.token_hash, _TABLE.c.process_id, _TABLE.c.person_id, _TABLE.c.address).where(
    _TABLE.c.token_hash == bindparam("hash")
)


@dataclass(frozen=True)
class TokenOwner:
    """Whom a token was issued to: the process, the person and the address the invitation went to."""

    process_id: int
    person_id: int
    address: str


_PLACEHOLDER = re.compile(r"\{\{token:([0-9a-f]{32})\}\}")


def derive_token(secret: bytes, nonce: str) -> str:
    """The token behind ``nonce``: an HMAC under the secret key, as 26 lower-case base32 characters."""
    digest = hmac.new(secret, f"reply-token:{nonce}".encode(), hashlib.sha256).digest()[:16]
    return base64.b32encode(digest).decode().rstrip("=").lower()


def expand_tokens(text: str, secret: bytes) -> str:
    """``text`` with every ``{{token:NONCE}}`` placeholder replaced by its token."""
    return _PLACEHOLDER.sub(lambda match: derive_token(secret, match.group(1)), text)


def issue_token(connection: Connection, secret: bytes, owner: TokenOwner, now: datetime) -> str:
    """Mint a token for ``owner``, store its hash (in the caller's transaction), return its placeholder."""
    nonce = secrets.token_hex(16)
    store_token(connection, derive_token(secret, nonce), owner, now)
    return f"{{{{token:{nonce}}}}}"


def hash_token(token: str) -> str:
    """The stored form of ``token``."""
    return hashlib.sha256(token.strip().lower().encode()).hexdigest()


def reply_address(local: str, token: str, domain: str) -> str:
    """``local+token@domain``."""
    return f"{local}+{token}@{domain}"


def message_id_for(token: str | None, domain: str) -> str:
    """A new Message-ID of ours, carrying ``token`` when there is one."""
    middle = f"{token}." if token else ""
    return f"<glos.{middle}{secrets.token_hex(8)}@{domain}>"


def candidate_tokens(local: str, domain: str, recipients: Iterable[str], references: Iterable[str]) -> list[str]:
    """Tokens found in the recipient addresses (``local+TOKEN@domain``) and in our Message-IDs, in that order."""
    address = re.compile(rf"^{re.escape(local.lower())}\+({_TOKEN})@{re.escape(domain.lower())}$")
    reference = re.compile(rf"^glos\.({_TOKEN})\.[0-9a-f]+@{re.escape(domain.lower())}$")
    found: list[str] = []
    for recipient in recipients:
        match = address.match(recipient.strip().lower())
        if match and match.group(1) not in found:
            found.append(match.group(1))
    for ref in references:
        match = reference.match(ref.strip().strip("<>").lower())
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def store_token(connection: Connection, token: str, owner: TokenOwner, now: datetime) -> None:
    """Store the hash of ``token`` for ``owner``, in the caller's transaction."""
    connection.execute(
        insert(_TABLE).values(
            token_hash=hash_token(token),
            process_id=owner.process_id,
            person_id=owner.person_id,
            address=owner.address.lower(),
            created_at=now,
        )
    )


def find_token(connection: Connection, token: str) -> TokenOwner | None:
    """The owner of ``token``, or None. The lookup is by hash, and the hash is compared in constant time."""
    wanted = hash_token(token)
    row = connection.execute(_FIND, {"hash": wanted}).first()
    if row is None or not hmac.compare_digest(row[0], wanted):
        return None
    return TokenOwner(row[1], row[2], row[3])
