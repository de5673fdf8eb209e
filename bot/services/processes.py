"""Process life cycle: import a definition, open, close, extend, publish. Every change is audited.

Phases move draft → open → closed → published; ``extend`` may reopen a closed process with a later closing
time (never a published one). Times are aware datetimes; the scheduler (a later issue) calls the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from bot.definition import ProcessDefinition
from bot.domain import ItemKind, Phase, ProcessKind
from bot.errors import DefinitionError, InputError, NotFound, WrongPhase
from bot.services.context import ProcessState, ServiceContext
from bot.services.shuffle import shuffle_ballots
from storage.models import Item, Organisation, Pool, Process, ProcessOrganisation

__all__ = ["ProcessInfo", "ProcessService"]

# Most commands start by reading the process they name: one prepared statement of the few columns a
# ProcessInfo needs (the definition itself comes from the context's cache, keyed on the row's version).
_INFO_QUERY = select(  # type: ignore[call-overload]
    Process.id,
    Process.slug,
    Process.kind,
    Process.phase,
    Process.opens_at,
    Process.closes_at,
    Process.secret,
    Process.version,
).where(col(Process.slug) == bindparam("slug"))


@dataclass(frozen=True)
class ProcessInfo:
    """A process as the channels show it."""

    id: int
    slug: str
    kind: ProcessKind
    phase: Phase
    definition: ProcessDefinition
    opens_at: datetime | None
    closes_at: datetime | None

    def title(self, language: str) -> str:
        """The title in ``language`` (Polish fallback)."""
        return self.definition.title.get(language)

    @property
    def organisation(self) -> str | None:
        """The slug of the organisation that runs the process (its definition's ``organisation``), or None."""
        return self.definition.organisation


class ProcessService:
    """Creates processes from definitions and moves them between phases."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def info(self, session: Session, process: Process) -> ProcessInfo:
        """A :class:`ProcessInfo` of a loaded row."""
        assert process.id is not None
        return ProcessInfo(
            process.id,
            process.slug,
            ProcessKind(process.kind),
            Phase(process.phase),
            self.ctx.definition(process),
            process.opens_at,
            process.closes_at,
        )

    def get(self, slug: str) -> ProcessInfo:
        """The process with ``slug`` (``process.not_found`` otherwise)."""
        found = self.find(slug)
        if found is None:
            raise NotFound("process.not_found", slug=slug)
        return found

    def find(self, slug: str) -> ProcessInfo | None:
        """The process with ``slug``, or None. Read once per unit of work until the unit writes (a command
        that names a process, then shows it, reads it once)."""
        key = ("process", slug.strip().lower())
        with self.ctx.reading() as connection:
            seen = self.ctx.seen()
            if key in seen:
                found: ProcessInfo | None = seen[key]
                return found
            row = connection.execute(_INFO_QUERY, {"slug": key[1]}).first()
            info = None
            if row is not None:
                state = ProcessState(row[0], row[1], Phase(row[3]), row[4], row[5], bool(row[6]), row[7])
                definition = self.ctx.definition_of(connection, state)
                info = ProcessInfo(state.id, state.slug, ProcessKind(row[2]), state.phase, definition, row[4], row[5])
            seen[key] = info
        return info

    def of_organisation(self, organisation: str) -> list[ProcessInfo]:
        """The processes the organisation called ``organisation`` runs, newest first (none for an unknown one)."""
        with self.ctx.snapshot() as session:
            query = (
                select(Process)
                .join(ProcessOrganisation, col(ProcessOrganisation.process_id) == col(Process.id))
                .join(Organisation, col(Organisation.id) == col(ProcessOrganisation.organisation_id))
                .where(col(Organisation.slug) == organisation.strip().lower())
                .order_by(col(Process.id).desc())
            )
            return [self.info(session, process) for process in session.exec(query).all()]

    def slug_of(self, process_id: int) -> str:
        """The slug of the process with ``process_id`` (a slug never changes)."""
        with self.ctx.reading() as connection:
            slug = connection.execute(select(Process.slug).where(Process.id == process_id)).scalar_one()
        return str(slug)

    def list(self, phases: tuple[Phase, ...] | None = None) -> list[ProcessInfo]:
        """All processes (or those in ``phases``), newest first (read on a read snapshot)."""
        with self.ctx.snapshot() as session:
            query = select(Process).order_by(col(Process.id).desc())
            if phases:
                query = query.where(col(Process.phase).in_([phase.value for phase in phases]))
            return [self.info(session, process) for process in session.exec(query).all()]

    def import_definition(
        self, definition: ProcessDefinition, *, actor_id: int | None = None, replace: bool = True
    ) -> ProcessInfo:
        """Create the process, or replace the definition of a draft with the same slug.

        With ``replace=False`` an existing process of that slug is never touched: :class:`InputError`
        ``process.exists`` — also when another transaction creates it at the same moment (the slug is unique).
        """
        now = self.ctx.clock.now()
        try:
            return self._import(definition, actor_id, replace, now)
        except IntegrityError as error:
            if replace:
                raise
            raise InputError("process.exists", slug=definition.slug) from error

    def _import(self, definition: ProcessDefinition, actor_id: int | None, replace: bool, now: datetime) -> ProcessInfo:
        with self.ctx.transaction() as session:
            organisation_id = _organisation_id(session, definition)
            process = session.exec(select(Process).where(Process.slug == definition.slug)).first()
            if process is not None and not replace:
                raise InputError("process.exists", slug=definition.slug)
            if process is None:
                process = Process(
                    slug=definition.slug,
                    kind=definition.kind,
                    title_pl=definition.title.pl,
                    definition={},
                    created_at=now,
                )
            elif process.phase != Phase.DRAFT:
                raise WrongPhase("process.not_draft", slug=definition.slug, phase=process.phase)
            process.kind = definition.kind
            process.title_pl = definition.title.pl
            process.title_en = definition.title.en or definition.title.pl
            process.definition = definition.model_dump(mode="json")
            process.secret = definition.secret
            process.results_visibility = definition.results
            process.auto_publish = definition.auto_publish
            process.opens_at = definition.opens_at
            process.closes_at = definition.closes_at
            process.updated_at = now
            session.add(process)
            session.flush()
            assert process.id is not None
            self._replace_items(session, process.id, definition)
            session.exec(delete(ProcessOrganisation).where(col(ProcessOrganisation.process_id) == process.id))
            if organisation_id is not None:
                session.add(ProcessOrganisation(process_id=process.id, organisation_id=organisation_id))
            self.ctx.audit(
                session,
                "process.import",
                actor_person_id=actor_id,
                process_id=process.id,
                version=process.version,
            )
            return self.info(session, process)

    def _replace_items(self, session: Session, process_id: int, definition: ProcessDefinition) -> None:
        session.exec(delete(Item).where(col(Item.process_id) == process_id))
        session.exec(delete(Pool).where(col(Pool.process_id) == process_id))
        pool_ids: dict[str, int] = {}
        for pool in definition.pools:
            row = Pool(
                process_id=process_id,
                key=pool.key,
                budget=pool.budget,
                district=pool.district,
                ballot_rule=pool.ballot.model_dump(mode="json"),
                counting_rule=pool.counting.model_dump(mode="json"),
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            pool_ids[pool.key] = row.id
        for position, item in enumerate(definition.items):
            pool_key = None if item.kind is ItemKind.SECTION else (item.pool or "main")
            session.add(
                Item(
                    process_id=process_id,
                    pool_id=pool_ids.get(pool_key) if pool_key else None,
                    key=item.key,
                    kind=item.kind,
                    number=item.number,
                    title=item.title.model_dump(mode="json"),
                    cost=item.cost,
                    position=position,
                )
            )

    def open(self, slug: str, *, actor_id: int | None = None) -> ProcessInfo:
        """draft → open. The opening time becomes now when it was not set or lies in the future."""
        now = self.ctx.clock.now()
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug, for_update=True)
            if process.phase != Phase.DRAFT:
                raise WrongPhase("process.cannot_open", slug=process.slug, phase=process.phase)
            if process.closes_at is not None and process.closes_at <= now:
                raise WrongPhase("process.close_time_passed", slug=process.slug, closes_at=process.closes_at)
            process.phase = Phase.OPEN
            if process.opens_at is None or process.opens_at > now:
                process.opens_at = now
            return self._save(session, process, "process.open", actor_id)

    def hold_briefing(self, slug: str, *, actor_id: int | None = None) -> tuple[ProcessInfo, bool]:
        """A deliberative poll's briefing is held: round 2 opens now (its ``briefing_at`` becomes now, unless that
        time has already come). Returns the process and whether round 2 was open already (nothing changed then).

        Refused for a process that has no second round (``briefing.no_rounds``) and outside the open phase.
        """
        now = self.ctx.clock.now()
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug, for_update=True)
            definition = self.ctx.definition(process)
            if definition.rounds < 2:
                raise InputError("briefing.no_rounds", title=definition.title)
            if process.phase != Phase.OPEN:
                raise WrongPhase("briefing.not_open", title=definition.title, phase=process.phase)
            if definition.round_open(2, now):
                return self.info(session, process), True
            scheduled = definition.briefing_at
            process.definition = {**process.definition, "briefing_at": now.isoformat()}
            session.flush()  # a new version, so the definition read back below is the new one, not a cached one
            info = self._save(
                session,
                process,
                "process.briefing",
                actor_id,
                scheduled=scheduled.isoformat() if scheduled else None,
            )
            return info, False

    def close(self, slug: str, *, actor_id: int | None = None) -> ProcessInfo:
        """open → closed, from now on no ballots or opinions are accepted."""
        now = self.ctx.clock.now()
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug, for_update=True)
            if process.phase != Phase.OPEN:
                raise WrongPhase("process.cannot_close", slug=process.slug, phase=process.phase)
            process.phase = Phase.CLOSED
            if process.closes_at is None or process.closes_at > now:
                process.closes_at = now
            if process.secret:  # no physical order of the store may be casting order (bot/services/shuffle.py)
                assert process.id is not None
                shuffle_ballots(session.connection(), process.id, self.ctx.secret)
            return self._save(session, process, "process.close", actor_id)

    def extend(self, slug: str, closes_at: datetime, *, actor_id: int | None = None) -> ProcessInfo:
        """Move the closing time later; a closed (not yet published) process opens again."""
        now = self.ctx.clock.now()
        if closes_at.tzinfo is None:
            raise InputError("process.naive_time")
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug, for_update=True)
            if process.phase not in (Phase.OPEN, Phase.CLOSED):
                raise WrongPhase("process.cannot_extend", slug=process.slug, phase=process.phase)
            if closes_at <= now:
                raise InputError("process.extend_to_past", closes_at=closes_at)
            previous = process.closes_at
            process.closes_at = closes_at
            process.phase = Phase.OPEN
            return self._save(
                session,
                process,
                "process.extend",
                actor_id,
                previous=previous.isoformat() if previous else None,
            )

    def publish(self, slug: str, *, actor_id: int | None = None) -> ProcessInfo:
        """closed → published: results become visible to everybody."""
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug, for_update=True)
            if process.phase != Phase.CLOSED:
                raise WrongPhase("process.cannot_publish", slug=process.slug, phase=process.phase)
            process.phase = Phase.PUBLISHED
            return self._save(session, process, "process.publish", actor_id)

    def assign_organisation(self, slug: str, organisation: str, *, actor: str = "") -> ProcessInfo:
        """Make ``organisation`` the one that runs the process, in any phase (a process imported before
        organisations existed, or one handed over): its definition names it from now on. Audited as
        ``process.organisation`` with the previous one."""
        with self.ctx.transaction() as session:
            process = self.ctx.process(session, slug, for_update=True)
            definition = self.ctx.definition(process)
            changed = definition.model_copy(update={"organisation": organisation.strip().lower()})
            organisation_id = _organisation_id(session, changed)
            assert process.id is not None and organisation_id is not None
            process.definition = changed.model_dump(mode="json")
            session.exec(delete(ProcessOrganisation).where(col(ProcessOrganisation.process_id) == process.id))
            session.add(ProcessOrganisation(process_id=process.id, organisation_id=organisation_id))
            process.updated_at = self.ctx.clock.now()
            session.add(process)
            self.ctx.audit(
                session,
                "process.organisation",
                actor=actor,
                process_id=process.id,
                organisation=changed.organisation,
                previous=definition.organisation,
            )
            session.flush()
            return self.info(session, process)

    def _save(
        self, session: Session, process: Process, action: str, actor_id: int | None, **details: Any
    ) -> ProcessInfo:
        process.updated_at = self.ctx.clock.now()
        session.add(process)
        self.ctx.audit(session, action, actor_person_id=actor_id, process_id=process.id, **details)
        return self.info(session, process)


def _organisation_id(session: Session, definition: ProcessDefinition) -> int | None:
    """The id of the organisation the definition names; an unknown one is refused naming the key (an organisation
    is added on purpose, ``glos org add``, never made up by a definition)."""
    if definition.organisation is None:
        return None
    found = session.exec(select(Organisation.id).where(Organisation.slug == definition.organisation)).first()
    if found is None:
        raise DefinitionError(
            "definition.unknown_organisation",
            slug=definition.slug,
            key_path="organisation",
            organisation=definition.organisation,
        )
    return found
