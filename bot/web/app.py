"""The public web app: results pages, the consultation report, an open-data JSON API, health and metrics.

:func:`create_web_app` builds a FastAPI application around the services; it is served by uvicorn inside
``glos run`` (or ``glos web``). Pages are server-rendered Jinja2 with the same message catalogues as the
chat channels, in Polish or English (``?lang=en``, else the ``Accept-Language`` header), and need no external
asset: the stylesheet is served by the app. Results, report and exports are shown only when the process's
results are visible — the same rule as ``/wyniki`` — so nothing leaks early through any route.
"""

from __future__ import annotations

import csv
import io
import time
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.config import Settings
from bot.domain import Phase, ProcessKind
from bot.errors import GlosError, NotFound, WrongPhase
from bot.exports import export_process
from bot.i18n import Translator, translator
from bot.services import ProcessResults, Services
from bot.services.mailstats import mail_counts
from bot.summaries.chart import Chart, summary_chart
from bot.views.process import district_name
from bot.web.language import request_language
from bot.web.results_cache import ResultsCache

__all__ = ["create_web_app"]


def create_web_app(services: Services, settings: Settings) -> FastAPI:
    """The web application for ``services``; nothing starts until uvicorn serves it."""
    app = FastAPI(title="Głos", description="Open data of participation processes: results and reports.")
    templates = Environment(loader=PackageLoader("bot", "templates/web"), autoescape=select_autoescape(["html"]))
    static = resources.files("bot") / "web" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    cache = ResultsCache(services)
    charts: dict[tuple[str, str], tuple[int, Chart]] = {}

    def chart_of(info: Any, results: ProcessResults, t: Translator) -> Chart:
        # Drawn once per (process, language) while the counted results stay the same object in the cache.
        key = (info.slug, t.language)
        cached = charts.get(key)
        if cached is None or cached[0] != id(results):
            cached = (id(results), summary_chart(info, results, t))
            charts[key] = cached
        return cached[1]

    started = time.monotonic()
    counters = {"requests": 0}

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        t = translator(request_language(request), services.context.zone)
        html = templates.get_template(name).render(t=t, lang=t.language, bot_name=settings.bot.name, **context)
        return HTMLResponse(html, status_code=status)

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Any) -> Response:
        counters["requests"] += 1
        response: Response = await call_next(request)
        return response

    @app.exception_handler(GlosError)
    async def refused(request: Request, error: GlosError) -> Response:
        status = 404 if isinstance(error, NotFound) else 403 if isinstance(error, WrongPhase) else 400
        t = translator(request_language(request), services.context.zone)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": error.key, "message": t(error.key, **error.params)}, status_code=status)
        return page(request, "error.html", status=status, message=t(error.key, **error.params))

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        listed = services.processes.list((Phase.OPEN, Phase.CLOSED, Phase.PUBLISHED))
        return page(request, "index.html", processes=listed)

    @app.get("/p/{slug}", response_class=HTMLResponse)
    def process_page(request: Request, slug: str) -> HTMLResponse:
        info = _public(services, slug)
        results = cache.results(slug)
        chart = None
        if results is not None and info.kind is not ProcessKind.CONSULTATION:
            chart = chart_of(info, results, translator(request_language(request), services.context.zone))
        return page(request, "process.html", info=info, results=results, district_name=district_name, chart=chart)

    @app.get("/p/{slug}/chart.png")
    def chart_png(request: Request, slug: str) -> Response:
        info = _public(services, slug)
        results = cache.results(slug)
        if results is None:
            raise WrongPhase("results.not_visible", slug=slug)
        chart = chart_of(info, results, translator(request_language(request), services.context.zone))
        return Response(chart.png, media_type="image/png")

    @app.get("/p/{slug}/raport", response_class=HTMLResponse)
    def report_page(request: Request, slug: str) -> HTMLResponse:
        info = _public(services, slug)
        report = services.report.report(slug, language=request_language(request))
        return page(request, "report.html", info=info, report=report)

    @app.get("/p/{slug}/raport.csv")
    def report_csv(request: Request, slug: str) -> Response:
        _public(services, slug)
        t = translator(request_language(request), services.context.zone)
        report = services.report.report(slug, language=t.language)
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(["nr", "section", "author", "date", "channel", "opinion", "response", "justification"])
        for entry in report.entries:
            writer.writerow(
                [
                    entry.number,
                    entry.section,
                    entry.author,
                    t.datetime(entry.created_at),
                    t("channel." + entry.channel.value),
                    entry.text,
                    t("response." + entry.response_status.value) if entry.response_status else "",
                    entry.response_text or "",
                ]
            )
        return Response(
            buffer.getvalue().encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{slug}-raport.csv"'},
        )

    @app.get("/p/{slug}/raport.docx")
    def report_document(request: Request, slug: str) -> Response:
        _public(services, slug)
        t = translator(request_language(request), services.context.zone)
        from bot.web.report_docx import report_docx  # python-docx and lxml: loaded on the first download

        content = report_docx(services.report.report(slug, language=t.language), t)
        return Response(
            content,
            media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            headers={"Content-Disposition": f'attachment; filename="{slug}-raport.docx"'},
        )

    @app.get("/api/processes")
    def api_processes() -> list[dict[str, Any]]:
        return [
            {
                "slug": info.slug,
                "kind": info.kind.value,
                "phase": info.phase.value,
                "title": {"pl": info.title("pl"), "en": info.title("en")},
                "opens_at": info.opens_at.isoformat() if info.opens_at else None,
                "closes_at": info.closes_at.isoformat() if info.closes_at else None,
            }
            for info in services.processes.list((Phase.OPEN, Phase.CLOSED, Phase.PUBLISHED))
        ]

    @app.get("/api/processes/{slug}")
    def api_process(slug: str) -> dict[str, Any]:
        info = _public(services, slug)
        return {"slug": info.slug, "phase": info.phase.value, "definition": info.definition.model_dump(mode="json")}

    @app.get("/api/processes/{slug}/results")
    def api_results(slug: str) -> dict[str, Any]:
        _public(services, slug)
        results = cache.results(slug)
        if results is None:
            raise WrongPhase("results.not_visible", slug=slug)
        return results.to_json()

    @app.get("/api/processes/{slug}/export.{fmt}")
    def api_export(slug: str, fmt: str, pool: str | None = None) -> Response:
        _public(services, slug)
        if cache.results(slug) is None:
            raise WrongPhase("results.not_visible", slug=slug)
        document = export_process(services, slug, fmt, pool)
        return Response(
            document.content,
            media_type=document.mime_type,
            headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
        )

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        with services.context.connection() as connection:
            connection.exec_driver_sql("SELECT 1")
        return {"status": "ok"}

    @app.get("/metrics", response_class=PlainTextResponse)
    def metrics() -> str:
        stats = services.outbox.stats()
        oldest = 0.0
        if stats.oldest_unsent is not None:
            oldest = max(0.0, (services.context.clock.now() - stats.oldest_unsent).total_seconds())
        lines = [
            "# HELP glos_http_requests_total HTTP requests served by the web app.",
            "# TYPE glos_http_requests_total counter",
            f"glos_http_requests_total {counters['requests']}",
            "# HELP glos_outbox_unsent Messages waiting in the outbox.",
            "# TYPE glos_outbox_unsent gauge",
            f"glos_outbox_unsent {stats.unsent}",
            "# HELP glos_outbox_given_up Messages the outbox gave up on.",
            "# TYPE glos_outbox_given_up gauge",
            f"glos_outbox_given_up {stats.given_up}",
            "# HELP glos_outbox_oldest_unsent_seconds Age of the oldest unsent message.",
            "# TYPE glos_outbox_oldest_unsent_seconds gauge",
            f"glos_outbox_oldest_unsent_seconds {oldest:.1f}",
            "# HELP glos_uptime_seconds Seconds since the web app started.",
            "# TYPE glos_uptime_seconds gauge",
            f"glos_uptime_seconds {time.monotonic() - started:.1f}",
            *_mail_metrics(services),
            *services.context.metrics.render(),
        ]
        return "\n".join(lines) + "\n"

    return app


def _mail_metrics(services: Services) -> list[str]:
    """Incoming e-mail by outcome and detail (the kind of automatic mail, why refused or quarantined)."""
    lines = [
        "# HELP glos_mail_messages E-mail messages handled, by outcome and detail (kind of automatic mail, reason).",
        "# TYPE glos_mail_messages gauge",
    ]
    for (outcome, detail), count in sorted(mail_counts(services.context).items()):
        labels = f'outcome="{_label(outcome)}",detail="{_label(detail)}"'
        lines.append(f"glos_mail_messages{{{labels}}} {count}")
    return lines


def _label(value: str) -> str:
    """A Prometheus label value: backslash, quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _public(services: Services, slug: str) -> Any:
    """The process, unless it is a draft (drafts are not public: answered as not found)."""
    info = services.processes.get(slug)
    if info.phase is Phase.DRAFT:
        raise NotFound("process.not_found", slug=slug)
    return info
