"""Who wrote this reply? Authentication by what an attacker cannot see, and whom to warn when it fails.

A reply is a member's when **all** of these hold:

* it carries a reply token of ours where only the member saw it: in the address it was sent to
  (``glos+TOKEN@domain``) or in a ``[#TOKEN]`` subject tag (:func:`mail.tokens.candidate_tokens`) — never
  in In-Reply-To / References, which travel to lists and to anyone a thread is forwarded to;
* its From names exactly one address, and that is the address the token was issued to;
* no trusted mail server said the From is forged: an ``Authentication-Results`` header whose authserv-id is one
  of ``trusted`` (``[mail] trusted_authserv_ids``; our own MX adds it and removes copies from outside) with
  ``dmarc=fail`` refuses the reply, even with a good token. With no trusted id configured, the topmost header
  (the one our MX prepended, if any) is read for ``dmarc=fail`` only: a forged ``pass`` must never help.

One exception, for members whose client answers From instead of Reply-To: a reply without a token that names
our message in In-Reply-To / References, from that message's member, is accepted when a trusted server says
``dmarc=pass`` for it (the From is then proven, and the reference says which process). Without that verdict it
is refused.

When a reply is refused but we know whose name it used (a token of theirs, or a reference to a message we sent
them), :attr:`Verdict.warn` is that member: the processor warns them at **their** address, never at the From,
Reply-To or Return-Path of the message (a forger may own those).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mail.parse import ParsedMail
from mail.tokens import ReplyTokens, TokenOwner, candidate_tokens, find_reference, find_token

__all__ = ["Verdict", "authenticate", "dmarc_verdict"]

_MAX_TOKENS = 5  # a message naming more candidates than that is not a member's reply
_DMARC = re.compile(r"\bdmarc\s*=\s*([a-z]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`authenticate`.

    ``owner`` and ``token`` are set when the reply is the member's (``token`` is None when DMARC and a reference
    proved it). Otherwise ``reason`` says why not (``no-token``, ``wrong-sender``, ``several-senders``,
    ``dmarc-fail``, ``reference-only``) and ``warn`` is the member whose name was used, if known.
    """

    owner: TokenOwner | None = None
    token: str | None = None
    reason: str = "ok"
    warn: TokenOwner | None = None

    @property
    def authenticated(self) -> bool:
        """True when the reply is the member's."""
        return self.owner is not None


def dmarc_verdict(results: tuple[str, ...], trusted: tuple[str, ...]) -> str | None:
    """``pass``, ``fail`` (or another RFC 8601 result) of DMARC for the message, or None when nobody trusted said.

    ``results`` are the ``Authentication-Results`` values, topmost first. With ``trusted`` authserv-ids only
    their headers count (a ``fail`` from any of them wins); without, only the topmost header, and only a fail.
    """
    wanted = {name.strip().lower() for name in trusted if name.strip()}
    verdicts: list[str] = []
    for index, value in enumerate(results):
        authserv = value.split(";", 1)[0].strip().split()[0].lower() if value.strip() else ""
        if wanted and authserv not in wanted:
            continue
        if not wanted and index > 0:
            break
        verdicts += [match.group(1).lower() for match in _DMARC.finditer(value)]
    if "fail" in verdicts:
        return "fail"
    if not wanted:
        return None
    return verdicts[0] if verdicts else None


def authenticate(
    tokens: ReplyTokens, mail: ParsedMail, *, local: str, domain: str, trusted: tuple[str, ...] = ()
) -> Verdict:
    """Decide whose reply ``mail`` is, as the module docstring says (reads the token table only)."""
    dmarc = dmarc_verdict(mail.authentication_results, trusted)
    candidates = candidate_tokens(local, domain, mail.recipients, mail.subject)[:_MAX_TOKENS]
    owners = [(token, owner) for token in candidates if (owner := find_token(tokens, token)) is not None]
    if owners:
        token, owner = next(((t, o) for t, o in owners if o.address == mail.sender), owners[0])
        if dmarc == "fail":
            return Verdict(reason="dmarc-fail", warn=owner)
        if len(mail.senders) > 1:
            return Verdict(reason="several-senders", warn=owner)
        if owner.address != mail.sender:
            return Verdict(reason="wrong-sender", warn=owner)
        return Verdict(owner=owner, token=token)
    referenced = find_reference(tokens, domain, mail.in_reply_to)
    if referenced is None:
        return Verdict(reason="dmarc-fail" if dmarc == "fail" else "no-token")
    if dmarc == "pass" and len(mail.senders) == 1 and referenced.address == mail.sender:
        return Verdict(owner=referenced)
    reason = "dmarc-fail" if dmarc == "fail" else "several-senders" if len(mail.senders) > 1 else "reference-only"
    return Verdict(reason=reason, warn=referenced)
