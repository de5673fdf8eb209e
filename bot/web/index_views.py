"""What the index routes of one web app keep: the rendered pages and drawn maps, per (index, year, language),
valid while the counted history is the same object (:meth:`IndexService.history` hands out the same one until an
edition's results stamp moves), and the municipalities' names and places."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from threading import Lock
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.i18n import Translator
from bot.replies import Document
from bot.services import Services
from bot.services.index import IndexHistory
from bot.summaries.index_map import IndexMap, index_map, map_caption
from bot.views.index import Place, area_name, places_of, previous_year
from bot.views.index_files import index_document

__all__ = ["IndexViews"]


class IndexViews:
    """The index pages of one web app (module docstring). ``render(request, template, **context)`` renders a
    template in the reader's language; ``translator(request)`` gives that language."""

    def __init__(
        self,
        services: Services,
        render: Callable[..., HTMLResponse],
        translator: Callable[[Request], Translator],
    ) -> None:
        self.services = services
        self.render = render
        self.translator = translator
        self._pages: dict[tuple[str, int, str], tuple[tuple[int, int], bytes]] = {}
        self._maps: dict[tuple[str, int, str], tuple[tuple[int, int], IndexMap]] = {}
        self._lock = Lock()

    def places(self) -> tuple[Mapping[str, Place], int]:
        """Names and coordinates of the municipalities, with a hash of them: read per request (one query), so a
        renamed or moved organisation is drawn anew."""
        places = places_of(self.services)
        return places, hash(frozenset(places.items()))

    def page(self, request: Request, key: str, year: int | None) -> HTMLResponse:
        """The index page of ``key`` for ``year`` (None: the newest)."""
        history = self.services.index.history(key)
        edition = history.edition(year)
        t = self.translator(request)
        cache_key = (history.key, edition.year, t.language)
        places, version = self.places()
        cached = self._pages.get(cache_key)
        if cached is not None and cached[0] == (id(history), version):
            return HTMLResponse(cached[1])
        response = self.render(
            request,
            "indeks.html",
            history=history,
            edition=edition,
            since=previous_year(history, edition),
            dimensions=edition.definition.dimensions(),
            area_name=lambda area: area_name(edition, area, t.language, places),
            has_page=lambda area: area in places,  # an organisation: its page is /o/AREA
            caption=map_caption(edition, t, places),
        )
        with self._lock:
            self._pages[cache_key] = ((id(history), version), bytes(response.body))
        return response

    def map(self, request: Request, key: str, year: int | None) -> IndexMap:
        """The map of ``key``'s edition of ``year`` (None: the newest) in the reader's language."""
        history = self.services.index.history(key)
        edition = history.edition(year)
        t = self.translator(request)
        cache_key = (history.key, edition.year, t.language)
        places, version = self.places()
        cached = self._maps.get(cache_key)
        if cached is None or cached[0] != (id(history), version):
            cached = ((id(history), version), index_map(edition, t, places))
            with self._lock:
                self._maps[cache_key] = cached
        return cached[1]

    def document(self, key: str, fmt: str) -> Document:
        """The open data of ``key`` as ``fmt`` (csv or json)."""
        history: IndexHistory = self.services.index.history(key)
        return index_document(history, fmt, self.places()[0])

    def summary(self) -> list[dict[str, Any]]:
        """Every public index with its years, for the API's list."""
        return [
            {"index": key, "years": [edition.year for edition in self.services.index.history(key).editions]}
            for key in self.services.index.index_keys()
        ]
