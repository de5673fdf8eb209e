"""Opinions on a process or on one § section, their moderation, and the authority's response.

An opinion is accepted while the process is open, stored as ``pending``, and shown publicly (in the report)
only once a moderator approves it. Each opinion may get the authority's position — accepted, partially
accepted, rejected — with a justification, as the consultation report (*raport z konsultacji*) requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.documents.citation import citation_key
from bot.domain import Channel, ItemKind, ModerationStatus, ResponseStatus
from bot.errors import InputError, NotFound
from bot.services.context import ServiceContext
from bot.services.eligibility import EligibilityService
from bot.services.voting import VotingService
from bot.text import clean_text
from storage.models import Item, Opinion, Process

__all__ = ["MAX_OPINION_CHARS", "OpinionService", "OpinionView"]

MAX_OPINION_CHARS = 4000
_ANNEX_PREFIX = re.compile(r"^zał\.\w+?(?=§|art\.|rozdz\.|ust\.|pkt)")


@dataclass(frozen=True)
class OpinionView:
    """An opinion as moderators and reports see it (the author is not part of it)."""

    id: int
    process_slug: str
    section: str | None
    section_number: str | None
    text: str
    channel: Channel
    created_at: datetime
    status: ModerationStatus
    response_status: ResponseStatus | None
    response_text: str | None


class OpinionService:
    """Accepts, moderates and answers opinions."""

    def __init__(self, context: ServiceContext, eligibility: EligibilityService, voting: VotingService) -> None:
        self.ctx = context
        self.eligibility = eligibility
        self.voting = voting

    def submit(self, slug: str, person_id: int, text: str, channel: Channel, *, section: str | None = None) -> int:
        """Store an opinion (optionally on section ``section``, given as key or number); returns its id.

        The text is kept without control and bidi characters (:func:`bot.text.clean_text`): it goes to reports,
        pages, spreadsheets, consoles and other people's chats."""
        text = clean_text(text).strip()
        if not text:
            raise InputError("opinion.empty")
        if len(text) > MAX_OPINION_CHARS:
            raise InputError("opinion.too_long", max=MAX_OPINION_CHARS, length=len(text))
        now = self.ctx.clock.now()
        with self.ctx.transaction() as session:
            process = self.ctx.state(session.connection(), slug)
            self.voting.require_open(process, now)
            self.eligibility.require(session.connection(), process, person_id)
            item_id = self._section_id(session, process.id, section) if section else None
            opinion = Opinion(
                process_id=process.id,
                item_id=item_id,
                person_id=person_id,
                channel=channel,
                text=text,
                created_at=now,
                status=ModerationStatus.PENDING,
            )
            session.add(opinion)
            session.flush()
            assert opinion.id is not None
            return opinion.id

    def withdraw(self, opinion_id: int, person_id: int, *, slug: str | None = None) -> OpinionView:
        """The author takes their remark back while the process is open; it stays on record as withdrawn (the
        report lists it with that status, never its text) and no longer counts its author as taking part.

        Someone else's remark, one of another process than ``slug`` (when given: an e-mail reply speaks for its
        own process), or none, is :class:`NotFound` alike: nobody learns whose a number is."""
        now = self.ctx.clock.now()
        with self.ctx.transaction() as session:
            opinion = session.get(Opinion, opinion_id)
            if opinion is None or opinion.person_id != person_id:
                raise NotFound("opinion.not_found", id=opinion_id)
            process = session.get(Process, opinion.process_id)
            assert process is not None
            if slug is not None and process.slug != slug:
                raise NotFound("opinion.not_found", id=opinion_id)
            self.voting.require_open(process, now)
            if opinion.status == ModerationStatus.WITHDRAWN:
                raise InputError("opinion.already_withdrawn", id=opinion_id)
            opinion.status = ModerationStatus.WITHDRAWN
            opinion.moderated_at = now  # when its status last changed; moderated_by stays the moderator's
            session.add(opinion)
            self.ctx.audit(
                session,
                "opinion.withdraw",
                actor_person_id=person_id,
                process_id=opinion.process_id,
                opinion_id=opinion_id,
            )
            return self._view(session, opinion)

    def process_of(self, opinion_id: int) -> str:
        """The slug of the process an opinion is about (``opinion.not_found`` for an unknown id): what a moderator
        command acting on an opinion checks the caller's organisation against before it acts."""
        with self.ctx.reading() as connection:
            slug = connection.execute(
                select(Process.slug)
                .join(Opinion, col(Opinion.process_id) == col(Process.id))
                .where(col(Opinion.id) == opinion_id)
            ).scalar()
        if slug is None:
            raise NotFound("opinion.not_found", id=opinion_id)
        return str(slug)

    def moderate(self, opinion_id: int, status: ModerationStatus, *, actor_id: int) -> OpinionView:
        """Approve or reject an opinion (a withdrawn one stays withdrawn: its author took it back)."""
        with self.ctx.transaction() as session:
            opinion = self._get(session, opinion_id)
            if opinion.status == ModerationStatus.WITHDRAWN:
                raise InputError("opinion.already_withdrawn", id=opinion_id)
            opinion.status = status
            opinion.moderated_by = actor_id
            opinion.moderated_at = self.ctx.clock.now()
            session.add(opinion)
            self.ctx.audit(
                session,
                "opinion.moderate",
                actor_person_id=actor_id,
                process_id=opinion.process_id,
                opinion_id=opinion_id,
                status=status.value,
            )
            return self._view(session, opinion)

    def respond(self, opinion_id: int, status: ResponseStatus, text: str, *, actor_id: int) -> OpinionView:
        """Record the authority's position and its justification (cleaned as :meth:`submit` cleans)."""
        text = clean_text(text).strip()
        if not text:
            raise InputError("opinion.response_needs_text")
        if len(text) > MAX_OPINION_CHARS:  # refused, never cut: the justification is a public record
            raise InputError("opinion.too_long", max=MAX_OPINION_CHARS, length=len(text))
        with self.ctx.transaction() as session:
            opinion = self._get(session, opinion_id)
            opinion.response_status = status
            opinion.response_text = text
            opinion.responded_by = actor_id
            opinion.responded_at = self.ctx.clock.now()
            session.add(opinion)
            self.ctx.audit(
                session,
                "opinion.respond",
                actor_person_id=actor_id,
                process_id=opinion.process_id,
                opinion_id=opinion_id,
                status=status.value,
            )
            return self._view(session, opinion)

    def list(self, slug: str, *, status: ModerationStatus | None = None, limit: int = 50) -> list[OpinionView]:
        """Opinions of a process, oldest first, optionally only those in ``status``."""
        with self.ctx.read_session() as session:
            process = self.ctx.process(session, slug)
            query = select(Opinion).where(Opinion.process_id == process.id).order_by(col(Opinion.id))
            if status is not None:
                query = query.where(Opinion.status == status)
            return [self._view(session, opinion) for opinion in session.exec(query.limit(limit)).all()]

    def _get(self, session: Session, opinion_id: int) -> Opinion:
        opinion = session.get(Opinion, opinion_id)
        if opinion is None:
            raise NotFound("opinion.not_found", id=opinion_id)
        return opinion

    def _section_id(self, session: Session, process_id: int, section: str) -> int:
        """The section a remark cites: by key, by number (``§3``) or by unit citation (``§ 3 ust. 2 pkt 1``).

        A draft whose provisions sit in an annex numbers them ``zał. 1 § 3``; a resident who writes ``§ 3``
        means that one when the document has no § 3 of its own and exactly one annex has it.
        """
        wanted = citation_key(section)
        sections = session.exec(select(Item).where(Item.process_id == process_id, Item.kind == ItemKind.SECTION)).all()
        in_annex: list[int] = []
        for item in sections:
            assert item.id is not None
            number = citation_key(item.number or "")
            if wanted in (item.key.lower(), number):
                return item.id
            if number.startswith("zał.") and citation_key(_ANNEX_PREFIX.sub("", number, count=1)) == wanted:
                in_annex.append(item.id)
        if len(in_annex) == 1:
            return in_annex[0]
        raise NotFound("opinion.unknown_section", section=section)

    def _view(self, session: Session, opinion: Opinion) -> OpinionView:
        process = session.get(Process, opinion.process_id)
        item = session.get(Item, opinion.item_id) if opinion.item_id else None
        assert opinion.id is not None and process is not None
        return OpinionView(
            opinion.id,
            process.slug,
            item.key if item else None,
            item.number if item else None,
            opinion.text,
            Channel(opinion.channel),
            opinion.created_at,
            ModerationStatus(opinion.status),
            ResponseStatus(opinion.response_status) if opinion.response_status else None,
            opinion.response_text,
        )
