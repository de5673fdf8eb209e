"""Is this message written by a machine? Automatic mail is filed away, never answered, never counted (RFC 3834).

:func:`automatic_reason` returns the *kind* of automatic mail (one of :data:`KINDS`, shown in ``/metrics``) or
None for mail a person wrote. Signals, strongest first:

* ``report`` types (RFC 6522): ``delivery-status`` (DSN, RFC 3464) is a ``bounce``, ``feedback-report`` (ARF,
  RFC 5965) a ``feedback-report``, ``disposition-notification`` (RFC 8098) a ``read-receipt``; a ``Feedback-Type``
  header alone is ARF too;
* RFC 3834: ``Auto-Submitted`` other than ``no`` (``auto-replied`` is an ``auto-reply``, anything else
  ``auto-generated``); ``X-Autoreply`` / ``X-Autorespond``; ``Precedence`` / ``X-Precedence`` ``auto_reply``
  (an ``auto-reply``) or ``bulk`` / ``junk`` / ``list`` (``bulk``);
* bounces without a report: a null ``Return-Path``, ``X-Failed-Recipients``;
* challenge-response systems (``X-Challenge``, ``X-Cr-*`` headers; Boxbe, SpamArrest, "please verify you are
  human" subjects): ``challenge-response``;
* machine senders: ``mailer-daemon``, ``postmaster`` / ``post_master``, ``noreply`` and friends (``postmaster``);
  list software (Mailman's ``-owner`` / ``-request`` / ``-bounces`` addresses and headers, Sympa, Google Groups,
  ``List-Id``): ``list-admin``;
* our own address as sender: ``loop``;
* auto-reply subjects in many languages ("Automatische Antwort", "Réponse automatique", "Poza biurem" …):
  ``auto-reply``.

``X-Auto-Response-Suppress`` alone is not a signal: Outlook puts it on ordinary mail. Neither is a subject that
merely *mentions* a holiday: only the subject's beginning is read.
"""

from __future__ import annotations

import re
import unicodedata

from mail.parse import ParsedMail

__all__ = ["KINDS", "automatic_reason"]

KINDS = (
    "auto-reply",
    "auto-generated",
    "bounce",
    "feedback-report",
    "read-receipt",
    "challenge-response",
    "postmaster",
    "list-admin",
    "bulk",
    "loop",
)
"""Every kind :func:`automatic_reason` returns."""

_AUTO_SUBJECT = re.compile(
    r"""^\s*\[?\s*(
        automatyczna\sodpowiedz|odpowiedz\sautomatyczna|autoodpowiedz|poza\sbiurem|nieobecnosc|jestem\snieobecn
      | out\sof\s(the\s)?office|automatic\sreply|auto(matic)?[\s-]?repl(y|ies)|autoreply|auto[\s-]?response
      | abwesenheitsnotiz|automatische\s(antwort|ruckantwort)|ausser\shaus|nicht\sim\sburo
      | reponse\sautomatique|absent\sdu\sbureau|message\sd'absence
      | respuesta\sautomatica|fuera\sde\s(la\s)?oficina
      | risposta\sautomatica|fuori\s(ufficio|sede)
      | resposta\sautomatica|fora\sdo\sescritorio
      | automaticka\sodpoved|mimo\skancelar
      | automatisch\santwoord|niet\saanwezig|buiten\skantoor
      | automatisk\s(svar|besked)|ikke\still\sstede|ej\si\stjanst
      | автоответ|автоматический\sответ|автоматична\sвідповідь|автовідповідь|не\sв\sофисе|поза\sофісом
      # a bare word is a person's subject too ("Absence of seniors' programmes"): only as a label
      | (vacation|urlop|absence|abwesend|ausente|assente|ausencia|afwezig|nepritomnost|fravaerende|franvarande
         |frånvarande|отпуск|відпустка)\s*[:\-–(]
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_BOUNCE_SUBJECT = re.compile(
    r"""^\s*(
        undeliverable|undelivered\smail|delivery\sstatus\snotification|mail\sdelivery\s(failed|failure|system)
      | returned\smail|failure\snotice|delivery\s(failure|has\sfailed)|niedostarczon|nie\sdostarczono
      | powiadomienie\so\sstanie\sdostarczenia|unzustellbar|non\sremis|non\sdistribuable|no\sse\spuede\sentregar
      | non\srecapitabile|nedorucitel|onbestelbaar|kan\sikke\sleveres|kunde\sinte\slevereras|недоставлен|не\sдоставлено
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_CHALLENGE_SUBJECT = re.compile(
    r"(please\s(confirm|verify)\s(your|that|you)|verify\syou\sare\s(human|a\sperson)|challenge[\s-]response|"
    r"spam\s?arrest|boxbe|awaiting\syour\sverification|potwierd[zź]\s(nadawc|wiadomo)|"
    r"bestatigen\ssie\s(ihre|den\sabsender))",
    re.IGNORECASE,
)
_POSTMASTER = ("mailer-daemon", "mailer_daemon", "mailerdaemon", "postmaster", "post_master", "post-master")
_NOREPLY = ("noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply")
_LIST_SUFFIXES = ("-owner", "-request", "-bounces", "-admin", "-confirm", "-join", "-leave", "owner-")
_LIST_SENDERS = ("sympa", "mailman", "listserv", "majordomo", "ezmlm")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _subject(mail: ParsedMail) -> str:
    """The subject without reply/forward prefixes, folded (no diacritics)."""
    prefixes = r"^\s*((re|odp|aw|wg|fw|fwd|pd|sv|vs|tr|r|rif|res|enc|odg|ответ|отв|на)\s*(\[\d+\])?\s*:\s*)+"
    return _fold(re.sub(prefixes, "", mail.subject, flags=re.IGNORECASE))


def _sender_kind(mail: ParsedMail) -> str | None:
    address = mail.sender or (mail.senders[0] if mail.senders else "")
    local, _, domain = address.partition("@")
    if not address:
        return "postmaster"
    if local.startswith(_POSTMASTER) or local.startswith(_NOREPLY):
        return "postmaster"
    if local.endswith(_LIST_SUFFIXES) or local.startswith(_LIST_SUFFIXES) or local in _LIST_SENDERS:
        return "list-admin"
    if domain == "googlegroups.com" and ("x-google-group-id" in mail.headers or local.startswith(_NOREPLY)):
        return "list-admin"
    return None


def automatic_reason(mail: ParsedMail, own_addresses: tuple[str, ...] = ()) -> str | None:
    """The kind of automatic mail ``mail`` is (one of :data:`KINDS`), or None when a person wrote it."""
    headers = mail.headers
    report = mail.report_type
    if report == "delivery-status":
        return "bounce"
    if report == "feedback-report" or "feedback-type" in headers:
        return "feedback-report"
    if report == "disposition-notification":
        return "read-receipt"
    if report:
        return "bounce"
    auto = headers.get("auto-submitted", "").strip().lower().split(";")[0].strip()
    if auto and auto != "no":
        return "auto-reply" if auto == "auto-replied" else "auto-generated"
    if "x-autoreply" in headers or "x-autorespond" in headers:
        return "auto-reply"
    if "x-challenge" in headers or "x-cr-hashedpuzzle" in headers:
        return "challenge-response"
    for name in ("precedence", "x-precedence"):
        value = headers.get(name, "").strip().lower()
        if value in ("auto_reply", "auto-reply"):
            return "auto-reply"
        if value in ("bulk", "junk", "list"):
            return "bulk"
    if mail.return_path == "" or "x-failed-recipients" in headers:
        return "bounce"
    sender = _sender_kind(mail)
    if sender == "postmaster" and _BOUNCE_SUBJECT.match(_subject(mail)):
        return "bounce"
    if sender:
        return sender
    if any(name in headers for name in ("x-mailman-version", "x-sympa-version", "list-id", "x-google-group-id")):
        return "list-admin"
    own_locals = {address.lower().partition("@")[0].partition("+")[0] for address in own_addresses}
    own_domains = {address.lower().partition("@")[2] for address in own_addresses}
    if mail.sender.partition("@")[0].partition("+")[0] in own_locals and mail.sender.partition("@")[2] in own_domains:
        return "loop"
    subject = _subject(mail)
    if _BOUNCE_SUBJECT.match(subject):
        return "bounce"
    if _CHALLENGE_SUBJECT.search(subject):
        return "challenge-response"
    if _AUTO_SUBJECT.match(subject):
        return "auto-reply"
    return None
