"""An overloaded web app answers 503 with Retry-After at once, never hangs, and recovers by itself.

The app is the real one over its ASGI interface with ``[web] max_active = 1``: one request is held inside the
count (the counting step blocks on an event the test controls — no timing), the next one waits in the queue,
and any further one is refused straight away in the reader's language. Releasing the count lets both through,
and the next request is served normally. Monitoring (``/healthz``) and the webhook are never limited.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import bot.services.results as results_module
from bot.config import Settings, WebSettings
from bot.domain import Channel
from bot.services import Services
from bot.web.app import create_web_app
from bot.web.limiter import ConcurrencyLimiter


def _limiter(app: FastAPI) -> ConcurrencyLimiter:
    app.middleware_stack = app.build_middleware_stack()
    node: Any = app.middleware_stack
    while not isinstance(node, ConcurrencyLimiter):
        node = node.app
    return node


async def _until(condition: Callable[[], bool]) -> None:
    """Let the event loop run until ``condition`` holds (bounded in steps, not in time)."""
    for _ in range(100_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


def _published(services: Services, load_example: Callable[[str], str]) -> str:
    slug = load_example("zielony-budzet-wieliczka")
    for i in range(3):
        person = services.people.identify(Channel.TELEGRAM, str(700 + i)).person_id
        services.voting.cast(slug, person, {"main": ["1", "4"]}, Channel.TELEGRAM)
    services.processes.close(slug)
    services.processes.publish(slug)
    return slug


async def test_beyond_the_queue_the_answer_is_503_with_retry_after_and_the_server_recovers(
    services: Services, load_example: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = _published(services, load_example)
    app = create_web_app(services, Settings(web=WebSettings(max_active=1, max_queued=1, retry_after=7)))
    # glos run adds the Telegram webhook to the same app (bot/workers.py): votes must never wait behind readers.
    app.add_api_route("/telegram/webhook", lambda: {"ok": True}, methods=["POST"])
    limiter = _limiter(app)
    inside, release = threading.Event(), threading.Event()
    real_count = results_module.count_pool

    def held_count(*args: Any, **kwargs: Any) -> Any:
        inside.set()
        assert release.wait(60), "the test never released the count"
        return real_count(*args, **kwargs)

    monkeypatch.setattr(results_module, "count_pool", held_count)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://glos.test") as client:
        working = asyncio.create_task(client.get(f"/api/processes/{slug}/results"))
        assert await asyncio.to_thread(inside.wait, 60)
        waiting = asyncio.create_task(client.get(f"/p/{slug}", params={"lang": "en"}))
        await _until(lambda: limiter.queued == 1)

        refused = await client.get(f"/api/processes/{slug}/results")
        assert refused.status_code == 503 and refused.headers["retry-after"] == "7"
        assert refused.json() == {
            "error": "web.overloaded",
            "message": "Zbyt wiele zapytań naraz. Spróbuj ponownie za kilka sekund.",
        }
        page = await client.get(f"/p/{slug}/chart.png", headers={"Accept-Language": "uk"})
        assert page.status_code == 503 and page.headers["retry-after"] == "7"
        assert "Забагато запитів одночасно. Спробуйте ще раз за кілька секунд." in page.text
        assert (await client.get("/healthz")).status_code == 200  # monitoring is never refused
        assert (await client.post("/telegram/webhook")).json() == {"ok": True}  # nor a vote
        assert not working.done() and not waiting.done()

        release.set()
        assert (await working).status_code == 200
        answered = await waiting
        assert answered.status_code == 200 and "Wieliczka Green Budget 2027" in answered.text
        assert (limiter.active, limiter.queued) == (0, 0)
        again = await client.get(f"/api/processes/{slug}/results")
        assert again.status_code == 200 and again.json()["rounds"][0]["main"]["ballots"] == 3
        metrics = (await client.get("/metrics")).text
    assert "glos_http_refused_total 2" in metrics


async def test_a_request_that_waits_too_long_in_the_queue_is_refused_not_left_hanging(
    services: Services, load_example: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = _published(services, load_example)
    settings = Settings(web=WebSettings(max_active=1, max_queued=5, queue_timeout=0.05))
    app = create_web_app(services, settings)
    limiter = _limiter(app)
    inside, release = threading.Event(), threading.Event()
    real_count = results_module.count_pool

    def held_count(*args: Any, **kwargs: Any) -> Any:
        inside.set()
        assert release.wait(60), "the test never released the count"
        return real_count(*args, **kwargs)

    monkeypatch.setattr(results_module, "count_pool", held_count)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://glos.test") as client:
        working = asyncio.create_task(client.get(f"/api/processes/{slug}/results"))
        assert await asyncio.to_thread(inside.wait, 60)
        # The held request never finishes while this one waits: it gives up at the queue timeout.
        timed_out = await client.get(f"/api/processes/{slug}/results", params={"lang": "en"})
        assert timed_out.status_code == 503 and timed_out.headers["retry-after"] == "5"
        assert timed_out.json()["message"] == "Too many requests at once. Please try again in a few seconds."
        assert limiter.queued == 0
        release.set()
        assert (await working).status_code == 200
        assert (await client.get(f"/api/processes/{slug}/results")).status_code == 200
    assert (limiter.active, limiter.queued) == (0, 0)
