"""Organisations: the municipalities, powiats, NGOs and federations that run processes.

An organisation is named by its slug everywhere (``glos org add``, ``organisation = "SLUG"`` in a definition,
``/nadaj_role … moderator SLUG``, ``/o/SLUG`` on the web). Adding one checks what a person could get wrong: the
slug's form, a TERYT code of the right length for the kind (7 digits for a gmina or a city, 4 for a powiat,
none for an NGO or a federation), coordinates given both or not at all and on the globe, and a parent that
exists. Every refusal is an :class:`~bot.errors.InputError` or :class:`~bot.errors.NotFound` with a message key.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain import OrganisationKind
from bot.errors import InputError, NotFound
from bot.services.context import ServiceContext
from bot.text import clean_line
from storage.models import Organisation

__all__ = ["KIND_ORDER", "OrganisationInfo", "OrganisationService", "parse_kind"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]{1,39}$")
_TERYT_DIGITS = {OrganisationKind.GMINA: 7, OrganisationKind.MIASTO: 7, OrganisationKind.POWIAT: 4}
MAX_NAME = 300

KIND_ORDER: tuple[OrganisationKind, ...] = (
    OrganisationKind.MIASTO,
    OrganisationKind.POWIAT,
    OrganisationKind.GMINA,
    OrganisationKind.FEDERATION,
    OrganisationKind.NGO,
)
"""The order organisations are listed in (the CLI, the home page): local governments first."""


@dataclass(frozen=True)
class OrganisationInfo:
    """An organisation as the channels show it (``parent`` is the parent's slug)."""

    id: int
    slug: str
    name: str
    kind: OrganisationKind
    teryt: str | None = None
    lat: float | None = None
    lon: float | None = None
    parent: str | None = None

    @property
    def is_local_government(self) -> bool:
        """A gmina, a city or a powiat (what the friendly-local-government index rates)."""
        return self.kind in _TERYT_DIGITS


def parse_kind(text: str) -> OrganisationKind:
    """``gmina``, ``miasto``, ``powiat``, ``ngo`` or ``federation`` (any case), else ``organisation.bad_kind``."""
    try:
        return OrganisationKind(text.strip().lower())
    except ValueError as error:
        kinds = "|".join(kind.value for kind in OrganisationKind)
        raise InputError("organisation.bad_kind", kind=text[:40], kinds=kinds) from error


class OrganisationService:
    """Adds, finds and lists organisations. Writes are audited (``organisation.add``)."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def add(
        self,
        slug: str,
        name: str,
        kind: OrganisationKind,
        *,
        teryt: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
        parent: str | None = None,
        actor_id: int | None = None,
        actor: str = "",
    ) -> OrganisationInfo:
        """Add a new organisation; a slug already taken is ``organisation.exists`` (also when another
        transaction adds it at the same moment: the slug is unique)."""
        row = _validated(slug, name, kind, teryt, lat, lon)
        try:
            with self.ctx.transaction() as session:
                if _by_slug(session, row.slug) is not None:
                    raise InputError("organisation.exists", slug=row.slug)
                row.parent_id = _parent_id(session, parent)
                row.created_at = self.ctx.clock.now()
                session.add(row)
                session.flush()
                self.ctx.audit(session, "organisation.add", actor_person_id=actor_id, actor=actor, slug=row.slug)
                return _info(session, row)
        except IntegrityError as error:
            raise InputError("organisation.exists", slug=row.slug) from error

    def put(
        self,
        slug: str,
        name: str,
        kind: OrganisationKind,
        *,
        teryt: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
        parent: str | None = None,
    ) -> OrganisationInfo:
        """Add the organisation, or bring an existing one of that slug to these values (loading a file of
        organisations again changes nothing that is already so; a change is audited as ``organisation.update``)."""
        wanted = _validated(slug, name, kind, teryt, lat, lon)
        with self.ctx.transaction() as session:
            row = _by_slug(session, wanted.slug)
            parent_id = _parent_id(session, parent)
            if row is None:
                wanted.parent_id = parent_id
                wanted.created_at = self.ctx.clock.now()
                session.add(wanted)
                session.flush()
                self.ctx.audit(session, "organisation.add", slug=wanted.slug)
                return _info(session, wanted)
            values = {
                "name": wanted.name,
                "kind": wanted.kind,
                "teryt": wanted.teryt,
                "lat": wanted.lat,
                "lon": wanted.lon,
                "parent_id": parent_id,
            }
            changed = {key: value for key, value in values.items() if getattr(row, key) != value}
            if changed:
                for key, value in changed.items():
                    setattr(row, key, value)
                session.add(row)
                session.flush()
                self.ctx.audit(session, "organisation.update", slug=row.slug, fields=sorted(changed))
            return _info(session, row)

    def find(self, slug: str) -> OrganisationInfo | None:
        """The organisation called ``slug`` (any case), or None."""
        with self.ctx.snapshot() as session:
            row = _by_slug(session, slug.strip().lower())
            return None if row is None else _info(session, row)

    def get(self, slug: str) -> OrganisationInfo:
        """The organisation called ``slug``, else ``organisation.not_found``."""
        found = self.find(slug)
        if found is None:
            raise NotFound("organisation.not_found", slug=slug[:40])
        return found

    def list(self, kind: OrganisationKind | None = None) -> list[OrganisationInfo]:
        """Every organisation (or those of ``kind``): local governments first (:data:`KIND_ORDER`), then by
        name."""
        with self.ctx.snapshot() as session:
            query = select(Organisation)
            if kind is not None:
                query = query.where(col(Organisation.kind) == kind.value)
            rows = session.exec(query).all()
            slugs = {row.id: row.slug for row in rows} if kind is None else _slugs(session)
            infos = [_info(session, row, slugs) for row in rows]
        rank = {kind: position for position, kind in enumerate(KIND_ORDER)}
        return sorted(infos, key=lambda info: (rank[info.kind], info.name.casefold(), info.slug))


def _validated(
    slug: str, name: str, kind: OrganisationKind, teryt: str | None, lat: float | None, lon: float | None
) -> Organisation:
    """A new, unsaved row of these values, or the refusal that says what is wrong."""
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise InputError("organisation.bad_slug", slug=slug[:40])
    cleaned = clean_line(name)
    if not cleaned or len(cleaned) > MAX_NAME:
        raise InputError("organisation.bad_name", max=MAX_NAME)
    kind = OrganisationKind(kind)
    teryt = (teryt or "").strip() or None
    digits = _TERYT_DIGITS.get(kind)
    if teryt is not None and (digits is None or len(teryt) != digits or not teryt.isascii() or not teryt.isdigit()):
        if digits is None:
            raise InputError("organisation.teryt_not_for_kind", kind=kind.value)
        raise InputError("organisation.bad_teryt", teryt=teryt[:20], kind=kind.value, digits=digits)
    if (lat is None) != (lon is None):
        raise InputError("organisation.coordinates_pair")
    if lat is not None and lon is not None and not _on_the_globe(lat, lon):
        raise InputError("organisation.bad_coordinates", lat=lat, lon=lon)
    return Organisation(slug=slug, name=cleaned, kind=kind, teryt=teryt, lat=lat, lon=lon)


def _on_the_globe(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def _by_slug(session: Session, slug: str) -> Organisation | None:
    return session.exec(select(Organisation).where(Organisation.slug == slug)).first()


def _parent_id(session: Session, parent: str | None) -> int | None:
    if parent is None or not parent.strip():
        return None
    row = _by_slug(session, parent.strip().lower())
    if row is None:
        raise NotFound("organisation.not_found", slug=parent[:40])
    return row.id


def _slugs(session: Session) -> dict[int | None, str]:
    return {row_id: slug for row_id, slug in session.exec(select(Organisation.id, Organisation.slug)).all()}


def _info(session: Session, row: Organisation, slugs: dict[int | None, str] | None = None) -> OrganisationInfo:
    assert row.id is not None
    parent = None
    if row.parent_id is not None:
        parent = (slugs if slugs is not None else _slugs(session)).get(row.parent_id)
    return OrganisationInfo(row.id, row.slug, row.name, OrganisationKind(row.kind), row.teryt, row.lat, row.lon, parent)
