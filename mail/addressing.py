"""Our addresses and where the reply token travels (``[mail] from_address``, ``reply_domain``, ``token_in``,
``trusted_authserv_ids``): what the invitation, the processor and the channel share."""

from __future__ import annotations

from dataclasses import dataclass

from mail.tokens import reply_address, subject_tag

__all__ = ["MailAddressing"]


@dataclass(frozen=True)
class MailAddressing:
    """Our addresses: ``from_address`` (``glos@example.org``) and ``reply_domain`` of ``glos+TOKEN@…``."""

    from_address: str
    reply_domain: str
    max_message_bytes: int = 1_000_000
    token_in: str = "address"
    """Where the reply token travels: ``address`` (``glos+TOKEN@domain`` in Reply-To) or ``subject``
    (``[#TOKEN]`` in the subject, for servers that cannot deliver plus-addresses; see config.example.toml)."""
    trusted_authserv_ids: tuple[str, ...] = ()
    """authserv-ids of ``Authentication-Results`` headers that our own mail server writes (see mail.trust)."""

    @property
    def local(self) -> str:
        """The local part of the From address, before any ``+``."""
        return self.from_address.partition("@")[0].partition("+")[0].lower()

    def reply_to(self, token: str) -> str:
        """The member's reply address (the plain address when the token travels in the subject)."""
        if self.token_in == "subject":
            return f"{self.local}@{self.reply_domain}"
        return reply_address(self.local, token, self.reply_domain)

    def subject(self, subject: str, token: str | None) -> str:
        """``subject`` with the token's tag when the token travels in the subject."""
        if token is None or self.token_in != "subject":
            return subject
        return f"{subject} {subject_tag(token)}"

    def unsubscribe(self, token: str) -> str:
        """The ``List-Unsubscribe`` value: a mail with the word STOP to the member's reply address."""
        if self.token_in == "subject":
            return f"<mailto:{self.reply_to(token)}?subject=STOP%20{subject_tag(token)}>"
        return f"<mailto:{self.reply_to(token)}?subject=STOP>"
