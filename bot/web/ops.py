"""What operators read: ``/healthz`` (the store answers) and ``/metrics`` (Prometheus text format).

Every figure lives in the one :class:`~bot.metrics.Metrics` of the services (``services.context.metrics``):
the web app counts its requests there and sets the outbox and uptime gauges there when scraped; channels count
their own work there. Incoming e-mail by outcome is a labelled family read from the store.
"""

from __future__ import annotations

import time

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from bot.services import Services
from bot.services.mailstats import mail_counts
from bot.web.site import SiteDep, in_unit

__all__ = ["REQUESTS", "router"]

router = APIRouter()

REQUESTS = "glos_http_requests_total"
REQUESTS_DOC = "HTTP requests served by the web app."


@router.get("/healthz")
@in_unit
def healthz(site: SiteDep) -> dict[str, str]:
    site.services.context.ping()
    return {"status": "ok"}


@router.get("/metrics", response_class=PlainTextResponse)
@in_unit
def metrics(site: SiteDep) -> str:
    services = site.services
    figures = services.context.metrics
    stats = services.outbox.stats()
    oldest = 0.0
    if stats.oldest_unsent is not None:
        oldest = max(0.0, (services.context.clock.now() - stats.oldest_unsent).total_seconds())
    figures.inc(REQUESTS, 0, doc=REQUESTS_DOC)  # listed from the start, even before a request was counted
    figures.set("glos_outbox_unsent", stats.unsent, doc="Messages waiting in the outbox.")
    figures.set("glos_outbox_given_up", stats.given_up, doc="Messages the outbox gave up on.")
    figures.set("glos_outbox_oldest_unsent_seconds", round(oldest, 1), doc="Age of the oldest unsent message.")
    figures.set(
        "glos_uptime_seconds", round(time.monotonic() - site.started, 1), doc="Seconds since the web app started."
    )
    return "\n".join([*figures.render(), *_mail_metrics(services)]) + "\n"


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
