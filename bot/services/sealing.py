"""Sealed outbox payloads: a message that carries a person's own ballot or receipt is encrypted in the store.

A confirmation ("your vote: …, receipt ABCD-…") or a "your projects" summary pairs an address with ballot
content. Such a message is queued with its payload encrypted (AES-256-GCM under a key derived from the secret key,
which never enters the store) and emptied once sent, so a copy of the store without the secret key shows neither
the content nor the receipt, before or after sending. The senders see the plain payload: :meth:`Outbox.claim`
opens it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["SEALED", "SEALED_PURPOSES", "open_payload", "seal_payload"]

SEALED = "sealed"  # the payload key holding the ciphertext
# Outbox purposes whose messages carry the recipient's own ballot or receipt.
SEALED_PURPOSES = frozenset({"yours", "mail.confirmation"})
_NONCE = 12


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
