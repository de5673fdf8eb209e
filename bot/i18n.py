"""Message catalogues (gettext via Babel) and locale-aware formatting of money, numbers and dates.

Every user-facing sentence has a symbolic message id (``ballot.too_many``) and a translation in
``bot/locale/<lang>/LC_MESSAGES/*.po`` (one ``.po`` per area: ``glos.po``, ``ballots.po``, ``counting.po`` …;
they are merged per language). Placeholders use :meth:`str.format` syntax: ``{max}``. Polish plurals have three
forms (1 głos, 2 głosy, 5 głosów), chosen by the catalogue's ``Plural-Forms`` header.

The ``.po`` files are compiled in memory at first use, so there is no build step and no ``.mo`` in the tree.
A message missing in a language falls back to Polish, then to the message id itself (which tests catch).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from bot.domain import Phase

__all__ = ["LANGUAGES", "LANGUAGE_NAMES", "Translator", "catalogue_ids", "translator"]

LANGUAGES = ("pl", "en", "uk")
LANGUAGE_NAMES = {"pl": "Polski", "en": "English", "uk": "Українська"}
"""Each language named in itself, as a language switch shows it (the same in every catalogue)."""
FALLBACK = "pl"
log = logging.getLogger(__name__)


def _po_files(language: str) -> Iterable[tuple[str, bytes]]:
    folder = resources.files("bot") / "locale" / language / "LC_MESSAGES"
    if not folder.is_dir():
        return []
    return sorted((entry.name, entry.read_bytes()) for entry in folder.iterdir() if entry.name.endswith(".po"))


@cache
def _catalogue(language: str) -> Catalog:
    """All ``.po`` files of ``language`` merged into one catalogue (later files may not redefine an id)."""
    merged = Catalog(locale=language, domain="glos")
    for name, content in _po_files(language):
        catalog = read_po(io.BytesIO(content), locale=language)
        if merged.plural_forms != catalog.plural_forms and len(merged) == 0:
            merged = Catalog(locale=language, domain="glos")
        for message in catalog:
            if not message.id:
                continue
            if message.id in merged:
                log.warning("message %r is defined twice in %s catalogues (%s)", message.id, language, name)
            merged[message.id] = message
    return merged


@cache
def _translations(language: str) -> Translations:
    buffer = io.BytesIO()
    write_mo(buffer, _catalogue(language))
    buffer.seek(0)
    return Translations(buffer)


def catalogue_ids(language: str) -> set[str]:
    """The message ids that have a non-empty translation in ``language`` (for completeness tests)."""
    ids: set[str] = set()
    for message in _catalogue(language):
        if not message.id:
            continue
        key = str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            ids.add(key)
    return ids


@dataclass(frozen=True)
class Translator:
    """Translates message ids and formats values for one language and time zone."""

    language: str = FALLBACK
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Warsaw"))

    def _lookup(self, key: str, plural: int | None) -> str | None:
        for language in dict.fromkeys((self.language, FALLBACK)):
            catalogue = _catalogue(language)
            if key not in catalogue:
                continue
            translations = _translations(language)
            # a count chooses a form only for a plural entry; a singular one ("rule.score") is given a count too
            pluralizable = catalogue[key].pluralizable
            text = (
                translations.ngettext(key, key, plural)
                if plural is not None and pluralizable
                else translations.gettext(key)
            )
            if text != key:
                return text
        return None

    def knows(self, key: str) -> bool:
        """Whether the catalogues hold ``key`` (a channel asks before wording a message its own way)."""
        return self._lookup(key, None) is not None

    def __call__(self, key: str, **params: Any) -> str:
        """The sentence for ``key`` with ``params`` filled in; a ``count`` parameter selects the plural form."""
        count = params.get("count")
        template = self._lookup(key, count if isinstance(count, int) else None)
        if template is None:
            log.error("message %r has no translation", key)
            return key
        shown = {name: self.format_value(value) for name, value in params.items()}
        try:
            return template.format(**shown)
        except (KeyError, IndexError, ValueError):
            log.exception("message %r could not be formatted with %r", key, sorted(params))
            return template

    def format_value(self, value: Any) -> Any:
        """How a parameter is shown: dates in the local zone, decimals with the language's grouping, a phase
        by its name in the language ("zakończony", never "closed")."""
        if isinstance(value, Phase):
            return self("phase." + value.value)
        if _localized(value):
            return value.get(self.language)
        if isinstance(value, tuple) and value and all(_localized(part) for part in value):
            return ", ".join(part.get(self.language) for part in value)
        if isinstance(value, datetime):
            return self.datetime(value)
        if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
            return self.number(value)
        return value

    def number(self, value: int | float | Decimal) -> str:
        """A number with the language's grouping: ``1 250 000`` in Polish."""
        return format_decimal(value, locale=self.language, group_separator=True)

    def decimal(self, value: Any, places: int = 2) -> str:
        """A fraction with ``places`` decimals in the language's notation: ``4,50`` in Polish, ``4.50`` in English."""
        return format_decimal(
            Decimal(float(value)).quantize(Decimal(1).scaleb(-places)),
            format="#,##0." + "0" * places,
            locale=self.language,
        )

    def signed(self, value: Any, places: int = 2) -> str:
        """A change with its sign: ``+2,50``, ``−0,50``, ``0,00``."""
        text = self.decimal(abs(value), places)
        return ("+" if value > 0 else "−" if value < 0 else "") + text

    def money(self, value: int | float | Decimal) -> str:
        """An amount in złoty: ``1 250 000 zł`` (grosze only when there are any)."""
        amount = Decimal(str(value))
        shown = (
            amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.quantize(Decimal("0.01"))
        )
        text = format_decimal(shown, format="#,##0.##", locale=self.language)
        return f"{text} zł"

    def datetime(self, value: datetime) -> str:
        """A moment in the bot's time zone, e.g. ``15.06.2027, 23:59``."""
        local = value.astimezone(self.timezone)
        return format_datetime(local, format="dd.MM.yyyy, HH:mm", locale=self.language)


def _localized(value: object) -> bool:
    """A text in several languages (a definition's ``LocalizedText``: ``pl`` and ``get(language)``), passed as
    a parameter by a layer that does not know the reader's language."""
    return hasattr(value, "pl") and callable(getattr(value, "get", None))


@cache
def _default_zone() -> ZoneInfo:
    return ZoneInfo("Europe/Warsaw")


def translator(language: str | None, timezone: ZoneInfo | None = None) -> Translator:
    """A :class:`Translator` for ``language`` (unknown or None → Polish)."""
    chosen = language if language in LANGUAGES else FALLBACK
    return Translator(chosen, timezone or _default_zone())
