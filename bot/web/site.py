"""What every route of the web app shares: the services, the settings, the templates, the results cache and the
drawn charts — one :class:`Site` per app, handed to the routes as a FastAPI dependency (:data:`SiteDep`)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.config import Settings
from bot.domain import Phase
from bot.errors import NotFound
from bot.i18n import Translator, translator
from bot.services import ProcessInfo, ProcessResults, Services
from bot.summaries.chart import Chart, summary_chart
from bot.web.index_views import IndexViews
from bot.web.language import request_language
from bot.web.results_cache import ResultsCache

__all__ = ["Site", "SiteDep", "in_unit", "site"]


@dataclass
class Site:
    """The state of one web app. ``charts`` keeps each (process, language) chart while the counted results it
    was drawn from stay the same object in the cache."""

    services: Services
    settings: Settings
    templates: Environment = field(
        default_factory=lambda: Environment(
            loader=PackageLoader("bot", "templates/web"), autoescape=select_autoescape(["html"])
        )
    )
    cache: ResultsCache = field(init=False)
    indexes: IndexViews = field(init=False)
    charts: dict[tuple[str, str], tuple[int, Chart]] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.cache = ResultsCache(self.services)
        self.indexes = IndexViews(self.services, self.page, self.translator)

    def translator(self, request: Request) -> Translator:
        """The reader's language (``?lang=``, else ``Accept-Language``) in the bot's time zone."""
        return translator(request_language(request), self.services.context.zone)

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """The template ``name`` rendered in the reader's language."""
        t = self.translator(request)
        html = self.templates.get_template(name).render(
            t=t, lang=t.language, bot_name=self.settings.bot.name, **context
        )
        return HTMLResponse(html, status_code=status)

    def public(self, slug: str) -> ProcessInfo:
        """The process, unless it is a draft (drafts are not public: answered as not found)."""
        info = self.services.processes.get(slug)
        if info.phase is Phase.DRAFT:
            raise NotFound("process.not_found", slug=slug)
        return info

    def chart(self, info: ProcessInfo, results: ProcessResults, t: Translator) -> Chart:
        """The results chart, drawn once per (process, language) and counted results."""
        key = (info.slug, t.language)
        cached = self.charts.get(key)
        if cached is None or cached[0] != id(results):
            cached = (id(results), summary_chart(info, results, t))
            self.charts[key] = cached
        return cached[1]


def site(request: Request) -> Site:
    """The :class:`Site` of the app serving ``request`` (set by :func:`bot.web.app.create_web_app`)."""
    found: Site = request.app.state.site
    return found


SiteDep = Annotated[Site, Depends(site)]

P = ParamSpec("P")
R = TypeVar("R")


def in_unit(endpoint: Callable[P, R]) -> Callable[P, R]:
    """Run a route (one that takes ``site: SiteDep``) as one unit of work: the request's reads share one
    connection and one reading transaction — a consistent view, never under the write lock."""

    @functools.wraps(endpoint)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        owner = kwargs["site"]
        assert isinstance(owner, Site)
        with owner.services.context.unit():
            return endpoint(*args, **kwargs)

    return run
