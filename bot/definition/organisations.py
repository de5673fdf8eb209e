"""A file of organisations (``examples/organisations/*.toml``): the municipalities, powiats, NGOs and federations
that the example processes name, loaded before them.

::

    [[organisation]]
    slug = "wieliczka"
    name = "Gmina Wieliczka"
    kind = "gmina"            # gmina | miasto | powiat | ngo | federation
    teryt = "1219053"         # optional: 7 digits for a gmina or a city, 4 for a powiat
    lat = 49.9871             # optional, with lon
    lon = 20.0647
    parent = "powiat-wielicki"  # optional: an organisation listed before it (or already in the store)

Anything wrong is one :class:`~bot.errors.DefinitionError` naming the file, the line and the key, as for a process
definition; what only the store can check (a TERYT code's length for the kind, a parent that exists) is checked by
:class:`bot.services.organisations.OrganisationService` when the file is loaded.
"""

from __future__ import annotations

import tomllib
from os import PathLike
from pathlib import Path

from pydantic import Field, ValidationError

from bot.definition.loader import _syntax_error, _validation_error
from bot.definition.model import Slug, _Strict
from bot.domain import OrganisationKind
from bot.errors import DefinitionError

__all__ = ["OrganisationSpec", "OrganisationsFile", "load_organisations", "load_organisations_file"]


class OrganisationSpec(_Strict):
    """One organisation as a file describes it."""

    slug: Slug
    name: str = Field(min_length=1, max_length=300)
    kind: OrganisationKind
    teryt: str | None = Field(default=None, pattern=r"^[0-9]{4}([0-9]{3})?$")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    parent: Slug | None = None


class OrganisationsFile(_Strict):
    """The whole file: ``[[organisation]]`` tables, in the order they are added."""

    organisation: list[OrganisationSpec] = Field(default_factory=list)


def load_organisations(text: str, source: str = "<organisations>") -> list[OrganisationSpec]:
    """Parse and validate a file of organisations written in TOML (see the module docstring)."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(text, source, error) from None
    try:
        return OrganisationsFile.model_validate(data).organisation
    except ValidationError as error:
        raise _validation_error(text, source, error) from None


def load_organisations_file(path: str | PathLike[str]) -> list[OrganisationSpec]:
    """Read ``path`` (UTF-8) and :func:`load_organisations` it with the path as the source name."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise DefinitionError("definition.unreadable", source=str(path), reason=reason) from None
    return load_organisations(text, str(path))
