"""Is this message written by a machine? Automatic mail is filed away and never answered (RFC 3834).

:func:`automatic_reason` returns a short reason (for the log) or None for mail a person wrote. Signals:
``Auto-Submitted`` other than ``no``; ``X-Autoreply`` / ``X-Autorespond``; ``Precedence`` / ``X-Precedence``
bulk, junk, list or auto_reply; a null ``Return-Path`` (bounces); ``multipart/report`` (delivery and read
reports); ``X-Failed-Recipients``; From mailer-daemon or postmaster; our own address (a loop); and auto-reply
subjects in Polish and English. ``X-Auto-Response-Suppress`` alone is not a signal: Outlook puts it on
ordinary mail.
"""

from __future__ import annotations

import re
import unicodedata

from mail.parse import ParsedMail

__all__ = ["automatic_reason"]

_SUBJECT = re.compile(
    r"^\s*(\[?(automatyczna\sodpowiedz|odpowiedz\sautomatyczna|autoodpowiedz|poza\sbiurem|nieobecnosc|"
    r"jestem\snieobecn|out\sof\s(the\s)?office|automatic\sreply|auto(matic)?[\s-]?reply|autoreply|"
    r"undeliverable|undelivered\smail|delivery\sstatus\snotification|mail\sdelivery\s(failed|failure|system)|"
    r"returned\smail|niedostarczon|nie\sdostarczono|powiadomienie\so\sstanie\sdostarczenia|"
    r"vacation|urlop)\b)",
    re.IGNORECASE | re.VERBOSE,
)
_ROBOTS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply", "bounce", "bounces")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def automatic_reason(mail: ParsedMail, own_addresses: tuple[str, ...] = ()) -> str | None:
    """Why ``mail`` is automatic (``"auto-submitted"``, ``"bounce"``, ``"loop"`` …), or None."""
    headers = mail.headers
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return "auto-submitted"
    if "x-autoreply" in headers or "x-autorespond" in headers:
        return "auto-reply header"
    for name in ("precedence", "x-precedence"):
        if headers.get(name, "").strip().lower() in ("bulk", "junk", "list", "auto_reply", "auto-reply"):
            return f"precedence {headers[name].strip().lower()}"
    if mail.return_path == "":
        return "bounce"
    if mail.content_type == "multipart/report" or "x-failed-recipients" in headers:
        return "bounce"
    local = mail.sender.partition("@")[0]
    if not mail.sender or local in _ROBOTS or local.startswith(_ROBOTS):
        return "mailer-daemon"
    own_locals = {address.lower().partition("@")[0].partition("+")[0] for address in own_addresses}
    own_domains = {address.lower().partition("@")[2] for address in own_addresses}
    if local.partition("+")[0] in own_locals and mail.sender.partition("@")[2] in own_domains:
        return "loop"
    if _SUBJECT.match(_fold(re.sub(r"^\s*(re|odp|aw|fw|fwd|pd)\s*:\s*", "", mail.subject, flags=re.I))):
        return "auto-reply subject"
    return None
