"""Reply tokens: unguessable, stored only as a hash, found and compared in constant time.

A token is 26 lower-case base32 characters (128 bits; lower case because some mail systems fold the local part
of an address), derived from a random nonce with an HMAC under the bot's secret key (:func:`derive_token`).
Queued messages carry only the placeholder ``{{token:NONCE}}``, which the sender expands just before sending
(:func:`expand_tokens`): neither the token table (hashes) nor the outbox (nonces) lets a copy of the database
forge a reply — that also takes the secret key, which never enters the store.

A token travels only where an attacker cannot see it: the reply address ``<local>+TOKEN@<reply_domain>``
(Reply-To), or, for servers that cannot deliver plus-addresses (``[mail] token_in = "subject"``), a
``[#TOKEN]`` tag in the subject. It is **never** in our Message-ID (``<glos.RANDOM@domain>``): a Message-ID
travels in every reply's In-Reply-To and References, to mailing lists and to anyone the member forwards to.
The store keeps the hash of each Message-ID beside its token (:func:`find_reference`), so a reply that only
names our message (a client answering From, or a forger who copied the In-Reply-To) tells us whose it was —
to warn that member at their real address — but never authenticates anything. Message-IDs of the old form
``<glos.TOKEN.RANDOM@domain>`` (invitations sent before) are still recognised for that warning. Every answer
we send carries a fresh token for the same member.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime

from bot.services.linking import derive_code, derive_link_token
from bot.services.replytokens import ReplyTokens, TokenOwner

__all__ = [
    "ReplyTokens",
    "TokenOwner",
    "candidate_tokens",
    "derive_token",
    "expand_tokens",
    "find_reference",
    "find_token",
    "hash_token",
    "issue_token",
    "new_message_id",
    "reply_address",
    "store_token",
    "subject_tag",
]

_TOKEN = r"[a-z2-7]{26}"
_SUBJECT_TAG = re.compile(rf"\[#({_TOKEN})\]", re.IGNORECASE)


_PLACEHOLDER = re.compile(r"\{\{token:([0-9a-f]{32})\}\}")
_CODE_PLACEHOLDER = re.compile(r"\{\{code:([0-9a-f]{32})\}\}")
_LINK_PLACEHOLDER = re.compile(r"\{\{link:([0-9a-f]{32})\}\}")


def derive_token(secret: bytes, nonce: str) -> str:
    """The token behind ``nonce``: an HMAC under the secret key, as 26 lower-case base32 characters."""
    digest = hmac.new(secret, f"reply-token:{nonce}".encode(), hashlib.sha256).digest()[:16]
    return base64.b32encode(digest).decode().rstrip("=").lower()


def expand_tokens(text: str, secret: bytes) -> str:
    """``text`` with every ``{{token:NONCE}}`` placeholder replaced by its token, and the identity-link
    placeholders (``{{code:NONCE}}``, ``{{link:NONCE}}``, :mod:`bot.services.linking`) by their code and token."""
    text = _PLACEHOLDER.sub(lambda match: derive_token(secret, match.group(1)), text)
    text = _CODE_PLACEHOLDER.sub(lambda match: derive_code(secret, match.group(1)), text)
    return _LINK_PLACEHOLDER.sub(lambda match: derive_link_token(secret, match.group(1)), text)


def issue_token(
    tokens: ReplyTokens, secret: bytes, owner: TokenOwner, now: datetime, *, message_id: str | None = None
) -> str:
    """Mint a token for ``owner``, store its hash (in the unit of work open now), return its placeholder.

    ``message_id`` is the Message-ID of the message that carries the token: its hash is kept beside the token,
    so that a reply naming it in In-Reply-To tells whose message it answers (see :func:`find_reference`).
    """
    nonce = secrets.token_hex(16)
    store_token(tokens, derive_token(secret, nonce), owner, now, message_id=message_id)
    return f"{{{{token:{nonce}}}}}"


def hash_token(token: str) -> str:
    """The stored form of ``token``."""
    return hashlib.sha256(token.strip().lower().encode()).hexdigest()


def reply_address(local: str, token: str, domain: str) -> str:
    """``local+token@domain``."""
    return f"{local}+{token}@{domain}"


def subject_tag(token: str) -> str:
    """The subject's form of ``token`` (``[#TOKEN]``), for ``token_in = "subject"``."""
    return f"[#{token}]"


def new_message_id(domain: str) -> str:
    """A new Message-ID of ours: random, carrying no token."""
    return f"<glos.{secrets.token_hex(12)}@{domain}>"


def candidate_tokens(local: str, domain: str, recipients: Iterable[str], subject: str = "") -> list[str]:
    """Tokens found in the recipient addresses (``local+TOKEN@domain``), then in a ``[#TOKEN]`` subject tag.

    Never in In-Reply-To / References: what travels there may have been seen by anyone.
    """
    address = re.compile(rf"^{re.escape(local.lower())}\+({_TOKEN})@{re.escape(domain.lower())}$")
    found: list[str] = []
    for recipient in recipients:
        match = address.match(recipient.strip().lower())
        if match and match.group(1) not in found:
            found.append(match.group(1))
    for match in _SUBJECT_TAG.finditer(subject):
        if match.group(1).lower() not in found:
            found.append(match.group(1).lower())
    return found


def find_reference(tokens: ReplyTokens, domain: str, references: Iterable[str]) -> TokenOwner | None:
    """Whose message of ours ``references`` (In-Reply-To, References) name, or None; the newest named first.

    Only a hint of whom a reply concerns, never proof of who wrote it. Old Message-IDs that carried the token
    (``glos.TOKEN.RANDOM@domain``) are found through the token itself.
    """
    legacy = re.compile(rf"^glos\.({_TOKEN})\.[0-9a-f]+@{re.escape(domain.lower())}$")
    for reference in list(references)[::-1][:8]:
        value = reference.strip().strip("<>").lower()
        if not value.endswith("@" + domain.lower()):
            continue
        match = legacy.match(value)
        owner = find_token(tokens, match.group(1)) if match else tokens.referenced(_reference_hash(value))
        if owner is not None:
            return owner
    return None


def _reference_hash(message_id: str) -> str:
    # the same form as mail.parse.message_hash (not imported: tokens must not depend on parsing)
    return hashlib.sha256(message_id.strip().strip("<>").lower().encode()).hexdigest()


def store_token(
    tokens: ReplyTokens, token: str, owner: TokenOwner, now: datetime, *, message_id: str | None = None
) -> None:
    """Store the hash of ``token`` for ``owner`` (and of the Message-ID it goes with), in the unit of work."""
    tokens.store(hash_token(token), owner, now, reference_hash=_reference_hash(message_id) if message_id else None)


def find_token(tokens: ReplyTokens, token: str) -> TokenOwner | None:
    """The owner of ``token``, or None. The lookup is by hash, and the hash is compared in constant time."""
    return tokens.owner(hash_token(token))
