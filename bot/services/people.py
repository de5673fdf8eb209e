"""People, their identities on each channel, their language, and their roles.

One person may have several identities (a Telegram user, an e-mail address, a console name) and still has one
vote: every other service works with ``person_id``, never with an address.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain import Channel, RoleName
from bot.errors import InputError, NotFound
from bot.services import tombstones
from bot.services.context import ServiceContext
from bot.text import clean_line
from storage.models import Identity, Organisation, Person, Role

_PERSON = Person.__table__  # type: ignore[attr-defined]
_ROLE = Role.__table__  # type: ignore[attr-defined]
_ORGANISATION = Organisation.__table__  # type: ignore[attr-defined]
# A person and their roles (global ones, and those for one organisation with its slug; not those for one process)
# in one statement: a row per role, or one with NULLs.
_PERSON_WITH_ROLES = (
    sa_select(_PERSON.c.id, _PERSON.c.language, _PERSON.c.display_name, _ROLE.c.role, _ORGANISATION.c.slug)
    .select_from(
        _PERSON.outerjoin(_ROLE, and_(_ROLE.c.person_id == _PERSON.c.id, _ROLE.c.process_id.is_(None))).outerjoin(
            _ORGANISATION, _ORGANISATION.c.id == _ROLE.c.organisation_id
        )
    )
    .where(_PERSON.c.id == bindparam("id"))
)

__all__ = ["PeopleService", "PersonRef", "normalise_address"]

# Every message starts by finding its sender: one prepared statement reads the person, their language and
# roles (one row per role with its organisation's slug, or one row with a NULL role) without an ORM unit of work.
_KNOWN_QUERY = (
    select(  # type: ignore[call-overload]
        Person.id, Person.language, Person.display_name, Role.role, Identity.username, Organisation.slug
    )
    .select_from(Identity)
    .join(Person, col(Person.id) == col(Identity.person_id))
    .outerjoin(Role, and_(col(Role.person_id) == col(Person.id), col(Role.process_id).is_(None)))
    .outerjoin(Organisation, col(Organisation.id) == col(Role.organisation_id))
    .where(col(Identity.channel) == bindparam("channel"), col(Identity.address) == bindparam("address"))
)


def _roles(
    rows: Iterable[Sequence[Any]], role_at: int, organisation_at: int
) -> tuple[frozenset[RoleName], frozenset[str]]:
    """(global roles, slugs of the organisations moderated) of a person's rows of roles."""
    roles = frozenset(
        RoleName(row[role_at]) for row in rows if row[role_at] is not None and row[organisation_at] is None
    )
    moderates = frozenset(
        row[organisation_at] for row in rows if row[organisation_at] is not None and row[role_at] == RoleName.MODERATOR
    )
    return roles, moderates


@dataclass(frozen=True)
class PersonRef:
    """A person as the channels see them: ``roles`` are held everywhere, ``moderates`` are the slugs of the
    organisations whose processes they moderate (besides any global role)."""

    person_id: int
    language: str
    roles: frozenset[RoleName]
    display_name: str | None = None
    moderates: frozenset[str] = frozenset()


def normalise_address(channel: Channel, address: str) -> str:
    """The stored form of an address: e-mail and Telegram ``@usernames`` lower-cased, others stripped."""
    address = address.strip()
    if channel is Channel.EMAIL or (channel is Channel.TELEGRAM and address.startswith("@")):
        return address.lower()
    return address


class PeopleService:
    """Registers people, links identities, keeps languages and roles."""

    def __init__(self, context: ServiceContext, default_language: str = "pl") -> None:
        self.ctx = context
        self.default_language = default_language

    def identify(
        self,
        channel: Channel,
        address: str,
        *,
        display_name: str | None = None,
        language: str | None = None,
        username: str | None = None,
    ) -> PersonRef:
        """The person behind (channel, address), registered on first contact.

        ``username`` is a Telegram account's ``@username`` as this update shows it: kept with the identity (and
        updated when it changes — a write only then) so that a roster naming ``@username`` finds the account.
        """
        address = normalise_address(channel, address)
        if not address:
            raise InputError("person.empty_address")
        if display_name is not None:  # a Telegram name or an e-mail From name: anyone's choice of characters
            display_name = clean_line(display_name)[:200] or None
        username = username.lstrip("@").lower()[:64] if username else None
        known = self._known(channel, address, username)
        if known is not None and known.display_name is None and display_name is not None:
            return self._first_contact(known, display_name, language)
        if known is not None:
            return known
        for _attempt in range(2):
            with self.ctx.transaction() as session:
                person = self._find(session, channel, address)
                if person is None:
                    person = Person(
                        display_name=display_name,
                        language=language or self.default_language,
                        created_at=self.ctx.clock.now(),
                    )
                    session.add(person)
                    session.flush()
                    assert person.id is not None
                    session.add(
                        Identity(
                            person_id=person.id,
                            channel=channel,
                            address=address,
                            username=username,
                            created_at=self.ctx.clock.now(),
                        )
                    )
                    try:
                        session.flush()
                    except IntegrityError:
                        # Another process registered the same identity a moment ago: use theirs.
                        session.rollback()
                        continue
                    # An erased account coming back inherits (only) the ballots it left, to replace them.
                    tombstones.claim(session.connection(), self.ctx.secret, person.id, channel, address)
                return self._ref(session, person)
        raise RuntimeError("identity registration kept conflicting")  # pragma: no cover

    def _first_contact(self, known: PersonRef, display_name: str, language: str | None) -> PersonRef:
        """Someone registered before they ever wrote (a configured admin, a granted moderator) writes for the first
        time: their name and their client's language are taken as for anyone new, so an English-speaking admin is
        not answered in Polish."""
        values: dict[str, str] = {"display_name": display_name}
        if language is not None:
            values["language"] = language
        with self.ctx.connection() as connection:
            connection.execute(
                update(Person)
                .where(col(Person.id) == known.person_id, col(Person.display_name).is_(None))
                .values(values)
            )
        return PersonRef(known.person_id, language or known.language, known.roles, display_name, known.moderates)

    def find(self, channel: Channel, address: str) -> PersonRef | None:
        """The person behind (channel, address), or None when they never wrote."""
        return self._known(channel, normalise_address(channel, address))

    def _known(self, channel: Channel, address: str, username: str | None = None) -> PersonRef | None:
        """The person behind a normalised (channel, address) in one query, or None; a changed ``username`` is
        remembered."""
        with self.ctx.reading() as connection:
            rows = connection.execute(_KNOWN_QUERY, {"channel": channel.value, "address": address}).all()
        if not rows:
            return None
        if username is not None and rows[0][4] != username:
            with self.ctx.connection() as connection:
                connection.execute(
                    update(Identity)
                    .where(col(Identity.channel) == channel.value, col(Identity.address) == address)
                    .values(username=username)
                )
        person_id, language, display_name = rows[0][0], rows[0][1], rows[0][2]
        roles, moderates = _roles(rows, 3, 5)
        return PersonRef(person_id, language, roles, display_name, moderates)

    def get(self, person_id: int) -> PersonRef:
        """The person with ``person_id``, with their global roles (one read)."""
        with self.ctx.reading() as connection:
            rows = connection.execute(_PERSON_WITH_ROLES, {"id": person_id}).all()
        if not rows:
            raise NotFound("person.not_found")
        roles, moderates = _roles(rows, 3, 4)
        return PersonRef(rows[0][0], rows[0][1], roles, rows[0][2], moderates)

    def link(self, person_id: int, channel: Channel, address: str) -> None:
        """Attach another identity to a person (one person, one vote across channels)."""
        address = normalise_address(channel, address)
        with self.ctx.transaction() as session:
            existing = session.exec(
                select(Identity).where(Identity.channel == channel, Identity.address == address)
            ).first()
            if existing is not None:
                if existing.person_id != person_id:
                    raise InputError("person.identity_taken", address=address)
                return
            session.add(
                Identity(person_id=person_id, channel=channel, address=address, created_at=self.ctx.clock.now())
            )
            session.flush()
            tombstones.claim(session.connection(), self.ctx.secret, person_id, channel, address)

    def set_language(self, person_id: int, language: str) -> None:
        """Remember the person's language."""
        with self.ctx.transaction() as session:
            person = session.get(Person, person_id)
            if person is None:
                raise NotFound("person.not_found")
            person.language = language
            session.add(person)

    def grant(
        self,
        actor_id: int | None,
        channel: Channel,
        address: str,
        role: RoleName,
        *,
        organisation: str | None = None,
        actor: str = "",
    ) -> PersonRef:
        """Give a role to the person behind (channel, address), registering them if needed: everywhere, or with
        ``organisation`` (a slug) the moderator role for that organisation's processes only. Admins are always
        global (``roles.admin_is_global``); an unknown organisation is ``organisation.not_found``."""
        organisation_id = self._organisation_id(role, organisation)
        target = self.identify(channel, address)
        with self.ctx.transaction() as session:
            exists = session.exec(
                select(Role).where(
                    Role.person_id == target.person_id,
                    Role.role == role,
                    Role.process_id.is_(None),  # type: ignore[union-attr]
                    _same_organisation(organisation_id),
                )
            ).first()
            if exists is None:
                session.add(
                    Role(
                        person_id=target.person_id,
                        role=role,
                        organisation_id=organisation_id,
                        granted_by=actor_id,
                        granted_at=self.ctx.clock.now(),
                    )
                )
                self._audit_role(session, "role.grant", actor_id, actor, target.person_id, role, organisation)
        return self.get(target.person_id)

    def revoke(
        self,
        actor_id: int | None,
        channel: Channel,
        address: str,
        role: RoleName,
        *,
        organisation: str | None = None,
        actor: str = "",
    ) -> bool:
        """Take a role away: with ``organisation`` only the grant for that organisation, without it every grant
        of the role (global, per organisation, per process — taking a role away errs on the side of taking it
        all). False when the person did not have it."""
        organisation_id = self._organisation_id(role, organisation)
        with self.ctx.transaction() as session:
            person = self._find(session, channel, normalise_address(channel, address))
            if person is None:
                return False
            query = select(Role).where(Role.person_id == person.id, Role.role == role)
            if organisation_id is not None:
                query = query.where(Role.organisation_id == organisation_id)
            roles = session.exec(query).all()
            for held in roles:
                session.delete(held)
            if roles:
                self._audit_role(session, "role.revoke", actor_id, actor, person.id, role, organisation)
            return bool(roles)

    def _audit_role(
        self,
        session: Session,
        event: str,
        actor_id: int | None,
        actor: str,
        person_id: int | None,
        role: RoleName,
        organisation: str | None,
    ) -> None:
        """The audit row of a grant or a revocation, naming the organisation when it was for one."""
        details: dict[str, Any] = {"organisation": organisation.strip().lower()} if organisation else {}
        self.ctx.audit(
            session, event, actor_person_id=actor_id, actor=actor, person_id=person_id, role=role.value, **details
        )

    def _organisation_id(self, role: RoleName, organisation: str | None) -> int | None:
        """The id of the organisation a grant is for (None: global), refusing an admin role for one."""
        if organisation is None:
            return None
        if role is not RoleName.MODERATOR:
            raise InputError("roles.admin_is_global")
        with self.ctx.reading() as connection:
            found = connection.execute(
                select(Organisation.id).where(Organisation.slug == organisation.strip().lower())
            ).scalar()
        if found is None:
            raise NotFound("organisation.not_found", slug=organisation[:40])
        return int(found)

    def ensure_admins(self, admins: Iterable[str]) -> None:
        """Give the admin role to the first moderators named in the configuration."""
        for entry in admins:
            channel, address = parse_admin(entry)
            self.grant(None, channel, address, RoleName.ADMIN)

    def _find(self, session: Session, channel: Channel, address: str) -> Person | None:
        identity = session.exec(
            select(Identity).where(Identity.channel == channel, Identity.address == address)
        ).first()
        if identity is None:
            return None
        return session.get(Person, identity.person_id)

    def _ref(self, session: Session, person: Person) -> PersonRef:
        assert person.id is not None
        rows = session.exec(
            select(Role.role, Organisation.slug)
            .outerjoin(Organisation, col(Organisation.id) == col(Role.organisation_id))
            .where(Role.person_id == person.id, Role.process_id.is_(None))  # type: ignore[union-attr]
        ).all()
        roles, moderates = _roles(rows, 0, 1)
        return PersonRef(person.id, person.language, roles, person.display_name, moderates)


def parse_admin(entry: str) -> tuple[Channel, str]:
    """``123456`` → Telegram, ``a@b.pl`` → e-mail, ``console:NAME`` → console."""
    if entry.startswith("console:"):
        return Channel.CONSOLE, entry.removeprefix("console:")
    if "@" in entry:
        return Channel.EMAIL, entry.lower()
    return Channel.TELEGRAM, entry


def _same_organisation(organisation_id: int | None) -> Any:
    """The condition "a grant for this organisation" (None: a global grant)."""
    if organisation_id is None:
        return col(Role.organisation_id).is_(None)
    return col(Role.organisation_id) == organisation_id
