"""The public web app: results pages, the consultation report, an open-data JSON API, health and metrics.

:func:`create_web_app` builds a FastAPI application around the services from one router per area —
:mod:`bot.web.pages`, :mod:`bot.web.report`, :mod:`bot.web.api`, :mod:`bot.web.ops` — sharing one
:class:`~bot.web.site.Site`; it is served by uvicorn inside ``glos run`` / ``glos serve`` (or ``glos web``).
Pages are server-rendered Jinja2 with the same message catalogues as the chat channels, in the reader's
language (``?lang=en``, else the ``Accept-Language`` header), and need no external asset: the stylesheet is
served by the app. Results, report and exports are shown only when the process's results are visible — the
same rule as ``/wyniki`` — so nothing leaks early through any route. Admission control
(:class:`~bot.web.limiter.ConcurrencyLimiter`, ``[web] max_active`` …) answers 503 with ``Retry-After`` instead
of hanging when too many requests arrive at once.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.config import Settings
from bot.errors import GlosError, NotFound, WrongPhase
from bot.services import Services
from bot.web import api, document, index_pages, ops, organisations, pages, report
from bot.web.limiter import ConcurrencyLimiter
from bot.web.site import Site

__all__ = ["REFUSED", "create_web_app"]

REFUSED = "glos_http_refused_total"
REFUSED_DOC = "Requests answered 503 at once because the web app had max_active at work and max_queued waiting."


def create_web_app(services: Services, settings: Settings) -> FastAPI:
    """The web application for ``services``; nothing starts until uvicorn serves it."""
    app = FastAPI(title="Głos", description="Open data of participation processes: results and reports.")
    site = Site(services, settings)
    app.state.site = site
    app.mount("/static", StaticFiles(directory=str(resources.files("bot") / "web" / "static")), name="static")
    for router in (
        pages.router,
        document.router,
        index_pages.router,
        organisations.router,
        report.router,
        api.router,
        ops.router,
    ):
        app.include_router(router)
    metrics = services.context.metrics

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Any) -> Response:
        metrics.inc(ops.REQUESTS, doc=ops.REQUESTS_DOC)
        response: Response = await call_next(request)
        return response

    web = settings.web

    def refusal(scope: MutableMapping[str, Any]) -> tuple[bytes, bytes]:
        """The 503's body in the reader's language: JSON under ``/api/``, else a short page."""
        request = Request(scope)
        t = site.translator(request)
        if request.url.path.startswith("/api/"):
            return b"application/json", json.dumps({"error": "web.overloaded", "message": t("web.overloaded")}).encode()
        page = site.page(request, "error.html", status=503, message=t("web.overloaded"))
        return b"text/html; charset=utf-8", bytes(page.body)

    app.add_middleware(
        ConcurrencyLimiter,
        max_active=web.max_active,
        max_queued=web.max_queued,
        queue_timeout=web.queue_timeout,
        retry_after=web.retry_after,
        on_refused=lambda: metrics.inc(REFUSED, doc=REFUSED_DOC),
        refusal=refusal,
    )

    @app.exception_handler(GlosError)
    async def refused(request: Request, error: GlosError) -> Response:
        """A refusal in the reader's language: JSON under ``/api/``, else the error page."""
        status = 404 if isinstance(error, NotFound) else 403 if isinstance(error, WrongPhase) else 400
        t = site.translator(request)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": error.key, "message": t(error.key, **error.params)}, status_code=status)
        return site.page(request, "error.html", status=status, message=t(error.key, **error.params))

    return app
