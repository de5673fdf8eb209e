"""The consultation report (*raport z konsultacji*): every approved opinion grouped by section, with its date and
channel, the author shown or anonymised as the process says, the authority's response, and summary figures.

The report is public only when the process's results are (see :meth:`ResultsService.visible`); moderators may
build it once the process is closed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from bot.domain import Channel, ModerationStatus, ResponseStatus
from bot.errors import WrongPhase
from bot.services.context import ServiceContext
from bot.services.results import ResultsService
from storage.models import Item, Opinion, Person

__all__ = ["ConsultationReport", "ReportEntry", "ReportService"]


@dataclass(frozen=True)
class ReportEntry:
    """One approved opinion as the report shows it."""

    number: int
    section_key: str | None
    section: str
    author: str
    created_at: datetime
    channel: Channel
    text: str
    response_status: ResponseStatus | None
    response_text: str | None


@dataclass(frozen=True)
class ConsultationReport:
    """The report of one process: entries in section order, and the figures."""

    slug: str
    title: str
    entries: list[ReportEntry]
    received: int
    approved: int
    by_section: dict[str, int] = field(default_factory=dict)
    by_response: dict[str, int] = field(default_factory=dict)


class ReportService:
    """Builds consultation reports."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def report(self, slug: str, *, language: str = "pl", moderator: bool = False) -> ConsultationReport:
        """The report of ``slug`` or :class:`WrongPhase` (``results.not_visible``) when it is not public yet."""
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug)
            definition = self.ctx.definition(process)
            if not ResultsService.visible(process, definition, moderator=moderator):
                raise WrongPhase("results.not_visible", slug=process.slug)
            sections = {
                item.id: item
                for item in session.exec(select(Item).where(Item.process_id == process.id)).all()
                if item.id is not None
            }
            opinions = session.exec(
                select(Opinion).where(Opinion.process_id == process.id).order_by(col(Opinion.id))
            ).all()
            order = {item.key: position for position, item in enumerate(definition.sections())}
            approved = [opinion for opinion in opinions if opinion.status == ModerationStatus.APPROVED]
            authors: dict[int | None, str] = {}
            entries = []
            for opinion in approved:
                item = sections.get(opinion.item_id) if opinion.item_id else None
                entries.append(
                    ReportEntry(
                        number=opinion.id or 0,
                        section_key=item.key if item else None,
                        section=(item.number or item.key) if item else "",
                        author=self._author(session, opinion.person_id, authors, definition.anonymous_report),
                        created_at=opinion.created_at,
                        channel=Channel(opinion.channel),
                        text=opinion.text,
                        response_status=ResponseStatus(opinion.response_status) if opinion.response_status else None,
                        response_text=opinion.response_text,
                    )
                )
            entries.sort(key=lambda entry: (order.get(entry.section_key or "", -1), entry.number))
            return ConsultationReport(
                slug=process.slug,
                title=definition.title.get(language),
                entries=entries,
                received=len(opinions),
                approved=len(approved),
                by_section=dict(Counter(entry.section or "—" for entry in entries)),
                by_response=dict(
                    Counter(entry.response_status.value if entry.response_status else "none" for entry in entries)
                ),
            )

    @staticmethod
    def _author(session: Session, person_id: int | None, seen: dict[int | None, str], anonymous: bool) -> str:
        """``Uczestnik 3``-style labels (stable within one report) or the person's display name."""
        if person_id in seen:
            return seen[person_id]
        label = f"#{len(seen) + 1}"
        if not anonymous and person_id is not None:
            person = session.get(Person, person_id)
            if person is not None and person.display_name and person.erased_at is None:
                label = person.display_name
        seen[person_id] = label
        return label
