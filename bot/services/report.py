"""The consultation report (*raport z konsultacji*): every approved opinion grouped by section, with its date and
channel, its author, the authority's response, the opinions rejected in moderation with the reason given, those
withdrawn by their authors, and the figures (participants by channel and kind, opinions, the channels used).

A remark not yet reviewed when the report is built is not published (its text has not been checked): it is
counted as pending, as the summary counts it (:mod:`bot.services.remarks`).

An author is shown as the organisation the process's roster gives for them (an NGO is named: it took part as
an organisation); otherwise by name only where the process names authors (``anonymous_report = false``) and the
person gave one; anyone else is a resident (``author`` empty, ``author_kind`` ``"resident"``), which the
renderers show as *mieszkaniec/mieszkanka*.

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
from bot.services.authors import author_organisations, consultation_authors
from bot.services.context import ServiceContext
from bot.services.remarks import RemarkTally, remark_tally
from bot.services.results import ResultsService
from storage.models import Item, Opinion, Organisation, Person, ProcessOrganisation

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
    author_kind: str = "resident"  # "ngo" (named by the roster), "named" or "resident"


@dataclass(frozen=True)
class ConsultationReport:
    """The report of one process: entries in section order, the rejected ones, and the figures.

    ``received`` counts every opinion (also pending, rejected and withdrawn), ``pending`` those not reviewed,
    ``participants`` the authors as :mod:`bot.services.authors` counts them (also by the channel of their first
    remark and by kind), ``channels`` the opinions per channel (the forms of consultation used)."""

    slug: str
    title: str
    entries: list[ReportEntry]
    received: int
    approved: int
    by_section: dict[str, int] = field(default_factory=dict)
    by_response: dict[str, int] = field(default_factory=dict)
    rejected: list[ReportEntry] = field(default_factory=list)
    description: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    participants: int = 0
    channels: dict[str, int] = field(default_factory=dict)
    withdrawn: list[ReportEntry] = field(default_factory=list)
    pending: int = 0
    participants_by_channel: dict[str, int] = field(default_factory=dict)
    participants_by_kind: dict[str, int] = field(default_factory=dict)
    organiser: str = ""
    legal_basis: str = ""
    meetings: int = 0  # consultation meetings announced in the notice: a form of consultation too


class ReportService:
    """Builds consultation reports."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def report(self, slug: str, *, language: str = "pl", moderator: bool = False) -> ConsultationReport:
        """The report of ``slug`` or :class:`WrongPhase` (``results.not_visible``) when it is not public yet.

        Read on the unit's reading connection: building the report of thousands of remarks never holds the write
        lock that voters and commenters wait for."""
        with self.ctx.read_session() as session:
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
            shown = [opinion for opinion in opinions if opinion.status != ModerationStatus.PENDING]
            assert process.id is not None
            authors = self._authors(session, process.id, shown, definition.anonymous_report)
            listed: dict[ModerationStatus, list[ReportEntry]] = {status: [] for status in ModerationStatus}
            for opinion in shown:
                item = sections.get(opinion.item_id) if opinion.item_id else None
                author, kind = authors.get(opinion.person_id, ("", "resident"))
                entry = ReportEntry(
                    number=opinion.id or 0,
                    section_key=item.key if item else None,
                    section=(item.number or item.key) if item else "",
                    author=author,
                    created_at=opinion.created_at,
                    channel=Channel(opinion.channel),
                    text=opinion.text,
                    response_status=ResponseStatus(opinion.response_status) if opinion.response_status else None,
                    response_text=opinion.response_text,
                    author_kind=kind,
                )
                listed[ModerationStatus(opinion.status)].append(entry)
            entries = listed[ModerationStatus.APPROVED]
            entries.sort(key=lambda entry: (order.get(entry.section_key or "", -1), entry.number))
            description = definition.description.get(language) if definition.description else ""
            notice = definition.notice
            turnout = consultation_authors(session, process.id)
            return ConsultationReport(
                slug=process.slug,
                title=definition.title.get(language),
                entries=entries,
                received=len(opinions),
                approved=len(entries),
                by_section=dict(Counter(entry.section or "—" for entry in entries)),
                by_response=dict(
                    Counter(entry.response_status.value if entry.response_status else "none" for entry in entries)
                ),
                rejected=listed[ModerationStatus.REJECTED],
                description=description,
                opens_at=definition.opens_at,
                closes_at=definition.closes_at,
                participants=turnout.people,
                channels=dict(Counter(Channel(opinion.channel).value for opinion in opinions)),
                withdrawn=listed[ModerationStatus.WITHDRAWN],
                pending=sum(1 for opinion in opinions if opinion.status == ModerationStatus.PENDING),
                participants_by_channel=turnout.by_channel,
                participants_by_kind=turnout.by_kind,
                organiser=self._organiser(session, process.id)
                or (notice.organiser.get(language) if notice and notice.organiser else ""),
                legal_basis=notice.legal_basis.get(language) if notice and notice.legal_basis else "",
                meetings=len(notice.meetings) if notice else 0,
            )

    @staticmethod
    def _organiser(session: Session, process_id: int) -> str:
        """The name of the organisation record the process belongs to ("" when none): it takes precedence over
        the definition's ``[notice] organiser``, which a process of no organisation uses."""
        name = session.exec(
            select(Organisation.name)
            .join(ProcessOrganisation, col(ProcessOrganisation.organisation_id) == col(Organisation.id))
            .where(ProcessOrganisation.process_id == process_id)
        ).first()
        return name or ""

    def tally(self, slug: str) -> RemarkTally:
        """The remarks of ``slug`` counted per unit as the report publishes them (:mod:`bot.services.remarks`).

        The counts say nothing the report would not (no text, no author), so they are not held back until the
        results are visible: ``/wyniki`` shows them with the turnout."""
        with self.ctx.reading() as connection:
            state = self.ctx.state(connection, slug)
            return remark_tally(connection, state.id)

    @staticmethod
    def _authors(
        session: Session, process_id: int, opinions: list[Opinion], anonymous: bool
    ) -> dict[int | None, tuple[str, str]]:
        """Each author's label and kind, in two queries for the whole report (it may hold thousands)."""
        people = {opinion.person_id for opinion in opinions if opinion.person_id is not None}
        if not people:
            return {}
        labels: dict[int | None, tuple[str, str]] = {}
        for person_id, rows in author_organisations(session, process_id, people).items():
            for organisation, name in rows:
                if organisation:
                    labels[person_id] = (organisation, "ngo")
                elif name and not anonymous and person_id not in labels:
                    labels[person_id] = (name, "named")
        if not anonymous:
            for person in session.exec(select(Person).where(col(Person.id).in_(people - set(labels)))).all():
                if person.display_name and person.erased_at is None:
                    labels[person.id] = (person.display_name, "named")
        return labels
