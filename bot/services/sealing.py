"""Sealed outbox payloads and sealed ballots: what pairs a person with a choice is encrypted in the store.

A confirmation ("your vote: …, receipt ABCD-…") or a "your projects" summary pairs an address with ballot
content. Such a message is queued with its payload encrypted (AES-256-GCM under a key derived from the secret key,
which never enters the store) and emptied once sent, so a copy of the store without the secret key shows neither
the content nor the receipt, before or after sending. The senders see the plain payload: :meth:`Outbox.claim`
opens it.

**Ballots of a secret process are sealed while it is open** (:func:`seal_ballot`): PostgreSQL keeps a table's rows
in the order they were written (``ctid``, what a plain dump shows), so until the process closes the ballot heap
is in casting order — the order of the participation rows. Sealed, a row in that order says nothing: its content
is AES-256-GCM under a key derived from the secret key (a separate one), padded to a fixed size so that even its
length does not say how many projects were chosen. Closing a secret process opens every ballot and rewrites them
in random order (:mod:`bot.services.shuffle`). Every reader of ballot content goes through :func:`open_ballot`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "BALLOT_SEALED",
    "FORGOTTEN_PURPOSES",
    "SEALED",
    "SEALED_PURPOSES",
    "open_ballot",
    "open_payload",
    "seal_ballot",
    "seal_payload",
]

SEALED = "sealed"  # the payload key holding the ciphertext
# Outbox purposes whose messages carry the recipient's own ballot or receipt.
SEALED_PURPOSES = frozenset({"yours", "mail.confirmation", "mail.erased"})
# Outbox purposes whose address is forgotten once sent: the notice that a person's data was erased.
FORGOTTEN_PURPOSES = frozenset({"mail.erased"})
_NONCE = 12
BALLOT_SEALED = "@sealed"  # a sealed ballot's only key (a metadata key: never a pool)
_BALLOT_BLOCK = 256  # sealed ballots are padded to a multiple of this many bytes: nearly all are one block


def _key(secret: bytes) -> bytes:
    return hmac.new(secret, b"glos outbox seal v1", hashlib.sha256).digest()


def seal_payload(secret: bytes, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` encrypted as ``{"sealed": base64(nonce ‖ ciphertext)}``."""
    nonce = os.urandom(_NONCE)
    plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    sealed = AESGCM(_key(secret)).encrypt(nonce, plain, None)
    return {SEALED: base64.b64encode(nonce + sealed).decode()}


def open_payload(secret: bytes, payload: dict[str, Any]) -> dict[str, Any]:
    """The plain payload of a sealed one (a plain payload is returned as it is)."""
    sealed = payload.get(SEALED)
    if not isinstance(sealed, str) or len(payload) != 1:
        return payload
    raw = base64.b64decode(sealed)
    plain = AESGCM(_key(secret)).decrypt(raw[:_NONCE], raw[_NONCE:], None)
    opened: dict[str, Any] = json.loads(plain)
    return opened


@lru_cache(maxsize=4)
def _ballot_cipher(secret: bytes) -> AESGCM:
    return AESGCM(hmac.new(secret, b"glos ballot seal v1", hashlib.sha256).digest())


def seal_ballot(secret: bytes, content: Mapping[str, Any]) -> dict[str, Any]:
    """``content`` encrypted as ``{"@sealed": base64(nonce ‖ ciphertext)}``, padded with spaces (which JSON
    ignores) to a multiple of :data:`_BALLOT_BLOCK` bytes."""
    plain = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    plain += b" " * (-len(plain) % _BALLOT_BLOCK)
    nonce = os.urandom(_NONCE)
    return {BALLOT_SEALED: base64.b64encode(nonce + _ballot_cipher(secret).encrypt(nonce, plain, None)).decode()}


def open_ballot(secret: bytes, content: Mapping[str, Any]) -> dict[str, Any]:
    """The plain content of a ballot, sealed or not."""
    sealed = content.get(BALLOT_SEALED)
    if not isinstance(sealed, str) or len(content) != 1:
        return dict(content)
    raw = base64.b64decode(sealed)
    opened: dict[str, Any] = json.loads(_ballot_cipher(secret).decrypt(raw[:_NONCE], raw[_NONCE:], None))
    return opened
