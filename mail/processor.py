"""One incoming message, start to finish, in ONE database transaction.

:meth:`MailProcessor.process` records the Message-ID, recognises automatic mail, authenticates the reply (a
token of ours *and* the member's own address as sender), runs each understood line as the command chat would
run (:mod:`mail.commands`: the same command table, services and refusals), and queues exactly one
confirmation in the outbox, worded for e-mail (:mod:`mail.wording`) — all committed together, or not at all.
A message seen before (same Message-ID) changes nothing and queues nothing, so a re-fetch after a crash, a
replay or a duplicate delivery is harmless. The caller files the message into the folder the :class:`Outcome`
names only after the commit.

Automatic mail (auto-replies, bounces, loops) is filed away and never answered; a reply that fails
authentication gets one polite notice a day per sender address that says nothing about any member; an
oversized message gets a note and is not read.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from bot.commands.base import Caller
from bot.commands.dispatch import invoke
from bot.commands.registry import COMMANDS
from bot.commands.table import CommandTable
from bot.definition import ProcessDefinition
from bot.domain import Channel, ProcessKind
from bot.i18n import Translator, translator
from bot.services import Services
from bot.services.mailbox import MailLog
from bot.services.outbox import mail_payload
from bot.services.unit import Unit, current_unit
from mail.addressing import MailAddressing
from mail.auto import automatic_reason
from mail.commands import mail_commands
from mail.compose import render
from mail.interpret import read_reply
from mail.parse import ParsedMail, message_hash, parse_message
from mail.sent import SentText, sent_text
from mail.tokens import ReplyTokens, TokenOwner, issue_token, new_message_id
from mail.trust import Verdict, authenticate
from mail.wording import Confirmation

__all__ = ["MailAddressing", "MailProcessor", "Outcome"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of a message: ``kind`` (accepted, not_understood, refused, oversized, automatic,
    duplicate) and the ``folder`` it belongs in (``processed`` or ``ignored``)."""

    kind: str
    folder: str
    message_id: str
    reason: str = ""
    detail: str | None = None
    """A short fixed word for ``/metrics`` and ``/status``: the kind of automatic mail, why it was refused."""


class MailProcessor:
    """Turns raw messages into core calls and queued confirmations; see the module docstring."""

    def __init__(self, services: Services, addressing: MailAddressing, table: CommandTable = COMMANDS) -> None:
        self.services = services
        self.addressing = addressing
        self.table = table
        self._slugs: dict[int, str] = {}
        self.log = MailLog(services.context)
        self.tokens = ReplyTokens(services.context)
        self._sent_cache: dict[str, tuple[ProcessDefinition, SentText]] = {}

    def _fresh_token(self, owner: TokenOwner) -> tuple[str, str]:
        """A new token for our answer (its placeholder) and the answer's Message-ID, stored together: the
        reply's own token never goes back into the store."""
        context = self.services.context
        message_id = new_message_id(self.addressing.reply_domain)
        return issue_token(self.tokens, context.secret, owner, context.clock.now(), message_id=message_id), message_id

    def _language(self, person_id: int) -> str:
        """The member's language (read on the message's unit of work)."""
        return self.services.people.get(person_id).language

    def process(self, raw: bytes) -> Outcome:
        """Handle one message (RFC 5322 bytes). Never raises for bad mail; store errors propagate (the
        transaction is rolled back and the message stays in the inbox for the next attempt)."""
        mail = parse_message(raw, max_bytes=self.addressing.max_message_bytes)
        now = self.services.context.clock.now()
        # The reply is one unit of work: its Message-ID is recorded in the same transaction as what it carries,
        # so a crash between the two can neither lose nor double-count it.
        with self.services.context.unit():
            key = message_hash(mail.message_id)
            if not self.log.claim(key, mail.message_id, now):
                stored = self.log.stored_outcome(key)
                folder = "ignored" if stored in ("automatic", "refused", "oversized") else "processed"
                return Outcome("duplicate", folder, mail.message_id)
            outcome, owner = self._handle(mail)
            self.log.record(
                key,
                outcome.kind,
                outcome.detail,
                owner.person_id if owner else None,
                owner.process_id if owner else None,
            )
        log.info("mail %s: %s %s", mail.message_id, outcome.kind, outcome.reason)
        return outcome

    # -- steps ---------------------------------------------------------------------------------------------

    def _handle(self, mail: ParsedMail) -> tuple[Outcome, TokenOwner | None]:
        own = (self.addressing.from_address, f"{self.addressing.local}@{self.addressing.reply_domain}")
        reason = automatic_reason(mail, own)
        if reason:
            return Outcome("automatic", "ignored", mail.message_id, reason, detail=reason), None
        services = self.services
        verdict = authenticate(
            self.tokens,
            mail,
            local=self.addressing.local,
            domain=self.addressing.reply_domain,
            trusted=self.addressing.trusted_authserv_ids,
        )
        if verdict.owner is None:
            if verdict.warn is not None:
                self._warn(services, mail, verdict)
            elif verdict.reason != "dmarc-fail":  # a forged From is never answered: it is not the writer's
                self._notice(services, mail, None, "mail.refused.subject", "mail.refused.body")
            return Outcome("refused", "ignored", mail.message_id, verdict.reason, detail=verdict.reason), None
        token, owner = verdict.token or "", verdict.owner
        if mail.complex:
            self._notice(services, mail, (token, owner), "mail.complex.subject", "mail.complex.body")
            return Outcome("oversized", "ignored", mail.message_id, "too complex", detail="too-complex"), owner
        if mail.oversized:
            limit = self.addressing.max_message_bytes // 1000
            self._notice(
                services,
                mail,
                (token, owner),
                "mail.oversized.subject",
                "mail.oversized.body",
                size=mail.size // 1000,
                max=limit,
            )
            return Outcome("oversized", "ignored", mail.message_id, f"{mail.size} bytes", detail="oversized"), owner
        return self._apply(services, mail, token, owner), owner

    def _warn(self, services: Services, mail: ParsedMail, verdict: Verdict) -> None:
        """Tell the member whose name a refused message used, at their own address (once a day per process).

        Never the From, Reply-To or Return-Path of the message: a forger may own those. The warning carries a
        fresh reply address, so a member whose client answered the wrong address can simply answer it.
        """
        owner = verdict.warn
        assert owner is not None
        t = translator(self._language(owner.person_id), services.context.zone)
        definition = services.processes.get(self._slug(owner.process_id)).definition
        why = t(f"mail.warn.why.{verdict.reason}", sender=", ".join(mail.senders) or "—")
        body = t("mail.warn.body", title=definition.title.get(t.language), why=why)
        subject = t("mail.warn.subject")
        text, html = render("notice", t, subject=subject, body=body, bot=services.context.bot_name)
        day = services.context.clock.now().date().isoformat()
        key = f"mail.warn:{owner.person_id}:{owner.process_id}:{day}"
        token = self._fresh_token(owner)
        self._queue(
            services,
            mail,
            token,
            owner.address,
            owner.person_id,
            "warning",
            subject,
            text,
            html,
            key=key,
            language=t.language,
        )

    def _sent(self, definition: ProcessDefinition) -> SentText:
        """What we send this process's members (rendered again, never stored: see :mod:`mail.sent`)."""
        cached = self._sent_cache.get(definition.slug)
        if cached is None or cached[0] is not definition:  # a new version of the definition: render again
            cached = (definition, sent_text(definition, self.services.context.bot_name))
            self._sent_cache[definition.slug] = cached
        return cached[1]

    def _slug(self, process_id: int) -> str:
        slug = self._slugs.get(process_id)
        if slug is None:  # a process's slug never changes: read it once
            slug = self.services.processes.slug_of(process_id)
            self._slugs[process_id] = slug
        return slug

    def _apply(self, services: Services, mail: ParsedMail, token: str, owner: TokenOwner) -> Outcome:
        """Run each understood line as the command chat would run (the same table, services and refusals),
        each in a savepoint of the reply's unit, and queue one confirmation worded for e-mail."""
        slug = self._slug(owner.process_id)
        context = services.context
        definition = services.processes.get(slug).definition
        t = translator(self._language(owner.person_id), context.zone)
        # whatever quote header was not recognised, a line repeating what we sent is never the member's
        plan = read_reply(definition, self._sent(definition).strip(mail.text))
        caller = Caller(owner.person_id, Channel.EMAIL, owner.address, t.language)
        confirmation = Confirmation(t)
        for command in mail_commands(plan, t):
            with self._alone():
                replies = invoke(self.table, services, caller, command.name, command.args, process=slug)
            if any(reply.said is not None and reply.said.key == "privacy.erased" for reply in replies):
                return self._erased(services, mail, owner.address, t)
            confirmation.add(replies, quoted=command.quoted, text=command.text)
        ignored = [t("mail.confirm.attachment", name=name) for name in mail.attachments]
        title = definition.title.get(t.language)
        text, html = render(
            "confirmation",
            t,
            title=title,
            recorded=confirmation.recorded,
            receipt=confirmation.receipt,
            problems=confirmation.problems,
            ignored=ignored,
            nothing=plan.empty,
            votes=definition.kind is not ProcessKind.CONSULTATION,
            bot=context.bot_name,
        )
        self._queue(
            services,
            mail,
            self._fresh_token(owner),
            owner.address,
            owner.person_id,
            "confirmation",
            t("mail.confirm.subject", title=title),
            text,
            html,
            language=t.language,
        )
        recorded, problems = len(confirmation.recorded), len(confirmation.problems)
        kind = "accepted" if recorded else "not_understood"
        return Outcome(kind, "processed", mail.message_id, f"{recorded} recorded, {problems} problems")

    def _erased(self, services: Services, mail: ParsedMail, address: str, t: Translator) -> Outcome:
        """The member's data was erased by a line of this reply: one last notice saying so, with no reply token
        (there is nobody to answer for) and no person; the outbox forgets its address once it is sent."""
        subject = t("mail.erased.subject")
        text, html = render("notice", t, subject=subject, body=t("mail.erased.body"), bot=services.context.bot_name)
        key = f"mail.erased:{message_hash(mail.message_id)}"
        self._queue(services, mail, None, address, None, "erased", subject, text, html, key=key, language=t.language)
        return Outcome("accepted", "processed", mail.message_id, "erased", detail="erased")

    def _alone(self) -> AbstractContextManager[None]:
        """One command of the reply: failing, it undoes only what it wrote (a savepoint of the reply's unit)."""
        return self._unit().savepoint()

    def _unit(self) -> Unit:
        unit = current_unit(self.services.context.engine)
        assert unit is not None, "a reply's commands run inside its unit (process)"
        return unit

    def _notice(
        self,
        services: Services,
        mail: ParsedMail,
        found: tuple[str, TokenOwner] | None,
        subject_key: str,
        body_key: str,
        **params: Any,
    ) -> None:
        """A short notice: to the member when authenticated, else to the sender (once a day per address)."""
        if found is None:
            if not mail.sender or "@" not in mail.sender:
                return
            t = translator(self.services.people.default_language, services.context.zone)
            day = services.context.clock.now().date().isoformat()
            key = f"mail.refused:{mail.sender}:{day}"
            token: tuple[str, str] | None = None
            address, person_id = mail.sender, None
        else:
            owner = found[1]
            token = self._fresh_token(owner)
            t = translator(self._language(owner.person_id), services.context.zone)
            key = f"mail.notice:{message_hash(mail.message_id)}"
            address, person_id = owner.address, owner.person_id
        body = t(body_key, **params)
        subject = t(subject_key)
        text, html = render("notice", t, subject=subject, body=body, bot=services.context.bot_name)
        self._queue(
            services, mail, token, address, person_id, "notice", subject, text, html, key=key, language=t.language
        )

    def _queue(
        self,
        services: Services,
        mail: ParsedMail,
        token: tuple[str, str] | None,
        address: str,
        person_id: int | None,
        purpose: str,
        subject: str,
        text: str,
        html: str,
        *,
        key: str | None = None,
        language: str | None = None,
    ) -> None:
        references = " ".join([f"<{ref}>" for ref in mail.in_reply_to[-8:]] + [mail.message_id])
        headers = {
            "Message-ID": token[1] if token else new_message_id(self.addressing.reply_domain),
            "In-Reply-To": mail.message_id,
            "References": references,
        }
        if token is not None:
            headers["Reply-To"] = self.addressing.reply_to(token[0])
            headers["List-Unsubscribe"] = self.addressing.unsubscribe(token[0])
            subject = self.addressing.subject(subject, token[0])
        services.outbox.enqueue(
            key=key or f"mail.confirm:{message_hash(mail.message_id)}",
            channel=Channel.EMAIL,
            address=address,
            purpose=f"mail.{purpose}",
            payload=mail_payload(subject, text, html, headers, language=language),
            person_id=person_id,
        )
